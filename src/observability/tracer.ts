/**
 * The stats hook: what the RPC core reports about calls and connections. Observability
 * adapters (Prometheus in `prometheus/node/`, OpenTelemetry in `opentelemetry/`) implement
 * `Tracer`; every method is optional, and a side without a tracer pays nothing.
 *
 * Per call, a side calls `start` once, `io` for each frame it writes or reads, and
 * `finish` once, with the same `RpcContext`. A client calls them from its chain, after the
 * user middlewares and before retry and discovery (client/chain.ts, step 3), so a tracer
 * can add metainfo (e.g. a `traceparent`) before the request is encoded and sees one call
 * however many attempts it takes; a server calls `start` once the request's envelope is
 * read and `finish` once its reply is handed to the connection.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { RpcContext } from "../rpc/context.js";
import type { MethodBinding } from "../rpc/method.js";

export type ConnectionEvent = "open" | "close" | "error";

import type { BreakerState } from "../governance/circuitbreak/breaker.js";

export interface Tracer {
  /** A call starts (client: in its chain, after user middlewares; server: after its request's envelope is read). */
  start?(ctx: RpcContext): void;
  /**
   * A call ends; `error` is what it failed with, as Kitex's tracers count failures: a
   * declared IDL exception or a business status is an answer, so it finishes without one.
   */
  finish?(ctx: RpcContext, error?: unknown): void;
  /** Bytes of a frame written or read for the call. */
  io?(ctx: RpcContext, direction: "read" | "write", bytes: number): void;
  /**
   * A connection opened, closed or failed. For "error", `detail` says why: a `KitewireError`
   * when the side closed it on purpose (a rejected frame: MALFORMED_FRAME, LENGTH_LIMIT; a
   * read TIMEOUT; OVERLOADED), else the socket's error.
   */
  connection?(event: ConnectionEvent, peer: string, detail?: unknown): void;
  /**
   * The server refused a connection or a request, where it logs the refusal: `reason` is
   * the Node listener's (`unknown-protocol`, `oversized-frame`, `malformed-frame`,
   * `read-timeout`, `connection-limit`, ...: the connection closes), else the detected
   * protocol or the error code (e.g. a THeader transform it lacks: answered with an error,
   * the connection stays).
   */
  rejected?(reason: string, peer: string, error: KitewireError): void;
  /**
   * Extension point for retry and backup requests: retry `ctx.retries` (1 for the first
   * retry) of a client call is about to be sent. The retry middleware calls it once per
   * attempt after the first, with the call's context.
   */
  retry?(ctx: RpcContext, kind: "failure" | "backup"): void;
  /**
   * An attempt of a client call under a retry policy is about to be sent, on its own
   * context `attempt` (`n`: 1 for the first), below `call`'s: a tracer may start a span for
   * it and put that span's context in `attempt.metainfo`, so the server's span is its child;
   * `io` then reports the attempt's frames on `attempt`. A tracer with this hook (and
   * `attemptFinish`) makes every attempt of such calls run on a context of its own, the
   * first too (one allocation more per call under a retry policy).
   */
  attemptStart?(attempt: RpcContext, call: RpcContext, n: number): void;
  /** The attempt `attemptStart` was told of ended; `error` is how it failed (a backup that lost is cancelled). */
  attemptFinish?(attempt: RpcContext, error?: unknown): void;
  /**
   * Extension point for circuit breakers: the breaker named `name` (`from/to/method` for a
   * service breaker, `host:port` for an instance breaker) entered `state`.
   */
  breaker?(name: string, state: BreakerState): void;
}

const HOOKS = ["start", "finish", "io", "connection", "rejected", "retry", "breaker", "attemptStart", "attemptFinish"] as const;

/**
 * One tracer that tells each of `tracers`, in order (e.g. Prometheus and OpenTelemetry on
 * one server). A hook none of them has stays absent, so it costs nothing.
 */
export function composeTracers(...tracers: readonly (Tracer | undefined)[]): Tracer {
  const present = tracers.filter((t): t is Tracer => t !== undefined);
  if (present.length === 1) return present[0]!;
  const composed: Record<string, unknown> = {};
  for (const hook of HOOKS) {
    const fns = present.filter((t) => t[hook] !== undefined).map((t) => (t[hook] as (...a: unknown[]) => void).bind(t));
    if (fns.length === 1) composed[hook] = fns[0];
    else if (fns.length > 1) {
      composed[hook] = (a: unknown, b: unknown, c: unknown) => {
        for (let i = 0; i < fns.length; i++) fns[i]!(a, b, c);
      };
    }
  }
  return composed as Tracer;
}

/**
 * What a side passes to `Tracer.finish` for a call of `binding` that settled with `error`:
 * the error, or undefined when it is an answer (one of the method's declared exceptions, or
 * a business status), which Kitex's tracers count as success.
 */
export function failureOf(error: unknown, binding: MethodBinding | undefined): unknown {
  if (error === undefined || binding?.declares(error)) return undefined;
  return error instanceof KitewireError && error.code === ErrorCode.BIZ_STATUS ? undefined : error;
}
