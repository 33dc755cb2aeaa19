/**
 * A server's call limits: a rate (calls per second, token bucket) and a concurrency (calls
 * in flight), each for the whole server and per method. A call over a limit is refused
 * before its handler runs with an OVERLOADED error, which goes back on the wire as an
 * application error the caller can tell apart (its connection stays open).
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import { coarseNow } from "../clock.js";
import type { Now } from "../window.js";
import { TokenBucket } from "./token-bucket.js";

/** One scope's limits (0: no limit). */
export interface Limit {
  /** Calls per second (token bucket). */
  qps?: number;
  /** Largest burst of calls at once (default: one second's worth, `qps`). */
  burst?: number;
  /** Calls in flight. */
  concurrency?: number;
}

export interface LimitOptions extends Limit {
  /** Limits per method name, on top of the server's. */
  methods?: Readonly<Record<string, Limit>>;
  /** The clock (tests drive it by hand). */
  now?: Now;
}

/** One scope's state: its bucket and its count of calls in flight. */
class Scope {
  bucket: TokenBucket | undefined;
  inflight = 0;
  concurrency = 0;

  constructor(limit: Limit, private readonly now: Now) {
    this.set(limit);
  }

  set(limit: Limit): void {
    const qps = limit.qps ?? 0;
    const burst = limit.burst ?? qps;
    if (qps === 0) this.bucket = undefined;
    else if (this.bucket) this.bucket.update(qps, burst);
    else this.bucket = new TokenBucket(qps, burst, this.now);
    this.concurrency = limit.concurrency ?? 0;
  }

  /** Whether a call fits; counts it in flight if so. */
  admit(): "qps" | "concurrency" | undefined {
    if (this.concurrency > 0 && this.inflight >= this.concurrency) return "concurrency";
    if (this.bucket !== undefined && !this.bucket.tryTake()) return "qps";
    this.inflight++;
    return undefined;
  }
}

export class ServerLimits {
  private readonly server: Scope;
  private readonly methods = new Map<string, Scope>();
  private readonly now: Now;
  /** The last method looked up and its scope (calls come in runs of one method): admit and release skip the Map. */
  private lastMethod: string | undefined;
  private lastScope: Scope | undefined;

  constructor(options: LimitOptions) {
    this.now = options.now ?? coarseNow;
    checkLimit(options, "limits");
    this.server = new Scope(options, this.now);
    this.setMethods(options.methods ?? {});
  }

  /** New limits for the server (and, if given, its methods); calls in flight are unaffected. */
  update(options: LimitOptions): void {
    checkLimit(options, "limits");
    if (options.methods) for (const m in options.methods) checkLimit(options.methods[m]!, `limits.methods.${m}`);
    this.server.set(options);
    if (options.methods) this.setMethods(options.methods);
  }

  /**
   * Admits a call to `method`, or returns the OVERLOADED error to answer it with. An admitted
   * call must be `release`d when it is over.
   */
  admit(method: string): KitewireError | undefined {
    const scope = this.scopeOf(method);
    const refused = this.server.admit();
    if (refused !== undefined) return overloaded(refused, "server", method);
    if (scope === undefined) return undefined;
    const refusedHere = scope.admit();
    if (refusedHere === undefined) return undefined;
    this.server.inflight--;
    return overloaded(refusedHere, "method", method);
  }

  /** Ends an admitted call. */
  release(method: string): void {
    this.server.inflight--;
    const scope = this.scopeOf(method);
    if (scope !== undefined) scope.inflight--;
  }

  private scopeOf(method: string): Scope | undefined {
    if (method === this.lastMethod) return this.lastScope;
    this.lastMethod = method;
    return (this.lastScope = this.methods.get(method));
  }

  private setMethods(methods: Readonly<Record<string, Limit>>): void {
    for (const [name, limit] of Object.entries(methods)) {
      checkLimit(limit, `limits.methods.${name}`);
      const scope = this.methods.get(name);
      if (scope) scope.set(limit);
      else this.methods.set(name, new Scope(limit, this.now));
    }
    this.lastMethod = undefined;
  }
}

function overloaded(kind: "qps" | "concurrency", level: string, method: string): KitewireError {
  const what = kind === "qps" ? "rate limit" : "concurrency limit";
  return new KitewireError(ErrorCode.OVERLOADED, `overloaded: ${level} ${what} reached, ${method} refused`, { details: { limit: kind, level } });
}

function checkLimit(limit: Limit, path: string): void {
  for (const key of ["qps", "burst", "concurrency"] as const) {
    const v = limit[key];
    if (v !== undefined && !(Number.isFinite(v) && v >= 0)) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `${path}.${key} must be 0 or more, got ${v}`);
    }
  }
  if (limit.burst !== undefined && limit.burst > 0 && limit.burst < 1) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `${path}.burst must be at least 1, got ${limit.burst}`);
  }
}
