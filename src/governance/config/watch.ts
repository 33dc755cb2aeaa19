/**
 * Binds a config source to the governance of one client (retry, circuit_break, rpc_timeout
 * for calls to one server) or one server (limit). A document that arrives replaces the
 * settings of its category at once (calls in flight finish under the old ones); a deleted
 * document brings back the settings given in code; an invalid one (bad JSON, unknown field,
 * impossible value) is refused with a warning naming the key and the problem, and the
 * settings in force stay.
 */
import { getLogger, type Logger } from "../../observability/log/logger.js";
import type { CircuitBreakers } from "../circuitbreak/suite.js";
import { parseCircuitBreakerDocument } from "../circuitbreak/config.js";
import { parseDocument } from "../json.js";
import { parseLimitDocument, type LimitDocument } from "../limit/config.js";
import type { Retryer } from "../retry/retryer.js";
import { parseRetryDocument } from "../retry/policy.js";
import { clientConfigKey, ConfigCategory, DEFAULT_CONFIG_PREFIX, serverConfigKey } from "./keys.js";
import { parseRpcTimeoutDocument, type RpcTimeouts } from "./rpc-timeout.js";
import type { ConfigSource } from "./source.js";

/** What a client's config documents change (each optional: absent, its category is not watched). */
export interface ClientGovernance {
  retryer?: Retryer;
  breakers?: CircuitBreakers;
  timeouts?: RpcTimeouts;
}

export interface ConfigNames {
  /** The caller's service name (`ClientServiceName`); unused for a server. */
  client?: string;
  /** The callee's service name (`ServerServiceName`). */
  server: string;
  /** Key prefix (default `/KitexConfig`). */
  prefix?: string;
  logger?: Logger;
}

/** Watches the client documents of `names` and applies them to `governance`. Returns a function that stops. */
export function watchClientConfig(source: ConfigSource, names: ConfigNames, governance: ClientGovernance): () => void {
  const key = (category: ConfigCategory) => clientConfigKey(names.client ?? "", names.server, category, names.prefix ?? DEFAULT_CONFIG_PREFIX);
  const stops: (() => void)[] = [];
  const { retryer, breakers, timeouts } = governance;
  if (retryer) {
    stops.push(watchDocument(source, key(ConfigCategory.RETRY), names.logger,
      (doc) => retryer.configure(doc === undefined ? undefined : parseRetryDocument(doc))));
  }
  if (breakers) {
    stops.push(watchDocument(source, key(ConfigCategory.CIRCUIT_BREAK), names.logger,
      (doc) => breakers.updateMethods(doc === undefined ? new Map() : parseCircuitBreakerDocument(doc))));
  }
  if (timeouts) {
    stops.push(watchDocument(source, key(ConfigCategory.RPC_TIMEOUT), names.logger,
      (doc) => timeouts.update(doc === undefined ? new Map() : parseRpcTimeoutDocument(doc))));
  }
  return () => stops.forEach((stop) => stop());
}

/** Watches a server's `limit` document; `apply` gets each valid one (undefined: deleted). Returns a function that stops. */
export function watchServerConfig(source: ConfigSource, names: ConfigNames, apply: (limits: LimitDocument | undefined) => void): () => void {
  return watchDocument(source, serverConfigKey(names.server, ConfigCategory.LIMIT, names.prefix ?? DEFAULT_CONFIG_PREFIX), names.logger,
    (doc) => apply(doc === undefined ? undefined : parseLimitDocument(doc)));
}

/** Watches one key: `apply` gets its parsed JSON (undefined when absent) and throws to refuse it. */
function watchDocument(source: ConfigSource, key: string, logger: Logger | undefined, apply: (doc: unknown) => void): () => void {
  return source.watch(key, (text) => {
    try {
      apply(text === undefined ? undefined : parseDocument(text, key));
    } catch (error) {
      (logger ?? getLogger()).warn("config document refused, previous settings kept", {
        key, reason: error instanceof Error ? error.message : String(error),
      });
    }
  });
}
