/**
 * The log of connections a server refused or closed for cause: one line per rejection
 * with the peer, the reason and (for bad bytes) the offset in the connection's stream of
 * the frame they are in (the detail gives their place within it),
 * rate-limited per reason since a client can cause them at will; each also goes to the
 * tracer's `connection("error", ...)` hook.
 */
import { getLogger, type Logger } from "../../observability/log/logger.js";
import { RateLimitedLog } from "../../observability/log/rate-limit.js";

/** Why the server closed a connection (`internal-error`: it could not serve a frame, e.g. engine memory exhausted). */
export type RejectionReason = "unknown-protocol" | "oversized-frame" | "malformed-frame" | "read-timeout" |
  "first-frame-timeout" | "write-timeout" | "connection-limit" | "partial-frame-budget" | "internal-error";

export class Rejections {
  private readonly log: RateLimitedLog;

  constructor(logger: Logger | undefined) {
    this.log = new RateLimitedLog(() => logger ?? getLogger());
  }

  /** Logs one rejection (unless its reason is over its rate). */
  report(reason: RejectionReason, peer: string, error: unknown, offset?: number): void {
    const detail = error instanceof Error ? error.message : String(error);
    const code = (error as { code?: unknown } | undefined)?.code;
    this.log.log(reason === "internal-error" ? "error" : "warn", reason, "kitewire server closed a connection", {
      peer, reason, code, offset, detail,
    });
  }
}
