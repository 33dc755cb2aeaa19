/** Client options: the full set, the defaults, and the one place they are checked. */
import { ErrorCode, KitewireError } from "../errors.js";
import type { Logger } from "../observability/log/logger.js";
import type { Tracer } from "../observability/tracer.js";
import type { Middleware } from "../rpc/endpoint.js";
import { transformByName } from "../remote/transform.js";
import { checkTransport, describeTransport, VALID_TRANSPORTS, type Transport } from "../remote/transport.js";
import type { LoadBalancer } from "../governance/loadbalance/balancer.js";
import { weightedRoundRobin } from "../governance/loadbalance/round-robin.js";
import type { InstanceBackoff } from "./instances.js";
import type { CircuitBreakerOptions, CircuitBreakers } from "../governance/circuitbreak/suite.js";
import type { RetryOptions, Retryer } from "../governance/retry/retryer.js";
import type { ClientConfigOptions } from "./governance.js";

export interface ClientOptions {
  /** Framing and payload protocol (Kitex's default is framed binary; protobuf services: kitex-protobuf). */
  transport: Transport;
  /** Apache THeader payload transforms applied to requests, by name (e.g. `["zlib"]`; registered ones only). */
  transforms: readonly string[];
  /**
   * RPC timeout in ms (0: none) of each attempt, as Kitex's `WithRPCTimeout`: a retry gets
   * its own; a call's own `timeoutMs` overrides it, and it overrides an `rpc_timeout`
   * config document. Sent in TTHeader.
   */
  timeoutMs: number;
  /** Largest reply frame accepted. */
  maxFrameSize: number;
  /** This service's name, sent in TTHeader as FromService. */
  fromService: string;
  /** Client middlewares, the first outermost. */
  middlewares: readonly Middleware[];
  tracer?: Tracer;
  /**
   * Failure retry, backup requests and the retry budget: policies per method in Kitex's
   * shape (`{ policies: { "*": { type: 0, failurePolicy: {...} } }, budget: 0.1 }`), or a
   * `Retryer` shared between clients. None by default.
   */
  retry?: Partial<RetryOptions> | Retryer;
  /**
   * Circuit breakers: a service breaker per `from/to/method` and an instance breaker per
   * `host:port` (`{}` for Kitex's defaults), or a `CircuitBreakers`. None by default.
   */
  circuitBreaker?: Partial<CircuitBreakerOptions> | CircuitBreakers;
  /**
   * A config source whose `retry`, `circuit_break` and `rpc_timeout` documents (keys of
   * kitex-contrib/config-etcd) change this client at run time. With it, retry and service
   * breakers are on (Kitex's default breaker settings) even without the options above.
   */
  config?: ClientConfigOptions;
  /** Where this side logs what an operator must hear of (default: the process logger, `getLogger()`). */
  logger?: Logger;
  /** Picks an instance per call when the client has a `target` (default smooth weighted round robin). */
  loadBalancer: LoadBalancer;
  /** With a `target`: call only instances carrying all these tags (e.g. `{ idc: "a" }`). */
  filterTags?: Readonly<Record<string, string>>;
  /** With a `target`: how long an instance refusing connections stays out of the balancer. */
  instanceBackoff: Readonly<InstanceBackoff>;
}

export const CLIENT_DEFAULTS: Readonly<Omit<ClientOptions, "transport">> = Object.freeze({
  timeoutMs: 0,
  maxFrameSize: 16 << 20,
  fromService: "",
  middlewares: [],
  transforms: [],
  loadBalancer: weightedRoundRobin(),
  instanceBackoff: Object.freeze({ initialMs: 1_000, maxMs: 30_000 }),
});

/** Fills in defaults and rejects impossible settings. */
export function makeClientOptions(options: Partial<ClientOptions> & Pick<ClientOptions, "transport">): Readonly<ClientOptions> {
  const o = { ...CLIENT_DEFAULTS, ...options };
  if (!checkTransport(o.transport)) {
    throw new KitewireError(ErrorCode.INVALID_VALUE,
      `transport ${describeTransport(o.transport)} is not a valid combination (valid: ${VALID_TRANSPORTS})`);
  }
  if (o.transforms.length > 0 && o.transport.framing !== "theader") {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `transforms apply to the theader framing only, not ${o.transport.framing}`);
  }
  for (const name of o.transforms) {
    if (transformByName(name) === undefined) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `THeader transform ${JSON.stringify(name)} is not registered on this runtime (the Node entry registers "zlib")`);
    }
  }
  if (!(o.timeoutMs >= 0)) throw new KitewireError(ErrorCode.INVALID_VALUE, `timeoutMs must be 0 or more, got ${o.timeoutMs}`);
  if (!(o.maxFrameSize >= 64)) throw new KitewireError(ErrorCode.INVALID_VALUE, "maxFrameSize must be at least 64");
  const { initialMs, maxMs } = o.instanceBackoff;
  if (!(initialMs > 0 && maxMs >= initialMs)) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `instanceBackoff needs 0 < initialMs <= maxMs, got ${initialMs} and ${maxMs}`);
  }
  return Object.freeze(o);
}
