/** kitewire's Prometheus adapter (Node: prom-client needs Node's modules). */
export {
  prometheusTracer, makePrometheusTracerOptions, PROMETHEUS_TRACER_DEFAULTS,
  type PrometheusTracer, type PrometheusTracerOptions,
} from "./tracer.js";
export { serveMetrics, type MetricsEndpoint, type MetricsEndpointOptions } from "./http.js";
export { DEFAULT_BUCKETS, LABEL_NAMES, LATENCY, THROUGHPUT } from "../kitex.js";
