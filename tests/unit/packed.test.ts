/**
 * Packed 32-bit columns (int32, uint32, sint32): the engine's decoder, in the plain and
 * the SIMD build, against protobufjs' Reader on random columns of mixed varint sizes.
 * Values must be equal, and so must errors: the kind (truncated or over-long) and the
 * varint it is reported at.
 *
 * The SIMD build decodes most of a column in 64- and 16-byte windows and the rest one
 * varint at a time, so the columns here have every byte length up to a few hundred (and
 * so end at every offset after a window), sizes from 1 to 10 bytes in random order and
 * random mixes, non-canonical (padded) and over-long encodings, truncations at every
 * byte and over-long varints at every position. The bytes after a column are garbage
 * that must not change anything, and some columns end at the last byte of memory.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { beforeAll, describe, expect, test } from "vitest";
import { loadEngine, type Engine, KitewireError, ProtobufReader } from "../../src/runtime/node/index.js";
import { Random } from "../support/random.js";

interface PbReader { pos: number; len: number; int32(): number; uint32(): number; sint32(): number }
const protobuf = createRequire(import.meta.url)("protobufjs/minimal") as {
  Reader: { create(b: Uint8Array): PbReader };
};

const BUILDS = ["kitewire.wasm", "kitewire.simd.wasm"] as const;
const builds: Record<string, Engine> = {};
beforeAll(async () => {
  for (const name of BUILDS) builds[name] = await loadEngine(readFileSync(new URL(`../../build/${name}`, import.meta.url)));
  expect(builds["kitewire.simd.wasm"]!.simd).toBe(true);
  expect(builds["kitewire.wasm"]!.simd).toBe(false);
});

/** Column kinds with their engine numbers (Column in assembly/protobuf/packed.ts). */
const KINDS = [
  { name: "int32", code: 0, signed: true, read: (r: PbReader) => r.int32() },
  { name: "uint32", code: 1, signed: false, read: (r: PbReader) => r.uint32() },
  { name: "sint32", code: 2, signed: true, read: (r: PbReader) => r.sint32() },
] as const;
type Kind = (typeof KINDS)[number];

/** Engine error numbers (assembly/errors.ts) as names. */
const ENGINE_ERRORS: Record<number, string> = { 1: "TRUNCATED", 7: "MALFORMED_VARINT" };

type Outcome = { values: number[] } | { error: string; at: number };

/** The canonical varint of an unsigned value below 2^64. */
function varint(v: bigint): number[] {
  const out: number[] = [];
  while (v >= 0x80n) {
    out.push(Number(v & 0x7fn) | 0x80);
    v >>= 7n;
  }
  out.push(Number(v));
  return out;
}

/**
 * A varint of exactly `len` bytes (1..10) with random payload bits: canonical or not, and
 * for long ones with bits above the low 32 (which 32-bit kinds drop). Sometimes a small
 * value padded with empty continuation bytes, as some encoders write.
 */
function varintOfLength(rnd: Random, len: number): number[] {
  const padded = rnd.int(0, 2) === 0;
  const bytes = Array.from({ length: len }, (_, i) => (padded && i > 0 ? 0x80 : 0x80 | (rnd.u32() & 0x7f)));
  bytes[len - 1]! &= 0x7f;
  return bytes;
}

/** One varint: sizes as columns have them, with the edge values of each size. */
function someVarint(rnd: Random, weights: readonly number[]): number[] {
  let k = rnd.int(0, weights.reduce((a, b) => a + b) - 1);
  let kind = 0;
  while (k >= weights[kind]!) k -= weights[kind++]!;
  switch (kind) {
    case 0: return varint(BigInt(rnd.int(0, 127)));
    case 1: return varint(BigInt(rnd.int(128, 16383)));
    case 2: return varint(BigInt(rnd.int(16384, 2 ** 21 - 1)));
    case 3: return varint(BigInt(rnd.int(2 ** 21, 2 ** 28 - 1)));
    case 4: return varint(BigInt(rnd.pick([2 ** 31 - 1, 2 ** 32 - 1, 2 ** 28, rnd.int(2 ** 28, 2 ** 32 - 1)])));
    // A negative int32, sign-extended to ten bytes.
    case 5: return varint(BigInt.asUintN(64, BigInt(rnd.pick([-1, -(2 ** 31), rnd.int(-(2 ** 31), -1), rnd.int(-1000, -1)]))));
    // Any length, padded or with high bits past the low 32.
    default: return varintOfLength(rnd, rnd.int(1, 10));
  }
}

/** Mixes of sizes (weights for someVarint): like the benchmark, mostly small, all long, even. */
const PROFILES = [
  [30, 25, 15, 5, 5, 20, 0],
  [90, 4, 0, 0, 0, 3, 3],
  [0, 0, 0, 0, 0, 1, 0],
  [0, 0, 0, 0, 1, 1, 0],
  [1, 1, 1, 1, 1, 1, 1],
  [1, 0, 0, 0, 0, 0, 1],
] as const;

/** A column body of exactly `length` bytes. */
function column(rnd: Random, length: number): Uint8Array {
  const weights = rnd.pick(PROFILES);
  const out: number[] = [];
  while (length - out.length > 10) out.push(...someVarint(rnd, weights));
  // The end: varints of the exact remaining lengths.
  while (out.length < length) out.push(...varintOfLength(rnd, rnd.int(1, Math.min(10, length - out.length))));
  return Uint8Array.from(out);
}

/** protobufjs' Reader over the body, one value at a time: its values, or its error and the varint where it arose. */
function expected(kind: Kind, body: Uint8Array): Outcome {
  const r = protobuf.Reader.create(body);
  const values: number[] = [];
  while (r.pos < r.len) {
    const at = r.pos;
    try {
      values.push(kind.read(r));
    } catch (error) {
      const message = String((error as Error).message);
      if (message.includes("index out of range")) return { error: "TRUNCATED", at };
      if (message.includes("invalid varint encoding")) return { error: "MALFORMED_VARINT", at };
      throw error;
    }
  }
  return { values };
}

/** Room for the column and what follows it in one engine, reused by every check. */
class Bench {
  readonly dst: number;
  readonly src: number;
  private readonly rnd = new Random(0x6a7b);
  constructor(readonly e: Engine) {
    this.dst = e.alloc(4 * 4096 + 64);
    this.src = e.alloc(4096 + 256);
  }

  /** The engine's decode of `body` placed at `at`, with 128 bytes of `garbage` behind it (random if negative). */
  decode(kind: Kind, body: Uint8Array, at: number, garbage: number): Outcome {
    const { e } = this;
    e.u8.set(body, at);
    const tail = e.u8.subarray(at + body.length, Math.min(at + body.length + 128, e.u8.length));
    tail.fill(garbage >= 0 ? garbage : 0);
    if (garbage < 0) for (let i = 0; i < tail.length; i++) tail[i] = this.rnd.u32() & 0xff;
    const n = e.exports.protobufReadPacked(kind.code, at, at + body.length, this.dst);
    if (n < 0) return { error: ENGINE_ERRORS[-n] ?? `code ${n}`, at: e.exports.lastErrorAt() - at };
    const Out = kind.signed ? Int32Array : Uint32Array;
    return { values: Array.from(new Out(e.u8.buffer, this.dst, n)) };
  }

  /** Checks every kind on `body`, at `at` (src by default), with garbage of each sort behind it. */
  check(body: Uint8Array, at = this.src): void {
    for (const kind of KINDS) {
      const want = expected(kind, body);
      for (const garbage of [0x00, 0xff, 0x80, -1]) {
        const got = this.decode(kind, body, at, garbage);
        if (JSON.stringify(got) !== JSON.stringify(want)) {
          expect(got, `${kind.name} of ${Buffer.from(body).toString("hex")} (garbage ${garbage})`).toEqual(want);
        }
      }
    }
  }
}

describe.each(BUILDS)("%s", (build) => {
  test("every column length 0..400 decodes like protobufjs (property)", () => {
    const bench = new Bench(builds[build]!);
    const rnd = new Random(0x9ac0 + build.length);
    for (let length = 0; length <= 400; length++) {
      for (let i = 0; i < 3; i++) bench.check(column(rnd, length));
    }
  });

  test("long random columns of mixed sizes decode like protobufjs (property)", () => {
    const bench = new Bench(builds[build]!);
    const rnd = new Random(0x70ad);
    for (let run = 0; run < 300; run++) bench.check(column(rnd, rnd.int(400, 4000)));
  });

  test("truncated at every byte, and over-long at every varint, errors like protobufjs (property)", () => {
    const bench = new Bench(builds[build]!);
    const rnd = new Random(0xbad5);
    for (let run = 0; run < 40; run++) {
      // Whole varints, so that each can be made over-long in turn.
      const weights = rnd.pick(PROFILES);
      const varints: number[][] = [];
      for (let n = rnd.int(1, 60); n > 0; n--) varints.push(someVarint(rnd, weights));
      const body = Uint8Array.from(varints.flat());
      for (let cut = 0; cut < body.length; cut++) bench.check(body.subarray(0, cut));
      for (let j = 0; j < varints.length; j++) {
        // 11 to 16 bytes: continuation bytes, then one that ends it (or none: the column ends).
        const long = Array.from({ length: rnd.int(11, 16) }, () => rnd.int(0x80, 0xff));
        if (rnd.bool()) long[long.length - 1]! &= 0x7f;
        const rest = j + 1 < varints.length && rnd.bool() ? varints.slice(j + 1).flat() : [];
        bench.check(Uint8Array.from([...varints.slice(0, j).flat(), ...long, ...rest]));
      }
    }
  });

  test("random high bits set or cleared (varints merged or split) error or decode like protobufjs (property)", () => {
    const bench = new Bench(builds[build]!);
    const rnd = new Random(0xf11b);
    for (let run = 0; run < 1500; run++) {
      const body = column(rnd, rnd.int(0, 300));
      for (let m = rnd.int(1, 4); m > 0 && body.length > 0; m--) body[rnd.int(0, body.length - 1)]! ^= 0x80;
      // Sometimes a long run of continuation bytes somewhere.
      if (rnd.int(0, 3) === 0 && body.length > 0) {
        const from = rnd.int(0, body.length - 1);
        for (let i = from; i < Math.min(body.length, from + rnd.int(8, 20)); i++) body[i]! |= 0x80;
      }
      bench.check(body);
    }
  });

  test("columns ending at the last byte of memory decode like protobufjs (nothing read past memory)", () => {
    const e = builds[build]!;
    const bench = new Bench(e);
    // A block carved from the top of a fresh class: it and everything after it are ours
    // (no allocation follows), up to the end of memory.
    const block = e.alloc(1 << 21);
    const memoryEnd = e.u8.length;
    expect(block + (1 << 21)).toBeLessThanOrEqual(memoryEnd);
    const rnd = new Random(0xe7d0);
    for (let run = 0; run < 400; run++) {
      const body = column(rnd, run < 200 ? run : rnd.int(200, 4000));
      for (const kind of KINDS) {
        expect(bench.decode(kind, body, memoryEnd - body.length, 0)).toEqual(expected(kind, body));
      }
    }
  });

  test("ProtobufReader's appending packed 32-bit readers (JS for short columns, the engine otherwise) decode and error like protobufjs", () => {
    const e = builds[build]!;
    const rnd = new Random(0x3a9d);
    const bodies: Uint8Array[] = [];
    for (let length = 0; length <= 300; length++) bodies.push(column(rnd, length));
    for (let run = 0; run < 50; run++) {
      const varints: number[][] = [];
      for (let n = rnd.int(1, 12); n > 0; n--) varints.push(someVarint(rnd, rnd.pick(PROFILES)));
      const body = Uint8Array.from(varints.flat());
      // Cut short at every byte; each varint over-long (11 to 16 bytes, ended or not) in turn; random high bits flipped.
      for (let cut = 1; cut < body.length; cut++) bodies.push(body.slice(0, cut));
      for (let j = 0; j < varints.length; j++) {
        const long = Array.from({ length: rnd.int(11, 16) }, () => rnd.int(0x80, 0xff));
        if (rnd.bool()) long[long.length - 1]! &= 0x7f;
        bodies.push(Uint8Array.from([...varints.slice(0, j).flat(), ...long, ...varints.slice(j + 1).flat()]));
      }
      const flipped = body.slice();
      flipped[rnd.int(0, body.length - 1)]! ^= 0x80;
      bodies.push(flipped);
    }
    for (const body of bodies) {
      const prefix = varint(BigInt(body.length));
      const framed = Uint8Array.from([...prefix, ...body, 0x80, 0xff]); // garbage after the column must not matter
      for (const kind of KINDS) {
        const want = expected(kind, body);
        for (const input of [framed, Buffer.from(framed)]) {
          for (const before of [[], [7]]) {
            // A message already copied into the engine (by a skip, say) takes the engine's path even for short columns.
            for (const copied of [false, true]) {
              const r = new ProtobufReader({ engine: e }).load(input);
              if (copied) r.engineOffset();
              const list = before.slice();
              const read = () => kind.name === "int32" ? r.appendPackedInt32(list) : kind.name === "uint32" ? r.appendPackedUint32(list) : r.appendPackedSint32(list);
              const what = `${kind.name} of ${Buffer.from(body).toString("hex")} (${input === framed ? "Uint8Array" : "Buffer"}, copied ${copied})`;
              if ("values" in want) {
                expect(read(), what).toEqual([...before, ...want.values]);
                expect(r.pos, what).toBe(prefix.length + body.length);
              } else {
                expect(read, what).toThrow(expect.objectContaining({ code: want.error, offset: prefix.length + want.at }));
              }
            }
          }
        }
      }
    }
  });

  test("ProtobufReader's packed 32-bit readers decode like protobufjs", () => {
    const e = builds[build]!;
    const rnd = new Random(0x4eab);
    for (let run = 0; run < 200; run++) {
      const body = column(rnd, rnd.int(0, 3000));
      const framed = Uint8Array.from([...varint(BigInt(body.length)), ...body]);
      for (const kind of KINDS) {
        const r = new ProtobufReader({ engine: e }).load(framed);
        const want = expected(kind, body);
        const read = kind.name === "int32" ? () => r.packedInt32() : kind.name === "uint32" ? () => r.packedUint32() : () => r.packedSint32();
        if ("values" in want) {
          expect(Array.from(read())).toEqual(want.values);
        } else {
          expect(read).toThrow(KitewireError);
        }
      }
    }
  });
});
