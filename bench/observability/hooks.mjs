// The per-call cost of each tracer's hooks on one side, in this process, without I/O: a
// call's context made as the client or server makes it, then start, io (write, read) and
// finish, as many times as fit in the time; CPU time (process.cpuUsage), least of several
// passes (load only slows a pass). A server's requests carry the traceparent its client's
// tracer would send. `sdkFloor` measures what the SDK alone costs for the same spans.
import { ROOT_CONTEXT, SpanKind, trace } from "@opentelemetry/api";
import { Counter, Histogram, Registry } from "prom-client";
import { sdkProvider, tracerFor } from "./tracers.mjs";

const PASSES = 5;

/** ns per call of each case's hooks, { client, server }, and of the call context alone. */
export async function hookCosts(kw, cases, timeMs = 200) {
  const out = new Map();
  for (const c of cases) {
    const once = await hookCalls(kw, c.id);
    out.set(c.id, { client: cpuPerCall(once.client, timeMs), server: cpuPerCall(once.server, timeMs) });
  }
  return out;
}

/** The per-call functions `hookCosts` times for case `id`, { client, server }. */
export async function hookCalls(kw, id) {
  const transport = { framing: "ttheader", protocol: "binary" };
  const client = await tracerFor(kw, id, "client");
  const server = await tracerFor(kw, id, "server");
  const incoming = new kw.RpcContext("Echo", "echo");
  client?.start?.(incoming);
  const forward = new Map(incoming.metainfo.transient ?? []);
  client?.finish?.(incoming);
  return {
    client: () => {
      const ctx = new kw.RpcContext("Echo", "echo");
      ctx.transport = transport;
      ctx.peer = "127.0.0.1:8888";
      if (client === undefined) return;
      ctx.caller = "bench";
      client.start?.(ctx);
      client.io?.(ctx, "write", 1100);
      client.io?.(ctx, "read", 1100);
      client.finish?.(ctx, undefined);
    },
    server: () => {
      const ctx = new kw.RpcContext("Echo", "echo");
      if (forward.size > 0) for (const [k, v] of forward) ctx.metainfo.transient.set(k, v);
      ctx.transport = transport;
      ctx.peer = "127.0.0.1:40000";
      if (server === undefined) return;
      server.start?.(ctx);
      server.io?.(ctx, "read", 1100);
      server.io?.(ctx, "write", 1100);
      server.finish?.(ctx, undefined);
    },
  };
}

/** CPU ns per call of `fn`, least of `passes` passes. */
export function cpuPerCall(fn, timeMs, passes = PASSES) {
  let best = Infinity;
  for (let pass = 0; pass < passes; pass++) {
    let n = 0;
    const t0 = performance.now();
    const cpu = process.cpuUsage();
    while (performance.now() - t0 < timeMs / passes) {
      for (let i = 0; i < 1000; i++) fn();
      n += 1000;
    }
    const used = process.cpuUsage(cpu);
    best = Math.min(best, ((used.user + used.system) * 1000) / n);
  }
  return best;
}

/**
 * The SDK's own floor for the spans the OpenTelemetry tracer makes, without kitewire: the
 * same provider setup, `startSpan` with the same name, kind and attributes (passed in the
 * options, as the tracer does), the two size attributes, the client's two peer attributes,
 * `end`; a server span's parent is a remote span context in a Context (what the API needs to
 * hand the SDK a parent). CPU ns per call, { client, server }.
 */
export function sdkFloor(timeMs = 200, sampler = undefined) {
  const calls = floorCalls(sampler);
  return { client: cpuPerCall(calls.client, timeMs), server: cpuPerCall(calls.server, timeMs) };
}

/**
 * The per-call functions `sdkFloor` times, { client, server }; `sampler`: the SDK's (default:
 * its own, every span recorded); with one, the server's parent is not sampled either (what a
 * client sampling its calls out sends).
 */
export function floorCalls(sampler = undefined) {
  const client = sdkProvider(sampler).getTracer("floor");
  const server = sdkProvider(sampler).getTracer("floor");
  const base = { "rpc.system": "kitex", "rpc.service": "Echo", "rpc.method": "echo", "request.protocol": "TTHeader" };
  const clientOptions = { kind: SpanKind.CLIENT, attributes: base };
  const serverOptions = { kind: SpanKind.SERVER, attributes: { ...base, "network.peer.address": "127.0.0.1", "network.peer.port": 40000 } };
  const remote = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: sampler === undefined ? 1 : 0, isRemote: true };
  return {
    client: () => {
      const span = client.startSpan("Echo/echo", clientOptions, ROOT_CONTEXT);
      if (span.isRecording()) {
        span.setAttribute("kitex.send_size", 1100);
        span.setAttribute("kitex.recv_size", 1100);
        span.setAttribute("server.address", "127.0.0.1");
        span.setAttribute("server.port", 8888);
      }
      span.end();
    },
    server: () => {
      const span = server.startSpan("Echo/echo", serverOptions, trace.setSpanContext(ROOT_CONTEXT, { ...remote }));
      if (span.isRecording()) {
        span.setAttribute("kitex.recv_size", 1100);
        span.setAttribute("kitex.send_size", 1100);
      }
      span.end();
    },
  };
}

/**
 * prom-client's own cost for what the Prometheus tracer records per call on one side, if it
 * were recorded through prom-client's API as monitor-prometheus does it through its Go
 * client: `inc` of a labelled counter and `observe` of a labelled histogram (Kitex's
 * buckets), the five labels in one object reused. The tracer keeps its series itself
 * (prometheus/node/series.ts) and hands them to prom-client only when scraped; this is the
 * floor it is measured against. CPU ns per call.
 */
export function promClientFloor(timeMs = 200) {
  const registers = [new Registry()];
  const labelNames = ["caller", "callee", "method", "status", "retry"];
  const counter = new Counter({ name: "floor_throughput", help: "h", labelNames, registers });
  const histogram = new Histogram({ name: "floor_latency_us", help: "h", labelNames, registers,
    buckets: [5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000] });
  const labels = { caller: "bench", callee: "Echo", method: "echo", status: "succeed", retry: "0" };
  let t = 0;
  return cpuPerCall(() => {
    counter.inc(labels);
    histogram.observe(labels, 100 + (t++ & 1023));
  }, timeMs);
}
