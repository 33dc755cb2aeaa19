/**
 * The one place where the order of a client's call chain is set, as Kitex's
 * `client.initMiddlewares` does. A call passes, outermost first:
 *
 *  1. context and deadline: the `ClientCallContext` (metainfo, deadline from the call's
 *     or the client's timeout and the serving call's, the caller's signal), made by the
 *     caller before the chain (client.ts, `Caller.call`);
 *  2. user middlewares (`ClientOptions.middlewares`), the first outermost;
 *  3. tracing and metrics: the `Tracer` hook (start and finish of the call as the user's
 *     code sees it, after user middlewares have had their say);
 *  4. service circuit breaker (`ClientOptions.circuitBreaker`, or a config source): fails
 *     fast with CIRCUIT_OPEN while open; with retry below, only its gate sits here and
 *     its outcomes are recorded in the retry step's continuation (client/governance.ts);
 *  5. retry / backup request (`ClientOptions.retry`, or a config source): each try runs
 *     6–9 again on its own context (`AttemptContext`), so each try is picked anew. With
 *     nothing between it and step 9 (one connection), step 9 reports the first try's
 *     outcome to it (`RpcContext.firstAttempt`) instead of it chaining a promise per call;
 *  6. discovery + load balancer pick: resolve the target (the first call waits for it),
 *     filter by tags, pick an instance, count the call in flight on it, point
 *     `ctx.connection` at its transport and `ctx.peer` at its address. A try of a retried
 *     call goes to an instance its earlier tries did not (retry_same_node: the previous
 *     one), and instances whose breaker is open are skipped. Absent for a client given
 *     one `connection`;
 *  7. instance circuit breaker: counts each try's outcome against `ctx.peer`;
 *  8. per-attempt RPC timeout, below retry as in Kitex: each try's deadline is its start
 *     plus the RPC timeout (`ctx.rpcTimeoutMs`), never past the whole call's
 *     (`ctx.callDeadline`). The first try's is set with the call's context, each retry's by
 *     step 5, and the transport enforces it: no middleware of its own;
 *  9. remote I/O: encode, send on `ctx.connection`, decode (client.ts, `Caller.io`).
 *     With nothing between steps 3 and 9 (no breaker, retry or discovery), step 9 tells the
 *     tracer itself (`tracedIo`) instead of step 3 wrapping each call in a promise of its own.
 *
 * Every step that is off is left out of the chain, so it costs nothing per call.
 */
import { failureOf, type Tracer } from "../observability/tracer.js";
import type { MethodBinding } from "../rpc/method.js";
import { chain, type Endpoint, type Middleware } from "../rpc/endpoint.js";

/** The parts of a client chain, by step (see the file comment for the order). */
export interface ClientChainParts {
  /** Step 2: user middlewares, the first outermost. */
  readonly middlewares: readonly Middleware[];
  /** Step 3. */
  readonly tracer?: Tracer | undefined;
  /** The method the chain calls: its declared exceptions are answers, not failures, to the tracer (as Kitex counts them). */
  readonly binding?: MethodBinding | undefined;
  /** Step 4 (issue 18). */
  readonly serviceBreaker?: Middleware | undefined;
  /** Step 5 (issue 18): calls `next` once per try. */
  readonly retry?: Middleware | undefined;
  /**
   * Step 5 as it runs right above an `io` that reports first attempts (`ioReportsFirstAttempt`):
   * used instead of `retry` when no step sits between the two (a client with one connection),
   * it adds no promise of its own to a call (`Retryer.middleware`'s `ioReports`).
   */
  readonly retryAboveIo?: Middleware | undefined;
  /** Step 6: discovery and load balancing (absent with a fixed connection). */
  readonly discovery?: Middleware | undefined;
  /** Step 7 (issue 18). */
  readonly instanceBreaker?: Middleware | undefined;
  /** Step 9: the remote I/O endpoint. */
  readonly io: Endpoint;
  /** Whether `io` tells `ctx.firstAttempt`, when set, the outcome of the call's first attempt (client.ts's does). */
  readonly ioReportsFirstAttempt?: boolean;
  /**
   * Steps 3 and 9 in one: `io` that calls `tracer.start` before it encodes and `tracer.finish`
   * once the call settled, as step 3 would (a declared exception or business status finishes
   * it without an error). Used instead of both when no step sits between them.
   */
  readonly tracedIo?: Endpoint | undefined;
}

/** Assembles a client's chain in the order of the file comment. */
export function buildClientChain(parts: ClientChainParts): Endpoint {
  const steps: Middleware[] = [...parts.middlewares];
  const retryAboveIo = parts.ioReportsFirstAttempt === true && parts.discovery === undefined && parts.instanceBreaker === undefined;
  const retry = retryAboveIo && parts.retryAboveIo !== undefined ? parts.retryAboveIo : parts.retry;
  const between = [parts.serviceBreaker, retry, parts.discovery, parts.instanceBreaker].filter((step) => step !== undefined);
  if (parts.tracer !== undefined && between.length === 0 && parts.tracedIo !== undefined) return chain(steps, parts.tracedIo);
  if (parts.tracer !== undefined) steps.push(tracing(parts.tracer, parts.binding));
  return chain([...steps, ...between], parts.io);
}

/** Tells `tracer` of each call's start and finish (a declared exception or business status finishes it without an error). */
function tracing(tracer: Tracer, binding: MethodBinding | undefined): Middleware {
  return (next) => async (ctx, args) => {
    tracer.start?.(ctx);
    try {
      const result = await next(ctx, args);
      tracer.finish?.(ctx);
      return result;
    } catch (error) {
      tracer.finish?.(ctx, failureOf(error, binding));
      throw error;
    }
  };
}
