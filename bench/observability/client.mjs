// The client process of one case of bench/observability.bench.mjs: `inflight` closed-loop
// workers calling echo on one multiplexed TTHeader connection. argv[2] is JSON:
// { bundle, gen, observe, port, inflight, payloadSize }. IPC as bench/rpc/client.mjs:
// "run", "mark", "stop" (answers { op: "result", calls, errors, wallMs, cpuUser, cpuSystem,
// latencyMs }), "exit"; sends { op: "ready" } after a checked echo.
import { payloadBytes, percentiles } from "../rpc/common.mjs";
import { adaptersBeside, tracerFor } from "./tracers.mjs";

const spec = JSON.parse(process.argv[2]);
const kw = await import(spec.bundle);
await kw.init();
const gen = await import(spec.gen);
const payload = payloadBytes(spec.payloadSize);
const transport = { framing: "ttheader", protocol: "binary" };
const tracer = await tracerFor(kw, spec.observe, "client", adaptersBeside(spec.bundle));
const client = kw.createClient(gen.Echo, {
  transport, fromService: "bench", ...(tracer ? { tracer } : {}),
  connection: kw.nodeTransport({ address: { host: "127.0.0.1", port: spec.port }, transport, mode: "mux" }),
});
const echoed = await client.echo(payload);
if (Buffer.compare(Buffer.from(echoed), Buffer.from(payload)) !== 0) throw new Error("benchmark self-check failed: echo differs");

let running = false;
let measuring = false;
let lat = new Float64Array(1 << 20);
let n = 0;
let errors = 0;
let firstError = null;
let window = null;

function worker() {
  let t0 = 0;
  const done = (error) => {
    const t = performance.now();
    if (measuring) {
      if (error) {
        errors++;
        firstError ??= String(error?.stack ?? error);
      } else {
        if (n === lat.length) {
          const bigger = new Float64Array(lat.length * 2);
          bigger.set(lat);
          lat = bigger;
        }
        lat[n++] = t - t0;
      }
    }
    if (running) issue();
  };
  const ok = () => done(null);
  const issue = () => {
    t0 = performance.now();
    client.echo(payload).then(ok, done);
  };
  issue();
}

process.on("message", async (m) => {
  if (m.op === "run") {
    running = true;
    for (let i = 0; i < spec.inflight; i++) worker();
  } else if (m.op === "mark") {
    n = errors = 0;
    measuring = true;
    window = { cpu: process.cpuUsage(), t: performance.now() };
  } else if (m.op === "stop") {
    measuring = false;
    running = false;
    const wallMs = performance.now() - window.t;
    const cpu = process.cpuUsage(window.cpu);
    const calls = n;
    process.send({ op: "result", calls, errors, firstError, wallMs, cpuUser: cpu.user, cpuSystem: cpu.system, latencyMs: percentiles(lat, calls) });
  } else if (m.op === "exit") {
    await new Promise((r) => setTimeout(r, 100)); // let the calls in flight come back
    await Promise.race([client.close(), new Promise((r) => setTimeout(r, 500))]);
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(1));
process.send({ op: "ready" });
