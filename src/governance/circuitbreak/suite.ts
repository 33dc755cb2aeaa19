/**
 * A client's circuit breakers, with Kitex's two levels: a service breaker per
 * `from/to/method` (open: calls fail fast with CIRCUIT_OPEN) and an instance breaker per
 * `host:port` (open: the balancer skips the instance). Settings change at run time through
 * `updateMethods` (the `circuit_break` config document) without losing the windows.
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import type { Middleware } from "../../rpc/endpoint.js";
import type { CallObserver } from "../retry/retryer.js";
import { coarseNow } from "../clock.js";
import type { Now } from "../window.js";
import { BREAKER_TIMING_DEFAULTS, CircuitBreaker, type BreakerState, type BreakerTiming } from "./breaker.js";
import { makeCircuitBreakerConfig, type CircuitBreakerConfig } from "./config.js";

/** Which failures a breaker counts (the others count as successes: the peer answered). */
export type FailurePredicate = (error: unknown) => boolean;

export interface CircuitBreakerOptions {
  /** Settings of every method's service breaker (default Kitex's `{enable: true, errRate: 0.5, minSample: 200}`). */
  service: Partial<CircuitBreakerConfig>;
  /** Per-method settings over `service`, by method name (the `circuit_break` document's shape). */
  methods: Readonly<Record<string, Partial<CircuitBreakerConfig>>>;
  /** Settings of the instance breakers (one per `host:port`). */
  instance: Partial<CircuitBreakerConfig>;
  /** Errors a service breaker counts: timeouts and connection failures by default, never business exceptions. */
  isServiceFailure: FailurePredicate;
  /** Errors an instance breaker counts: connection failures by default. */
  isInstanceFailure: FailurePredicate;
  /** Cooling time, probe interval and probe successes (Kitex's 5 s, 200 ms, 2 by default). */
  timing: Partial<BreakerTiming>;
  /** The clock (default: the coarse clock of governance statistics; tests drive it by hand). */
  now: Now;
  /** Told each state a breaker enters, with its key (`from/to/method`, or the instance's `host:port`): a tracer's `breaker` hook. */
  onStateChange?: (key: string, state: BreakerState) => void;
}

/** Timeouts and connection failures: what overload and outages look like from the caller. */
export const timeoutOrConnectionFailure: FailurePredicate = (error) =>
  error instanceof KitewireError && (error.code === ErrorCode.TIMEOUT || error.code === ErrorCode.CONNECTION);

/** Connection failures only: what says an instance is gone. */
export const connectionFailure: FailurePredicate = (error) => error instanceof KitewireError && error.code === ErrorCode.CONNECTION;

export const CIRCUIT_BREAKER_OPTION_DEFAULTS: Readonly<CircuitBreakerOptions> = Object.freeze({
  service: {},
  methods: {},
  instance: {},
  isServiceFailure: timeoutOrConnectionFailure,
  isInstanceFailure: connectionFailure,
  timing: {},
  now: coarseNow,
});

/** The errors no breaker counts either way: the caller gave up, or a breaker said no. */
function ignored(error: unknown): boolean {
  return error instanceof KitewireError && (error.code === ErrorCode.CANCELLED || error.code === ErrorCode.CIRCUIT_OPEN);
}

export class CircuitBreakers {
  private readonly serviceConfig: CircuitBreakerConfig;
  private methodConfigs: ReadonlyMap<string, CircuitBreakerConfig>;
  private readonly codeMethods: ReadonlyMap<string, Partial<CircuitBreakerConfig>>;
  private readonly instanceConfig: CircuitBreakerConfig;
  private readonly timing: BreakerTiming;
  private readonly services = new Map<string, CircuitBreaker>();
  private readonly instances = new Map<string, CircuitBreaker>();
  readonly isServiceFailure: FailurePredicate;
  readonly isInstanceFailure: FailurePredicate;
  private readonly now: Now;
  private readonly onStateChange: ((key: string, state: BreakerState) => void) | undefined;

  /** @param from, to the caller's and the callee's service names, for the `from/to/method` key. */
  constructor(options: Partial<CircuitBreakerOptions>, readonly from: string, readonly to: string) {
    const o = { ...CIRCUIT_BREAKER_OPTION_DEFAULTS, ...options };
    this.serviceConfig = makeCircuitBreakerConfig(o.service, "circuitBreaker.service");
    this.codeMethods = new Map(Object.entries(o.methods));
    this.methodConfigs = this.resolve(this.codeMethods, "circuitBreaker.methods");
    this.instanceConfig = makeCircuitBreakerConfig(o.instance, "circuitBreaker.instance");
    this.timing = Object.freeze({ ...BREAKER_TIMING_DEFAULTS, ...o.timing });
    this.isServiceFailure = o.isServiceFailure;
    this.isInstanceFailure = o.isInstanceFailure;
    this.now = o.now;
    this.onStateChange = o.onStateChange;
  }

  /**
   * Applies a `circuit_break` document: its per-method settings over the ones given in code
   * (an empty map: the code's alone). Windows and states stay.
   */
  updateMethods(methods: ReadonlyMap<string, Partial<CircuitBreakerConfig>>): void {
    this.methodConfigs = this.resolve(new Map([...this.codeMethods, ...methods]), "circuit_break");
    for (const [method, breaker] of this.services) breaker.config = this.configOf(method);
  }

  /** The service breaker of `method`. */
  service(method: string): CircuitBreaker {
    let breaker = this.services.get(method);
    if (breaker === undefined) {
      this.services.set(method, (breaker = new CircuitBreaker(this.configOf(method), this.timing, this.now, this.told(`${this.from}/${this.to}/${method}`))));
    }
    return breaker;
  }

  /** Whether the instance at `address` may be picked now (in half-open, taking its probe slot). */
  instanceAllowed(address: string): boolean {
    return this.instances.get(address)?.allow() ?? true;
  }

  /** Counts an attempt's outcome at `address` (`error` undefined for a success). */
  recordInstance(address: string, error: unknown): void {
    if (!this.instanceConfig.enable || ignored(error)) return;
    let breaker = this.instances.get(address);
    if (breaker === undefined) this.instances.set(address, (breaker = new CircuitBreaker(this.instanceConfig, this.timing, this.now, this.told(address))));
    breaker.record(error === undefined || !this.isInstanceFailure(error));
  }

  /** The state listener of the breaker keyed `key`, if states are listened to. */
  private told(key: string): ((state: BreakerState) => void) | undefined {
    const listener = this.onStateChange;
    return listener && ((state) => listener(key, state));
  }

  /** Forgets the breaker of an instance discovery removed. */
  removeInstance(address: string): void {
    this.instances.delete(address);
  }

  /** The instance breakers' addresses (for tests and debugging). */
  instanceAddresses(): string[] {
    return [...this.instances.keys()];
  }

  /** The `from/to/method` key of Kitex's service breakers. */
  key(method: string): string {
    return `${this.from}/${this.to}/${method}`;
  }

  private configOf(method: string): CircuitBreakerConfig {
    return this.methodConfigs.get(method) ?? this.serviceConfig;
  }

  private resolve(methods: ReadonlyMap<string, Partial<CircuitBreakerConfig>>, path: string): ReadonlyMap<string, CircuitBreakerConfig> {
    const out = new Map<string, CircuitBreakerConfig>();
    for (const [method, config] of methods) out.set(method, makeCircuitBreakerConfig({ ...this.serviceConfig, ...config }, `${path}.${method}`));
    return out;
  }
}

/**
 * The service breaker middleware: fails fast with CIRCUIT_OPEN while the method's breaker
 * is open, else passes the call on and counts its outcome. Given its `method` (the client's
 * chain is made per method), a call that succeeds costs no allocation beyond its promise.
 */
export function serviceBreakerMiddleware(breakers: CircuitBreakers, method?: string): Middleware {
  return (next) => {
    const fixed = method === undefined ? undefined : breakers.service(method);
    const succeeded = fixed === undefined ? undefined : (result: unknown) => {
      fixed.record(true);
      return result;
    };
    const failed = (breaker: CircuitBreaker) => (error: unknown) => {
      if (!ignored(error)) breaker.record(!breakers.isServiceFailure(error));
      throw error;
    };
    const failedFixed = fixed === undefined ? undefined : failed(fixed);
    return (ctx, args) => {
      const breaker = fixed ?? breakers.service(ctx.method);
      if (!breaker.allow()) {
        const key = breakers.key(ctx.method);
        return Promise.reject(new KitewireError(ErrorCode.CIRCUIT_OPEN, `${key}: circuit breaker open, call not sent`,
          { details: { level: "service", key } }));
      }
      if (succeeded !== undefined) return next(ctx, args).then(succeeded, failedFixed);
      return next(ctx, args).then((result) => {
        breaker.record(true);
        return result;
      }, failed(breaker));
    };
  };
}

/**
 * The service breaker as two halves, for a chain where the retry step below reports each
 * call's outcome (`Retryer.middleware`'s observer): the gate fails fast while the breaker is
 * open and otherwise passes the call on untouched (no promise of its own); the observer
 * records the outcome.
 */
export function serviceBreakerGate(breakers: CircuitBreakers, method: string): { gate: Middleware; observer: CallObserver } {
  const breaker = breakers.service(method);
  const gate: Middleware = (next) => (ctx, args) => {
    if (breaker.allow()) return next(ctx, args);
    const key = breakers.key(ctx.method);
    return Promise.reject(new KitewireError(ErrorCode.CIRCUIT_OPEN, `${key}: circuit breaker open, call not sent`,
      { details: { level: "service", key } }));
  };
  const observer: CallObserver = {
    succeeded: () => breaker.record(true),
    failed: (error) => {
      if (!ignored(error)) breaker.record(!breakers.isServiceFailure(error));
    },
  };
  return { gate, observer };
}

/**
 * The instance breaker middleware, below the balancer's pick: counts each attempt's outcome
 * against the instance it went to (`ctx.peer`). Skipping open instances is the picker's part
 * (`instanceAllowed`).
 */
export function instanceBreakerMiddleware(breakers: CircuitBreakers): Middleware {
  return (next) => (ctx, args) => next(ctx, args).then((result) => {
    if (ctx.peer !== undefined) breakers.recordInstance(ctx.peer, undefined);
    return result;
  }, (error: unknown) => {
    if (ctx.peer !== undefined) breakers.recordInstance(ctx.peer, error);
    throw error;
  });
}
