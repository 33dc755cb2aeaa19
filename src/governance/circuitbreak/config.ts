/**
 * A circuit breaker's settings, in Kitex's JSON shape (`CBConfig`: `{enable, err_rate,
 * min_sample}`, default `{true, 0.5, 200}`) and as kitewire options (camelCase).
 */
import { booleanAt, invalid, integerAt, mapAt, numberAt, objectAt, join, type JsonObject } from "../json.js";

/** When a breaker opens: error rate at or above `errRate` over at least `minSample` calls in its window. */
export interface CircuitBreakerConfig {
  readonly enable: boolean;
  /** Error rate in (0, 1] that opens the breaker. */
  readonly errRate: number;
  /** Fewest calls in the window before the rate is trusted. */
  readonly minSample: number;
}

/** Kitex's `CBConfig` as it appears in config documents. */
export interface CircuitBreakerConfigJson {
  enable?: boolean;
  err_rate?: number;
  min_sample?: number;
}

/** Kitex's default (`circuitbreak.GetDefaultCBConfig`). */
export const CIRCUIT_BREAKER_DEFAULTS: CircuitBreakerConfig = Object.freeze({ enable: true, errRate: 0.5, minSample: 200 });

/** Fills in defaults and rejects impossible values (INVALID_VALUE naming `path`). */
export function makeCircuitBreakerConfig(options: Partial<CircuitBreakerConfig> = {}, path = "circuitBreaker"): CircuitBreakerConfig {
  return parseCircuitBreakerConfig({ enable: options.enable, err_rate: options.errRate, min_sample: options.minSample }, path);
}

/** Reads one `CBConfig` document value (strict: unknown fields and impossible values are errors). */
export function parseCircuitBreakerConfig(value: unknown, path: string): CircuitBreakerConfig {
  const o = objectAt(value, path, ["enable", "err_rate", "min_sample"]);
  return Object.freeze({
    enable: booleanAt(o, "enable", path, CIRCUIT_BREAKER_DEFAULTS.enable),
    errRate: positiveRate(o, path),
    minSample: integerAt(o, "min_sample", path, CIRCUIT_BREAKER_DEFAULTS.minSample, 1),
  });
}

/** The `circuit_break` document of kitex-contrib/config-*: method name to `CBConfig`. */
export function parseCircuitBreakerDocument(value: unknown): ReadonlyMap<string, CircuitBreakerConfig> {
  const map = mapAt(value, "");
  const out = new Map<string, CircuitBreakerConfig>();
  for (const method in map) out.set(method, parseCircuitBreakerConfig(map[method], join("", method)));
  return out;
}

function positiveRate(o: JsonObject, path: string): number {
  const rate = numberAt(o, "err_rate", path, CIRCUIT_BREAKER_DEFAULTS.errRate, 0, 1);
  if (rate === 0) throw invalid(join(path, "err_rate"), "must be above 0");
  return rate;
}
