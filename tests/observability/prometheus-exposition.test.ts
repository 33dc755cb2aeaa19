/**
 * The Prometheus tracer keeps its series itself and hands them to prom-client when scraped.
 * Its exposition must be what prom-client prints when the same calls are recorded through
 * its own Counter, Histogram and Gauge with monitor-prometheus's labels (byte for byte:
 * names, HELP and TYPE, label order, `_bucket{le=...}`, `_sum`, `_count`; but for where `le`
 * goes, see `leLast`), in both text formats; and a registry's `resetMetrics()` zeroes counters while gauges keep the present.
 * The clock is the test's (performance.now replaced) so both sides see the same latencies.
 */
import { afterEach, beforeAll, describe, expect, test, vi } from "vitest";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import { init, RpcContext } from "kitewire";
import { prometheusTracer, DEFAULT_BUCKETS, LABEL_NAMES, type PrometheusTracer } from "../../src/observability/prometheus/node/index.js";

interface Call {
  caller: string;
  service: string;
  method: string;
  retries: number;
  failed: boolean;
  /** Latency, µs. */
  micros: number;
}

const CLIENT_BUCKETS = [100, 1000, 1e6];

/** Client and server calls: retries, errors, empty names, latencies on, between and above the bounds. */
const CALLS: Call[] = [
  { caller: "frontend", service: "UserService", method: "getUser", retries: 0, failed: false, micros: 1234.5 },
  { caller: "frontend", service: "UserService", method: "getUser", retries: 0, failed: false, micros: 5000 },
  { caller: "frontend", service: "UserService", method: "getUser", retries: 0, failed: true, micros: 73_000 },
  { caller: "frontend", service: "UserService", method: "updateUser", retries: 1, failed: false, micros: 100 },
  { caller: "frontend", service: "UserService", method: "getUser", retries: 2, failed: true, micros: 2_500_000 },
  { caller: "", service: "UserService", method: "getUser", retries: 0, failed: false, micros: 999 },
  { caller: "billing", service: "", method: "noSuchMethod", retries: 0, failed: true, micros: 12 },
  { caller: "frontend", service: "UserService", method: "getUser", retries: 0, failed: false, micros: 250_000 },
  { caller: "billing", service: "UserService", method: "", retries: 0, failed: false, micros: 1_000_000 },
  { caller: "frontend", service: "UserService", method: "getUser", retries: 1, failed: false, micros: 42.25 },
];

let now = 1000;

beforeAll(async () => {
  await init();
});

afterEach(() => {
  vi.restoreAllMocks();
});

/** A run of the event loop ends (the server's start time is read once per run). */
const nextRun = () => new Promise((r) => setImmediate(r));

/** Feeds `CALLS` and the other hooks' events to `tracer`, as a client or server would. */
async function record(tracer: PrometheusTracer, side: "client" | "server"): Promise<{ start: number; end: number }[]> {
  const times = [];
  for (const [i, call] of CALLS.entries()) {
    await nextRun();
    const ctx = new RpcContext(call.service, call.method);
    ctx.caller = call.caller;
    const start = (now += 3.125 * i);
    tracer.start!(ctx);
    tracer.io!(ctx, side === "client" ? "write" : "read", 100 + i);
    const end = (now += call.micros / 1000);
    ctx.retries = call.retries;
    tracer.io!(ctx, side === "client" ? "read" : "write", 200 + i);
    tracer.finish!(ctx, call.failed ? new Error("failed") : undefined);
    times.push({ start, end });
  }
  tracer.start!(new RpcContext("UserService", "getUser")); // still in flight
  if (side === "server") {
    for (let i = 0; i < 3; i++) tracer.connection!("open", `127.0.0.1:${4000 + i}`);
    tracer.connection!("close", "127.0.0.1:4000");
    tracer.connection!("error", "127.0.0.1:4001", new Error("reset"));
    for (const reason of ["unknown-protocol", "oversized-frame", "unknown-protocol", 'odd "reason"\n']) tracer.rejected!(reason, "127.0.0.1:5000", undefined as never);
  } else {
    const ctx = new RpcContext("UserService", "getUser");
    tracer.retry!(ctx, "failure");
    tracer.retry!(ctx, "backup");
    tracer.retry!(ctx, "failure");
    tracer.breaker!("frontend/UserService/getUser", "open");
    tracer.breaker!("127.0.0.1:1", "half-open");
    tracer.breaker!("frontend/UserService/getUser", "closed");
  }
  return times;
}

/** What prom-client prints for the same events recorded through its own API, as monitor-prometheus records them. */
function reference(ours: Registry, side: "client" | "server", buckets: readonly number[], times: { start: number; end: number }[]): Registry {
  const registers = [new Registry(ours.contentType as never)];
  const help = (name: string) => (ours.getSingleMetric(name) as unknown as { help: string }).help;
  const labelNames = [...LABEL_NAMES];
  const throughput = new Counter({ name: `kitex_${side}_throughput`, help: help(`kitex_${side}_throughput`), labelNames, registers });
  const latency = new Histogram({ name: `kitex_${side}_latency_us`, help: help(`kitex_${side}_latency_us`), labelNames, buckets: [...buckets], registers });
  const inflight = new Gauge({ name: `kitewire_${side}_inflight_calls`, help: help(`kitewire_${side}_inflight_calls`), registers });
  const bytes = new Counter({ name: `kitewire_${side}_bytes_total`, help: help(`kitewire_${side}_bytes_total`), labelNames: ["direction"], registers });
  bytes.inc({ direction: "read" }, 0);
  bytes.inc({ direction: "write" }, 0);
  for (const [i, call] of CALLS.entries()) {
    inflight.inc();
    bytes.inc({ direction: side === "client" ? "write" : "read" }, 100 + i);
    bytes.inc({ direction: side === "client" ? "read" : "write" }, 200 + i);
    inflight.dec();
    const labels = {
      caller: call.caller || "unknown",
      callee: call.service || "unknown",
      method: call.service ? call.method || "unknown" : "unknown",
      status: call.failed ? "error" : "succeed",
      retry: String(call.retries),
    };
    throughput.inc(labels);
    latency.observe(labels, (times[i]!.end - times[i]!.start) * 1000);
  }
  inflight.inc();
  if (side === "server") {
    const open = new Gauge({ name: "kitewire_server_connections_open", help: help("kitewire_server_connections_open"), registers });
    open.inc(3);
    open.dec();
    const rejections = new Counter({ name: "kitewire_server_rejections_total", help: help("kitewire_server_rejections_total"), labelNames: ["reason"], registers });
    for (const reason of ["unknown-protocol", "oversized-frame", "unknown-protocol", 'odd "reason"\n']) rejections.inc({ reason });
  } else {
    const retries = new Counter({ name: "kitewire_client_retries_total", help: help("kitewire_client_retries_total"), labelNames: ["callee", "method", "kind"], registers });
    for (const kind of ["failure", "backup", "failure"]) retries.inc({ callee: "UserService", method: "getUser", kind });
    const breakers = new Gauge({ name: "kitewire_client_breaker_state", help: help("kitewire_client_breaker_state"), labelNames: ["breaker"], registers });
    breakers.set({ breaker: "frontend/UserService/getUser" }, 1);
    breakers.set({ breaker: "127.0.0.1:1" }, 2);
    breakers.set({ breaker: "frontend/UserService/getUser" }, 0);
  }
  return registers[0]!;
}

/**
 * `text` with each bucket's `le` label moved from first (where prom-client's Histogram puts
 * it) to last, where the tracer has always put it, as Go's client_golang (monitor-prometheus)
 * does; label order means nothing to Prometheus. The only rewrite of the reference.
 */
const leLast = (text: string) => text.replace(/\{le="([^"]*)",([^\n]*)\} /g, '{$2,le="$1"} ');

/** What `getMetricsAsJSON` says of each metric, without prom-client's empty `exemplar` fields. */
const samplesOf = (metrics: { name: string; help: string; type: unknown; values: { labels: object; value: number; metricName?: string }[] }[]) =>
  metrics.map((m) => ({ name: m.name, help: m.help, type: m.type, values: m.values.map((v) => ({ labels: v.labels, value: v.value, metricName: v.metricName })) }));

/** The tracer of `side` in a new registry of `contentType`, with the calls recorded, and prom-client's exposition of the same. */
async function both(side: "client" | "server", contentType = Registry.PROMETHEUS_CONTENT_TYPE) {
  vi.spyOn(performance, "now").mockImplementation(() => now);
  const registry = new Registry(contentType as never);
  const buckets = side === "client" ? CLIENT_BUCKETS : DEFAULT_BUCKETS;
  const tracer = prometheusTracer({ side, registry, ...(side === "client" ? { buckets: CLIENT_BUCKETS } : {}) });
  const times = await record(tracer, side);
  return { tracer, registry, ref: reference(registry, side, buckets, times) };
}

describe("the Prometheus tracer's exposition", () => {
  for (const side of ["client", "server"] as const) {
    test(`is prom-client's own for the same ${side} calls, byte for byte (text format)`, async () => {
      const { registry, ref } = await both(side);
      const text = await registry.metrics();
      expect(text).toBe(leLast(await ref.metrics()));
      // The cases the calls were chosen for are in it.
      expect(text).toContain('caller="unknown",callee="UserService",method="getUser",status="succeed",retry="0"');
      expect(text).toContain('caller="billing",callee="unknown",method="unknown",status="error",retry="0"');
      expect(text).toContain('status="error",retry="2"');
      expect(text).toContain(side === "client" ? 'le="1000000"' : 'le="5000"');
      // The same values for prom-client's JSON (cluster aggregation) and a merged registry.
      expect(samplesOf(await registry.getMetricsAsJSON())).toEqual(samplesOf(await ref.getMetricsAsJSON()));
      expect(await Registry.merge([registry, new Registry()]).metrics()).toBe(text);
    });

    test(`is prom-client's own for the same ${side} calls in the OpenMetrics format`, async () => {
      const { registry, ref } = await both(side, Registry.OPENMETRICS_CONTENT_TYPE);
      expect(await registry.metrics()).toBe(leLast(await ref.metrics()));
    });
  }

  test("resetMetrics zeroes the counters and histograms (their series stay); gauges keep saying what is true now", async () => {
    const { tracer, registry } = await both("server");
    registry.resetMetrics();
    const text = await registry.metrics();
    const values = (name: string) => text.split("\n").filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `)).map((l) => Number(l.slice(l.lastIndexOf(" ") + 1)));
    for (const name of ["kitex_server_throughput", "kitex_server_latency_us_bucket", "kitex_server_latency_us_sum", "kitex_server_latency_us_count",
      "kitewire_server_bytes_total", "kitewire_server_rejections_total"]) {
      expect(values(name).length, name).toBeGreaterThan(0);
      expect(new Set(values(name)), name).toEqual(new Set([0]));
    }
    expect(values("kitewire_server_inflight_calls")).toEqual([1]);
    expect(values("kitewire_server_connections_open")).toEqual([2]);
    // Counting goes on from zero; closing the connections opened before the reset does not go below zero.
    const ctx = new RpcContext("UserService", "getUser");
    ctx.caller = "frontend";
    tracer.start!(ctx);
    tracer.finish!(ctx);
    tracer.connection!("close", "127.0.0.1:4001");
    tracer.connection!("close", "127.0.0.1:4002");
    const after = await registry.metrics();
    expect(after).toContain('kitex_server_throughput{caller="frontend",callee="UserService",method="getUser",status="succeed",retry="0"} 1\n');
    expect(after).toContain("kitewire_server_connections_open 0\n");
    expect(after).toContain("kitewire_server_inflight_calls 1\n");
  });

  test("resetMetrics keeps a client's breaker states", async () => {
    const { registry } = await both("client");
    registry.resetMetrics();
    const text = await registry.metrics();
    expect(text).toContain('kitewire_client_breaker_state{breaker="frontend/UserService/getUser"} 0\nkitewire_client_breaker_state{breaker="127.0.0.1:1"} 2\n');
    expect(text).toContain('kitewire_client_retries_total{callee="UserService",method="getUser",kind="failure"} 0\n');
  });
});
