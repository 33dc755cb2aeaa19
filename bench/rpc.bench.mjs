// RPC benchmark: a 1 KiB echo over loopback, 100 calls in flight, client and server in
// separate processes. Cases: kitewire Framed binary (pooled: 100 connections; multiplexed:
// 1 and 4 connections), kitewire TTHeader binary multiplexed, npm thrift Framed binary (its
// callback client on one connection), @grpc/grpc-js unary (one channel), and a raw
// node:net length-prefixed echo pipelined on one connection (the ceiling).
//
// For every case this process forks a fresh server process (bench/rpc/server.mjs) and a
// fresh client process (bench/rpc/client.mjs), lets the client run closed-loop for the
// warmup, then marks a measured window in both and stops it after the case's time. Each
// case reports QPS, latency percentiles, and the CPU time of client and server in the
// window per call (process.cpuUsage: user + system, all threads). Both processes share the
// machine's cores, so CPU per call is reported beside QPS.
//
// Environment (all optional):
//   BENCH_RPC_TIME=MS       measured window per case (default 5000)
//   BENCH_RPC_WARMUP=MS     load before the window (default 1000)
//   BENCH_RPC_INFLIGHT=N    calls in flight (default 100)
//   BENCH_RPC_PAYLOAD=B     payload bytes (default 1024)
//   BENCH_RPC_ROUNDS=N      run every case N times (order alternating), keep the round
//                           with the best QPS (default 3: a pipelined connection settles
//                           into different batching regimes from run to run, see README)
//   BENCH_RPC_CASES=a,b     only cases whose id contains one of these (ids: raw,
//                           kw-framed-mux1, thrift, kw-framed-pool, grpc, kw-framed-mux4,
//                           kw-ttheader-mux1, kw-theader-mux1, kw-theader-zlib-mux1, raw-conns)
//   BENCH_RPC_PROF=DIR      run the client and server processes with --cpu-prof, writing
//                           DIR/<case>-client.cpuprofile and -server.cpuprofile, then print
//                           a summary of each (bench/rpc/profile.mjs); figures of a
//                           profiled run are not benchmark figures
//   BENCH_RPC_PROF_INTERVAL=US  sampling interval of --cpu-prof (default 250)
//   BENCH_RPC_NODE_FLAGS="..."  extra Node flags for the client and server processes
//                           (e.g. --trace-gc; they print to this process's stdout)
//   BENCH_RPC_BUNDLE=FILE   the kitewire bundle to load instead of dist/kitewire.node.mjs
//                           (A/B runs of a patched copy; the .wasm files must sit beside it)
//   BENCH_JSON=FILE         write the results in bench/lib.mjs's JSON shape (bench/run.mjs
//                           sets it)
import { fork } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { fmtInt, printTable } from "./lib.mjs";
import { BUNDLE, generate } from "./rpc/codegen.mjs";
import { summarizeProfile } from "./rpc/profile.mjs";

const env = process.env;
const TIME = Number(env.BENCH_RPC_TIME ?? 5000);
const WARMUP = Number(env.BENCH_RPC_WARMUP ?? 1000);
const INFLIGHT = Number(env.BENCH_RPC_INFLIGHT ?? 100);
const PAYLOAD = Number(env.BENCH_RPC_PAYLOAD ?? 1024);
const ROUNDS = Math.max(1, Number(env.BENCH_RPC_ROUNDS ?? 3));
const PROF = env.BENCH_RPC_PROF ?? "";
const PROF_INTERVAL = Number(env.BENCH_RPC_PROF_INTERVAL ?? 250);
const CHILD_FLAGS = (env.BENCH_RPC_NODE_FLAGS ?? "").split(/\s+/).filter(Boolean);
const ONLY = (env.BENCH_RPC_CASES ?? "").split(",").map((s) => s.trim()).filter(Boolean);
/** A case that has not finished this long after its window should have ended is killed. */
const GRACE_MS = 30_000;

const here = fileURLToPath(new URL(".", import.meta.url));

/** The cases, in run order (kitewire and peers interleaved, so slow phases of a shared machine spread over both). */
const CASES = [
  { id: "raw", name: "raw node:net, 4-byte length, 1 conn", kind: "raw", conns: 1, peer: true },
  { id: "kw-framed-mux1", name: "kitewire Framed binary, mux, 1 conn", kind: "kitewire", framing: "framed", mode: "mux", connections: 1, conns: 1 },
  { id: "thrift", name: "npm thrift Framed binary, 1 conn", kind: "thrift", conns: 1, peer: true },
  { id: "kw-framed-pool", name: "kitewire Framed binary, pool, 100 conns", kind: "kitewire", framing: "framed", mode: "pool", connections: INFLIGHT, conns: INFLIGHT },
  { id: "grpc", name: "grpc-js unary, 1 channel", kind: "grpc", conns: 1, peer: true },
  { id: "kw-framed-mux4", name: "kitewire Framed binary, mux, 4 conns", kind: "kitewire", framing: "framed", mode: "mux", connections: 4, conns: 4 },
  { id: "kw-ttheader-mux1", name: "kitewire TTHeader binary, mux, 1 conn", kind: "kitewire", framing: "ttheader", mode: "mux", connections: 1, conns: 1 },
  { id: "kw-theader-mux1", name: "kitewire Apache THeader binary, mux, 1 conn", kind: "kitewire", framing: "theader", mode: "mux", connections: 1, conns: 1 },
  { id: "kw-theader-zlib-mux1", name: "kitewire Apache THeader binary + zlib, mux, 1 conn", kind: "kitewire", framing: "theader", transforms: ["zlib"], mode: "mux", connections: 1, conns: 1 },
  // The ceiling of the pooled topology: one call in flight per connection, one write and one
  // read per call on each side (kw-framed-pool is measured against it, without a target).
  { id: "raw-conns", name: "raw node:net, 4-byte length, 100 conns", kind: "raw", connections: INFLIGHT, conns: INFLIGHT, peer: true },
].filter((c) => ONLY.length === 0 || ONLY.some((o) => c.id.includes(o)));
for (const c of CASES) {
  if (c.id === "kw-framed-pool") c.name = `kitewire Framed binary, pool, ${INFLIGHT} conns`;
  if (c.id === "raw-conns") c.name = `raw node:net, 4-byte length, ${INFLIGHT} conns`;
}

if (!existsSync(fileURLToPath(BUNDLE))) {
  console.error("dist/kitewire.node.mjs is missing: run `npm run build` first (or `npm run bench`).");
  process.exit(1);
}

const started = Date.now();
const title = `rpc: ${PAYLOAD} B echo, ${INFLIGHT} calls in flight, client and server in separate processes on 127.0.0.1`;
console.log(`\n${"=".repeat(Math.min(100, title.length))}\n${title}\n${"=".repeat(Math.min(100, title.length))}`);
if (env.BENCH_RPC_BUNDLE) console.log(`kitewire bundle: ${fileURLToPath(BUNDLE)}`);
console.log(`Node ${process.version}, ${cpus()[0]?.model ?? "?"}, ${cpus().length} cores shared by client and server; ` +
  `${WARMUP} ms warmup + ${TIME} ms measured per case, ${ROUNDS} round(s)${PROF ? `; PROFILING into ${PROF} (figures not comparable)` : ""}`);

const notes = [];
// Other work on the machine shows here (the benchmark itself keeps up to 2 processes busy).
const busyBefore = machineLoad();
console.log(`machine before the run: ${busyBefore}`);
notes.push(`machine before the run: ${busyBefore}`);
const tmp = mkdtempSync(join(tmpdir(), "kitewire-bench-rpc-"));
const best = new Map();
try {
  const gen = generate(tmp);
  notes.push(...gen.notes);
  const genSpec = { bundle: BUNDLE, kitewire: gen.kitewire, thrift: gen.thrift, proto: gen.proto };
  if (gen.thriftVersion) notes.push(`npm thrift code generated by ${gen.thriftVersion} (thrift --gen js:node)`);
  if (PROF) mkdirSync(PROF, { recursive: true });
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? CASES : [...CASES].reverse();
    for (const c of order) {
      if (c.kind === "thrift" && !gen.thrift) continue;
      if (ROUNDS > 1) process.stdout.write(`round ${round + 1}/${ROUNDS} `);
      process.stdout.write(`${c.name} ... `);
      const r = await runCase(c, genSpec);
      console.log(`${fmtInt(r.qps)} QPS, p99 ${r.p99.toFixed(2)} ms, ${r.cpuTotalUs.toFixed(1)} µs CPU/call` +
        (r.errors ? `, ${r.errors} ERRORS (${r.firstError?.split("\n")[0]})` : ""));
      r.qpsRounds = [...(best.get(c.id)?.qpsRounds ?? []), r.qps];
      if (!best.has(c.id) || r.qps > best.get(c.id).qps) best.set(c.id, r);
      else best.get(c.id).qpsRounds = r.qpsRounds;
    }
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

// ---- results ----
const results = CASES.filter((c) => best.has(c.id)).map((c) => best.get(c.id));
const byId = (id) => best.get(id);
const fmtMs = (ms) => (ms < 1 ? ms.toFixed(3) : ms < 10 ? ms.toFixed(2) : ms < 100 ? ms.toFixed(1) : ms.toFixed(0));
const fmtK = (v) => (v >= 1e4 ? `${Math.round(v / 1000)}k` : `${(v / 1000).toFixed(1)}k`);
const fmtUs = (us) => (us < 100 ? us.toFixed(1) : fmtInt(us));
const cols = [
  ["case", (r) => r.name, "l"],
  ["QPS", (r) => fmtInt(r.qps), "r"],
  ...(ROUNDS > 1 ? [["QPS of all rounds", (r) => r.qpsRounds.map((q) => fmtK(q)).join(" "), "r"]] : []),
  ["p50 ms", (r) => fmtMs(r.p50), "r"],
  ["p99 ms", (r) => fmtMs(r.p99), "r"],
  ["p99.9 ms", (r) => fmtMs(r.p999), "r"],
  ["client µs CPU/call", (r) => fmtUs(r.cpuClientUs), "r"],
  ["server µs CPU/call", (r) => fmtUs(r.cpuServerUs), "r"],
  ["total µs CPU/call", (r) => fmtUs(r.cpuTotalUs), "r"],
  ["cores busy", (r) => r.coresBusy.toFixed(2), "r"],
  ["GC pause % client / server", (r) => `${(r.gcClient.share * 100).toFixed(1)} / ${(r.gcServer.share * 100).toFixed(1)}`, "r"],
  ["longest GC pause ms client / server", (r) => `${r.gcClient.maxMs.toFixed(1)} / ${r.gcServer.maxMs.toFixed(1)}`, "r"],
  ["errors", (r) => String(r.errors), "r"],
];
console.log(`\n## ${PAYLOAD} B echo, ${INFLIGHT} in flight (${TIME} ms window after ${WARMUP} ms warmup${ROUNDS > 1 ? `, best of ${ROUNDS} rounds` : ""})`);
const tableLines = captureTable(cols, results);
for (const l of tableLines) console.log(l);

const ratios = [];
const raw = byId("raw");
const thrift = byId("thrift");
const grpc = byId("grpc");
const rawConns = byId("raw-conns");
const kitewire = results.filter((r) => r.kind === "kitewire");
for (const k of kitewire) {
  if (raw) ratios.push({ a: k.name, b: raw.name, label: `${k.id} / raw ceiling, QPS`, ratio: k.qps / raw.qps, target: 0.5 });
  if (thrift) ratios.push({ a: k.name, b: thrift.name, label: `${k.id} / npm thrift, QPS`, ratio: k.qps / thrift.qps, target: 5 });
  for (const p of [thrift, grpc]) {
    if (p) ratios.push({ a: k.name, b: p.name, label: `${k.id} vs ${p.id}, p99 (${p.id} p99 / kitewire p99, >1: kitewire lower)`,
      ratio: p.p99 / k.p99, target: 1, strict: true });
  }
}
for (const q of ratios) {
  q.group = "echo";
  q.met = q.target === null ? null : q.strict ? q.ratio > q.target : q.ratio >= q.target;
  delete q.strict;
}
const verdict = (met) => (met ? "met" : "MISSED");
const ratioCols = [
  ["kitewire case", (k) => k.id, "l"],
  ...(raw ? [["QPS / raw (>= 0.5)", (k) => `${(k.qps / raw.qps).toFixed(2)}x ${verdict(k.qps / raw.qps >= 0.5)}`, "r"]] : []),
  ...(thrift ? [["QPS / npm thrift (>= 5)", (k) => `${(k.qps / thrift.qps).toFixed(2)}x ${verdict(k.qps / thrift.qps >= 5)}`, "r"]] : []),
  ...[thrift, grpc].filter(Boolean).map((p) => [`p99 vs ${p.id} (lower)`,
    (k) => `${fmtMs(k.p99)} vs ${fmtMs(p.p99)} ms ${verdict(k.p99 < p.p99)}`, "r"]),
  ...(raw ? [["p99 / raw p99", (k) => `${(k.p99 / raw.p99).toFixed(1)}x`, "r"]] : []),
  ...(rawConns ? [[`QPS / raw ${rawConns.conns} conns`, (k) => (k.conns === rawConns.conns ? `${(k.qps / rawConns.qps).toFixed(2)}x` : ""), "r"]] : []),
  ...[thrift, grpc, raw].filter(Boolean).map((p) => [`CPU/call, kw ÷ ${p.id}`, (k) => `${(k.cpuTotalUs / p.cpuTotalUs).toFixed(2)}x`, "r"]),
];
const ratioLines = kitewire.length ? captureTable(ratioCols, kitewire) : [];
console.log("\nratios (targets: QPS >= 0.5x the raw ceiling, >= 5x npm thrift; p99 lower than npm thrift's and grpc-js's):");
for (const l of ratioLines) console.log(l);
const analysis = [...tableLines, "", ...ratioLines];
notes.push(`${cpus().length} cores shared by the client and server processes (and the rest of the machine): QPS is bounded by CPU; compare CPU per call too`);
notes.push("latency: closed loop, so mean latency = in flight / QPS (Little's law); the p99 target is against the peers npm thrift and grpc-js, the raw ceiling's p99 is shown for reference");
for (const n of notes) console.log(`note: ${n}`);

if (PROF) {
  for (const c of CASES) {
    for (const role of ["client", "server"]) {
      const file = join(PROF, `${c.id}-${role}.cpuprofile`);
      if (!existsSync(file)) continue;
      console.log(`\n## profile: ${c.id} ${role} (${file})`);
      for (const l of summarizeProfile(file, { top: 30 })) console.log(l);
    }
  }
}

const seconds = (Date.now() - started) / 1000;
console.log(`\nrpc: ${seconds.toFixed(1)} s`);
if (env.BENCH_JSON) {
  const rows = results.map((r) => ({
    name: r.name, ns: 1e9 / r.qps, opsPerSec: r.qps, rme: spread(r.qpsRounds), samples: r.calls, inner: 1, bytes: PAYLOAD,
    mbPerSec: null, id: r.id, connections: r.conns, p50Ms: r.p50, p90Ms: r.p90, p99Ms: r.p99, p999Ms: r.p999, maxMs: r.max,
    meanMs: r.mean, cpuClientUs: r.cpuClientUs, cpuServerUs: r.cpuServerUs, cpuTotalUs: r.cpuTotalUs, coresBusy: r.coresBusy,
    errors: r.errors, qpsRounds: r.qpsRounds, gcClient: r.gcClient, gcServer: r.gcServer,
  }));
  writeFileSync(env.BENCH_JSON, JSON.stringify({
    suite: "rpc",
    description: `${PAYLOAD} B echo, ${INFLIGHT} in flight, client and server in separate processes`,
    seconds,
    groups: [{
      title: `${PAYLOAD} B echo, ${INFLIGHT} in flight`,
      note: `QPS over a ${TIME} ms window after ${WARMUP} ms warmup; ns/call = 1e9 / QPS; ±rme column: QPS spread over rounds`,
      unit: "call", rows, ratios, throughput: [],
    }],
    notes, analysis,
    machine: { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, time: TIME, warmup: WARMUP, inflight: INFLIGHT, payload: PAYLOAD, rounds: ROUNDS },
  }, null, 1));
}
if (results.some((r) => r.errors > 0)) process.exitCode = 1;

// ---- one case ----

/** Runs case `c` in a fresh server and client process pair; both are gone when it settles. */
async function runCase(c, gen) {
  const children = [];
  const spawnChild = (script, role, spec) => {
    const execArgv = [...CHILD_FLAGS, ...(PROF
      ? ["--cpu-prof", `--cpu-prof-dir=${PROF}`, `--cpu-prof-name=${c.id}-${role}.cpuprofile`, `--cpu-prof-interval=${PROF_INTERVAL}`]
      : [])];
    const child = fork(join(here, "rpc", script), [JSON.stringify(spec)], { execArgv, stdio: ["ignore", "inherit", "inherit", "ipc"] });
    children.push(child);
    return child;
  };
  let watchdog;
  const work = (async () => {
    const server = spawnChild("server.mjs", "server", { kind: c.kind, gen });
    const { port } = await reply(server, "listening");
    const client = spawnChild("client.mjs", "client", { case: c, port, inflight: INFLIGHT, payloadSize: PAYLOAD, gen });
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
    const qps = cr.calls / (cr.wallMs / 1000);
    const clientCpu = cr.cpuUser + cr.cpuSystem;
    const serverCpu = sr.cpuUser + sr.cpuSystem;
    return {
      id: c.id, name: c.name, kind: c.kind, conns: c.conns, qps, calls: cr.calls, errors: cr.errors, firstError: cr.firstError,
      ...cr.latencyMs,
      cpuClientUs: clientCpu / Math.max(1, cr.calls),
      cpuServerUs: serverCpu / Math.max(1, sr.served),
      cpuTotalUs: clientCpu / Math.max(1, cr.calls) + serverCpu / Math.max(1, sr.served),
      coresBusy: clientCpu / 1000 / cr.wallMs + serverCpu / 1000 / sr.wallMs,
      served: sr.served,
      gcClient: { ...cr.gc, share: cr.gc.totalMs / cr.wallMs },
      gcServer: { ...sr.gc, share: sr.gc.totalMs / sr.wallMs },
    };
  })();
  try {
    return await Promise.race([work, new Promise((_, reject) => {
      watchdog = setTimeout(() => reject(new Error(`${c.name}: no result within ${WARMUP + TIME + GRACE_MS} ms`)), WARMUP + TIME + GRACE_MS);
    })]);
  } finally {
    clearTimeout(watchdog);
    await Promise.all(children.map((child) => stop(child)));
  }
}

/** Resolves with the child's next message `op`; rejects if it exits first. */
function reply(child, op) {
  return new Promise((resolve, reject) => {
    const onMessage = (m) => {
      if (m?.op !== op) return;
      off();
      resolve(m);
    };
    const onExit = (code, signal) => {
      off();
      reject(new Error(`${child.spawnargs.slice(-2, -1)} exited (${code ?? signal}) before sending ${op}`));
    };
    const off = () => {
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

/** Asks a child to exit (so a profile gets written), and kills it if it has not within 5 s. */
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

/** Load average, and Linux CPU pressure (share of time runnable tasks waited for a CPU) when available. */
function machineLoad() {
  let pressure = "";
  try {
    const some = readFileSync("/proc/pressure/cpu", "utf8").match(/some avg10=([\d.]+) avg60=([\d.]+)/);
    if (some) pressure = `, CPU pressure ${some[1]}% (10 s) / ${some[2]}% (60 s)`;
  } catch {
    // not Linux, or no PSI
  }
  return `load average ${loadavg().map((v) => v.toFixed(2)).join(" ")}${pressure}`;
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

function spread(values) {
  if (values.length < 2) return 0;
  const hi = Math.max(...values);
  return ((hi - Math.min(...values)) / hi) * 100;
}

function captureTable(columns, rows) {
  const lines = [];
  const log = console.log;
  console.log = (l) => lines.push(l);
  try {
    printTable(columns, rows);
  } finally {
    console.log = log;
  }
  return lines;
}
