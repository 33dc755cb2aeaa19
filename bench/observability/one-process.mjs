// Client and server in one process, 100 calls in flight for MS ms (default 5000), a 1 KiB
// echo over TTHeader, with the tracers of a case of bench/observability.bench.mjs (argv[2]:
// none, prometheus, otel-api, otel, both, both-10pct): CPU µs per call, both sides. For
// profiling (node --cpu-prof) and for comparing with the in-process hook costs.
//   npm run build && node bench/observability/one-process.mjs otel
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUNDLE, generate } from "../rpc/codegen.mjs";
import { tracerFor } from "./tracers.mjs";
const kw = await import(BUNDLE);
await kw.init();
const gen = await import(generate(mkdtempSync(join(tmpdir(), "kw-prof-"))).kitewire);
const observe = process.argv[2] ?? "otel";
const st = await tracerFor(kw, observe, "server");
const server = new kw.Server(st ? { tracer: st } : {}).register(gen.Echo, { echo: (p) => p });
const listener = await kw.listen(server, { host: "127.0.0.1", port: 0 });
const transport = { framing: "ttheader", protocol: "binary" };
const ct = await tracerFor(kw, observe, "client");
const client = kw.createClient(gen.Echo, { transport, fromService: "bench", ...(ct ? { tracer: ct } : {}),
  connection: kw.nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport, mode: "mux" }) });
const payload = new Uint8Array(1024).fill(7);
let calls = 0;
const t0 = performance.now(); const c0 = process.cpuUsage();
await Promise.all(Array.from({ length: 100 }, async () => { while (performance.now() - t0 < (Number(process.env.MS) || 5000)) { await client.echo(payload); calls++; } }));
const u = process.cpuUsage(c0);
console.log(observe, calls, "calls", ((u.user + u.system) / calls).toFixed(2), "µs CPU/call (both sides, one process)");
process.exit(0);
