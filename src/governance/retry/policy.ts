/**
 * Retry policies in Kitex's JSON shape (`retry.Policy` of kitex pkg/retry, the `retry`
 * document of kitex-contrib/config-*) and as kitewire options (the same fields in
 * camelCase), with Kitex's bounds checked when a policy is made: failure retry ≤ 5
 * retries, backup ≤ 2, mixed ≤ 3, retry-breaker `error_rate` in (0, 0.3] (0 or absent:
 * Kitex's default 0.1).
 */
import type { RpcContext } from "../../rpc/context.js";
import { booleanAt, integerAt, invalid, join, mapAt, numberAt, objectAt, stringAt } from "../json.js";

/** 0 failure retry, 1 backup request, 2 mixed (Kitex's `retry.Type`). */
export const RetryType = { FAILURE: 0, BACKUP: 1, MIXED: 2 } as const;
export type RetryType = (typeof RetryType)[keyof typeof RetryType];

export type BackoffType = "none" | "fixed" | "random";

/** When to stop retrying (Kitex's `StopPolicy`). */
export interface StopPolicy {
  /** Retries after the first attempt (failure ≤ 5, backup ≤ 2, mixed ≤ 3; 0 stops retrying). */
  maxRetryTimes?: number;
  /** No retry starts this long after the first attempt did (0: no limit). */
  maxDurationMs?: number;
  /** Retry even when serving a request that is itself a retry (Kitex's chain stop off). */
  disableChainStop?: boolean;
  /** Do not retry when the time left before the call's deadline is less than the last attempt took. */
  ddlStop?: boolean;
  /** The retry breaker: stop retrying while the method's error rate (≥ 10 samples) is at or above `errorRate`. */
  cbPolicy?: { errorRate?: number };
}

export interface BackoffPolicy {
  backoffType: BackoffType;
  /** `fixMs` for fixed; `minMs`, `maxMs` for random. */
  cfgItems?: { fixMs?: number; minMs?: number; maxMs?: number };
}

/** Kitex's `ShouldResultRetry`: which results and errors a failure retry retries, beyond timeouts and connection failures. */
export interface ShouldResultRetry {
  /** True to retry after this error. */
  errorRetry?: (error: unknown, ctx: RpcContext) => boolean;
  /** True to retry after this successful result. */
  respRetry?: (result: unknown, ctx: RpcContext) => boolean;
  /** Do not retry timeouts (the request may have been served). */
  notRetryForTimeout?: boolean;
}

export interface FailurePolicy {
  stopPolicy?: StopPolicy;
  backoffPolicy?: BackoffPolicy;
  /** Retry on the instance that failed instead of another one. */
  retrySameNode?: boolean;
  /** Kitex's free-form `extra` (kept, not used). */
  extra?: string;
  shouldResultRetry?: ShouldResultRetry;
}

export interface BackupPolicy {
  /** Send another attempt after this long without a reply (> 0). */
  retryDelayMs: number;
  stopPolicy?: StopPolicy;
  retrySameNode?: boolean;
}

export interface MixedPolicy extends FailurePolicy {
  retryDelayMs: number;
}

/** A retry policy as kitewire options take it (Kitex's `retry.Policy`, camelCase). */
export interface RetryPolicy {
  /** Default true in options (a policy given is meant to be used); false turns it off. */
  enable?: boolean;
  type: RetryType;
  failurePolicy?: FailurePolicy;
  backupPolicy?: BackupPolicy;
  mixedPolicy?: MixedPolicy;
}

/** A policy checked and filled in: what the retry middleware runs. */
export interface ResolvedRetryPolicy {
  readonly type: RetryType;
  readonly maxRetryTimes: number;
  readonly maxDurationMs: number;
  readonly disableChainStop: boolean;
  readonly ddlStop: boolean;
  readonly errorRate: number;
  readonly backoffType: BackoffType;
  readonly fixMs: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly retrySameNode: boolean;
  /** Backup and mixed: the delay before another attempt (0 for failure retry). */
  readonly retryDelayMs: number;
  readonly shouldResultRetry: ShouldResultRetry | undefined;
  /** Retry only errors whose request was never sent (`*` over a method not marked idempotent). */
  readonly unsentOnly?: boolean;
}

const MAX_RETRY_TIMES: Readonly<Record<RetryType, number>> = { 0: 5, 1: 2, 2: 3 };
/** Kitex's `NewFailurePolicy` 2, `NewBackupPolicy` and `NewMixedPolicy` 1. */
const DEFAULT_RETRY_TIMES: Readonly<Record<RetryType, number>> = { 0: 2, 1: 1, 2: 1 };
const DEFAULT_ERROR_RATE = 0.1;

/**
 * Checks `policy` against Kitex's bounds and fills in Kitex's defaults; undefined when it
 * is disabled. Throws INVALID_VALUE naming the field (under `path`) for an impossible value.
 */
export function resolveRetryPolicy(policy: RetryPolicy, path = "retry"): ResolvedRetryPolicy | undefined {
  if (policy.enable === false) return undefined;
  const type = policy.type;
  if (type !== 0 && type !== 1 && type !== 2) throw invalid(join(path, "type"), `must be 0 (failure), 1 (backup) or 2 (mixed), got ${String(type)}`);
  const field = type === 0 ? "failurePolicy" : type === 1 ? "backupPolicy" : "mixedPolicy";
  const chosen = policy[field];
  if (chosen === undefined) throw invalid(path, `type ${type} needs ${field}`);
  const p = join(path, field);
  const stop = chosen.stopPolicy ?? {};
  const maxRetryTimes = stop.maxRetryTimes ?? DEFAULT_RETRY_TIMES[type];
  if (!Number.isInteger(maxRetryTimes) || maxRetryTimes < 0 || maxRetryTimes > MAX_RETRY_TIMES[type]) {
    throw invalid(join(p, "stopPolicy.maxRetryTimes"), `must be an integer in [0, ${MAX_RETRY_TIMES[type]}], got ${maxRetryTimes}`);
  }
  const maxDurationMs = stop.maxDurationMs ?? 0;
  if (!(maxDurationMs >= 0)) throw invalid(join(p, "stopPolicy.maxDurationMs"), `must be 0 or more, got ${maxDurationMs}`);
  const errorRate = stop.cbPolicy?.errorRate || DEFAULT_ERROR_RATE;
  if (!(errorRate > 0 && errorRate <= 0.3)) throw invalid(join(p, "stopPolicy.cbPolicy.errorRate"), `must be in (0, 0.3], got ${errorRate}`);
  let retryDelayMs = 0;
  if (type !== 0) {
    retryDelayMs = (chosen as BackupPolicy).retryDelayMs;
    if (!(Number.isFinite(retryDelayMs) && retryDelayMs > 0)) throw invalid(join(p, "retryDelayMs"), `must be above 0, got ${retryDelayMs}`);
  }
  const failure = type === 1 ? undefined : (chosen as FailurePolicy);
  const backoff = failure?.backoffPolicy ?? { backoffType: "none" };
  const items = backoff.cfgItems ?? {};
  const fixMs = items.fixMs ?? 0;
  const minMs = items.minMs ?? 0;
  const maxMs = items.maxMs ?? 0;
  const bp = join(p, "backoffPolicy");
  if (backoff.backoffType === "fixed" && !(fixMs > 0)) throw invalid(join(bp, "cfgItems.fixMs"), `fixed backoff needs fixMs above 0, got ${fixMs}`);
  if (backoff.backoffType === "random" && !(minMs >= 0 && maxMs > minMs)) {
    throw invalid(join(bp, "cfgItems"), `random backoff needs 0 <= minMs < maxMs, got ${minMs}, ${maxMs}`);
  }
  if (backoff.backoffType !== "none" && backoff.backoffType !== "fixed" && backoff.backoffType !== "random") {
    throw invalid(join(bp, "backoffType"), `must be none, fixed or random, got ${String(backoff.backoffType)}`);
  }
  return Object.freeze({
    type, maxRetryTimes, maxDurationMs, errorRate, retryDelayMs,
    disableChainStop: stop.disableChainStop ?? false,
    ddlStop: stop.ddlStop ?? false,
    backoffType: backoff.backoffType, fixMs, minMs, maxMs,
    retrySameNode: chosen.retrySameNode ?? false,
    shouldResultRetry: failure?.shouldResultRetry,
  });
}

/**
 * Reads a Kitex `retry.Policy` JSON value (strict: unknown fields and wrong types are
 * errors; absent fields are Go's zero values, as a Go service reads the same document).
 */
export function parseRetryPolicyJson(value: unknown, path: string): RetryPolicy {
  const o = objectAt(value, path, ["enable", "type", "failure_policy", "backup_policy", "mixed_policy"]);
  const policy: RetryPolicy = {
    enable: booleanAt(o, "enable", path, false),
    type: integerAt(o, "type", path, 0, 0, 2) as RetryType,
  };
  if (o["failure_policy"] != null) policy.failurePolicy = failureJson(o["failure_policy"], join(path, "failure_policy"), []);
  if (o["backup_policy"] != null) {
    const bp = join(path, "backup_policy");
    const b = objectAt(o["backup_policy"], bp, ["retry_delay_ms", "stop_policy", "retry_same_node"]);
    policy.backupPolicy = {
      retryDelayMs: integerAt(b, "retry_delay_ms", bp, 0),
      stopPolicy: stopJson(b["stop_policy"], join(bp, "stop_policy")),
      retrySameNode: booleanAt(b, "retry_same_node", bp, false),
    };
  }
  if (o["mixed_policy"] != null) {
    const mp = join(path, "mixed_policy");
    const failure = failureJson(o["mixed_policy"], mp, ["retry_delay_ms"]);
    policy.mixedPolicy = { ...failure, retryDelayMs: integerAt(o["mixed_policy"] as Record<string, unknown>, "retry_delay_ms", mp, 0) };
  }
  return policy;
}

/** The `retry` document of kitex-contrib/config-*: method name (or `*`) to `retry.Policy`. */
export function parseRetryDocument(value: unknown): Map<string, RetryPolicy> {
  const map = mapAt(value, "");
  const out = new Map<string, RetryPolicy>();
  for (const method in map) {
    const policy = parseRetryPolicyJson(map[method], method);
    resolveRetryPolicy(policy, method); // rejects the whole document for one impossible policy
    out.set(method, policy);
  }
  return out;
}

function failureJson(value: unknown, path: string, extraKeys: readonly string[]): FailurePolicy {
  const f = objectAt(value, path, ["stop_policy", "backoff_policy", "retry_same_node", "extra", ...extraKeys]);
  const policy: FailurePolicy = {
    stopPolicy: stopJson(f["stop_policy"], join(path, "stop_policy")),
    retrySameNode: booleanAt(f, "retry_same_node", path, false),
    extra: stringAt(f, "extra", path, ""),
  };
  if (f["backoff_policy"] != null) {
    const bp = join(path, "backoff_policy");
    const b = objectAt(f["backoff_policy"], bp, ["backoff_type", "cfg_items"]);
    policy.backoffPolicy = { backoffType: stringAt(b, "backoff_type", bp, "none") as BackoffType };
    if (b["cfg_items"] != null) {
      const ip = join(bp, "cfg_items");
      const items = objectAt(b["cfg_items"], ip, ["fix_ms", "min_ms", "max_ms", "initial_ms", "multiplier"]);
      policy.backoffPolicy.cfgItems = {
        fixMs: numberAt(items, "fix_ms", ip, 0, 0),
        minMs: numberAt(items, "min_ms", ip, 0, 0),
        maxMs: numberAt(items, "max_ms", ip, 0, 0),
      };
    }
  }
  return policy;
}

function stopJson(value: unknown, path: string): StopPolicy {
  if (value == null) return { maxRetryTimes: 0 };
  const s = objectAt(value, path, ["max_retry_times", "max_duration_ms", "disable_chain_stop", "ddl_stop", "cb_policy"]);
  const stop: StopPolicy = {
    maxRetryTimes: integerAt(s, "max_retry_times", path, 0, -0x80000000, 0x7fffffff),
    maxDurationMs: integerAt(s, "max_duration_ms", path, 0),
    disableChainStop: booleanAt(s, "disable_chain_stop", path, false),
    ddlStop: booleanAt(s, "ddl_stop", path, false),
  };
  if (s["cb_policy"] != null) {
    const cp = join(path, "cb_policy");
    stop.cbPolicy = { errorRate: numberAt(objectAt(s["cb_policy"], cp, ["error_rate"]), "error_rate", cp, 0) };
  }
  return stop;
}
