// The RPC echo (1 KiB, 100 calls in flight) through discovery, against the same client
// pointed at one address. Echo servers run in their own processes (tests/peers/etcd/
// echo-server.mjs), registered in a real etcd started here (Debian's /usr/bin/etcd, free
// loopback ports, temporary data); the client runs closed-loop in this process. Cases, each
// one multiplexed connection per server:
//  - direct: nodeTransport to one server's address (no discovery step in the chain);
//  - etcd, 1 server: `etcd://.../echo-one`, WRR over its one instance: the same topology as
//    direct, so the difference is the cost of the discovery step itself;
//  - direct, 3 servers: three clients, one per server address, calls dealt to them in turn
//    by the caller (the same servers, connections and calls in flight as the next case,
//    without discovery);
//  - etcd, 3 servers: `etcd://.../echo`, WRR over three instances (three connections).
// Target: each etcd case keeps at least 90% of the QPS of the direct case over the same
// servers. The machine's cores are shared by the client, the servers and etcd, so three
// server processes serve less than one does here (more processes on two cores, smaller
// batches per connection): compare three with three, one with one.
//
// Environment: BENCH_RPC_TIME (window, ms, default 5000), BENCH_RPC_WARMUP (default 1000),
// BENCH_RPC_INFLIGHT (default 100), BENCH_RPC_PAYLOAD (default 1024), BENCH_RPC_ROUNDS
// (default 3, alternating order, best QPS kept), BENCH_JSON (results as JSON).
import { fork } from "node:child_process";
import { existsSync, rmSync, writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { fmtInt, printTable } from "./lib.mjs";
import { BUNDLE, ECHO_SERVER, ETCD, generateEcho, startEtcd } from "../tests/peers/etcd/support.mjs";

if (!existsSync(ETCD)) {
  console.log(`discovery: skipped, no etcd at ${ETCD} (apt-get install etcd-server)`);
  if (process.env.BENCH_JSON) {
    writeFileSync(process.env.BENCH_JSON, JSON.stringify({ suite: "discovery", description: "skipped: no etcd", seconds: 0, groups: [], notes: [], analysis: [] }));
  }
  process.exit(0);
}

const env = process.env;
const TIME = Number(env.BENCH_RPC_TIME ?? 5000);
const WARMUP = Number(env.BENCH_RPC_WARMUP ?? 1000);
const INFLIGHT = Number(env.BENCH_RPC_INFLIGHT ?? 100);
const PAYLOAD = Number(env.BENCH_RPC_PAYLOAD ?? 1024);
const ROUNDS = Math.max(1, Number(env.BENCH_RPC_ROUNDS ?? 3));
const TRANSPORT = { framing: "framed", protocol: "binary" };

const kw = await import(BUNDLE);
await kw.init();
const echo = await generateEcho();
const gen = await import(echo.module);
const etcd = await startEtcd();
const procs = [];

async function startServer(service) {
  const proc = fork(ECHO_SERVER, [JSON.stringify({ module: echo.module, name: service, reply: "payload", etcd: etcd.endpoint, service, weight: 10 })],
    { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  procs.push(proc);
  return new Promise((resolve, reject) => {
    proc.once("message", (m) => resolve(m.port));
    proc.once("exit", (code) => reject(new Error(`server exited (${code})`)));
  });
}

/** Closed loop: INFLIGHT callers for WARMUP + TIME ms; QPS and latency percentiles of the window. */
async function measure(client) {
  const payload = new Uint8Array(PAYLOAD).fill(7);
  const latencies = new Float64Array(4_000_000);
  let n = 0;
  let errors = 0;
  let measuring = false;
  let stop = false;
  const workers = Array.from({ length: INFLIGHT }, async () => {
    while (!stop) {
      const t0 = performance.now();
      try {
        await client.echo(payload);
        if (measuring && n < latencies.length) latencies[n++] = performance.now() - t0;
      } catch {
        errors++;
      }
    }
  });
  await new Promise((r) => setTimeout(r, WARMUP));
  measuring = true;
  const started = performance.now();
  await new Promise((r) => setTimeout(r, TIME));
  measuring = false;
  const elapsed = performance.now() - started;
  const calls = n;
  stop = true;
  await Promise.all(workers);
  const sorted = latencies.subarray(0, calls).sort();
  const at = (q) => sorted[Math.min(calls - 1, Math.floor(q * calls))];
  return { qps: (calls / elapsed) * 1000, p50: at(0.5), p99: at(0.99), errors };
}

try {
  const directPort = await startServer("echo-one");
  const ports = [];
  for (let i = 0; i < 3; i++) ports.push(await startServer("echo"));
  const direct = (port) => kw.createClient(gen.Echo, {
    transport: TRANSPORT, connection: kw.nodeTransport({ address: `127.0.0.1:${port}`, transport: TRANSPORT, mode: "mux" }),
  });
  const cases = [
    { id: "direct", name: "direct: one address", make: () => direct(directPort) },
    { id: "etcd-1", name: "etcd target, WRR, 1 server", make: () => kw.createClient(gen.Echo, {
      transport: TRANSPORT, target: `etcd://${etcd.endpoint}/echo-one`, connect: kw.nodeConnector({ mode: "mux" }),
    }) },
    { id: "direct-3", name: "direct: 3 addresses, dealt in turn", make: () => {
      const clients = ports.map(direct);
      let k = 0;
      return { echo: (p) => clients[(k = (k + 1) % 3)].echo(p), close: () => Promise.all(clients.map((c) => c.close())) };
    } },
    { id: "etcd-3", name: "etcd target, WRR, 3 servers", make: () => kw.createClient(gen.Echo, {
      transport: TRANSPORT, target: `etcd://${etcd.endpoint}/echo`, connect: kw.nodeConnector({ mode: "mux" }),
    }) },
  ];
  const best = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    for (const c of round % 2 === 0 ? cases : [...cases].reverse()) {
      const client = c.make();
      const r = await measure(client);
      await client.close();
      console.log(`round ${round + 1}: ${c.name}: ${fmtInt(r.qps)} QPS, p50 ${r.p50.toFixed(2)} ms, p99 ${r.p99.toFixed(2)} ms${r.errors ? `, ${r.errors} errors` : ""}`);
      if (!best.has(c.id) || r.qps > best.get(c.id).qps) best.set(c.id, { ...r, name: c.name, id: c.id });
    }
  }
  const rows = cases.map((c) => best.get(c.id));
  console.log(`\n## ${PAYLOAD} B echo, ${INFLIGHT} in flight, best of ${ROUNDS} rounds (${TIME} ms windows)`);
  printTable([
    ["case", (r) => r.name], ["QPS", (r) => fmtInt(r.qps), "r"], ["p50 ms", (r) => r.p50.toFixed(2), "r"],
    ["p99 ms", (r) => r.p99.toFixed(2), "r"], ["errors", (r) => r.errors, "r"],
  ], rows);
  const ratios = [["etcd-1", "direct"], ["etcd-3", "direct-3"]].map(([id, base]) => {
    const ratio = best.get(id).qps / best.get(base).qps;
    return { group: "discovery", label: `${best.get(id).name} vs ${best.get(base).name} (QPS)`, ratio, target: 0.9, met: ratio >= 0.9 };
  });
  for (const q of ratios) console.log(`${q.label}: ${q.ratio.toFixed(2)}x (target >= 0.90x: ${q.met ? "met" : "missed"})`);
  if (env.BENCH_JSON) {
    writeFileSync(env.BENCH_JSON, JSON.stringify({
      suite: "discovery", description: `${PAYLOAD} B echo, ${INFLIGHT} in flight, through an etcd target vs one address`, seconds: 0,
      groups: [{
        title: `${PAYLOAD} B echo through discovery`, note: "QPS over the window; ns/call = 1e9 / QPS", unit: "call", throughput: [], ratios,
        rows: rows.map((r) => ({ name: r.name, ns: 1e9 / r.qps, opsPerSec: r.qps, rme: 0, samples: 0, inner: 1, bytes: PAYLOAD, mbPerSec: null, p50Ms: r.p50, p99Ms: r.p99, errors: r.errors })),
      }],
      notes: [], analysis: [], machine: { node: process.version, cores: cpus().length },
    }, null, 1));
  }
} finally {
  for (const p of procs) p.kill("SIGKILL");
  await etcd.destroy();
  rmSync(echo.dir, { recursive: true, force: true });
}
