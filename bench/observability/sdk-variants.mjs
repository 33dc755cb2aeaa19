// Client and server in one process (as one-process.mjs), the OpenTelemetry tracer on both
// sides with sdk-trace-base set up in several ways, interleaved rounds: which part of a
// recording SDK's cost is whose. Variants: none (no tracer), off (SDK, AlwaysOff sampler:
// nothing recorded), noproc (every span recorded, no span processor), simple
// (SimpleSpanProcessor, dropping exporter), batch (BatchSpanProcessor, dropping exporter:
// the bench's "otel"). CPU µs per call, both sides.
//   npm run build && node bench/observability/sdk-variants.mjs [variants...]
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AlwaysOffSampler, BasicTracerProvider, BatchSpanProcessor, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { BUNDLE, generate } from "../rpc/codegen.mjs";
const kw = await import(BUNDLE);
await kw.init();
const { openTelemetryTracer } = await import(new URL("../../dist/kitewire.opentelemetry.mjs", import.meta.url).href);
const gen = await import(generate(mkdtempSync(join(tmpdir(), "kw-sdkvar-"))).kitewire);
const drop = { export: (_spans, done) => done({ code: 0 }), shutdown: async () => {}, forceFlush: async () => {} };
const PROVIDERS = {
  off: () => new BasicTracerProvider({ sampler: new AlwaysOffSampler() }),
  noproc: () => new BasicTracerProvider(),
  simple: () => new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(drop)] }),
  batch: () => new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(drop)] }),
};
const variants = process.argv.length > 2 ? process.argv.slice(2) : ["none", "off", "noproc", "simple", "batch"];
const META = { metadata: { traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-00" } };
const MS = Number(process.env.MS) || 1500;
const ROUNDS = Number(process.env.ROUNDS) || 3;
const payload = new Uint8Array(1024).fill(7);
const transport = { framing: "ttheader", protocol: "binary" };

async function setup(variant) {
  const tracer = (side) => (variant === "none" || variant === "meta" ? {} : { tracer: openTelemetryTracer({ side, tracerProvider: PROVIDERS[variant]() }) });
  const server = new kw.Server(tracer("server")).register(gen.Echo, { echo: (p) => p });
  const listener = await kw.listen(server, { host: "127.0.0.1", port: 0 });
  const client = kw.createClient(gen.Echo, { transport, fromService: "bench", ...tracer("client"),
    connection: kw.nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport, mode: "mux" }) });
  return { client, listener };
}

async function run(client, ms, meta) {
  let calls = 0;
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  await Promise.all(Array.from({ length: 100 }, async () => {
    while (performance.now() - t0 < ms) {
      await client.echo(payload, meta);
      calls++;
    }
  }));
  const u = process.cpuUsage(c0);
  if (process.env.VERBOSE) console.log("calls", calls, "user", u.user, "system", u.system, "wall", (performance.now() - t0).toFixed(0));
  return (u.user + u.system) / calls;
}

const setups = {};
for (const v of variants) {
  setups[v] = await setup(v);
  await run(setups[v].client, 300);
}
const results = Object.fromEntries(variants.map((v) => [v, []]));
for (let r = 0; r < ROUNDS; r++) for (const v of r % 2 ? [...variants].reverse() : variants) results[v].push(await run(setups[v].client, MS, v === "meta" ? META : undefined));
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor((a.length - 1) / 2)];
for (const v of variants) console.log(v.padEnd(7), median(results[v]).toFixed(2), "µs CPU/call (both sides)", results[v].map((x) => x.toFixed(1)).join(" "));
process.exit(0);
