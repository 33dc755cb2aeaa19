/**
 * A client's governance steps (issue 18): service circuit breaker, retry / backup request,
 * instance circuit breaker, and the config documents that change them at run time. Made
 * once per client from its options; each step is absent (costs nothing) until configured.
 */
import { CircuitBreakers, instanceBreakerMiddleware, serviceBreakerGate, serviceBreakerMiddleware, type CircuitBreakerOptions } from "../governance/circuitbreak/suite.js";
import { RpcTimeouts } from "../governance/config/rpc-timeout.js";
import type { ConfigSource } from "../governance/config/source.js";
import { watchClientConfig } from "../governance/config/watch.js";
import { Retryer, type AttemptObserver, type RetriedMethod, type RetryOptions } from "../governance/retry/retryer.js";
import type { BreakerState } from "../governance/circuitbreak/breaker.js";
import type { Logger } from "../observability/log/logger.js";
import type { Tracer } from "../observability/tracer.js";
import type { RpcContext } from "../rpc/context.js";
import type { Middleware } from "../rpc/endpoint.js";

/** Where a client follows its governance documents (kitex-contrib/config-etcd's layout). */
export interface ClientConfigOptions {
  /** The watched source: `MemoryConfigSource`, `FileConfigSource`, `EtcdConfigSource`. */
  source: ConfigSource;
  /** `ClientServiceName` in the keys (default: the client's `fromService`). */
  client?: string;
  /** `ServerServiceName` in the keys (default: the IDL service name). */
  server?: string;
  /** Key prefix (default `/KitexConfig`). */
  prefix?: string;
}

/** The governance options of a client (see `ClientOptions`). */
export interface ClientGovernanceOptions {
  retry?: Partial<RetryOptions> | Retryer;
  circuitBreaker?: Partial<CircuitBreakerOptions> | CircuitBreakers;
  config?: ClientConfigOptions;
  fromService: string;
  logger?: Logger;
  /** Told of retries and breaker states (its `retry` and `breaker` hooks), for breakers and retryers made here. */
  tracer?: Tracer;
}

export class ClientGovernance {
  readonly retryer: Retryer | undefined;
  readonly breakers: CircuitBreakers | undefined;
  /** Per-method timeouts from an `rpc_timeout` document (with a config source only). */
  readonly timeouts: RpcTimeouts | undefined;
  private readonly instanceBreakers: boolean;
  private readonly stopWatching: (() => void) | undefined;

  constructor(service: string, options: ClientGovernanceOptions) {
    const { retry, circuitBreaker, config } = options;
    const { tracer } = options;
    const onRetry = tracer?.retry && ((ctx: RpcContext, kind: "failure" | "backup") => tracer.retry!(ctx, kind));
    const attempts: AttemptObserver | undefined = tracer?.attemptStart && tracer.attemptFinish && {
      start: (attempt, call, n) => tracer.attemptStart!(attempt, call, n),
      finish: (attempt, error) => tracer.attemptFinish!(attempt, error),
    };
    const onStateChange = tracer?.breaker && ((key: string, state: BreakerState) => tracer.breaker!(key, state));
    this.retryer = retry instanceof Retryer ? retry
      : retry !== undefined || config !== undefined ? new Retryer({ ...retry, ...(onRetry && { onRetry }), ...(attempts && { attempts }) }) : undefined;
    // With a config source the service breakers are on with Kitex's defaults, as config-etcd's client suite has them.
    this.breakers = circuitBreaker instanceof CircuitBreakers ? circuitBreaker
      : circuitBreaker !== undefined || config !== undefined
        ? new CircuitBreakers({ ...circuitBreaker, ...(onStateChange && { onStateChange }) }, options.fromService, service) : undefined;
    this.instanceBreakers = circuitBreaker !== undefined;
    if (config !== undefined) {
      this.timeouts = new RpcTimeouts();
      this.stopWatching = watchClientConfig(config.source, {
        client: config.client ?? options.fromService, server: config.server ?? service, prefix: config.prefix, logger: options.logger,
      }, { retryer: this.retryer, breakers: this.breakers, timeouts: this.timeouts });
    }
  }

  /**
   * Steps 4 and 5 of the chain for `method`: the service breaker, and retry and backup
   * requests (none for a oneway method). With both, the breaker's gate fails fast at step 4
   * and its outcomes are recorded in step 5's continuation, one promise per call fewer.
   * `retryAboveIo` is step 5 for a chain where it sits right above an I/O endpoint that
   * reports first attempts (`RpcContext.firstAttempt`; see `ClientChainParts`).
   */
  serviceBreakerAndRetry(method: RetriedMethod): { serviceBreaker: Middleware | undefined; retry: Middleware | undefined; retryAboveIo: Middleware | undefined } {
    const { breakers, retryer } = this;
    if (retryer === undefined || method.oneway) {
      return { serviceBreaker: breakers && serviceBreakerMiddleware(breakers, method.name), retry: undefined, retryAboveIo: undefined };
    }
    if (breakers === undefined) return { serviceBreaker: undefined, retry: retryer.middleware(method), retryAboveIo: retryer.middleware(method, undefined, true) };
    const { gate, observer } = serviceBreakerGate(breakers, method.name);
    return { serviceBreaker: gate, retry: retryer.middleware(method, observer), retryAboveIo: retryer.middleware(method, observer, true) };
  }

  /** Step 7: the instance breaker (given a `circuitBreaker` option, for a client with instances to choose from). */
  instanceBreaker(discovered: boolean): Middleware | undefined {
    return discovered && this.breakers !== undefined && this.instanceBreakers ? instanceBreakerMiddleware(this.breakers) : undefined;
  }

  /** For the balancer: whether an instance may be picked (its breaker not open), when instance breakers are on. */
  instanceAllowed(): ((address: string) => boolean) | undefined {
    const breakers = this.breakers;
    return breakers !== undefined && this.instanceBreakers ? (address) => breakers.instanceAllowed(address) : undefined;
  }

  /** For the balancer: drops the breaker of an instance discovery removed. */
  instanceRemoved(): ((address: string) => void) | undefined {
    const breakers = this.breakers;
    return breakers !== undefined && this.instanceBreakers ? (address) => breakers.removeInstance(address) : undefined;
  }

  /** Stops following the config source. */
  close(): void {
    this.stopWatching?.();
  }
}
