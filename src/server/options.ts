/** Server options: the full set, the defaults, and the one place they are checked. */
import { ErrorCode, KitewireError } from "../errors.js";
import type { Logger } from "../observability/log/logger.js";
import type { Tracer } from "../observability/tracer.js";
import type { Middleware } from "../rpc/endpoint.js";

export interface ServerOptions {
  /** Largest request frame accepted (checked from its length before it is read). */
  maxFrameSize: number;
  /** Deepest nesting accepted in a request. */
  maxDepth: number;
  /** A frame must arrive whole within this long of its first byte, or the connection closes. */
  readTimeoutMs: number;
  /** A connection with no request for this long is closed. */
  idleTimeoutMs: number;
  /** Connections beyond this many are closed on accept. */
  maxConnections: number;
  /** Calls in flight per connection before the server stops reading from it. */
  maxInflightPerConnection: number;
  /** How long graceful shutdown waits for calls in flight. */
  shutdownTimeoutMs: number;
  /** Server middlewares, the first outermost. */
  middlewares: readonly Middleware[];
  tracer?: Tracer;
  /** Where this side logs what an operator must hear of (default: the process logger, `getLogger()`). */
  logger?: Logger;
}

export const SERVER_DEFAULTS: Readonly<ServerOptions> = Object.freeze({
  maxFrameSize: 16 << 20,
  maxDepth: 64,
  readTimeoutMs: 30_000,
  idleTimeoutMs: 300_000,
  maxConnections: 10_000,
  maxInflightPerConnection: 1_000,
  shutdownTimeoutMs: 5_000,
  middlewares: [],
});

/** Fills in defaults and rejects impossible settings (at construction, not at call time). */
export function makeServerOptions(options: Partial<ServerOptions> = {}): Readonly<ServerOptions> {
  const o = { ...SERVER_DEFAULTS, ...options };
  for (const key of ["maxFrameSize", "maxDepth", "readTimeoutMs", "idleTimeoutMs", "maxConnections",
    "maxInflightPerConnection", "shutdownTimeoutMs"] as const) {
    if (!(Number.isFinite(o[key]) && o[key] > 0)) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `server option ${key} must be a positive number, got ${o[key]}`);
    }
  }
  if (o.maxFrameSize < 64) throw new KitewireError(ErrorCode.INVALID_VALUE, "server option maxFrameSize must be at least 64");
  return Object.freeze(o);
}
