// Observability benchmark: what the tracers cost a service. A 1 KiB echo over TTHeader on
// one multiplexed connection, 100 calls in flight, client and server in separate processes
// (bench/observability/), each side with the same tracers: none, Prometheus, OpenTelemetry
// (sdk-trace-base, batch processor, an exporter that drops the spans), or both. Targets
// (issue 19): QPS with Prometheus >= 95% of none's, with both >= 85%. Also: the
// OpenTelemetry tracer with no SDK registered, and both with the SDK sampling 10% and 0%
// (every call sampled out). How the SDK is set up (no context manager, batch processor,
// dropping exporter): bench/observability/tracers.mjs.
//
// Environment (all optional):
//   BENCH_OBS_TIME=MS      measured window per case (default 2000)
//   BENCH_OBS_WARMUP=MS    load before the window (default 1000)
//   BENCH_OBS_INFLIGHT=N   calls in flight (default 100)
//   BENCH_OBS_PAYLOAD=B    payload bytes (default 1024)
//   BENCH_OBS_ROUNDS=N     rounds over all cases, order alternating (default 5); ratios are the
//                          median over rounds of each round's case ÷ that round's no-tracer case
//   BENCH_OBS_CASES=a,b    those cases only (ids: prometheus, otel-api, otel, both, both-10pct, both-0pct),
//                          beside "none" and "control" (no tracer again: the A/A control, whose "kept"
//                          is the method's own noise); e.g. BENCH_OBS_CASES=prometheus BENCH_OBS_ROUNDS=15
//   BENCH_OBS_HOOKS_ONLY=1 the in-process hook costs only (no RPC cases)
//   BENCH_OBS_SKIP_HOOKS=1 the RPC cases only
//   BENCH_OBS_HOOK_ROUNDS=N interleaved rounds of the tracer + SDK against the SDK floor (default 15)
//   BENCH_JSON=FILE        write the results in bench/lib.mjs's JSON shape (bench/run.mjs sets it)
import { fork } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmtInt, printTable } from "./lib.mjs";
import { cpuPerCall, floorCalls, hookCalls, hookCosts, promClientFloor, sdkFloor } from "./observability/hooks.mjs";
import { BUNDLE, generate } from "./rpc/codegen.mjs";
import { ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";

const env = process.env;
const TIME = Number(env.BENCH_OBS_TIME ?? 2000);
const WARMUP = Number(env.BENCH_OBS_WARMUP ?? 1000);
const INFLIGHT = Number(env.BENCH_OBS_INFLIGHT ?? 100);
const PAYLOAD = Number(env.BENCH_OBS_PAYLOAD ?? 1024);
const ROUNDS = Math.max(1, Number(env.BENCH_OBS_ROUNDS ?? 5));
const HOOK_ROUNDS = Number(env.BENCH_OBS_HOOK_ROUNDS ?? 15);
const GRACE_MS = 30_000;
const here = fileURLToPath(new URL("./observability/", import.meta.url));

const ALL_CASES = [
  { id: "none", name: "no tracer" },
  { id: "control", name: "no tracer, again (A/A control)" },
  { id: "prometheus", name: "Prometheus tracer" },
  { id: "otel-api", name: "OpenTelemetry tracer, no SDK" },
  { id: "otel", name: "OpenTelemetry tracer + SDK" },
  { id: "both", name: "Prometheus + OpenTelemetry + SDK" },
  { id: "both-10pct", name: "Prometheus + OpenTelemetry, 10% sampled" },
  { id: "both-0pct", name: "Prometheus + OpenTelemetry, all sampled out" },
];
// BENCH_OBS_CASES=prometheus,...: those cases only, beside no tracer and its A/A control.
const CASES = env.BENCH_OBS_CASES
  ? ALL_CASES.filter((c) => c.id === "none" || c.id === "control" || env.BENCH_OBS_CASES.split(",").includes(c.id))
  : ALL_CASES;

if (!existsSync(fileURLToPath(BUNDLE))) {
  console.error("dist/kitewire.node.mjs is missing: run `npm run build` first (or `npm run bench`).");
  process.exit(1);
}

const started = Date.now();
console.log(`\nobservability: ${PAYLOAD} B echo, TTHeader mux 1 conn, ${INFLIGHT} in flight, client and server in separate processes, tracers on both sides`);
console.log(`Node ${process.version}, ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores; ${WARMUP} ms warmup + ${TIME} ms per case, ${ROUNDS} round(s); load average ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
// In process first: what each tracer's hooks cost per call, beside the call context alone.
const kw = await import(BUNDLE);
await kw.init();
/** What the SDK alone costs per call, both sides (ns), when the hooks section ran. */
let sdkFloors;
if (!env.BENCH_OBS_SKIP_HOOKS) await hookSection();

/** What each tracer's hooks cost per call in process, beside the call context alone, the SDK's floor and prom-client's. */
async function hookSection() {
  const HOOK_CASES = ALL_CASES.filter((c) => c.id !== "control");
  // Twice, the first pass only warming the JIT up (the cases' figures would otherwise depend on their order).
  await hookCosts(kw, HOOK_CASES, 100);
  sdkFloor(100);
  const hooks = await hookCosts(kw, HOOK_CASES);
  const base = hooks.get("none");
  // The SDK's own floor: the same spans made with the SDK directly, beside the tracer's cost;
  // recording every span, and sampling every span out (a parent-based ratio sampler at 0).
  const floor = sdkFloor();
  hooks.set("sdk-floor", { client: floor.client + base.client, server: floor.server + base.server });
  const floor0 = sdkFloor(200, new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) }));
  hooks.set("sdk-floor-0pct", { client: floor0.client + base.client, server: floor0.server + base.server });
  sdkFloors = { recording: floor.client + floor.server, sampledOut: floor0.client + floor0.server };
  const hookRows = [...HOOK_CASES.slice(0, 4), { id: "sdk-floor", name: "  SDK floor: the same spans, SDK alone" }, ...HOOK_CASES.slice(4),
    { id: "sdk-floor-0pct", name: "  SDK floor, every span sampled out" }];
  console.log("\n## per-call cost of the tracer hooks, in process (CPU ns; least of 5 passes; the call context alone is the \"no tracer\" row)");
  printTable([
    ["tracers", (c) => c.name, "l"],
    ["client ns/call", (c) => hooks.get(c.id).client.toFixed(0), "r"],
    ["added", (c) => (hooks.get(c.id).client - base.client).toFixed(0), "r"],
    ["server ns/call", (c) => hooks.get(c.id).server.toFixed(0), "r"],
    ["added", (c) => (hooks.get(c.id).server - base.server).toFixed(0), "r"],
  ], hookRows);
  // The tracer with the SDK against the SDK floor, interleaved (GC and JIT state move single figures by ±1 µs): medians.
  {
    const tracer = await hookCalls(kw, "otel");
    const bare = floorCalls();
    const rounds = { tracer: { client: [], server: [] }, floor: { client: [], server: [] } };
    for (let r = 0; r < HOOK_ROUNDS; r++) {
      for (const [name, calls] of r % 2 === 0 ? [["tracer", tracer], ["floor", bare]] : [["floor", bare], ["tracer", tracer]]) {
        for (const side of ["client", "server"]) rounds[name][side].push(cpuPerCall(calls[side], 150, 1));
      }
    }
    const med = (v) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
    const line = (side) => `${side} ${med(rounds.tracer[side]).toFixed(0)} vs ${med(rounds.floor[side]).toFixed(0)} ns, ` +
      `kitewire's part ${(med(rounds.tracer[side]) - med(rounds.floor[side])).toFixed(0)} ns (paired rounds: ` +
      `${rounds.tracer[side].map((t, i) => (t - rounds.floor[side][i]).toFixed(0)).join(" ")})`;
    console.log(`\nOpenTelemetry tracer + SDK vs the SDK floor, ${HOOK_ROUNDS} interleaved rounds of 150 ms, medians (CPU ns per call):`);
    console.log(`  ${line("client")}\n  ${line("server")}`);
  }
  {
    promClientFloor(100);
    const floor = Math.min(promClientFloor(), promClientFloor());
    const prom = hooks.get("prometheus");
    console.log(`\nprom-client's own cost per call (counter.inc + histogram.observe, five labels, best of 2): ${floor.toFixed(0)} ns;` +
      ` the Prometheus tracer's hooks add ${(prom.client - base.client).toFixed(0)} ns (client) and ${(prom.server - base.server).toFixed(0)} ns (server) to the call context alone`);
  }
}

if (env.BENCH_OBS_HOOKS_ONLY) process.exit(0);
const tmp = mkdtempSync(join(tmpdir(), "kitewire-bench-obs-"));
const best = new Map();
/** Every round's result per case: ratios are taken within a round (the machine is shared, its load drifts). */
const byRound = new Map(CASES.map((c) => [c.id, []]));
try {
  const gen = generate(tmp);
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of round % 2 === 0 ? CASES : [...CASES].reverse()) {
      process.stdout.write(`round ${round + 1}/${ROUNDS} ${c.name} ... `);
      const r = await runCase(c, gen.kitewire);
      console.log(`${fmtInt(r.qps)} QPS, p99 ${r.p99.toFixed(2)} ms, ${r.cpuTotalUs.toFixed(1)} µs CPU/call${r.errors ? `, ${r.errors} ERRORS (${r.firstError})` : ""}`);
      byRound.get(c.id).push(r);
      const prev = best.get(c.id);
      r.qpsRounds = [...(prev?.qpsRounds ?? []), r.qps];
      if (!prev || r.qps > prev.qps) best.set(c.id, r);
      else prev.qpsRounds = r.qpsRounds;
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const results = CASES.map((c) => best.get(c.id));
const none = best.get("none");
const fmtK = (v) => `${(v / 1000).toFixed(1)}k`;
console.log(`\n## ${PAYLOAD} B echo, TTHeader, mux 1 conn, ${INFLIGHT} in flight (best of ${ROUNDS} rounds)`);
printTable([
  ["tracers (client and server)", (r) => r.name, "l"],
  ["QPS", (r) => fmtInt(r.qps), "r"],
  ["QPS of all rounds", (r) => r.qpsRounds.map(fmtK).join(" "), "r"],
  ["p50 ms", (r) => r.p50.toFixed(3), "r"],
  ["p99 ms", (r) => r.p99.toFixed(2), "r"],
  ["client µs CPU/call", (r) => r.cpuClientUs.toFixed(1), "r"],
  ["server µs CPU/call", (r) => r.cpuServerUs.toFixed(1), "r"],
  ["errors", (r) => String(r.errors), "r"],
], results);
const median = (v) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
/** Per round: QPS kept vs that round's no-tracer case, and CPU per call of no tracer ÷ this case (what a CPU-bound service keeps). */
const paired = (id) => {
  const rounds = byRound.get(id).map((r, i) => ({ qps: r.qps / byRound.get("none")[i].qps, cpu: byRound.get("none")[i].cpuTotalUs / r.cpuTotalUs }));
  return { qps: median(rounds.map((x) => x.qps)), cpu: median(rounds.map((x) => x.cpu)), all: rounds };
};
const ratios = [
  { label: "A/A control (no tracer again) / none", a: "control", target: null },
  { label: "Prometheus / none", a: "prometheus", target: 0.95 },
  { label: "OpenTelemetry without an SDK / none", a: "otel-api", target: 0.95 },
  { label: "OpenTelemetry + SDK / none", a: "otel", target: null },
  { label: "both / none", a: "both", target: 0.85 },
  { label: "both, 10% sampled / none", a: "both-10pct", target: null },
  { label: "both, all sampled out / none", a: "both-0pct", target: null },
].filter((q) => best.has(q.a)).map((q) => {
  const p = paired(q.a);
  return { group: "observability", label: `${q.label}, QPS (median of rounds)`, a: best.get(q.a).name, b: none.name, ratio: p.qps,
    cpuRatio: p.cpu, rounds: p.all, target: q.target, met: q.target === null ? null : p.qps >= q.target };
});
console.log("\nkept vs no tracer, paired within each round (targets: Prometheus >= 0.95, both >= 0.85; no SDK >= 0.95, \"nothing measurable\"):");
for (const q of ratios) {
  console.log(`  ${q.label}: ${q.ratio.toFixed(3)}${q.target === null ? "" : ` (target ${q.target}: ${q.met ? "met" : "MISSED"})`}` +
    `; by CPU per call ${q.cpuRatio.toFixed(3)}; rounds ${q.rounds.map((x) => x.qps.toFixed(2)).join(" ")}`);
}
if (sdkFloors !== undefined) {
  // The ceiling an SDK's own cost sets: no tracer's CPU per call against it plus the SDK's spans alone (both sides).
  const echo = median(byRound.get("none").map((r) => r.cpuTotalUs)) * 1000;
  const line = (label, ns) => `  ${label}: ${ns.toFixed(0)} ns per call, both sides; the echo's own CPU is ${echo.toFixed(0)} ns per call (no tracer, both processes,` +
    ` median of rounds): at best ${(echo / (echo + ns)).toFixed(3)} kept by CPU with a tracer costing nothing beside the SDK`;
  console.log(`\nthe SDK alone (sdk-trace-base, as set up in observability/tracers.mjs; the spans kitewire asks of it per call, in a tight loop):`);
  console.log(line("every span recorded", sdkFloors.recording));
  console.log(line("every span sampled out", sdkFloors.sampledOut));
}
const seconds = (Date.now() - started) / 1000;
console.log(`\nobservability: ${seconds.toFixed(1)} s`);
if (env.BENCH_JSON) {
  writeFileSync(env.BENCH_JSON, JSON.stringify({
    suite: "observability", description: `${PAYLOAD} B echo with tracers`, seconds,
    groups: [{
      title: `${PAYLOAD} B echo, TTHeader mux, ${INFLIGHT} in flight, with tracers`, unit: "call", ratios, throughput: [],
      rows: results.map((r) => ({ name: r.name, id: r.id, ns: 1e9 / r.qps, opsPerSec: r.qps, rme: 0, samples: r.calls, inner: 1, bytes: PAYLOAD, mbPerSec: null,
        p50Ms: r.p50, p99Ms: r.p99, cpuClientUs: r.cpuClientUs, cpuServerUs: r.cpuServerUs, errors: r.errors, qpsRounds: r.qpsRounds })),
    }],
  }, null, 1));
}
if (results.some((r) => r.errors > 0)) process.exitCode = 1;

/** Runs case `c` in a fresh server and client process pair; both are gone when it settles. */
async function runCase(c, genUrl) {
  const children = [];
  const spawnChild = (script, spec) => {
    const child = fork(join(here, script), [JSON.stringify(spec)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    children.push(child);
    return child;
  };
  let watchdog;
  const work = (async () => {
    const server = spawnChild("server.mjs", { bundle: BUNDLE, gen: genUrl, observe: c.id });
    const { port } = await reply(server, "listening");
    const client = spawnChild("client.mjs", { bundle: BUNDLE, gen: genUrl, observe: c.id, port, inflight: INFLIGHT, payloadSize: PAYLOAD });
    await reply(client, "ready");
    client.send({ op: "run" });
    await sleep(WARMUP);
    server.send({ op: "mark" });
    client.send({ op: "mark" });
    await sleep(TIME);
    const done = Promise.all([reply(client, "result"), reply(server, "window")]);
    client.send({ op: "stop" });
    server.send({ op: "stop" });
    const [cr, sr] = await done;
    const clientCpu = cr.cpuUser + cr.cpuSystem;
    const serverCpu = sr.cpuUser + sr.cpuSystem;
    return {
      id: c.id, name: c.name, qps: cr.calls / (cr.wallMs / 1000), calls: cr.calls, errors: cr.errors, firstError: cr.firstError, ...cr.latencyMs,
      cpuClientUs: clientCpu / Math.max(1, cr.calls), cpuServerUs: serverCpu / Math.max(1, sr.served),
      cpuTotalUs: clientCpu / Math.max(1, cr.calls) + serverCpu / Math.max(1, sr.served),
    };
  })();
  try {
    return await Promise.race([work, new Promise((_, reject) => {
      watchdog = setTimeout(() => reject(new Error(`${c.name}: no result within ${WARMUP + TIME + GRACE_MS} ms`)), WARMUP + TIME + GRACE_MS);
    })]);
  } finally {
    clearTimeout(watchdog);
    await Promise.all(children.map(stop));
  }
}

function reply(child, op) {
  return new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m?.op !== op) return;
      off();
      resolve(m);
    };
    const onExit = (code, signal) => {
      off();
      reject(new Error(`a benchmark process exited (${code ?? signal}) before sending ${op}`));
    };
    const off = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

async function stop(child) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  try {
    child.send({ op: "exit" });
  } catch {
    // channel already closed
  }
  let timer;
  await Promise.race([exited, new Promise((r) => (timer = setTimeout(r, 5000)))]);
  clearTimeout(timer);
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGKILL");
    await exited;
  }
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}
