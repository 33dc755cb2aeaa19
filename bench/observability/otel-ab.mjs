// The OpenTelemetry tracer (with sdk-trace-base, batch processor, dropping exporter) against
// the SDK's floor (the same spans made with the SDK alone) and against an earlier build of
// the tracer, in this process, CPU ns per call (process.cpuUsage), interleaved rounds,
// medians. BEFORE=path/to/an/older/dist/kitewire.opentelemetry.mjs (default: this build
// again); ROUNDS (default 9), MS per round and case (default 150).
//   npm run build && BEFORE=/path/to/older/dist/kitewire.opentelemetry.mjs node bench/observability/otel-ab.mjs
import { BasicTracerProvider, BatchSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { SpanKind, ROOT_CONTEXT, trace } from "@opentelemetry/api";
const dist = new URL("../../dist/", import.meta.url);
const kw = await import(new URL("kitewire.node.mjs", dist).href);
await kw.init();
const drop = { export: (_s, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
const provider = () => new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(drop)] });
const NEW = await import(new URL("kitewire.opentelemetry.mjs", dist).href);
const OLD = process.env.BEFORE ? await import(new URL(process.env.BEFORE, `file://${process.cwd()}/`).href) : NEW;
const transport = { framing: "ttheader", protocol: "binary" };
function caseFor(mod) {
  const c = mod.openTelemetryTracer({ side: "client", tracerProvider: provider() });
  const s = mod.openTelemetryTracer({ side: "server", tracerProvider: provider() });
  const inc = new kw.RpcContext("Echo", "echo"); inc.transport = transport; c.start(inc); const fwd = new Map(inc.metainfo.transient); c.finish(inc);
  return {
    client: () => { const ctx = new kw.RpcContext("Echo", "echo"); ctx.transport = transport; ctx.peer = "127.0.0.1:8888"; c.start(ctx); c.io(ctx, "write", 1100); c.io(ctx, "read", 1100); c.finish(ctx); },
    server: () => { const ctx = new kw.RpcContext("Echo", "echo"); for (const [k, v] of fwd) ctx.metainfo.transient.set(k, v); ctx.transport = transport; ctx.peer = "127.0.0.1:40000"; s.start(ctx); s.io(ctx, "read", 1100); s.io(ctx, "write", 1100); s.finish(ctx); },
  };
}
// The SDK's floor: the same spans made directly, same attributes, no kitewire code.
function floor() {
  const tc = provider().getTracer("floor"); const ts = provider().getTracer("floor");
  const attrs = { "rpc.system": "kitex", "rpc.service": "Echo", "rpc.method": "echo", "request.protocol": "TTHeader" };
  const sattrs = { ...attrs, "network.peer.address": "127.0.0.1", "network.peer.port": 40000 };
  const copt = { kind: SpanKind.CLIENT, attributes: attrs }; const sopt = { kind: SpanKind.SERVER, attributes: sattrs };
  return {
    client: () => { const sp = tc.startSpan("Echo/echo", copt, ROOT_CONTEXT); sp.setAttribute("kitex.send_size", 1100); sp.setAttribute("kitex.recv_size", 1100); sp.setAttribute("server.address", "127.0.0.1"); sp.setAttribute("server.port", 8888); sp.end(); },
    server: () => { const sp = ts.startSpan("Echo/echo", sopt, trace.setSpanContext(ROOT_CONTEXT, { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: 1, isRemote: true })); sp.setAttribute("kitex.recv_size", 1100); sp.setAttribute("kitex.send_size", 1100); sp.end(); },
  };
}
const fwd0 = new Map([["traceparent", "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"]]);
const ctxOnly = { client: () => { const ctx = new kw.RpcContext("Echo", "echo"); ctx.transport = transport; ctx.peer = "x"; ctx.metainfo.transient.set("traceparent", "x"); }, server: () => { const ctx = new kw.RpcContext("Echo", "echo"); for (const [k, v] of fwd0) ctx.metainfo.transient.set(k, v); ctx.transport = transport; } };
const cases = { "context only": ctxOnly, "SDK floor (bare startSpan/setAttribute/end)": floor(), "kitewire OTel tracer, BEFORE build": caseFor(OLD), "kitewire OTel tracer, now": caseFor(NEW) };
const ROUNDS = Number(process.env.ROUNDS ?? 9), MS = Number(process.env.MS ?? 150);
const res = Object.fromEntries(Object.keys(cases).map((k) => [k, { client: [], server: [] }]));
for (let r = 0; r < ROUNDS; r++) for (const [name, c] of (r % 2 ? Object.entries(cases).reverse() : Object.entries(cases))) for (const side of ["client", "server"]) {
  const fn = c[side]; let n = 0; const t0 = performance.now(); const u0 = process.cpuUsage(); let t = t0;
  while (t - t0 < MS) { for (let i = 0; i < 500; i++) fn(); n += 500; t = performance.now(); }
  const u = process.cpuUsage(u0);
  res[name][side].push((u.user + u.system) * 1e3 / n);
}
const med = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
console.log(`CPU ns per call, one side (process.cpuUsage), median of ${ROUNDS} interleaved rounds of ${MS} ms (min in brackets)`);
for (const [name, v] of Object.entries(res)) console.log(`${name.padEnd(48)} client ${med(v.client).toFixed(0).padStart(6)} [${Math.min(...v.client).toFixed(0)}]  server ${med(v.server).toFixed(0).padStart(6)} [${Math.min(...v.server).toFixed(0)}]`);
process.exit(0);
