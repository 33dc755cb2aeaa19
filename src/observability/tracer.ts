/**
 * The stats hook: what the RPC core reports about calls and connections. Observability
 * adapters (Prometheus, OpenTelemetry) implement `Tracer`; every method is optional.
 */
import type { RpcContext } from "../rpc/context.js";

export type ConnectionEvent = "open" | "close" | "error";

export interface Tracer {
  /** A call starts (client: before the middleware chain; server: after its request is decoded). */
  start?(ctx: RpcContext): void;
  /** A call ends; `error` is what it failed with. */
  finish?(ctx: RpcContext, error?: unknown): void;
  /** Bytes of a frame written or read for the call. */
  io?(ctx: RpcContext, direction: "read" | "write", bytes: number): void;
  /** A connection opened, closed or failed (`detail` says why). */
  connection?(event: ConnectionEvent, peer: string, detail?: unknown): void;
}
