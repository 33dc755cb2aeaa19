// Packed repeated int32 / int64 columns: kitewire ProtobufWriter.packedInt32/packedInt64
// and ProtobufReader.packedInt32/packedInt64 (one engine call per column) against
// protobufjs' Writer (fork + one int32/int64 call per value + ldelim) and Reader (loop),
// and protobufjs' own batch calls (int32s/int64s) as the strongest peer. protobufjs runs
// in its fastest mode only (int64 as numbers, `util.Long = null`): timed in one process with
// its `long` mode, its number-mode int64 rows ran slower (bench/README.md, section 5b,
// seventh round), which flattered kitewire's int64 ratios.
//
// Both sides write the column body (varint byte length, then the values) into a reused
// buffer and stop there (no copy out): kitewire after reset() into its arena, protobufjs
// after reset() into its BufferWriter. Decoding starts from bytes that are already where
// each library reads them: in engine memory for kitewire (the network layer puts frames
// there), a Buffer for protobufjs.
import { createRequire } from "node:module";
import { Suite, kw, checkBytes, checkValues, rng, machine, isMain } from "./lib.mjs";

const require = createRequire(import.meta.url);
const protobuf = require("protobufjs/minimal.js");

const N = 1000;

/** 1000 int32 of mixed varint sizes: 30% 1 byte, 25% 2, 15% 3, 10% 4-5, 20% negative (10 bytes). */
function mixedInt32(seed) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < N; i++) {
    const k = r();
    if (k < 0.3) out.push(Math.floor(r() * 128));
    else if (k < 0.55) out.push(128 + Math.floor(r() * (16384 - 128)));
    else if (k < 0.7) out.push(16384 + Math.floor(r() * (2097152 - 16384)));
    else if (k < 0.8) out.push(2097152 + Math.floor(r() * (2147483647 - 2097152)));
    else if (k < 0.9) out.push(-1 - Math.floor(r() * 1000));
    else out.push(-1 - Math.floor(r() * 2147483647));
  }
  return out;
}

/**
 * 1000 int64 of mixed varint sizes, all within +-2^53 so that protobufjs' numbers are
 * exact: 25% 1 byte, 20% 2-3 bytes, 15% 4-5, 20% 6-8, 20% negative (10 bytes).
 */
function mixedInt64(seed) {
  const r = rng(seed);
  const out = [];
  for (let i = 0; i < N; i++) {
    const k = r();
    if (k < 0.25) out.push(Math.floor(r() * 128));
    else if (k < 0.45) out.push(128 + Math.floor(r() * (2097152 - 128)));
    else if (k < 0.6) out.push(2097152 + Math.floor(r() * (2 ** 35 - 2097152)));
    else if (k < 0.8) out.push(2 ** 35 + Math.floor(r() * (2 ** 52 - 2 ** 35)));
    else if (k < 0.9) out.push(-1 - Math.floor(r() * 100000));
    else out.push(-1 - Math.floor(r() * 2 ** 52));
  }
  return out;
}

function smallValues(seed) {
  const r = rng(seed);
  return Array.from({ length: N }, () => Math.floor(r() * 128));
}


export async function run() {
  const engine = await kw.init();
  protobuf.util.Long = null; // int64 as numbers: protobufjs's fastest mode
  protobuf.configure();
  const suite = new Suite("packed", "packed repeated int32/int64 columns, 1000 values: kitewire vs protobufjs " +
    require("protobufjs/package.json").version);
  suite.note(`machine ${JSON.stringify(machine(engine))}`);

  const w = new kw.ProtobufWriter({ initialCapacity: 32 * 1024 });
  const r = new kw.ProtobufReader();
  const pw = protobuf.Writer.create();
  const X = engine.exports;
  const scratch = engine.alloc(16 * N);
  /** Size of the varint at the start of `bytes` (a column body's length prefix). */
  const prefixSize = (bytes) => {
    let i = 0;
    while (bytes[i] >= 0x80) i++;
    return i + 1;
  };

  /** Puts `bytes` into an engine block of its own (freed never: the process ends). */
  const inEngine = (bytes) => {
    const at = engine.alloc(bytes.length);
    engine.u8.set(bytes, at);
    return at;
  };

  // ---------------------------------------------------------------- int32 columns
  for (const [label, values] of [["mixed sizes incl. negatives", mixedInt32(1)], ["small values (1 byte)", smallValues(2)]]) {
    const typed = Int32Array.from(values);

    // Encode: the same bytes from all four paths.
    const pjsLoop = () => {
      pw.reset();
      pw.fork();
      for (let i = 0; i < values.length; i++) pw.int32(values[i]);
      pw.ldelim();
      return pw.pos;
    };
    const pjsBatch = () => {
      pw.reset();
      pw.int32s(values);
      return pw.pos;
    };
    const kwTyped = () => w.reset().packedInt32(typed).pos;
    const kwArray = () => w.reset().packedInt32(values).pos;

    pjsLoop();
    const expected = pw.finish();
    kwTyped();
    checkBytes(w.view(), expected, `int32 ${label}: kitewire(Int32Array) vs protobufjs`);
    kwArray();
    checkBytes(w.view(), expected, `int32 ${label}: kitewire(number[]) vs protobufjs`);
    pjsBatch();
    checkBytes(pw.finish(), expected, `int32 ${label}: protobufjs int32s vs loop`);

    const bytes = expected.length;
    suite.group(`packed int32 encode, ${label} (${bytes} B)`, { bytes, unit: "column" })
      .add("kitewire packedInt32(Int32Array)", kwTyped)
      .add("kitewire packedInt32(number[])", kwArray)
      .add("protobufjs fork+int32()x1000+ldelim", pjsLoop)
      .add("protobufjs int32s(number[])", pjsBatch)
      .ratio("kitewire packedInt32(Int32Array)", "protobufjs fork+int32()x1000+ldelim", { target: 3, label: "kitewire(Int32Array) vs protobufjs loop" })
      .ratio("kitewire packedInt32(number[])", "protobufjs fork+int32()x1000+ldelim", { target: 3, label: "kitewire(number[]) vs protobufjs loop" })
      .ratio("kitewire packedInt32(Int32Array)", "protobufjs int32s(number[])", { label: "kitewire(Int32Array) vs protobufjs int32s" });

    // Decode.
    const buf = Buffer.from(expected);
    const at = inEngine(expected);
    const pr = protobuf.Reader.create(buf);
    const pjsDecodeLoop = () => {
      pr.pos = 0;
      const end = pr.uint32() + pr.pos;
      const out = [];
      while (pr.pos < end) out.push(pr.int32());
      return out;
    };
    const pjsDecodeBatch = () => {
      pr.pos = 0;
      return pr.int32s();
    };
    const kwDecodeTyped = () => r.attach(at, bytes).packedInt32();
    // To number[]: appendPackedInt32, what generated code calls (a list pre-sized for the
    // count and filled from engine memory by index, no Int32Array in between).
    const kwDecodeArray = () => r.attach(at, bytes).appendPackedInt32([]);
    // Not an API: the same engine call into a reused Int32Array, to show what the fresh
    // result array costs (see README: caller-supplied output).
    const reused = new Int32Array(N);
    const body = at + prefixSize(expected);
    const kwDecodeInto = () => {
      const n = X.protobufReadPacked(0, body, at + bytes, scratch);
      reused.set(new Int32Array(X.memory.buffer, scratch, n));
      return reused;
    };
    const kwLoadTyped = () => r.load(expected).packedInt32();

    checkValues(kwDecodeTyped(), values, `int32 ${label}: kitewire decode`);
    checkValues(kwDecodeInto(), values, `int32 ${label}: raw decode into a reused array`);
    checkValues(kwDecodeArray(), values, `int32 ${label}: kitewire decode to number[]`);
    checkValues(kwLoadTyped(), values, `int32 ${label}: kitewire load+decode`);
    checkValues(pjsDecodeLoop(), values, `int32 ${label}: protobufjs decode`);
    checkValues(pjsDecodeBatch(), values, `int32 ${label}: protobufjs int32s`);

    suite.group(`packed int32 decode, ${label} (${bytes} B)`, { bytes, unit: "column" })
      .add("kitewire packedInt32 -> Int32Array", kwDecodeTyped)
      .add("kitewire appendPackedInt32 -> number[]", kwDecodeArray)
      .add("kitewire load(copy in)+packedInt32 -> Int32Array", kwLoadTyped)
      .add("engine protobufReadPacked -> reused Int32Array (no API)", kwDecodeInto)
      .add("protobufjs uint32()+int32() loop -> number[]", pjsDecodeLoop)
      .add("protobufjs int32s() -> number[]", pjsDecodeBatch)
      .ratio("kitewire packedInt32 -> Int32Array", "protobufjs uint32()+int32() loop -> number[]", { target: 3, label: "kitewire(Int32Array) vs protobufjs loop" })
      .ratio("kitewire appendPackedInt32 -> number[]", "protobufjs uint32()+int32() loop -> number[]", { target: 3, label: "kitewire(number[]) vs protobufjs loop" })
      .ratio("kitewire packedInt32 -> Int32Array", "protobufjs int32s() -> number[]", { label: "kitewire(Int32Array) vs protobufjs int32s" });
  }

  // ---------------------------------------------------------------- int64 columns
  for (const [label, values] of [["mixed sizes incl. negatives", mixedInt64(3)], ["small values (1 byte)", smallValues(4)]]) {
    const typed = BigInt64Array.from(values, (v) => BigInt(v));
    const bigs = [...typed];

    const pjsLoop = () => {
      pw.reset();
      pw.fork();
      for (let i = 0; i < values.length; i++) pw.int64(values[i]);
      pw.ldelim();
      return pw.pos;
    };
    const pjsBatch = () => {
      pw.reset();
      pw.int64s(values);
      return pw.pos;
    };
    const kwTyped = () => w.reset().packedInt64(typed).pos;
    const kwArray = () => w.reset().packedInt64(bigs).pos;

    pjsLoop();
    const expected = pw.finish();
    kwTyped();
    checkBytes(w.view(), expected, `int64 ${label}: kitewire(BigInt64Array) vs protobufjs`);
    kwArray();
    checkBytes(w.view(), expected, `int64 ${label}: kitewire(bigint[]) vs protobufjs`);
    pjsBatch();
    checkBytes(pw.finish(), expected, `int64 ${label}: protobufjs int64s vs loop`);

    const bytes = expected.length;
    suite.group(`packed int64 encode, ${label} (${bytes} B)`, {
      bytes, unit: "column",
      note: "kitewire takes bigints; protobufjs takes numbers (exact here: |v| < 2^53)",
    })
      .add("kitewire packedInt64(BigInt64Array)", kwTyped)
      .add("kitewire packedInt64(bigint[])", kwArray)
      .add("protobufjs fork+int64(number)x1000+ldelim", pjsLoop)
      .add("protobufjs int64s(number[])", pjsBatch)
      .ratio("kitewire packedInt64(BigInt64Array)", "protobufjs fork+int64(number)x1000+ldelim", { target: 3, label: "kitewire(BigInt64Array) vs protobufjs loop (numbers)" })
      .ratio("kitewire packedInt64(bigint[])", "protobufjs fork+int64(number)x1000+ldelim", { target: 3, label: "kitewire(bigint[]) vs protobufjs loop (numbers)" })
      .ratio("kitewire packedInt64(BigInt64Array)", "protobufjs int64s(number[])", { label: "kitewire(BigInt64Array) vs protobufjs int64s" });

    const buf = Buffer.from(expected);
    const at = inEngine(expected);
    const pr = protobuf.Reader.create(buf);
    const pjsDecodeLoop = () => {
      pr.pos = 0;
      const end = pr.uint32() + pr.pos;
      const out = [];
      while (pr.pos < end) out.push(pr.int64());
      return out;
    };
    const pjsDecodeBatch = () => {
      pr.pos = 0;
      return pr.int64s();
    };
    const kwDecodeTyped = () => r.attach(at, bytes).packedInt64();
    const kwDecodeNumbers = () => {
      const ta = r.attach(at, bytes).packedInt64();
      const out = new Array(ta.length);
      for (let i = 0; i < ta.length; i++) out[i] = Number(ta[i]);
      return out;
    };
    // What a number-returning column reader could do: read the halves of each i64
    // without making a BigInt per value (not a kitewire API today; see README).
    const kwDecodeHalves = () => {
      const ta = r.attach(at, bytes).packedInt64();
      const h = new Int32Array(ta.buffer, ta.byteOffset, ta.length * 2);
      const out = new Array(ta.length);
      for (let i = 0; i < ta.length; i++) out[i] = h[2 * i + 1] * 4294967296 + (h[2 * i] >>> 0);
      return out;
    };

    checkValues(kwDecodeTyped(), typed, `int64 ${label}: kitewire decode`);
    checkValues(kwDecodeNumbers(), values, `int64 ${label}: kitewire decode to number[]`);
    checkValues(kwDecodeHalves(), values, `int64 ${label}: kitewire decode via halves`);
    checkValues(pjsDecodeLoop(), values, `int64 ${label}: protobufjs decode (numbers)`);
    checkValues(pjsDecodeBatch(), values, `int64 ${label}: protobufjs int64s (numbers)`);

    suite.group(`packed int64 decode, ${label} (${bytes} B)`, {
      bytes, unit: "column",
      note: "kitewire returns exact 64-bit values (BigInt64Array); protobufjs, without long.js, numbers (exact only below 2^53)",
    })
      .add("kitewire packedInt64 -> BigInt64Array", kwDecodeTyped)
      .add("kitewire packedInt64 -> number[] (Number(bigint))", kwDecodeNumbers)
      .add("kitewire packedInt64 -> number[] (via i32 halves)", kwDecodeHalves)
      .add("protobufjs uint32()+int64() loop -> number[]", pjsDecodeLoop)
      .add("protobufjs int64s() -> number[]", pjsDecodeBatch)
      .ratio("kitewire packedInt64 -> BigInt64Array", "protobufjs uint32()+int64() loop -> number[]", { target: 3, label: "kitewire(BigInt64Array) vs protobufjs loop (numbers)" })
      .ratio("kitewire packedInt64 -> number[] (Number(bigint))", "protobufjs uint32()+int64() loop -> number[]", { target: 3, label: "kitewire(number[]) vs protobufjs loop (numbers)" });
  }

  return suite.run();
}

if (isMain(import.meta.url)) await run();
