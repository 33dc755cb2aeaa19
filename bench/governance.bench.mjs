// Governance benchmark (issue 18), client in this process, echo servers forked
// (tests/governance/faults/fault-server.mjs, the built bundle, code from bench/rpc/echo.thrift):
//
//  1. cost when not triggered: echo (64 B payload, closed loop, 100 calls in flight, one
//     multiplexed Framed connection straight to the server, no fault proxy) with a
//     failure-retry policy, circuit breakers and a server rate + concurrency limit all
//     configured but never triggered, against the same with none: many paired rounds (A
//     and B back to back, order alternating), CPU µs per call of the client process and of
//     the server process (process.cpuUsage) and QPS, medians of the rounds and of the
//     rounds' paired ratios (the machine is shared: its load drifts between rounds);
//  2. tail latency: 5% of calls delayed 200 ms; p50/p99/p999 of 2000 calls (10 in flight)
//     with no retry, and with a backup request after 20 ms;
//  3. retry amplification: three instances behind one target, one failing every call
//     (TIMEOUT); attempts per call and failed calls without retry, with failure retry (3
//     retries on other instances, retry breaker at 30%), with a 10% budget, and with the
//     instance breaker (told to count timeouts too) beside retry;
//  4. the client chain alone in this process (I/O replaced by setImmediate): CPU per call
//     of retry, the service breaker, and both as the client chains them.
// QPS on a shared 2-core machine moves by tens of percent from run to run; CPU per call is
// the steadier figure.
//
// Environment: BENCH_GOV_TIME=MS (window per case per round of section 1, default 1500),
// BENCH_GOV_ROUNDS=N (paired rounds, default 10), BENCH_GOV_SECTIONS=1,2,3,4 (which to run).
import { fork } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BUNDLE, generate } from "./rpc/codegen.mjs";
import { percentiles } from "./rpc/common.mjs";

const TIME = Number(process.env.BENCH_GOV_TIME ?? 1500);
const ROUNDS = Number(process.env.BENCH_GOV_ROUNDS ?? 10);
const SECTIONS = new Set((process.env.BENCH_GOV_SECTIONS ?? "1,2,3,4").split(","));
const SCRIPT = fileURLToPath(new URL("../tests/governance/faults/fault-server.mjs", import.meta.url));
const PAYLOAD = new Uint8Array(64).fill(7);
const RETRY = { echo: { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 3, cbPolicy: { errorRate: 0.3 } } } } };

const dir = mkdtempSync(join(tmpdir(), "kitewire-gov-bench-"));
const { kitewire: echoUrl } = generate(dir);
const kw = await import(BUNDLE);
await kw.init();
const gen = await import(echoUrl);

function startServer(faults = {}, limits = undefined) {
  const child = fork(SCRIPT, [JSON.stringify({ bundle: BUNDLE, gen: echoUrl, faults, limits })], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  return new Promise((resolve) => child.on("message", (m) => {
    if (m.op === "listening") resolve({ child, port: m.port, direct: m.direct, stats: () => stats(child) });
  }));
}

function stats(child) {
  return new Promise((resolve) => {
    const on = (m) => {
      if (m.op !== "stats") return;
      child.off("message", on);
      resolve(m);
    };
    child.on("message", on);
    child.send({ op: "stats" });
  });
}

function client(port, options = {}) {
  const transport = { framing: "framed", protocol: "binary" };
  return kw.createClient(gen.Echo, {
    transport, connection: kw.nodeTransport({ address: { host: "127.0.0.1", port }, transport, mode: "mux" }), ...options,
  });
}

/**
 * Closed loop with `inflight` workers for `ms`: calls per second, and CPU time per call (µs)
 * of this process and of the server's.
 */
async function qps(c, server, ms, inflight = 100) {
  let calls = 0;
  const serverCpu = (await server.stats()).cpuMicros;
  const cpu = process.cpuUsage();
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: inflight }, async () => {
    while (performance.now() < end) {
      await c.echo(PAYLOAD);
      calls++;
    }
  }));
  const used = process.cpuUsage(cpu);
  return {
    qps: (calls * 1000) / ms,
    clientCpu: (used.user + used.system) / calls,
    serverCpu: ((await server.stats()).cpuMicros - serverCpu) / calls,
  };
}

/** `n` calls, `inflight` at a time: latencies (ms) and failures. */
async function latencies(c, n, inflight = 10) {
  const lat = new Float64Array(n);
  let next = 0;
  let done = 0;
  let failed = 0;
  await Promise.all(Array.from({ length: inflight }, async () => {
    while (next < n) {
      next++;
      const t = performance.now();
      try {
        await c.echo(PAYLOAD);
      } catch {
        failed++;
      }
      lat[done++] = performance.now() - t;
    }
  }));
  return { ...percentiles(lat, done), failed };
}

const fmt = (x, d = 1) => x.toFixed(d);
console.log(`governance benchmark: ${cpus().length} cores (${cpus()[0]?.model}), load ${loadavg().map((x) => x.toFixed(2)).join(" ")}, node ${process.version}`);

// 1. cost when not triggered: paired rounds, A and B back to back in alternating order; each
// round's B ÷ A in QPS and in CPU per call (both processes), medians over the rounds.
if (SECTIONS.has("1")) {
  const plainServer = await startServer();
  const controlServer = await startServer();
  const limitedServer = await startServer({}, { qps: 1e9, concurrency: 1e6, methods: { echo: { qps: 1e9, concurrency: 1e6 } } });
  // Straight to the servers (their fault proxy would add its own cost to the server process).
  const plain = client(plainServer.direct);
  // The A/A control: a second client and server process without governance, measured the same way; its
  // "kept" is the method's own noise floor (two processes doing the same work are not equally fast).
  const control = client(controlServer.direct);
  const governed = client(limitedServer.direct, {
    retry: { policies: RETRY }, circuitBreaker: {},
  });
  const cases = [["none", plain, plainServer], ["control", control, controlServer], ["governed", governed, limitedServer]];
  for (const [, c, server] of cases) await qps(c, server, 500);
  const runs = { none: [], control: [], governed: [] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, c, server] of r % 2 === 0 ? cases : [...cases].reverse()) runs[name].push(await qps(c, server, TIME));
  }
  const median = (v) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
  const col = (name, key) => median(runs[name].map((m) => m[key]));
  const cpu = (m) => m.clientCpu + m.serverCpu;
  const paired = (b, f) => median(runs.none.map((a, i) => f(a, runs[b][i])));
  console.log(`\n1. echo, governance configured but not triggered: ${ROUNDS} rounds of ${TIME} ms per case (order alternating), medians;` +
    " CPU µs per call from process.cpuUsage of the client process and the server process");
  console.log("| case | QPS | client CPU µs/call | server CPU µs/call | both |\n|---|---:|---:|---:|---:|");
  for (const [name, label] of [["none", "none"], ["control", "none, second client and server (A/A control)"], ["governed", "retry + breakers + server limits"]]) {
    console.log(`| ${label} | ${fmt(col(name, "qps"), 0)} | ${fmt(col(name, "clientCpu"), 2)} | ${fmt(col(name, "serverCpu"), 2)} | ${fmt(median(runs[name].map(cpu)), 2)} |`);
  }
  for (const [b, label] of [["governed", "governed"], ["control", "A/A control"]]) {
    console.log(`kept, ${label} (median of the rounds' paired ratios): by CPU per call, both processes ${fmt(paired(b, (a, x) => cpu(a) / cpu(x)), 3)}` +
      ` (client ${fmt(paired(b, (a, x) => a.clientCpu / x.clientCpu), 3)}, server ${fmt(paired(b, (a, x) => a.serverCpu / x.serverCpu), 3)});` +
      ` by QPS ${fmt(paired(b, (a, x) => x.qps / a.qps), 3)}${b === "governed" ? "; target 0.95" : ""}`);
    console.log(`  rounds, CPU kept: ${runs.none.map((a, i) => fmt(cpu(a) / cpu(runs[b][i]), 2)).join(" ")}; QPS kept: ${runs.none.map((a, i) => fmt(runs[b][i].qps / a.qps, 2)).join(" ")}`);
  }
  await plain.close();
  await control.close();
  await governed.close();
  plainServer.child.kill();
  controlServer.child.kill();
  limitedServer.child.kill();
}

// 2. tail latency with backup requests
if (SECTIONS.has("2")) {
  const server = await startServer({ delayShare: 0.05, delayMs: 200 });
  const plain = client(server.port);
  const backup = client(server.port, { retry: { policies: { echo: { type: 1, backupPolicy: { retryDelayMs: 20 } } } } });
  await latencies(plain, 200);
  const rows = [];
  for (const [name, c] of [["no retry", plain], ["backup after 20 ms", backup]]) {
    const before = (await server.stats()).served;
    const p = await latencies(c, 2000);
    const attempts = (await server.stats()).served - before;
    rows.push(`| ${name} | ${fmt(p.p50)} | ${fmt(p.p99)} | ${fmt(p.p999)} | ${fmt(attempts / 2000, 3)} | ${p.failed} |`);
  }
  console.log("\n2. tail latency, 5% of calls delayed 200 ms (2000 calls, 10 in flight; ms)");
  console.log("| case | p50 | p99 | p999 | attempts per call | failed |\n|---|---:|---:|---:|---:|---:|");
  for (const row of rows) console.log(row);
  await plain.close();
  await backup.close();
  server.child.kill();
}

// 3. retry amplification: three instances behind one target, one of them failing every call
if (SECTIONS.has("3")) {
  console.log("\n3. retry amplification, one of three instances failing every call (2000 calls, 10 in flight)");
  console.log("| case | attempts per call | failed calls |\n|---|---:|---:|");
  const cases = [
    ["no retry", {}],
    ["failure retry, no budget", { retry: { policies: RETRY } }],
    ["failure retry, budget 10%", { retry: { policies: RETRY, budget: 0.1 } }],
    ["failure retry + instance breaker", { retry: { policies: RETRY }, circuitBreaker: { instance: { minSample: 20 }, isInstanceFailure: kw.timeoutOrConnectionFailure } }],
  ];
  for (const [name, options] of cases) {
    const cluster = await Promise.all([startServer(), startServer({ errorShare: 1, errorCode: "TIMEOUT" }), startServer()]);
    const c = kw.createClient(gen.Echo, {
      transport: { framing: "framed", protocol: "binary" }, target: cluster.map((s) => `127.0.0.1:${s.port}`).join(","),
      logger: kw.silentLogger, ...options,
    });
    const p = await latencies(c, 2000);
    const served = (await Promise.all(cluster.map((s) => s.stats()))).reduce((n, s) => n + s.served, 0);
    console.log(`| ${name} | ${fmt(served / 2000, 3)} | ${p.failed} |`);
    await c.close();
    for (const s of cluster) s.child.kill();
  }
}
// 4. the chain alone, in this process: what the client's governance steps cost per call
if (SECTIONS.has("4")) {
  const io = (ctx, args) => new Promise((resolve) => setImmediate(() => resolve(args)));
  const reportingIo = (ctx, args) => new Promise((resolve) => setImmediate(() => {
    const report = ctx.firstAttempt;
    if (report !== undefined) {
      ctx.firstAttempt = undefined;
      report.succeeded();
    }
    resolve(args);
  }));
  const retryer = new kw.Retryer({ policies: RETRY });
  const breakers = new kw.CircuitBreakers({}, "a", "b");
  const { gate, observer } = kw.serviceBreakerGate(breakers, "echo");
  const chains = [
    ["none", io],
    ["retry", kw.chain([retryer.middleware({ name: "echo", oneway: false, idempotent: true })], io)],
    ["service breaker", kw.chain([kw.serviceBreakerMiddleware(breakers, "echo")], io)],
    ["service breaker + retry (as the client chains them above discovery)", kw.chain([gate, retryer.middleware({ name: "echo", oneway: false, idempotent: true }, observer)], io)],
    // A client with one connection: the retry step sits right above the I/O endpoint, which reports the first attempt to it.
    ["service breaker + retry (right above I/O, as with one connection)",
      kw.chain([gate, retryer.middleware({ name: "echo", oneway: false, idempotent: true }, observer, true)], reportingIo)],
  ];
  const ctx = new kw.RpcContext("Echo", "echo");
  const cpuPerCall = async (endpoint, n) => {
    const cpu = process.cpuUsage();
    await Promise.all(Array.from({ length: 100 }, async () => {
      for (let i = 0; i < n / 100; i++) await endpoint(ctx, i);
    }));
    const used = process.cpuUsage(cpu);
    return ((used.user + used.system) * 1000) / n;
  };
  for (const [, endpoint] of chains) await cpuPerCall(endpoint, 100_000);
  const best = new Map();
  for (let r = 0; r < 7; r++) {
    for (const [name, endpoint] of chains) best.set(name, Math.min(best.get(name) ?? Infinity, await cpuPerCall(endpoint, 200_000)));
  }
  console.log("\n4. the client chain alone, in this process (100 in flight, I/O replaced by setImmediate; CPU ns per call, least of 7 rounds)");
  console.log("| chain | CPU ns/call | added |\n|---|---:|---:|");
  for (const [name, ns] of best) console.log(`| ${name} | ${fmt(ns, 0)} | ${fmt(ns - best.get("none"), 0)} |`);
}
rmSync(dir, { recursive: true, force: true });
