/**
 * What kitex-contrib/monitor-prometheus exports, so that Kitex dashboards and alerts work
 * on kitewire services unchanged: metric names, label names and values, default buckets.
 * Runtime-agnostic (the prom-client adapter is in `node/`).
 */
/** Calls completed, regardless of success or failure (counter). */
export const THROUGHPUT = { client: "kitex_client_throughput", server: "kitex_server_throughput" } as const;
/** Latency in microseconds until the call finished (histogram). */
export const LATENCY = { client: "kitex_client_latency_us", server: "kitex_server_latency_us" } as const;

/** Labels of both, in monitor-prometheus's order. */
export const LABEL_NAMES = ["caller", "callee", "method", "status", "retry"] as const;

/** monitor-prometheus's default latency buckets (µs): 5 ms to 1 s. */
export const DEFAULT_BUCKETS: readonly number[] = Object.freeze([5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000]);

/** The value of an empty label. */
export const UNKNOWN = "unknown";
/** The `caller` of a server's calls once `maxCallers` distinct names were seen (callers name themselves). */
export const OTHER = "other";

export const SUCCEED = "succeed";
export const ERROR = "error";
