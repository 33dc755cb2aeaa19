// Gateway benchmark: Connect unary JSON, 1 KiB payload, 100 calls in flight, every party in
// a process of its own on 127.0.0.1:
//   kitewire: load → kitewire gateway (createGateway + serveGateway, node:http) → kitewire
//             Thrift server (TTHeader binary, one multiplexed connection)
//   connect:  load → @connectrpc/connect-node 2.1.1 serving the same method itself
// The load generator (bench/gateway/load.mjs) keeps 100 keep-alive HTTP/1.1 connections
// each with one request in flight. Each case runs BENCH_GW_ROUNDS times (order alternating)
// and keeps its best-QPS round; it reports QPS, p50/p99/p99.9 and the CPU (user + system,
// from /proc) of the serving processes per call.
//
// Environment: BENCH_GW_TIME (ms measured, default 5000), BENCH_GW_WARMUP (1000),
// BENCH_GW_INFLIGHT (100), BENCH_GW_PAYLOAD (1024), BENCH_GW_ROUNDS (3),
// BENCH_GW_CONNECTIONS (the gateway's upstream connections, default 1).
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { fileURLToPath, pathToFileURL } from "node:url";
import { printTable } from "./lib.mjs";

const env = process.env;
const TIME = Number(env.BENCH_GW_TIME ?? 5000);
const WARMUP = Number(env.BENCH_GW_WARMUP ?? 1000);
const INFLIGHT = Number(env.BENCH_GW_INFLIGHT ?? 100);
const PAYLOAD = Number(env.BENCH_GW_PAYLOAD ?? 1024);
const ROUNDS = Math.max(1, Number(env.BENCH_GW_ROUNDS ?? 3));
const CONNECTIONS = Number(env.BENCH_GW_CONNECTIONS ?? 1);
const here = (f) => fileURLToPath(new URL(`gateway/${f}`, import.meta.url));
const BUNDLE = new URL("../dist/kitewire.node.mjs", import.meta.url);
if (!existsSync(fileURLToPath(BUNDLE))) throw new Error("dist/kitewire.node.mjs is missing: run `npm run build` first");
const bundle = pathToFileURL(fileURLToPath(BUNDLE)).href;

const text = "k".repeat(PAYLOAD);
const body = JSON.stringify({ text });

/** Starts `script` with a JSON argument; resolves with the process and what it printed first (a JSON line). */
function start(script, arg) {
  const child = spawn(process.execPath, [script, JSON.stringify(arg)], { stdio: ["pipe", "pipe", "inherit"] });
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

/** Runs the load against `port`/`path` while `servers` serve; returns the load result and their CPU per call. */
async function measure(port, path, servers) {
  const load = spawn(process.execPath, [here("load.mjs"), JSON.stringify({
    port, path, body, inflight: INFLIGHT, warmup: WARMUP, time: TIME, expect: JSON.stringify({ text }),
  })], { stdio: ["ignore", "pipe", "inherit"] });
  let out = "";
  let before;
  const done = new Promise((resolve, reject) => {
    load.stdout.setEncoding("utf8").on("data", (s) => {
      out += s;
      if (before === undefined && out.includes("measuring\n")) before = servers.map((c) => cpuSeconds(c.pid));
      const lines = out.split("\n").filter((l) => l.startsWith("{"));
      if (lines.length > 0) resolve(JSON.parse(lines[0]));
    });
    load.once("exit", (code) => (code === 0 ? undefined : reject(new Error(`load exited with ${code}`))));
  });
  const result = await done;
  const after = servers.map((c) => cpuSeconds(c.pid));
  const cpu = after.reduce((n, a, i) => n + a - before[i], 0);
  return { ...result, cpuUsPerCall: (cpu / result.calls) * 1e6 };
}

const CASES = {
  kitewire: {
    name: "kitewire gateway -> kitewire Thrift server (TTHeader)",
    async run() {
      const up = await start(here("upstream.mjs"), { bundle });
      const gw = await start(here("gateway.mjs"), { bundle, upstream: up.info.port, connections: CONNECTIONS });
      try {
        return await measure(gw.info.port, "/Echo/echo", [gw.child, up.child]);
      } finally {
        await stop(gw.child);
        await stop(up.child);
      }
    },
  },
  connect: {
    name: "@connectrpc/connect-node 2.1.1, the method served itself",
    async run() {
      const server = await start(here("connect-server.mjs"), {});
      try {
        return await measure(server.info.port, "/bench.Echo/Echo", [server.child]);
      } finally {
        await stop(server.child);
      }
    },
  },
};

console.log(`gateway benchmark: Connect unary JSON, ${PAYLOAD} B text, ${INFLIGHT} in flight, ${ROUNDS} rounds of ${WARMUP} ms warmup + ${TIME} ms; ` +
  `${cpus().length} cores, load ${loadavg().map((l) => l.toFixed(2)).join(" ")}`);
const best = {};
for (let round = 0; round < ROUNDS; round++) {
  const order = round % 2 === 0 ? ["kitewire", "connect"] : ["connect", "kitewire"];
  for (const id of order) {
    const r = await CASES[id].run();
    if (r.errors > 0) throw new Error(`${id}: ${r.errors} bad replies`);
    console.log(`  round ${round + 1} ${id}: ${Math.round(r.qps)} QPS, p99 ${r.p99.toFixed(2)} ms`);
    if (best[id] === undefined || r.qps > best[id].qps) best[id] = r;
  }
}
const rows = Object.entries(best).map(([id, r]) => [CASES[id].name, Math.round(r.qps).toLocaleString("en-US"),
  r.p50.toFixed(2), r.p99.toFixed(2), r.p999.toFixed(2), r.cpuUsPerCall.toFixed(0)]);
printTable(["case", "QPS", "p50 ms", "p99 ms", "p99.9 ms", "server CPU µs/call"].map((h, i) => [h, (r) => r[i], i === 0 ? "l" : "r"]), rows);
const k = best.kitewire;
const c = best.connect;
console.log(`kitewire / connect-node: ${(k.qps / c.qps).toFixed(2)}x QPS, p99 ${k.p99.toFixed(2)} vs ${c.p99.toFixed(2)} ms, ` +
  `server CPU per call ${(k.cpuUsPerCall / c.cpuUsPerCall).toFixed(2)}x`);

if (env.BENCH_JSON) {
  const { writeFileSync } = await import("node:fs");
  const ratios = [
    { a: CASES.kitewire.name, b: CASES.connect.name, label: "kitewire gateway / connect-node, QPS", ratio: k.qps / c.qps, target: 3 },
    { a: CASES.kitewire.name, b: CASES.connect.name, label: "connect-node p99 / kitewire gateway p99 (>1: kitewire lower)", ratio: c.p99 / k.p99, target: 1 },
  ].map((q) => ({ ...q, group: "gateway", met: q.target === 1 ? q.ratio > 1 : q.ratio >= q.target }));
  const rows = Object.entries(best).map(([id, r]) => ({
    name: CASES[id].name, ns: 1e9 / r.qps, opsPerSec: r.qps, rme: 0, samples: r.calls, inner: 1, bytes: PAYLOAD, mbPerSec: null,
    id, p50Ms: r.p50, p99Ms: r.p99, p999Ms: r.p999, cpuServerUs: r.cpuUsPerCall, errors: r.errors,
  }));
  writeFileSync(env.BENCH_JSON, JSON.stringify({
    suite: "gateway",
    description: `Connect unary JSON, ${PAYLOAD} B, ${INFLIGHT} in flight, every party in its own process`,
    groups: [{ title: `Connect unary JSON, ${PAYLOAD} B, ${INFLIGHT} in flight`, note: `best of ${ROUNDS} rounds`, unit: "call", rows, ratios, throughput: [] }],
    notes: [], analysis: [],
    machine: { node: process.version, cpu: cpus()[0]?.model, cores: cpus().length, time: TIME, warmup: WARMUP, inflight: INFLIGHT, payload: PAYLOAD, rounds: ROUNDS },
  }, null, 1));
}
