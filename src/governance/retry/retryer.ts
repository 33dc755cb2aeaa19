/**
 * The retry middleware: failure retry, backup requests (hedging) and Kitex's mixed retry,
 * one policy per method (`*` for any), stopped by max retries, max duration, the call's
 * deadline, chain stop, the retry breaker (the method's attempt error rate over 10 s,
 * ≥ 10 samples, at or above `error_rate`) and the retry budget. Policies change at run time
 * (`update`) and take effect with the next call; calls in flight keep the policy they began with.
 *
 * Timeouts are Kitex's: the RPC timeout (`ctx.rpcTimeoutMs`: the call's `timeoutMs`, the
 * client's, or an `rpc_timeout` document's) sits below retry, so each attempt gets its own
 * deadline, its start plus the RPC timeout, never past the whole call's (`ctx.callDeadline`,
 * the served call's it continues). `max_duration_ms` stops new attempts from starting once
 * that long has passed since the first began (an attempt in flight runs to its own deadline).
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import type { FirstAttemptReport, RpcContext } from "../../rpc/context.js";
import type { Endpoint, Middleware } from "../../rpc/endpoint.js";
import { coarseNow } from "../clock.js";
import { RollingWindow, type Now } from "../window.js";
import { AttemptContext, attemptOf, isRetryRequest, retryMetainfo } from "./attempt.js";
import { RetryBudget } from "./budget.js";
import { resolveRetryPolicy, RetryType, type ResolvedRetryPolicy, type RetryPolicy } from "./policy.js";

export interface RetryOptions {
  /**
   * Policies by method name; `*` applies to methods without their own. Naming a method is
   * saying it may be retried; `*` covers the methods the IDL marks idempotent, and for the
   * others retries only requests that were never sent (see `retryNonIdempotent`).
   */
  policies: Readonly<Record<string, RetryPolicy>>;
  /**
   * Let a `*` policy retry methods the IDL does not mark idempotent as fully as marked ones
   * (as Kitex, which knows no marks, does). Off by default: a `*` document written for
   * reads must not send a write twice.
   */
  retryNonIdempotent: boolean;
  /** Largest share of calls that may be retries over `budgetWindowMs`, e.g. 0.1 (0: no budget). */
  budget: number;
  budgetWindowMs: number;
  /** The clock of retry decisions (max duration, deadlines); also of the statistics when given (tests drive it by hand). */
  now: Now;
  /** Random numbers in [0, 1) for random backoff. */
  random: () => number;
  /** Told as each attempt after the first starts, the call's `retries` already counting it (a tracer's `retry` hook). */
  onRetry?: (ctx: RpcContext, kind: "failure" | "backup") => void;
  /**
   * Told as each attempt starts and ends (a tracer's `attemptStart` and `attemptFinish`:
   * a span per attempt). With it, every attempt runs on its own `AttemptContext`, the first
   * too: one allocation more per call under a policy.
   */
  attempts?: AttemptObserver;
}

/** Told of each attempt of a call under a retry policy (see `RetryOptions.attempts`). */
export interface AttemptObserver {
  start(attempt: RpcContext, call: RpcContext, n: number): void;
  finish(attempt: RpcContext, error?: unknown): void;
}

export const RETRY_DEFAULTS: Readonly<RetryOptions> = Object.freeze({
  policies: {},
  retryNonIdempotent: false,
  budget: 0,
  budgetWindowMs: 10_000,
  now: () => Date.now(),
  random: () => Math.random(),
});

/** Samples the retry breaker needs before it trusts the error rate (Kitex's `cbMinSample`). */
const RETRY_BREAKER_MIN_SAMPLE = 10;

/** What the retry step knows of the method it retries (a `MethodBinding` has it all). */
export interface RetriedMethod {
  readonly name: string;
  readonly oneway: boolean;
  /** Marked idempotent in the IDL (Thrift `(idempotent = "true")`, Protobuf `idempotency_level`). */
  readonly idempotent: boolean;
}

/** Whether `error` says its request was never sent (e.g. its connection could not be made): retrying it cannot repeat a side effect. */
export function requestNotSent(error: unknown): boolean {
  return error instanceof KitewireError && error.details?.["sent"] === false;
}

/** Told the final outcome of each call through a retry middleware (after its retries). */
export interface CallObserver {
  succeeded(): void;
  failed(error: unknown): void;
}

export class Retryer {
  private policies = new Map<string, ResolvedRetryPolicy>();
  /** The `*` policy as it applies to a method not marked idempotent (unless `retryNonIdempotent`): retrying only requests never sent. */
  private starUnsent: ResolvedRetryPolicy | undefined;
  /** Bumped by each `update`: a middleware made for one method looks its policy up again only then. */
  private version = 0;
  private readonly budget: RetryBudget | undefined;
  private readonly stats = new Map<string, RollingWindow>();
  private readonly options: Readonly<RetryOptions>;
  private readonly codePolicies: ReadonlyMap<string, RetryPolicy>;
  /** The clock of the retry breaker's windows and the budget (read per call: the coarse one unless `now` is given). */
  private readonly statsNow: Now;

  constructor(options: Partial<RetryOptions> = {}) {
    const o = (this.options = Object.freeze({ ...RETRY_DEFAULTS, ...options }));
    this.statsNow = options.now ?? coarseNow;
    if (!(o.budget >= 0 && o.budget <= 1)) throw new KitewireError(ErrorCode.INVALID_VALUE, `retry budget must be in [0, 1], got ${o.budget}`);
    if (!(o.budgetWindowMs > 0)) throw new KitewireError(ErrorCode.INVALID_VALUE, `budgetWindowMs must be above 0, got ${o.budgetWindowMs}`);
    this.budget = o.budget > 0 ? new RetryBudget(o.budget, o.budgetWindowMs, this.statsNow) : undefined;
    this.codePolicies = new Map(Object.entries(o.policies));
    this.update(this.codePolicies);
  }

  /**
   * Applies a `retry` config document: its policies over the ones given in code, method by
   * method (undefined: the code's alone). Throws, changing nothing, if one is invalid.
   */
  configure(document: ReadonlyMap<string, RetryPolicy> | undefined): void {
    this.update(document === undefined ? this.codePolicies : new Map([...this.codePolicies, ...document]));
  }

  /** Replaces every policy (methods absent from `policies` stop retrying). Throws, changing nothing, if one is invalid. */
  update(policies: ReadonlyMap<string, RetryPolicy>): void {
    const next = new Map<string, ResolvedRetryPolicy>();
    for (const [method, policy] of policies) {
      const resolved = resolveRetryPolicy(policy, `retry.${method}`);
      if (resolved !== undefined) next.set(method, resolved);
    }
    this.policies = next;
    const star = next.get("*");
    this.starUnsent = star === undefined ? undefined
      : Object.freeze({ ...star, type: RetryType.FAILURE, retryDelayMs: 0, unsentOnly: true, shouldResultRetry: undefined });
    this.version++;
  }

  /**
   * The policy `method` runs under now, if any: its own, else `*` (for a method not marked
   * `idempotent`, unless `retryNonIdempotent`, `*` retries only requests never sent).
   */
  policyFor(method: string, idempotent = true): ResolvedRetryPolicy | undefined {
    return this.policies.get(method) ?? (idempotent || this.options.retryNonIdempotent ? this.policies.get("*") : this.starUnsent);
  }

  /**
   * The retry middleware. A oneway method is never retried (identity). Given its `method`,
   * the middleware is made for that method alone, its policy looked up once per policy
   * change, and its first attempt's success costs no allocation (the client's chain, made
   * per method, does so). Without one (a middleware installed by hand) the policy is looked
   * up by `ctx.method` per call, and every method counts as idempotent: installing it is the
   * user's word. An `observer` is told each call's final outcome, after its retries, in this
   * step's own continuation: the service breaker above records there instead of adding a
   * promise of its own to every call.
   *
   * With `ioReports` (the chain puts this step right above an I/O endpoint that honours
   * `ctx.firstAttempt`: client.ts), a failure-retry call hands its first attempt to `next`
   * with a `FirstAttemptReport` on its context and returns `next`'s promise as it is: the
   * I/O endpoint tells the outcome, so an idle policy adds no promise, continuation or
   * closure to the call.
   */
  middleware(method?: RetriedMethod, observer?: CallObserver, ioReports = false): Middleware {
    if (method?.oneway === true) return (next) => next;
    const observed = observer === undefined ? undefined : {
      succeeded: (result: unknown) => {
        observer.succeeded();
        return result;
      },
      failed: (error: unknown): never => {
        observer.failed(error);
        throw error;
      },
    };
    const watch = (call: Promise<unknown>) => (observed === undefined ? call : call.then(observed.succeeded, observed.failed));
    return (next) => {
      const stats = method === undefined ? undefined : this.statsOf(method.name);
      let version = -1;
      let current: ResolvedRetryPolicy | undefined;
      /** The report the I/O endpoint gives for the current policy, when it can (see `reportFor`). */
      let report: FirstAttemptReport | undefined;
      const policyOf = method === undefined ? (ctx: RpcContext) => this.policyFor(ctx.method) : () => {
        if (version !== this.version) {
          version = this.version;
          current = this.policyFor(method.name, method.idempotent);
          report = ioReports && stats !== undefined && current !== undefined ? this.reportFor(current, next, stats, observer, watch) : undefined;
        }
        return current;
      };
      const succeeded = stats === undefined ? undefined : (result: unknown) => {
        stats.add(true, this.statsNow());
        observer?.succeeded();
        return result;
      };
      return (ctx, args) => {
        const policy = policyOf(ctx);
        if (policy === undefined) return watch(next(ctx, args));
        this.budget?.call();
        if (report !== undefined) {
          ctx.firstAttempt = report;
          return next(ctx, args);
        }
        if (policy.type !== RetryType.FAILURE) return watch(this.hedged(policy, next, ctx, args));
        if (succeeded === undefined || policy.shouldResultRetry?.respRetry !== undefined || this.options.attempts !== undefined) {
          return watch(this.failureRetry(policy, next, ctx, args));
        }
        // The common case, first attempt on the call's own context: no AttemptContext, one continuation (its
        // rejection handler is the one closure per call; an async method instead measured ~2x the added cost).
        const start = policy.maxDurationMs > 0 || policy.ddlStop ? this.options.now() : 0;
        return next(ctx, args).then(succeeded, (error: unknown) => watch(this.failureRetry(policy, next, ctx, args, { error, start })));
      };
    };
  }

  /**
   * What the I/O endpoint below reports a first attempt under `policy` to, or undefined when
   * the policy needs more than the outcome (backup and mixed requests, a result predicate,
   * attempt observers, or the first attempt's start time for max_duration_ms or ddl_stop).
   */
  private reportFor(policy: ResolvedRetryPolicy, next: Endpoint, stats: RollingWindow, observer: CallObserver | undefined,
    watch: (call: Promise<unknown>) => Promise<unknown>): FirstAttemptReport | undefined {
    if (policy.type !== RetryType.FAILURE || policy.shouldResultRetry?.respRetry !== undefined || this.options.attempts !== undefined ||
      policy.maxDurationMs > 0 || policy.ddlStop) return undefined;
    return {
      succeeded: () => {
        stats.add(true, this.statsNow());
        observer?.succeeded();
      },
      failed: (ctx, args, error) => watch(this.failureRetry(policy, next, ctx, args, { error, start: 0 })),
    };
  }

  /**
   * Failure retry; `first` is the outcome of a first attempt already made (the call's own
   * context) when the fast path of `middleware` made it.
   */
  private async failureRetry(policy: ResolvedRetryPolicy, next: Endpoint, ctx: RpcContext, args: unknown,
    first?: { error: unknown; start: number }): Promise<unknown> {
    const start = first?.start ?? this.options.now();
    const stats = this.statsOf(ctx.method);
    const earlier: RpcContext[] = [];
    // The first attempt runs on the call's own context, whose deadline is the first attempt's (nothing to allocate when it
    // succeeds), unless attempts are observed.
    let actx = this.options.attempts !== undefined && first === undefined ? this.attempt(ctx, earlier, policy, ctx.signal) : ctx;
    let began = start;
    let pending = first;
    for (;;) {
      let result: unknown;
      try {
        if (pending !== undefined) throw pending.error;
        result = await this.send(next, ctx, actx, args);
      } catch (error) {
        pending = undefined;
        const retryable = this.retryable(policy, error, actx);
        stats.add(!retryable, this.statsNow());
        if (!retryable || !(await this.retryAfterBackoff(policy, ctx, earlier.length + 1, start, began, stats))) {
          adopt(ctx, actx);
          throw error;
        }
        earlier.push(actx);
        actx = this.attempt(ctx, earlier.slice(), policy, ctx.signal, "failure");
        began = this.options.now();
        continue;
      }
      const again = policy.shouldResultRetry?.respRetry?.(result, actx) === true;
      stats.add(!again, this.statsNow());
      if (!again || !(await this.retryAfterBackoff(policy, ctx, earlier.length + 1, start, began, stats))) {
        adopt(ctx, actx);
        return result;
      }
      earlier.push(actx);
      actx = this.attempt(ctx, earlier.slice(), policy, ctx.signal, "failure");
      began = this.options.now();
    }
  }

  /**
   * Backup and mixed: another attempt after `retryDelayMs` without a reply (mixed: also at
   * once after a retryable failure); the first reply wins (backup: whatever it is; mixed:
   * the first success, else the last failure) and the others are cancelled.
   */
  private hedged(policy: ResolvedRetryPolicy, next: Endpoint, ctx: RpcContext, args: unknown): Promise<unknown> {
    const start = this.options.now();
    const stats = this.statsOf(ctx.method);
    const mixed = policy.type === RetryType.MIXED;
    const attempts: AttemptContext[] = [];
    const controllers: AbortController[] = [];
    const callerSignal = ctx.signal;
    let inFlight = 0;
    let settled = false;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let lastLaunch = start;
    return new Promise((resolve, reject) => {
      const onCallerAbort = () => {
        for (const c of controllers) c.abort(callerSignal!.reason);
      };
      const finish = (actx: AttemptContext, ok: boolean, value: unknown) => {
        settled = true;
        clearTimeout(timer);
        callerSignal?.removeEventListener("abort", onCallerAbort);
        for (let i = 0; i < controllers.length; i++) {
          if (attempts[i] !== actx) controllers[i]!.abort(new KitewireError(ErrorCode.CANCELLED, "another attempt answered first"));
        }
        adopt(ctx, actx);
        if (ok) resolve(value);
        else reject(value);
      };
      const allowed = () => !settled &&
        this.mayRetry(policy, ctx, attempts.length, start, lastLaunch, stats);
      const launch = (kind: "failure" | "backup") => {
        const controller = new AbortController();
        controllers.push(controller);
        const actx = this.attempt(ctx, attempts.slice(), policy, controller.signal, kind);
        attempts.push(actx);
        inFlight++;
        lastLaunch = this.options.now();
        clearTimeout(timer);
        if (attempts.length <= policy.maxRetryTimes) timer = setTimeout(() => { if (allowed()) launch("backup"); }, policy.retryDelayMs);
        this.send(next, ctx, actx, args).then((result) => done(actx, true, result), (error: unknown) => done(actx, false, error));
      };
      const done = (actx: AttemptContext, ok: boolean, value: unknown) => {
        inFlight--;
        if (settled) return;
        const retryable = !ok && this.retryable(policy, value, actx);
        stats.add(ok || !retryable, this.statsNow());
        if (ok || !mixed) return finish(actx, ok, value);
        if (retryable && attempts.length <= policy.maxRetryTimes && allowed()) launch("failure");
        else if (inFlight === 0) finish(actx, false, value);
      };
      callerSignal?.addEventListener("abort", onCallerAbort, { once: true });
      launch("backup"); // the first attempt: not a retry, told to no one
    });
  }

  /** Runs one attempt, telling the attempt observer (if any) of its start and end. */
  private send(next: Endpoint, ctx: RpcContext, actx: RpcContext, args: unknown): Promise<unknown> {
    const observer = this.options.attempts;
    if (observer === undefined || actx === ctx) return next(actx, args);
    observer.start(actx, ctx, attemptOf(actx));
    return next(actx, args).then((result) => {
      observer.finish(actx);
      return result;
    }, (error: unknown) => {
      observer.finish(actx, error);
      throw error;
    });
  }

  /** Whether one more attempt may start, `sent` attempts after the call began. */
  private mayRetry(policy: ResolvedRetryPolicy, ctx: RpcContext, sent: number, start: number, lastBegan: number, stats: RollingWindow): boolean {
    if (sent > policy.maxRetryTimes) return false;
    if (!policy.disableChainStop && isRetryRequest(ctx)) return false; // chain stop
    const now = this.options.now();
    if (policy.maxDurationMs > 0 && now - start >= policy.maxDurationMs) return false;
    if (ctx.callDeadline !== undefined) {
      const left = ctx.callDeadline - now;
      if (left <= 0 || (policy.ddlStop && left < now - lastBegan)) return false;
    }
    if (ctx.signal?.aborted) return false;
    const statsNow = this.statsNow();
    if (stats.samples(statsNow) >= RETRY_BREAKER_MIN_SAMPLE && stats.errorRate(statsNow) >= policy.errorRate) return false;
    return this.budget === undefined || this.budget.tryRetry();
  }

  /** Timeouts and connection failures, unless the policy says otherwise; never a cancelled call. */
  private retryable(policy: ResolvedRetryPolicy, error: unknown, actx: RpcContext): boolean {
    if (policy.unsentOnly === true) return requestNotSent(error);
    const custom = policy.shouldResultRetry;
    if (custom?.errorRetry?.(error, actx) === true) return true;
    if (!(error instanceof KitewireError)) return false;
    if (error.code === ErrorCode.CONNECTION) return true;
    return error.code === ErrorCode.TIMEOUT && custom?.notRetryForTimeout !== true;
  }

  private attempt(ctx: RpcContext, earlier: readonly RpcContext[], policy: ResolvedRetryPolicy, signal: AbortSignal | undefined,
    kind: "failure" | "backup" = "failure"): AttemptContext {
    const n = earlier.length + 1;
    if (n > 1) {
      ctx.retries = n - 1;
      this.options.onRetry?.(ctx, kind);
    }
    const actx = new AttemptContext(ctx, n, earlier, policy.retrySameNode, signal, n === 1 ? ctx.metainfo : retryMetainfo(ctx.metainfo, n - 1));
    if (ctx.rpcTimeoutMs > 0) {
      const deadline = this.options.now() + ctx.rpcTimeoutMs;
      if (actx.deadline === undefined || deadline < actx.deadline) actx.deadline = deadline;
    }
    return actx;
  }

  /** Waits the policy's backoff (if another attempt may follow), then says whether one may start now. */
  private async retryAfterBackoff(policy: ResolvedRetryPolicy, ctx: RpcContext, sent: number, start: number, lastBegan: number,
    stats: RollingWindow): Promise<boolean> {
    if (sent > policy.maxRetryTimes) return false;
    const ms = policy.backoffType === "fixed" ? policy.fixMs
      : policy.backoffType === "random" ? policy.minMs + Math.floor(this.options.random() * (policy.maxMs - policy.minMs)) : 0;
    if (ms > 0) await new Promise((resolve) => setTimeout(resolve, ms));
    return this.mayRetry(policy, ctx, sent, start, lastBegan, stats);
  }

  private statsOf(method: string): RollingWindow {
    let window = this.stats.get(method);
    if (window === undefined) this.stats.set(method, (window = new RollingWindow(100, 100)));
    return window;
  }
}

/** What the call's context learns from the attempt that answered: its retry number (Kitex's retry tag: the `retry` label), its peer, ... */
function adopt(ctx: RpcContext, actx: RpcContext): void {
  if (actx === ctx) return;
  ctx.retries = attemptOf(actx) - 1;
  if (actx.peer !== undefined) ctx.peer = actx.peer;
  ctx.seqid = actx.seqid;
  if (actx.bizStatus !== undefined) ctx.bizStatus = actx.bizStatus;
  if (actx.metainfo !== ctx.metainfo && actx.metainfo.hasBackward) {
    for (const [k, v] of actx.metainfo.backward) ctx.metainfo.backward.set(k, v);
  }
}
