// What rejecting bad input costs: making a KitewireError, cutting an unframed (buffered)
// Thrift message that trickles in, and compiling an IDL file full of errors. Each case runs
// this build (dist/esm) and, with KITEWIRE_OLD=<another build's dist/esm>, that build too,
// in interleaved rounds; the median of the rounds is printed, and the ratio old / new.
//
//   npm run build:ts && node bench/hardening.bench.mjs
//   KITEWIRE_OLD=.tmp/dist-old node bench/hardening.bench.mjs     # A/B against another build
//
// Cases:
// - error: `new KitewireError(code, message, { offset })` 20 frames deep (a decoder's
//   throw site under a server's or a caller's stack), with Node's default
//   Error.stackTraceLimit (10); the same with `stack: false` (what kitewire makes where no
//   caller's frame is on the stack: timeouts, remote errors, rejected frames; an older
//   build ignores the option and captures the stack); `new Error(message)` for scale.
// - trickle: a 16 KB buffered Thrift Binary CALL fed to a FrameDecoder 16 bytes at a time
//   (a slow or hostile client), and fed whole for scale.
// - diagnostics: `generate` of a Thrift file with 2,000 syntax and type errors (the CLI's
//   path), what a fuzzed IDL file or a broken one pasted into a gateway costs.
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";
import { readFileSync } from "node:fs";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);
const builds = { new: resolve("dist/esm") };
if (process.env.KITEWIRE_OLD) builds.old = resolve(process.env.KITEWIRE_OLD);

async function load(dir) {
  const m = async (p) => import(pathToFileURL(`${dir}/${p}`).href);
  const [errors, core, decoder, idl] = await Promise.all([m("errors.js"), m("index.js"), m("remote/frame-decoder.js"), m("codegen/generate.js").catch(() => null)]);
  return { errors, core, decoder, idl };
}

/** Microseconds per call of `f` over `n` calls. */
function time(f, n) {
  const t = process.hrtime.bigint();
  for (let i = 0; i < n; i++) f();
  return Number(process.hrtime.bigint() - t) / 1000 / n;
}

function deep(depth, f) {
  return depth === 0 ? f() : deep(depth - 1, f);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

async function cases(lib) {
  const { KitewireError } = lib.errors;
  const engine = await lib.core.initEngine(readFileSync("build/kitewire.wasm"));
  const { BufferChain, ThriftBinaryWriter, MessageType, TType } = lib.core;
  const w = new ThriftBinaryWriter({ engine });
  w.writeMessageBegin("trickle", MessageType.CALL, 1);
  w.writeStructBegin();
  for (let i = 0; i < 400; i++) {
    w.writeFieldBegin(TType.STRUCT, 1);
    w.writeFieldBegin(TType.I32, 1);
    w.writeI32(i);
    w.writeFieldBegin(TType.STRING, 2);
    w.writeString("item-" + i + "-".repeat(20));
    w.writeFieldStop();
  }
  w.writeFieldStop();
  const message = w.finish().slice();
  const cut = (chunk) => () => {
    const chain = new BufferChain(engine, 256);
    const decoder = new lib.decoder.FrameDecoder(engine, { maxFrameSize: 1 << 20, transport: { framing: "buffered", protocol: "binary" } });
    let frame = null;
    for (let at = 0; at < message.length && frame === null; at += chunk) {
      chain.append(message.subarray(at, at + chunk));
      frame = decoder.next(chain);
    }
    if (frame === null || frame.messageLength !== message.length) throw new Error("no frame");
    frame.bytes.release();
    chain.release();
  };
  const broken = Array.from({ length: 1000 }, (_, i) => `struct S${i} { 1: Missing${i} a; 2: i32 }\n`).join("");
  const out = {
    "error: new KitewireError, 20 frames deep (µs)": () => deep(20, () => time(() => new KitewireError("TRUNCATED", "input ends before the value it announces", { offset: 12 }), 20000)),
    "error: the same, { stack: false } (µs)": () => deep(20, () => time(() => new KitewireError("TRUNCATED", "input ends before the value it announces", { offset: 12, stack: false }), 20000)),
    "error: new Error, 20 frames deep (µs, for scale)": () => deep(20, () => time(() => new Error("input ends before the value it announces"), 20000)),
    "trickle: 16 KB message, 16 bytes a read (µs)": () => time(cut(16), 20),
    "trickle: the same, fed whole (µs, for scale)": () => time(cut(message.length), 200),
  };
  if (lib.idl !== null) {
    out["diagnostics: generate, 2,000 errors (ms)"] = () => time(() => {
      const r = lib.idl.generate(["broken.thrift"], { readFile: (f) => (f === "broken.thrift" ? broken : undefined) });
      if (r.ok || r.diagnostics.length === 0) throw new Error("no diagnostics");
    }, 3) / 1000;
  }
  return out;
}

const runs = {};
for (const [name, dir] of Object.entries(builds)) runs[name] = await cases(await load(dir));
const results = {};
for (let round = 0; round < ROUNDS; round++) {
  for (const [build, run] of Object.entries(runs)) {
    for (const [label, f] of Object.entries(run)) ((results[label] ??= {})[build] ??= []).push(f());
  }
}
console.log(`rounds: ${ROUNDS}, load average: ${(await import("node:os")).loadavg().map((x) => x.toFixed(1)).join(" ")}`);
for (const [label, byBuild] of Object.entries(results)) {
  const n = median(byBuild.new);
  const line = [`${label.padEnd(52)} new ${n.toFixed(2).padStart(9)}`];
  if (byBuild.old) {
    const o = median(byBuild.old);
    line.push(`old ${o.toFixed(2).padStart(9)}  old/new ${(o / n).toFixed(2)}x`);
  }
  console.log(line.join("  "));
}
