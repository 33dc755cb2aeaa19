/** Server options: the full set, the defaults, and the one place they are checked. */
import { ErrorCode, KitewireError } from "../errors.js";
import type { Logger } from "../observability/log/logger.js";
import type { LimitOptions } from "../governance/limit/limits.js";
import type { Tracer } from "../observability/tracer.js";
import type { Middleware } from "../rpc/endpoint.js";

export interface ServerOptions {
  /** Largest request frame accepted (checked from its length before it is read). */
  maxFrameSize: number;
  /** Deepest nesting accepted in a request. */
  maxDepth: number;
  /** A frame must arrive whole within this long of its first byte (header included), or the connection closes. */
  readTimeoutMs: number;
  /** A new connection must deliver its first whole frame within this long, or it is closed (sends nothing, or too little). */
  firstFrameTimeoutMs: number;
  /** A connection that stops serving because its replies are not being read, and stays so this long, is closed. */
  writeTimeoutMs: number;
  /**
   * Reply bytes queued on one connection (not yet taken by the kernel) past which the
   * server stops reading that connection and serving the requests it already read, until
   * the queue drains below half of this. Calls already in flight still add their replies.
   */
  maxQueuedBytesPerConnection: number;
  /** The same, over all connections: past it, connections with replies queued stop serving until the total is below half. */
  maxQueuedBytes: number;
  /**
   * Bytes held in partial frames (received, not yet a whole frame) over all connections.
   * Checked before a connection's partial frame grows; past it the largest holder is
   * closed. Default: a quarter of the engine's memory limit.
   */
  maxPartialFrameBytes: number;
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
  /** Rate and concurrency limits, server-wide and per method (none by default): calls over them get OVERLOADED. */
  limits?: LimitOptions;
  tracer?: Tracer;
  /** Where this side logs what an operator must hear of (default: the process logger, `getLogger()`). */
  logger?: Logger;
}

export const SERVER_DEFAULTS: Readonly<ServerOptions> = Object.freeze({
  maxFrameSize: 16 << 20,
  maxDepth: 64,
  readTimeoutMs: 30_000,
  firstFrameTimeoutMs: 10_000,
  writeTimeoutMs: 30_000,
  maxQueuedBytesPerConnection: 4 << 20,
  maxQueuedBytes: 64 << 20,
  maxPartialFrameBytes: 256 << 20,
  idleTimeoutMs: 300_000,
  maxConnections: 10_000,
  maxInflightPerConnection: 1_000,
  shutdownTimeoutMs: 5_000,
  middlewares: [],
});

/**
 * Fills in defaults and rejects impossible settings (at construction, not at call time).
 * `engineMemoryLimit` (the engine's `memoryLimit`) sets the default maxPartialFrameBytes.
 */
export function makeServerOptions(options: Partial<ServerOptions> = {}, engineMemoryLimit?: number): Readonly<ServerOptions> {
  const o = { ...SERVER_DEFAULTS, ...options };
  if (options.maxPartialFrameBytes === undefined && engineMemoryLimit !== undefined) o.maxPartialFrameBytes = Math.floor(engineMemoryLimit / 4);
  for (const key of ["maxFrameSize", "maxDepth", "readTimeoutMs", "firstFrameTimeoutMs", "writeTimeoutMs", "idleTimeoutMs",
    "maxConnections", "maxInflightPerConnection", "maxQueuedBytesPerConnection", "maxQueuedBytes", "maxPartialFrameBytes",
    "shutdownTimeoutMs"] as const) {
    if (!(Number.isFinite(o[key]) && o[key] > 0)) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `server option ${key} must be a positive number, got ${o[key]}`);
    }
  }
  if (o.maxFrameSize < 64) throw new KitewireError(ErrorCode.INVALID_VALUE, "server option maxFrameSize must be at least 64");
  return Object.freeze(o);
}
