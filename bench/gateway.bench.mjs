// Gateway benchmark: Connect unary JSON, 1 KiB payload, 100 calls in flight, every party in
// a process of its own on 127.0.0.1:
//   kitewire: load → kitewire gateway (createGateway + serveGateway, node:http) → kitewire
//             Thrift server (TTHeader binary, one multiplexed connection)
//   connect:  load → @connectrpc/connect-node 2.1.1 serving the same method itself
// The load generator (bench/gateway/load.mjs) keeps 100 keep-alive HTTP/1.1 connections
// each with one request in flight; the same generator, request and checks serve both cases.
// The cases are interleaved over BENCH_GW_ROUNDS rounds (order alternating), each round
// starting fresh processes; the bench reports, per case, the median and the range over
// the rounds of QPS, p50/p99/p99.9 and the CPU (user + system, from /proc) per call of
// every process (load generator included), and the median of the per-round QPS ratios
// (the two cases of a round run seconds apart, so they share the machine's load).
// The bench raises its own priority (nice -15, inherited by the processes it starts) when
// it may, so that other jobs on a shared machine disturb it less; it prints the nice value.
//
// Environment: BENCH_GW_TIME (ms measured, default 5000), BENCH_GW_WARMUP (1000),
// BENCH_GW_INFLIGHT (100), BENCH_GW_PAYLOAD (1024), BENCH_GW_ROUNDS (5),
// BENCH_GW_CONNECTIONS (the gateway's upstream connections, default 1),
// BENCH_GW_NICE (priority to ask for, default -15), BENCH_GW_CASES (comma-separated subset),
// BENCH_GW_B (path of another build's kitewire.node.mjs: adds case "kitewire-B", the same
// setup on that build, for A/B of a change), BENCH_GW_PROF (a directory: the gateway
// processes run with --cpu-prof into it).
import { spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, getPriority, loadavg, setPriority } from "node:os";
import { resolve as resolvePath } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { printTable } from "./lib.mjs";

const env = process.env;
const TIME = Number(env.BENCH_GW_TIME ?? 5000);
const WARMUP = Number(env.BENCH_GW_WARMUP ?? 1000);
const INFLIGHT = Number(env.BENCH_GW_INFLIGHT ?? 100);
const PAYLOAD = Number(env.BENCH_GW_PAYLOAD ?? 1024);
const ROUNDS = Math.max(1, Number(env.BENCH_GW_ROUNDS ?? 5));
const CONNECTIONS = Number(env.BENCH_GW_CONNECTIONS ?? 1);
const NICE = Number(env.BENCH_GW_NICE ?? -15);
const PROF = env.BENCH_GW_PROF;
const here = (f) => fileURLToPath(new URL(`gateway/${f}`, import.meta.url));
const BUNDLE = new URL("../dist/kitewire.node.mjs", import.meta.url);
if (!existsSync(fileURLToPath(BUNDLE))) throw new Error("dist/kitewire.node.mjs is missing: run `npm run build` first");
const bundle = pathToFileURL(fileURLToPath(BUNDLE)).href;
const bundleB = env.BENCH_GW_B ? pathToFileURL(resolvePath(env.BENCH_GW_B)).href : undefined;

try {
  setPriority(NICE);
} catch {
  // not permitted (not root): run at the inherited priority, which is printed below
}
// With the kernel's autogroup scheduling on, a nice value only ranks processes within their
// session's group, and each session's group competes with the others as nice 0: the
// group's own nice (`/proc/self/autogroup`, shared with the processes started below)
// is what ranks the bench against other jobs.
const AUTOGROUP = "/proc/self/autogroup";
try {
  if (existsSync(AUTOGROUP)) writeFileSync(AUTOGROUP, String(NICE));
} catch {
  // not permitted: printed below
}
const priority = () => `nice ${getPriority()}` + (existsSync(AUTOGROUP) ? `, ${readFileSync(AUTOGROUP, "utf8").trim()}` : "");

const text = "k".repeat(PAYLOAD);
const body = JSON.stringify({ text });

/** Starts `script` with a JSON argument; resolves with the process and what it printed first (a JSON line). */
function start(script, arg, flags = []) {
  const child = spawn(process.execPath, [...flags, script, JSON.stringify(arg)], { stdio: ["pipe", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`${script} did not start`)), 20_000);
    child.once("exit", (code) => reject(new Error(`${script} exited with ${code}`)));
    child.stdout.setEncoding("utf8").on("data", function first(s) {
      out += s;
      const nl = out.indexOf("\n");
      if (nl < 0) return;
      clearTimeout(timer);
      child.stdout.off("data", first);
      resolve({ child, info: JSON.parse(out.slice(0, nl)) });
    });
  });
}

function stop(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.stdin.end();
    setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
  });
}

/** CPU seconds (user + system) a process has used, from /proc. */
function cpuSeconds(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 Hz)
}

/**
 * Runs the load against `port`/`path` while `servers` ({ name: process }) serve; returns the
 * load's result and the CPU µs per call of each server and of the load generator.
 */
async function measure(port, path, servers) {
  const load = spawn(process.execPath, [here("load.mjs"), JSON.stringify({
    port, path, body, inflight: INFLIGHT, warmup: WARMUP, time: TIME, expect: JSON.stringify({ text }),
  })], { stdio: ["ignore", "pipe", "inherit"] });
  const procs = { ...servers, load };
  let out = "";
  let before;
  const done = new Promise((resolve, reject) => {
    load.stdout.setEncoding("utf8").on("data", (s) => {
      out += s;
      if (before === undefined && out.includes("measuring\n")) before = mapValues(procs, (c) => cpuSeconds(c.pid));
      const lines = out.split("\n").filter((l) => l.startsWith("{"));
      if (lines.length > 0) resolve(JSON.parse(lines[0]));
    });
    load.once("exit", (code) => (code === 0 ? undefined : reject(new Error(`load exited with ${code}`))));
  });
  const result = await done;
  const cpu = mapValues(procs, (c, name) => ((cpuSeconds(c.pid) - before[name]) / result.calls) * 1e6);
  const server = Object.keys(servers).reduce((n, name) => n + cpu[name], 0);
  return { ...result, cpu, cpuUsPerCall: server };
}

const mapValues = (o, f) => Object.fromEntries(Object.entries(o).map(([k, v]) => [k, f(v, k)]));
const profFlags = () => (PROF ? ["--cpu-prof", `--cpu-prof-dir=${PROF}`] : []);

/** The kitewire setup (gateway → Thrift server) on the build at `bundleUrl`. */
function kitewireCase(name, bundleUrl) {
  return {
    name,
    async run() {
      const up = await start(here("upstream.mjs"), { bundle: bundleUrl });
      const gw = await start(here("gateway.mjs"), { bundle: bundleUrl, upstream: up.info.port, connections: CONNECTIONS }, profFlags());
      try {
        return await measure(gw.info.port, "/Echo/echo", { gateway: gw.child, thrift: up.child });
      } finally {
        await stop(gw.child);
        await stop(up.child);
      }
    },
  };
}

const CASES = {
  kitewire: kitewireCase("kitewire gateway -> kitewire Thrift server (TTHeader)", bundle),
  ...(bundleB ? { "kitewire-B": kitewireCase(`the same on ${env.BENCH_GW_B}`, bundleB) } : {}),
  connect: {
    name: "@connectrpc/connect-node 2.1.1, the method served itself",
    async run() {
      const server = await start(here("connect-server.mjs"), {});
      try {
        return await measure(server.info.port, "/bench.Echo/Echo", { connect: server.child });
      } finally {
        await stop(server.child);
      }
    },
  },
};
const ids = env.BENCH_GW_CASES ? env.BENCH_GW_CASES.split(",") : Object.keys(CASES);
for (const id of ids) if (!(id in CASES)) throw new Error(`no case ${id} (${Object.keys(CASES).join(", ")})`);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 === 1 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
/** `median (min–max)` of `xs`, each shown by `f`. */
const spread = (xs, f) => `${f(median(xs))} (${f(Math.min(...xs))}–${f(Math.max(...xs))})`;
const int = (v) => Math.round(v).toLocaleString("en-US");
const ms = (v) => v.toFixed(1);

console.log(`gateway benchmark: Connect unary JSON, ${PAYLOAD} B text, ${INFLIGHT} in flight, ${ROUNDS} rounds of ${WARMUP} ms warmup + ${TIME} ms; ` +
  `${cpus().length} cores, ${priority()}, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
const runs = Object.fromEntries(ids.map((id) => [id, []]));
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? ids : [...ids].reverse();
  for (const id of order) {
    const r = await CASES[id].run();
    if (r.errors > 0) throw new Error(`${id}: ${r.errors} bad replies`);
    console.log(`  round ${round + 1} ${id}: ${int(r.qps)} QPS, p50 ${ms(r.p50)} ms, p99 ${ms(r.p99)} ms, CPU µs/call ` +
      Object.entries(r.cpu).map(([n, v]) => `${n} ${v.toFixed(0)}`).join(", ") + `; load ${loadavg()[0].toFixed(1)}`);
    runs[id].push(r);
  }
}
const f0 = (v) => v.toFixed(0);
printTable(["case", "QPS", "p50 ms", "p99 ms", "p99.9 ms", "server CPU µs/call", "CPU µs/call by process"].map((h, i) => [h, (r) => r[i], i === 0 ? "l" : "r"]),
  ids.map((id) => {
    const rs = runs[id];
    const col = (k, f) => spread(rs.map((r) => r[k]), f);
    return [CASES[id].name, col("qps", int), col("p50", ms), col("p99", ms), col("p999", ms), col("cpuUsPerCall", f0),
      Object.keys(rs[0].cpu).map((n) => `${n} ${f0(median(rs.map((r) => r.cpu[n])))}`).join(", ")];
  }));
console.log("(median over the rounds, range in brackets)");
const ratios = [];
for (const id of ids.filter((i) => i !== "connect")) {
  if (!runs.connect) break;
  const k = runs[id];
  const c = runs.connect;
  const qps = k.map((r, i) => r.qps / c[i].qps);
  const p99 = k.map((r, i) => c[i].p99 / r.p99);
  const cpu = k.map((r, i) => r.cpuUsPerCall / c[i].cpuUsPerCall);
  const x = (v) => `${v.toFixed(2)}x`;
  console.log(`${id} / connect-node, per round: QPS ${spread(qps, x)}, connect p99 / ${id} p99 ${spread(p99, x)}, ` +
    `server CPU per call ${spread(cpu, x)}; rounds with >= 3x QPS and a lower p99: ${qps.filter((q, i) => q >= 3 && p99[i] > 1).length} of ${ROUNDS}`);
  ratios.push(
    { a: CASES[id].name, b: CASES.connect.name, label: `${id} / connect-node, QPS (median of rounds)`, ratio: median(qps), target: 3 },
    { a: CASES[id].name, b: CASES.connect.name, label: `connect-node p99 / ${id} p99 (median of rounds; >1: kitewire lower)`, ratio: median(p99), target: 1 },
  );
}

if (env.BENCH_JSON) {
  const rows = ids.map((id) => {
    const rs = runs[id];
    const m = (k) => median(rs.map((r) => r[k]));
    return {
      name: CASES[id].name, ns: 1e9 / m("qps"), opsPerSec: m("qps"), rme: 0, samples: rs.reduce((n, r) => n + r.calls, 0), inner: 1, bytes: PAYLOAD, mbPerSec: null,
      id, p50Ms: m("p50"), p99Ms: m("p99"), p999Ms: m("p999"), cpuServerUs: m("cpuUsPerCall"), errors: 0,
      rounds: rs.map((r) => ({ qps: r.qps, p50: r.p50, p99: r.p99, p999: r.p999, cpu: r.cpu })),
    };
  });
  writeFileSync(env.BENCH_JSON, JSON.stringify({
    suite: "gateway",
    description: `Connect unary JSON, ${PAYLOAD} B, ${INFLIGHT} in flight, every party in its own process`,
    groups: [{ title: `Connect unary JSON, ${PAYLOAD} B, ${INFLIGHT} in flight`, note: `median of ${ROUNDS} interleaved rounds`, unit: "call", rows,
      ratios: ratios.map((q) => ({ ...q, group: "gateway", met: q.target === 1 ? q.ratio > 1 : q.ratio >= q.target })), throughput: [] }],
    notes: [], analysis: [],
    machine: { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, priority: priority(), time: TIME, warmup: WARMUP, inflight: INFLIGHT, payload: PAYLOAD, rounds: ROUNDS },
  }, null, 1));
}
