// gRPC benchmark: kitewire's gRPC (its own HTTP/2, the WASM Protobuf engine) against
// @grpc/grpc-js, server and client each in its own process, on 127.0.0.1.
//
//  1. unary echo of a 1 KiB bytes payload, 100 calls in flight (closed loop), every pairing
//     of server and client (the 2x2): QPS, p50/p99 latency, CPU per call of each side;
//  2. server streaming of 1 KiB messages (one call asks for `STREAM_COUNT` of them, calls
//     repeated): messages/s, server and client of the same kind and crossed.
//
// Run: `npm run build && node bench/grpc.bench.mjs` (GRPC_BENCH_SECONDS=10 by default,
// GRPC_BENCH_WARMUP=2, GRPC_BENCH_ROUNDS=1: more rounds interleave the 2x2 and print the
// median ratio). Figures: bench/README.md.
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("..", import.meta.url));
const SECONDS = Number(process.env.GRPC_BENCH_SECONDS ?? 10);
const WARMUP = Number(process.env.GRPC_BENCH_WARMUP ?? 2);
const INFLIGHT = 100;
const PAYLOAD = 1024;
const STREAM_COUNT = 10_000;
const only = process.env.GRPC_BENCH_ONLY; // e.g. "unary" or "stream"

// The Echo service's generated code (tests/grpc/gen/echo.ts), transpiled, pointed at dist.
const dir = mkdtempSync(join(tmpdir(), "kitewire-grpc-bench-"));
const bundle = pathToFileURL(join(root, "dist/kitewire.node.mjs")).href;
const { outputText } = ts.transpileModule(readFileSync(join(root, "tests/grpc/gen/echo.ts"), "utf8"),
  { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } });
writeFileSync(join(dir, "echo.mjs"), outputText.replaceAll('from "kitewire"', `from ${JSON.stringify(bundle)}`));
const gen = { bundle, echo: pathToFileURL(join(dir, "echo.mjs")).href, proto: join(root, "tests/grpc/proto/echo.proto") };

function start(spec) {
  const child = fork(join(root, "bench/grpc/peer.mjs"), [JSON.stringify({ ...spec, gen })], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  const next = (op) => new Promise((resolve, reject) => {
    const on = (m) => {
      if (m.op !== op) return;
      child.off("message", on);
      resolve(m);
    };
    child.on("message", on);
    child.once("exit", (code) => reject(new Error(`${spec.role} ${spec.impl} exited (${code})`)));
  });
  return { child, next };
}

async function run(serverImpl, clientImpl, mode, inflight) {
  const server = start({ role: "server", impl: serverImpl, mode });
  const { port } = await server.next("listening");
  const client = start({ role: "client", impl: clientImpl, port, mode, inflight, payloadSize: PAYLOAD, streamCount: STREAM_COUNT });
  await client.next("ready");
  client.child.send({ op: "run" });
  await new Promise((r) => setTimeout(r, WARMUP * 1000));
  for (const p of [server, client]) p.child.send({ op: "mark" });
  await new Promise((r) => setTimeout(r, SECONDS * 1000));
  const results = Promise.all([server.next("window"), client.next("window")]);
  for (const p of [server, client]) p.child.send({ op: "stop" });
  const [s, c] = await results;
  for (const p of [client, server]) {
    p.child.send({ op: "exit" });
    await new Promise((r) => p.child.once("exit", r));
  }
  const rate = (c.count / c.wallMs) * 1000;
  return { server: serverImpl, client: clientImpl, rate, p50: c.p50, p99: c.p99, serverCpuUs: s.cpuUs / c.count, clientCpuUs: c.cpuUs / c.count };
}

const impls = ["kitewire", "grpc-js"];
const ROUNDS = Number(process.env.GRPC_BENCH_ROUNDS ?? 1);
const rows = [];
/** Per round: kitewire/kitewire ÷ grpc-js/grpc-js, by mode (interleaved rounds on a shared machine). */
const ratios = { unary: [], "server streaming": [] };
for (let round = 1; round <= ROUNDS; round++) {
  const these = [];
  if (only !== "stream") {
    for (const s of impls) for (const c of impls) these.push({ round, mode: `unary 1 KiB, ${INFLIGHT} in flight`, ...(await run(s, c, "unary", INFLIGHT)) });
  }
  if (only !== "unary") {
    for (const s of impls) for (const c of impls) these.push({ round, mode: `server streaming 1 KiB x ${STREAM_COUNT}`, ...(await run(s, c, "stream", 1)) });
  }
  for (const mode of Object.keys(ratios)) {
    const kw = these.find((r) => r.mode.startsWith(mode) && r.server === "kitewire" && r.client === "kitewire");
    const peer = these.find((r) => r.mode.startsWith(mode) && r.server === "grpc-js" && r.client === "grpc-js");
    if (kw && peer) ratios[mode].push(kw.rate / peer.rate);
  }
  rows.push(...these);
}
rmSync(dir, { recursive: true, force: true });
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`\ngRPC, ${SECONDS} s per case after ${WARMUP} s warmup, Node ${process.version}, separate processes on 127.0.0.1`);
console.log("| case | server | client | calls or messages/s | p50 ms | p99 ms | server CPU µs/op | client CPU µs/op |");
console.log("|---|---|---|---:|---:|---:|---:|---:|");
for (const r of rows) {
  if (ROUNDS > 1 && r.server === "kitewire" && r.client === "kitewire" && r.mode.startsWith("unary")) console.log(`| round ${r.round} | | | | | | | |`);
  const lat = r.mode.startsWith("unary") ? [r.p50.toFixed(2), r.p99.toFixed(2)] : ["-", "-"];
  console.log(`| ${r.mode} | ${r.server} | ${r.client} | ${Math.round(r.rate)} | ${lat[0]} | ${lat[1]} | ${r.serverCpuUs.toFixed(1)} | ${r.clientCpuUs.toFixed(1)} |`);
}
const find = (mode, s, c) => rows.find((r) => r.mode.startsWith(mode) && r.server === s && r.client === c);
for (const [mode, xs] of Object.entries(ratios)) {
  if (xs.length > 1) console.log(`${mode}: kitewire/kitewire ÷ grpc-js/grpc-js per round ${xs.map((x) => x.toFixed(2)).join(", ")}; median ${median(xs).toFixed(2)}x`);
}
for (const mode of ROUNDS > 1 ? [] : ["unary", "server streaming"]) {
  const kw = find(mode, "kitewire", "kitewire");
  const peer = find(mode, "grpc-js", "grpc-js");
  if (kw && peer) console.log(`${mode}: kitewire/kitewire ÷ grpc-js/grpc-js = ${(kw.rate / peer.rate).toFixed(2)}x` +
    (mode === "unary" ? `, p99 ${kw.p99.toFixed(1)} vs ${peer.p99.toFixed(1)} ms` : ""));
}
