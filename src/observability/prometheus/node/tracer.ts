/**
 * Prometheus metrics for a kitewire client or server, on prom-client, with the names,
 * labels and buckets of kitex-contrib/monitor-prometheus (see ../kitex.ts) plus what Kitex
 * lacks: calls in flight and bytes read and written (both sides), connections open and
 * rejections by reason (servers), retries and breaker states (clients, once retry
 * and breakers report through the `retry` and `breaker` hooks).
 *
 * Every metric is a value kitewire keeps and prom-client reads when scraped (series.ts,
 * scraped.ts): nothing of prom-client runs per call. `registry.resetMetrics()` zeroes the
 * counters and histograms (their label sets stay, at 0) and leaves the gauges (in-flight
 * calls, connections open, breaker states) saying what is true now.
 *
 * @example
 * const metrics = prometheusTracer({ side: "server" });
 * const server = new Server({ tracer: metrics });
 * const endpoint = await serveMetrics(metrics.registry, { port: 9091 }); // GET /metrics
 */
import { Registry } from "prom-client";
import { ErrorCode, KitewireError } from "../../../errors.js";
import type { RpcContext } from "../../../rpc/context.js";
import { runStartNow } from "../../clock.js";
import type { BreakerState } from "../../../governance/circuitbreak/breaker.js";
import type { ConnectionEvent, Tracer } from "../../tracer.js";
import { DEFAULT_BUCKETS, LATENCY, THROUGHPUT, UNKNOWN } from "../kitex.js";
import { CallMetric, SeriesTable } from "./series.js";
import { LabelledValues, ScrapedMetric } from "./scraped.js";

export interface PrometheusTracerOptions {
  /** Which side this tracer is given to: its metrics are `kitex_client_*` or `kitex_server_*`. */
  side: "client" | "server";
  /** Where the metrics are registered (default: a new `Registry`, the tracer's `registry`). */
  registry: Registry;
  /** Upper bounds of the latency histogram in µs, increasing (default monitor-prometheus's, 5 ms to 1 s). */
  buckets: readonly number[];
  /**
   * Distinct `caller` label values kept; calls from further callers are counted as
   * "other". A server's callers name themselves (TTHeader FromService), so this bounds
   * what a client can make the server remember.
   */
  maxCallers: number;
}

export const PROMETHEUS_TRACER_DEFAULTS: Readonly<Omit<PrometheusTracerOptions, "side" | "registry">> = Object.freeze({
  buckets: DEFAULT_BUCKETS,
  maxCallers: 1000,
});

/** Fills in defaults and rejects impossible settings. */
export function makePrometheusTracerOptions(options: Partial<PrometheusTracerOptions> & Pick<PrometheusTracerOptions, "side">): Readonly<PrometheusTracerOptions> {
  const o = { ...PROMETHEUS_TRACER_DEFAULTS, registry: options.registry ?? new Registry(), ...options };
  if (o.side !== "client" && o.side !== "server") throw new KitewireError(ErrorCode.INVALID_VALUE, `side must be "client" or "server", got ${String(o.side)}`);
  if (o.buckets.length === 0 || o.buckets.some((b, i) => !(Number.isFinite(b) && b > 0 && (i === 0 || b > o.buckets[i - 1]!)))) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `buckets must be positive, finite and increasing, got [${o.buckets.join(", ")}]`);
  }
  if (!(Number.isInteger(o.maxCallers) && o.maxCallers > 0)) throw new KitewireError(ErrorCode.INVALID_VALUE, `maxCallers must be a positive integer, got ${o.maxCallers}`);
  return Object.freeze(o);
}

/** A `Tracer` that keeps Prometheus metrics; `registry` holds them. */
export interface PrometheusTracer extends Tracer {
  readonly registry: Registry;
  readonly options: Readonly<PrometheusTracerOptions>;
}

const BREAKER_VALUE: Readonly<Record<BreakerState, number>> = { closed: 0, open: 1, "half-open": 2 };

/** Creates a Prometheus tracer for one side (client or server) of kitewire. */
export function prometheusTracer(options: Partial<PrometheusTracerOptions> & Pick<PrometheusTracerOptions, "side">): PrometheusTracer {
  const o = makePrometheusTracerOptions(options);
  const side = o.side;
  const register = (metric: CallMetric | ScrapedMetric) => o.registry.registerMetric(metric as never);
  const table = new SeriesTable(Float64Array.from(o.buckets), o.maxCallers);
  register(new CallMetric(THROUGHPUT[side],
    `Total number of RPCs completed by the ${side}, regardless of success or failure.`, "counter", table));
  register(new CallMetric(LATENCY[side], side === "client"
    ? "Latency (microseconds) of the RPC until it is finished."
    : "Latency (microseconds) of RPC that had been application-level handled by the server.", "histogram", table));

  // Per-call quantities, read when scraped: in a Float64Array, as a closure variable that
  // outgrows a small integer would box each new value.
  const totals = new Float64Array(4);
  const INFLIGHT = 0;
  const READ = 1;
  const WRITTEN = 2;
  const OPEN = 3;
  register(new ScrapedMetric(`kitewire_${side}_inflight_calls`, `Calls the ${side} has started and not finished.`, "gauge",
    () => [{ labels: {}, value: totals[INFLIGHT]! }]));
  register(new ScrapedMetric(`kitewire_${side}_bytes_total`, `Bytes of frames the ${side} read or wrote.`, "counter",
    () => [{ labels: { direction: "read" }, value: totals[READ]! }, { labels: { direction: "write" }, value: totals[WRITTEN]! }],
    () => totals.fill(0, READ, WRITTEN + 1)));
  // Connections are reported by servers (their listener), retries and breakers by clients.
  const server = side === "server";
  const rejections = new LabelledValues();
  const retries = new LabelledValues();
  const breakers = new LabelledValues();
  if (server) {
    register(new ScrapedMetric("kitewire_server_connections_open", "Connections of the server open now.", "gauge",
      () => [{ labels: {}, value: totals[OPEN]! }]));
    register(new ScrapedMetric("kitewire_server_rejections_total",
      "Peers' bytes or connections the server refused, closing the connection (unknown protocol, oversized or malformed frame, timeouts, limits), by reason.",
      "counter", () => rejections.samples(), () => rejections.zero()));
  } else {
    register(new ScrapedMetric("kitewire_client_retries_total", "Retry and backup attempts sent.", "counter",
      () => retries.samples(), () => retries.zero()));
    register(new ScrapedMetric("kitewire_client_breaker_state", "Circuit breaker state: 0 closed, 1 open, 2 half-open.", "gauge",
      () => breakers.samples()));
  }

  return {
    registry: o.registry,
    options: o,
    start(ctx: RpcContext) {
      totals[INFLIGHT]!++;
      if (ctx.startedAt === 0) ctx.startedAt = side === "server" ? runStartNow() : performance.now();
    },
    finish(ctx: RpcContext, error?: unknown) {
      totals[INFLIGHT]!--;
      table.record(ctx, error !== undefined, (performance.now() - ctx.startedAt) * 1000);
    },
    io(_ctx: RpcContext, direction: "read" | "write", n: number) {
      totals[direction === "read" ? READ : WRITTEN]! += n;
    },
    connection(event: ConnectionEvent) {
      if (event === "open") totals[OPEN]!++;
      else if (event === "close") totals[OPEN]!--;
    },
    rejected(reason: string) {
      if (server) rejections.add(reason, { reason }, 1);
    },
    retry(ctx: RpcContext, kind: "failure" | "backup") {
      if (server) return;
      const callee = ctx.service || UNKNOWN;
      const method = ctx.method || UNKNOWN;
      retries.add(`${callee}\0${method}\0${kind}`, { callee, method, kind }, 1);
    },
    breaker(name: string, state: BreakerState) {
      if (!server) breakers.set(name, { breaker: name }, BREAKER_VALUE[state]);
    },
  };
}
