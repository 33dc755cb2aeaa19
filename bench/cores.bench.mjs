// Every core (issue 23): (A) a 1 KiB echo between two threads of one process, 100 calls in
// flight, over the shared-memory transport, a Unix domain socket and loopback TCP: calls/s
// and CPU µs per call (both threads: process.cpuUsage); (B) server scaling: a server process
// serving 1 KiB echoes on one thread, on `threads: 1` and `threads: 2`, and as a cluster of 2,
// loaded by this process over 8 multiplexed connections, 200 calls in flight: QPS and server
// CPU µs per call (every thread of the server's processes, from /proc), split into the socket
// thread's and the server threads' shares, whence the hand-off's cost per call and a
// projection to 16 cores. The "-spin" cases (shm-spin, threads:2-spin) give the rings'
// readers a look-before-waiting time (spinMicros, --spin=50 µs): it trades CPU for wake-ups.
//
// The "floor" case is no server: a socket loop that cuts each read's frames and answers them
// with ready-made replies (bench/cores/server.mjs), the least any socket thread spends per call
// in Node, against which the socket thread of `threads: N` is read.
//
// The "grpc:" cases (grpc:single, grpc:threads:1, grpc:threads:2) are the same servers called
// over gRPC (kitewire's client, a 1 KiB bytes echo of bench/rpc/echo.proto): on `threads`,
// each HTTP/2 connection is pinned to a server thread, which runs it; the socket thread
// relays its bytes. `--part=B --modes=grpc:single,grpc:threads:1,grpc:threads:2` runs them alone.
//
// The "-1thread" cases put the server in the client's thread: the transport's CPU per call
// without a second thread (nor its wake-ups), the figure least moved by a loaded machine.
//
// --baseline=OTHER/dist/kitewire.node.mjs runs every case with that build too (its client and its
// server), interleaved with this build's in each round, and prints this build's figures over its
// (an A/B of two checkouts: build the other one first, e.g. `git worktree add` or `git archive main`).
//
//   npm run build && node bench/cores.bench.mjs [--seconds=3] [--rounds=2] [--part=A|B] [--kinds=shm,shm-spin,uds,tcp,shm-1thread,uds-1thread]
//     [--modes=floor,single,threads:1,threads:2,threads:2-spin,cluster:2,grpc:single,grpc:threads:1,grpc:threads:2] [--spin=50] [--baseline=bundle] [--prof=DIR]
import { fork, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, loadavg } from "node:os";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { Worker } from "node:worker_threads";
import { BUNDLE, ECHO_PROTO, generate } from "./rpc/codegen.mjs";
import ts from "typescript";

const arg = (name, fallback) => Number(process.argv.find((a) => a.startsWith(`--${name}=`))?.split("=")[1] ?? fallback);
const SECONDS = arg("seconds", 3);
const ROUNDS = arg("rounds", 2);
const WARMUP_MS = 700;
const PART = process.argv.find((a) => a.startsWith("--part="))?.slice(7);
const MODES = process.argv.find((a) => a.startsWith("--modes="))?.slice(8).split(",");
const KINDS = process.argv.find((a) => a.startsWith("--kinds="))?.slice(8).split(",");
/** The readers' look-before-waiting time of the "-spin" cases (µs). */
const SPIN = arg("spin", 50);
/** --prof=DIR: the server processes of B write CPU profiles (every thread's) to DIR. */
const PROF = process.argv.find((a) => a.startsWith("--prof="))?.slice(7);
const BASELINE = process.argv.find((a) => a.startsWith("--baseline="))?.slice(11);
const dir = mkdtempSync(join(tmpdir(), "kitewire-cores-"));
const gen = generate(dir);
/** The Protobuf echo (bench/rpc/echo.proto) of the grpc: cases, generated into `dir`/proto. */
function generateProto(bundle, out) {
  const made = spawnSync(process.execPath, [new URL("../bin/kitewire.mjs", import.meta.url).pathname, "gen", "-o", out, ECHO_PROTO], { encoding: "utf8" });
  if (made.status !== 0) throw new Error(`kitewire gen failed: ${made.stdout}${made.stderr}`);
  const { outputText } = ts.transpileModule(readFileSync(join(out, "echo.ts"), "utf8"), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } });
  writeFileSync(join(out, "echo.mjs"), outputText.replaceAll('from "kitewire"', `from ${JSON.stringify(bundle)}`));
  return pathToFileURL(join(out, "echo.mjs")).href;
}

/** A build under test: its bundle, its kitewire module, the generated echo service for it, and what its service modules are told (BENCH_CORES_GEN). */
async function loadBuild(tag, bundle, kitewire) {
  const kw = await import(bundle);
  await kw.init();
  const proto = generateProto(bundle, join(dir, `proto${tag}`));
  return { tag, bundle, kw, echo: await import(kitewire), protoEcho: await import(proto), env: JSON.stringify({ bundle, kitewire, proto }) };
}
const builds = [await loadBuild("", BUNDLE, gen.kitewire)];
if (BASELINE) {
  // The same generated code, pointed at the other bundle.
  const baseDir = join(dir, "baseline");
  cpSync(join(dir, "kitewire"), baseDir, { recursive: true });
  const bundle = pathToFileURL(resolve(BASELINE)).href;
  for (const f of readdirSync(baseDir).filter((n) => n.endsWith(".mjs"))) {
    writeFileSync(join(baseDir, f), readFileSync(join(baseDir, f), "utf8").replaceAll(JSON.stringify(BUNDLE), JSON.stringify(bundle)));
  }
  builds.push(await loadBuild("@base", bundle, pathToFileURL(join(baseDir, "echo.mjs")).href));
}
const payload = new Uint8Array(1024).fill(7);
const transport = { framing: "framed", protocol: "binary" };

/** Runs `inflight` loops of calls for the window; returns { calls, ms }. */
async function load(clients, inflight, ms) {
  let calls = 0;
  let errors = 0;
  const end = performance.now() + ms;
  await Promise.all(Array.from({ length: inflight }, async (_, i) => {
    const c = clients[i % clients.length];
    while (performance.now() < end) {
      try {
        await c.echo(payload);
        calls++;
      } catch {
        errors++;
      }
    }
  }));
  if (errors > 0) throw new Error(`${errors} calls failed`);
  return calls;
}

/** The server of an "-1thread" case, in this thread: serving on `channel`, or listening on a Unix socket. */
async function serveHere(kind, channel, { kw, tag }) {
  const server = (await import(`./cores/echo-service.mjs?build=${tag}`)).default();
  if (kind === "shm") {
    const serving = kw.serveShm(server, channel);
    return { address: "shm", close: () => serving.close({ timeoutMs: 200 }) };
  }
  const l = await kw.listen(server, { host: `unix:${join(dir, "echo-here.sock")}` });
  return { address: l.address, close: () => l.close({ timeoutMs: 200 }) };
}

// A: two threads (or one: the "-1thread" cases, the transport's own CPU without a second thread's wake-ups).
async function twoThreads(kind, build) {
  const { kw, echo } = build;
  process.env.BENCH_CORES_GEN = build.env; // what the echo service module imports, in this thread or the worker
  const shm = kind.startsWith("shm");
  const here = kind.endsWith("-1thread");
  const spinMicros = kind === "shm-spin" ? SPIN : 0;
  const channel = shm ? kw.createShmChannel() : undefined;
  let worker;
  let serving;
  if (here) {
    serving = await serveHere(shm ? "shm" : "uds", channel, build);
  } else {
    worker = new Worker(new URL("./cores/echo-thread.mjs", import.meta.url), {
      workerData: { bundle: build.bundle, kind: shm ? "shm" : kind, spinMicros, channel, path: join(dir, "echo.sock") }, env: process.env,
    });
  }
  const { address } = serving ?? await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  const connection = shm ? kw.shmTransport({ channel, transport, spinMicros }) : kw.nodeTransport({ address, transport, mode: "mux" });
  const client = kw.createClient(echo.Echo, { transport, connection });
  await load([client], 100, WARMUP_MS);
  const cpu = process.cpuUsage();
  const t = performance.now();
  const calls = await load([client], 100, SECONDS * 1000);
  const wall = performance.now() - t;
  const used = process.cpuUsage(cpu);
  await client.close();
  await worker?.terminate();
  await serving?.close();
  return { calls, qps: calls / (wall / 1000), cpuUsPerCall: (used.user + used.system) / calls };
}

// B: server scaling.
const TICK_US = 1e6 / 100; // /proc times are in clock ticks (USER_HZ 100)
function threadTimes(pids) {
  const out = [];
  for (const pid of pids) {
    for (const tid of readdirSync(`/proc/${pid}/task`)) {
      try {
        const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, "utf8");
        const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        out.push({ pid, tid: Number(tid), us: (Number(f[11]) + Number(f[12])) * TICK_US });
      } catch { /* the thread ended */ }
    }
  }
  return out;
}

async function serverCase(mode, build) {
  const { kw, echo, protoEcho } = build;
  const grpc = mode.startsWith("grpc:");
  if (grpc) mode = mode.slice(5);
  const child = fork(new URL("./cores/server.mjs", import.meta.url), [mode, String(SPIN)], {
    env: { ...process.env, BENCH_CORES_GEN: build.env }, stdio: "inherit", execArgv: PROF ? ["--cpu-prof", `--cpu-prof-dir=${PROF}`] : [],
  });
  const { address, pids } = await new Promise((resolve) => child.once("message", resolve));
  // gRPC: 8 clients, each its own HTTP/2 connection (spread over the server threads, 4 each on threads:2).
  const message = grpc ? protoEcho.EchoMessage.create({ payload }) : undefined;
  const clients = Array.from({ length: 8 }, () => {
    if (!grpc) return kw.createClient(echo.Echo, { transport, connection: kw.nodeTransport({ address, transport, mode: "mux" }) });
    const c = kw.createGrpcClient(protoEcho.Echo, { address });
    return { echo: () => c.echo(message), close: () => c.close() };
  });
  await load(clients, 200, WARMUP_MS);
  const before = threadTimes(pids);
  const t = performance.now();
  const calls = await load(clients, 200, SECONDS * 1000);
  const wall = performance.now() - t;
  const after = threadTimes(pids);
  const used = (filter) => after.filter(filter).reduce((n, a) => n + a.us - (before.find((b) => b.tid === a.tid)?.us ?? 0), 0);
  const total = used(() => true);
  // The socket thread: each process's main thread (its tid is its pid); in a cluster, the workers' main threads serve.
  const socket = mode.startsWith("threads") ? used((a) => a.tid === a.pid) : 0;
  for (const c of clients) await c.close();
  child.send("exit");
  await new Promise((r) => child.once("exit", r));
  return { calls, qps: calls / (wall / 1000), cpuUsPerCall: total / calls, socketUsPerCall: socket / calls, serverThreadsUsPerCall: (total - socket) / calls };
}

const best = (runs, key = "qps") => runs.reduce((a, b) => (b[key] > a[key] ? b : a));
const median = (xs) => [...xs].sort((a, b) => a - b)[(xs.length - 1) >> 1];
const f1 = (n) => n.toFixed(1);
const f2 = (n) => n.toFixed(2);
console.log(`kitewire cores benchmark: ${SECONDS} s windows, best of ${ROUNDS} rounds; load average at start ${loadavg().map(f1).join(" ")}` +
  (BASELINE ? `; every case also with the baseline build ${BASELINE} ("@base"), interleaved` : ""));

/** Runs each case with each build, `ROUNDS` times, alternating the order; returns runs by case and build tag. */
async function rounds(cases, run) {
  const runs = {};
  const order = cases.flatMap((c) => builds.map((b) => [c, b]));
  for (let r = 0; r < ROUNDS; r++) {
    for (const [c, b] of r % 2 ? [...order].reverse() : order) (runs[c + b.tag] ??= []).push(await run(c, b));
  }
  return runs;
}

/** With a baseline: this build over the baseline, the median of each round's ratio, for each figure. */
function compare(cases, runs, figures) {
  if (builds.length < 2) return;
  console.log(`\nthis build / baseline, median of ${ROUNDS} rounds' ratios (load average now ${loadavg().map(f1).join(" ")}):`);
  console.log(`| case | ${figures.map(([name]) => name).join(" | ")} |\n|---|${figures.map(() => "---:").join("|")}|`);
  for (const c of cases) {
    const mine = runs[c];
    const base = runs[c + "@base"];
    const cells = figures.map(([, key]) => (base[0][key] > 0 ? `${f2(median(mine.map((m, i) => m[key] / base[i][key])))}x` : "-"));
    console.log(`| ${c} | ${cells.join(" | ")} |`);
  }
}

if (PART !== "B") {
const kinds = KINDS ?? ["shm", "shm-spin", "uds", "tcp", "shm-1thread", "uds-1thread"];
const a = await rounds(kinds, twoThreads);
console.log("\nA. 1 KiB echo between two threads, 100 in flight (client: this thread; server: a worker thread; -1thread: the server in this thread too)");
console.log("| transport | calls/s | CPU µs per call (both threads) | calls/s vs UDS | CPU per call vs UDS |\n|---|---:|---:|---:|---:|");
const none = { qps: NaN, cpuUsPerCall: NaN };
for (const b of builds) {
  for (const kind of kinds) {
    const m = best(a[kind + b.tag]);
    const base = (kind.endsWith("-1thread") ? "uds-1thread" : "uds") + b.tag; // one-thread cases against UDS in one thread
    const uds = a[base]?.length > 0 ? best(a[base]) : none;
    console.log(`| ${kind}${b.tag} | ${Math.round(m.qps)} | ${f1(m.cpuUsPerCall)} | ${f2(m.qps / uds.qps)}x | ${f2(uds.cpuUsPerCall / m.cpuUsPerCall)}x less |`);
  }
}
compare(kinds, a, [["calls/s", "qps"], ["CPU µs per call", "cpuUsPerCall"]]);
}
if (PART !== "A") {
const modes = MODES ?? ["floor", "single", "threads:1", "threads:2", "threads:2-spin", "cluster:2"];
const bRuns = await rounds(modes, serverCase);
console.log("\nB. Server scaling: 1 KiB echo, 8 connections, 200 in flight, client in this process (2 cores shared by client and server)");
console.log("| server | QPS | server CPU µs per call | socket thread µs per call | server threads µs per call |\n|---|---:|---:|---:|---:|");
for (const b of builds) {
  for (const m of modes) {
    const r = best(bRuns[m + b.tag]);
    const threaded = m.replace(/^grpc:/, "").startsWith("threads");
    console.log(`| ${m}${b.tag} | ${Math.round(r.qps)} | ${f1(r.cpuUsPerCall)} | ${threaded ? f1(r.socketUsPerCall) : "-"} | ${threaded ? f1(r.serverThreadsUsPerCall) : "-"} |`);
  }
  if (bRuns["single" + b.tag] && bRuns["threads:1" + b.tag]) {
    const single = best(bRuns["single" + b.tag]);
    const t1 = best(bRuns["threads:1" + b.tag]);
    console.log(`\n${b.tag || "this build"}: hand-off cost per call (threads:1 minus single, server CPU): ${f1(t1.cpuUsPerCall - single.cpuUsPerCall)} µs`);
    const socketBound = 1e6 / t1.socketUsPerCall;
    const perThread = 1e6 / t1.serverThreadsUsPerCall;
    console.log(`projection to 16 cores with threads:15 (one core for the socket thread): min(socket thread ${Math.round(socketBound)}/s, 15 x ${Math.round(perThread)}/s) = ${Math.round(Math.min(socketBound, 15 * perThread))} QPS; ` +
      `single thread: ${Math.round(1e6 / single.cpuUsPerCall)} QPS at 100 % of one core; cluster of 16: ${Math.round(16 * 1e6 / single.cpuUsPerCall)} QPS (no shared socket thread)\n`);
  }
  const g = (m) => (bRuns[m + b.tag] ? bRuns[m + b.tag] : undefined);
  if (g("grpc:single") && (g("grpc:threads:1") || g("grpc:threads:2"))) {
    // Each round's ratio to the single-thread run of the same round (interleaved), the median of the rounds.
    const ratio = (m, key) => median(g(m).map((r, i) => r[key] / g("grpc:single")[i][key]));
    console.log(`\n${b.tag || "this build"}, gRPC: ${["grpc:threads:1", "grpc:threads:2"].filter(g).map((m) =>
      `${m} ${f2(ratio(m, "qps"))}x the QPS of grpc:single at ${f2(ratio(m, "cpuUsPerCall"))}x its server CPU per call (socket thread ${f1(best(g(m)).socketUsPerCall)} µs per call)`).join("; ")} (median of ${ROUNDS} rounds' ratios)`);
  }
}
compare(modes, bRuns, [["QPS", "qps"], ["server CPU µs per call", "cpuUsPerCall"], ["socket thread µs per call", "socketUsPerCall"], ["server threads µs per call", "serverThreadsUsPerCall"]]);
}
rmSync(dir, { recursive: true, force: true });
