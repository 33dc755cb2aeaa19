/**
 * Protobuf interop: kitewire's ProtobufWriter/ProtobufReader against protobufjs 8.8's
 * low-level Writer/Reader, byte for byte and value for value in both directions, over
 * random field sequences of every scalar type (through the value writers and the
 * one-call field writers generated code uses), nested messages (fork/join and
 * openField/closeField vs fork/ldelim), packed columns of every packable type (short
 * 32-bit ones written by JS, the rest by the engine) and groups; plus skip() and
 * validate() over protobufjs-written data.
 *
 * 64-bit values cross to protobufjs as Long-like `{ low, high, unsigned }` objects, which
 * its LongBits.from reads bit for bit; it returns `long` package Longs (protobufjs
 * depends on `long`), whose low/high halves give the exact bigint back.
 *
 * Reproduce a failure from the seed in its message (or KITEWIRE_SEED=<base>).
 */
import { createRequire } from "node:module";
import { beforeAll, expect, test } from "vitest";
import { init, ProtobufReader, ProtobufWriter, WireType } from "../../src/runtime/node/index.js";
import { Random, seeds } from "../support/random.js";

// ---------------------------------------------------------------------------------------
// protobufjs, with just enough typing for these tests.

interface LongLike { low: number; high: number; unsigned?: boolean }

interface PbWriter {
  readonly len: number;
  uint32(v: number): PbWriter; int32(v: number): PbWriter; sint32(v: number): PbWriter;
  uint64(v: LongLike): PbWriter; int64(v: LongLike): PbWriter; sint64(v: LongLike): PbWriter;
  fixed32(v: number): PbWriter; sfixed32(v: number): PbWriter;
  fixed64(v: LongLike): PbWriter; sfixed64(v: LongLike): PbWriter;
  float(v: number): PbWriter; double(v: number): PbWriter; bool(v: boolean): PbWriter;
  string(v: string): PbWriter; bytes(v: Uint8Array): PbWriter;
  fork(): PbWriter; ldelim(): PbWriter; finish(): Uint8Array;
}

interface PbReader {
  pos: number; len: number;
  uint32(): number; int32(): number; sint32(): number;
  uint64(): LongLike; int64(): LongLike; sint64(): LongLike;
  fixed32(): number; sfixed32(): number; fixed64(): LongLike; sfixed64(): LongLike;
  float(): number; double(): number; bool(): boolean;
  string(): string; bytes(): Uint8Array;
  skipType(wireType: number, depth?: number, fieldNumber?: number): PbReader;
}

const protobuf = createRequire(import.meta.url)("protobufjs/minimal") as {
  Writer: { create(): PbWriter };
  Reader: { create(b: Uint8Array): PbReader };
};

beforeAll(async () => {
  await init();
});

const SEEDS = seeds(250);

// ---------------------------------------------------------------------------------------
// Scalars: for each type its wire type, a generator, and how each side writes and reads it.

type Scalar = number | bigint | boolean;

const toLong = (v: bigint, unsigned: boolean): LongLike => {
  const u = BigInt.asUintN(64, v);
  return { low: Number(u & 0xffffffffn) | 0, high: Number(u >> 32n) | 0, unsigned };
};
const fromLong = (l: LongLike, signed: boolean): bigint => {
  const u = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return signed ? BigInt.asIntN(64, u) : u;
};

/** A float32 value: rounded doubles and raw bit patterns (not NaN). */
function float32(r: Random): number {
  if (r.bool()) return Math.fround(r.double());
  const f = new Float32Array(new Uint32Array([r.u32()]).buffer)[0]!;
  return Number.isNaN(f) ? -0 : f;
}

interface ScalarType {
  wt: WireType;
  gen(r: Random): Scalar;
  kw(w: ProtobufWriter, v: never): unknown;
  pb(w: PbWriter, v: never): unknown;
  kwRead(r: ProtobufReader): Scalar;
  pbRead(r: PbReader): Scalar;
  kwPacked(w: ProtobufWriter, vs: never[], r: Random): unknown;
  kwReadPacked(r: ProtobufReader): ArrayLike<Scalar>;
  /** Appends a packed column to a number[] (what generated code does), for the types that can. */
  kwAppendPacked?(r: ProtobufReader, list: number[]): number[];
}

const KINDS = [
  "int32", "uint32", "sint32", "int64", "uint64", "sint64", "bool",
  "fixed32", "sfixed32", "fixed64", "sfixed64", "float", "double",
] as const;
type Kind = (typeof KINDS)[number];

const SCALARS: Record<Kind, ScalarType> = {
  int32: {
    wt: WireType.VARINT, gen: (r) => r.signed(32),
    kw: (w, v: number) => w.int32(v), pb: (w, v: number) => w.int32(v),
    kwRead: (r) => r.int32(), pbRead: (r) => r.int32(),
    kwPacked: (w, vs: number[], r) => w.packedInt32(r.bool() ? vs : Int32Array.from(vs)), kwReadPacked: (r) => r.packedInt32(),
    kwAppendPacked: (r, list) => r.appendPackedInt32(list),
  },
  uint32: {
    wt: WireType.VARINT, gen: (r) => r.unsigned32(),
    kw: (w, v: number) => w.uint32(v), pb: (w, v: number) => w.uint32(v),
    kwRead: (r) => r.uint32(), pbRead: (r) => r.uint32(),
    kwPacked: (w, vs: number[], r) => w.packedUint32(r.bool() ? vs : Uint32Array.from(vs)), kwReadPacked: (r) => r.packedUint32(),
    kwAppendPacked: (r, list) => r.appendPackedUint32(list),
  },
  sint32: {
    wt: WireType.VARINT, gen: (r) => r.signed(32),
    kw: (w, v: number) => w.sint32(v), pb: (w, v: number) => w.sint32(v),
    kwRead: (r) => r.sint32(), pbRead: (r) => r.sint32(),
    kwPacked: (w, vs: number[], r) => w.packedSint32(r.bool() ? vs : Int32Array.from(vs)), kwReadPacked: (r) => r.packedSint32(),
    kwAppendPacked: (r, list) => r.appendPackedSint32(list),
  },
  int64: {
    wt: WireType.VARINT, gen: (r) => r.int64(),
    kw: (w, v: bigint) => w.int64(v), pb: (w, v: bigint) => w.int64(toLong(v, false)),
    kwRead: (r) => r.int64(), pbRead: (r) => fromLong(r.int64(), true),
    kwPacked: (w, vs: bigint[], r) => w.packedInt64(r.bool() ? vs : BigInt64Array.from(vs)), kwReadPacked: (r) => r.packedInt64(),
  },
  uint64: {
    wt: WireType.VARINT, gen: (r) => r.uint64(),
    kw: (w, v: bigint) => w.uint64(v), pb: (w, v: bigint) => w.uint64(toLong(v, true)),
    kwRead: (r) => r.uint64(), pbRead: (r) => fromLong(r.uint64(), false),
    kwPacked: (w, vs: bigint[], r) => w.packedUint64(r.bool() ? vs : BigUint64Array.from(vs)), kwReadPacked: (r) => r.packedUint64(),
  },
  sint64: {
    wt: WireType.VARINT, gen: (r) => r.int64(),
    kw: (w, v: bigint) => w.sint64(v), pb: (w, v: bigint) => w.sint64(toLong(v, false)),
    kwRead: (r) => r.sint64(), pbRead: (r) => fromLong(r.sint64(), true),
    kwPacked: (w, vs: bigint[], r) => w.packedSint64(r.bool() ? vs : BigInt64Array.from(vs)), kwReadPacked: (r) => r.packedSint64(),
  },
  bool: {
    wt: WireType.VARINT, gen: (r) => r.bool(),
    kw: (w, v: boolean) => w.bool(v), pb: (w, v: boolean) => w.bool(v),
    kwRead: (r) => r.bool(), pbRead: (r) => r.bool(),
    kwPacked: (w, vs: boolean[]) => w.packedBool(vs), kwReadPacked: (r) => r.packedBool(),
  },
  fixed32: {
    wt: WireType.I32, gen: (r) => r.unsigned32(),
    kw: (w, v: number) => w.fixed32(v), pb: (w, v: number) => w.fixed32(v),
    kwRead: (r) => r.fixed32(), pbRead: (r) => r.fixed32(),
    kwPacked: (w, vs: number[], r) => w.packedFixed32(r.bool() ? vs : Uint32Array.from(vs)), kwReadPacked: (r) => r.packedFixed32(),
  },
  sfixed32: {
    wt: WireType.I32, gen: (r) => r.signed(32),
    kw: (w, v: number) => w.sfixed32(v), pb: (w, v: number) => w.sfixed32(v),
    kwRead: (r) => r.sfixed32(), pbRead: (r) => r.sfixed32(),
    kwPacked: (w, vs: number[], r) => w.packedSfixed32(r.bool() ? vs : Int32Array.from(vs)), kwReadPacked: (r) => r.packedSfixed32(),
  },
  fixed64: {
    wt: WireType.I64, gen: (r) => r.uint64(),
    kw: (w, v: bigint) => w.fixed64(v), pb: (w, v: bigint) => w.fixed64(toLong(v, true)),
    kwRead: (r) => r.fixed64(), pbRead: (r) => fromLong(r.fixed64(), false),
    kwPacked: (w, vs: bigint[], r) => w.packedFixed64(r.bool() ? vs : BigUint64Array.from(vs)), kwReadPacked: (r) => r.packedFixed64(),
  },
  sfixed64: {
    wt: WireType.I64, gen: (r) => r.int64(),
    kw: (w, v: bigint) => w.sfixed64(v), pb: (w, v: bigint) => w.sfixed64(toLong(v, false)),
    kwRead: (r) => r.sfixed64(), pbRead: (r) => fromLong(r.sfixed64(), true),
    kwPacked: (w, vs: bigint[], r) => w.packedSfixed64(r.bool() ? vs : BigInt64Array.from(vs)), kwReadPacked: (r) => r.packedSfixed64(),
  },
  float: {
    wt: WireType.I32, gen: float32,
    kw: (w, v: number) => w.float(v), pb: (w, v: number) => w.float(v),
    kwRead: (r) => r.float(), pbRead: (r) => r.float(),
    kwPacked: (w, vs: number[], r) => w.packedFloat(r.bool() ? vs : Float32Array.from(vs)), kwReadPacked: (r) => r.packedFloat(),
  },
  double: {
    // protobufjs writes doubles through a Float64Array, so -0 is exact here (unlike npm thrift).
    wt: WireType.I64, gen: (r) => r.double(),
    kw: (w, v: number) => w.double(v), pb: (w, v: number) => w.double(v),
    kwRead: (r) => r.double(), pbRead: (r) => r.double(),
    kwPacked: (w, vs: number[], r) => w.packedDouble(r.bool() ? vs : Float64Array.from(vs)), kwReadPacked: (r) => r.packedDouble(),
  },
};

// ---------------------------------------------------------------------------------------
// The model: a message is a list of fields.

type PField =
  | { f: number; kind: Kind; v: Scalar }
  | { f: number; kind: "string"; v: string }
  | { f: number; kind: "bytes"; v: Uint8Array }
  | { f: number; kind: "message" | "group"; fields: PField[] }
  | { f: number; kind: "packed"; elem: Kind; vs: Scalar[] }
  /** What a reader found beyond the expected fields. */
  | { f: number; kind: "unexpected"; wt: number };

function wireType(p: PField): number {
  switch (p.kind) {
    case "string": case "bytes": case "message": case "packed": return WireType.LEN;
    case "group": return WireType.SGROUP;
    case "unexpected": return p.wt;
    default: return SCALARS[p.kind].wt;
  }
}

const tagOf = (p: PField) => ((p.f << 3) | wireType(p)) >>> 0;

class Gen {
  budget = 300;

  constructor(readonly r: Random) {}

  /** Field numbers of every tag length: 1-15 (one byte) up to 2^29 - 1 (five bytes). */
  fieldNumber(): number {
    const r = this.r;
    switch (r.int(0, 9)) {
      case 0: return r.int(16, 2047);
      case 1: return r.int(2048, 262143);
      case 2: return r.pick([2 ** 29 - 1, 2 ** 28, 2 ** 28 - 1, 16, 15, 1, 2047, 2048]);
      case 3: return r.int(2 ** 21, 2 ** 29 - 1);
      default: return r.int(1, 15);
    }
  }

  /** Bytes of a length-delimited value, now and then past the one-byte (127) and two-byte (16383) length limits. */
  size(): number {
    const r = this.r;
    switch (r.int(0, 19)) {
      case 0: return r.int(128, 400);
      case 1: return r.pick([127, 128, 16383, 16384, r.int(16384, 20000)]);
      default: return r.int(0, 30);
    }
  }

  field(kind: PField["kind"], depth: number): PField {
    const r = this.r;
    const f = this.fieldNumber();
    this.budget--;
    switch (kind) {
      case "string": return { f, kind, v: r.string(this.size() >> 1) };
      case "bytes": return { f, kind, v: r.bytes(this.size()) };
      case "message": case "group": return { f, kind, fields: this.fields(depth - 1) };
      case "packed": {
        const elem = r.pick(KINDS);
        const n = this.budget > 0 ? r.pick([0, 1, 2, r.int(0, 20), r.int(0, 200)]) : 0;
        return { f, kind, elem, vs: Array.from({ length: n }, () => SCALARS[elem].gen(r)) };
      }
      case "unexpected": throw new Error("generator: unexpected");
      default: return { f, kind, v: SCALARS[kind].gen(r) };
    }
  }

  kind(depth: number): PField["kind"] {
    const r = this.r;
    if (depth > 0 && this.budget > 0) {
      const k = r.int(0, 19);
      if (k === 0 || k === 1) return "message";
      if (k === 2) return "group";
      if (k === 3) return "packed";
    }
    return r.pick([...KINDS, "string", "bytes"]);
  }

  fields(depth: number): PField[] {
    const n = this.budget > 0 ? this.r.int(0, 8) : 0;
    return Array.from({ length: n }, () => this.field(this.kind(depth), depth));
  }

  /** A message with a field of every scalar type, string, bytes, a nested message, a group, a packed column of every packable type, and random extras, shuffled. */
  message(): PField[] {
    const r = this.r;
    const out: PField[] = [
      ...KINDS.map((k) => this.field(k, 3)),
      this.field("string", 3), this.field("bytes", 3), this.field("message", 3), this.field("group", 3),
      ...KINDS.map((elem): PField => {
        const n = r.pick([0, 1, 3, r.int(0, 40)]);
        return { f: this.fieldNumber(), kind: "packed", elem, vs: Array.from({ length: n }, () => SCALARS[elem].gen(r)) };
      }),
      ...this.fields(3),
    ];
    for (let i = out.length - 1; i > 0; i--) {
      const j = r.int(0, i);
      [out[i], out[j]] = [out[j]!, out[i]!];
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------
// Writers.

/** The one-call field writer of each scalar kind (`int32Field(tag, v)`, ...), which generated code uses. */
const fieldWriter = (w: ProtobufWriter, kind: Kind | "string" | "bytes") =>
  (w[`${kind}Field`] as (tag: number, v: unknown) => unknown).bind(w);

function kwWrite(w: ProtobufWriter, fields: PField[], r: Random): void {
  for (const p of fields) {
    // Half the fields (chosen by the seed) through what generated code calls: the field
    // writers (tag and value in one call) and openField/closeField for messages.
    if (r.bool()) {
      if (p.kind === "message") {
        const mark = w.openField(tagOf(p));
        kwWrite(w, p.fields, r);
        w.closeField(mark);
        continue;
      }
      if (p.kind !== "group" && p.kind !== "packed" && p.kind !== "unexpected") {
        fieldWriter(w, p.kind)(tagOf(p), p.v);
        continue;
      }
    }
    w.tag(p.f, wireType(p) as WireType);
    switch (p.kind) {
      case "string": w.string(p.v); break;
      case "bytes": w.bytes(p.v); break;
      case "message": w.fork(); kwWrite(w, p.fields, r); w.join(); break;
      case "group": kwWrite(w, p.fields, r); w.tag(p.f, WireType.EGROUP); break;
      case "packed": SCALARS[p.elem].kwPacked(w, p.vs as never[], r); break;
      case "unexpected": throw new Error("writer: unexpected");
      default: SCALARS[p.kind].kw(w, p.v as never);
    }
  }
}

/** Where a field ends (and, if it has fields, where its body starts), relative to the start of the enclosing body. */
interface Mark { end: number; body?: number; children?: Mark[] }

function varintSize(v: number): number {
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}

/** Writes with protobufjs; `base` is where the enclosing body starts, `marks` collects each field's Mark. */
function pbWrite(w: PbWriter, fields: PField[], base = 0, marks: Mark[] = []): Mark[] {
  for (const p of fields) {
    w.uint32(tagOf(p));
    let mark: Mark;
    switch (p.kind) {
      case "string": w.string(p.v); break;
      case "bytes": w.bytes(p.v); break;
      case "message": {
        const at = w.len;
        w.fork();
        const start = w.len;
        const children = pbWrite(w, p.fields, start);
        const len = w.len - start;
        w.ldelim();
        mark = { end: w.len - base, body: at + varintSize(len) - base, children };
        break;
      }
      case "group": {
        const start = w.len;
        const children = pbWrite(w, p.fields, start);
        w.uint32(((p.f << 3) | WireType.EGROUP) >>> 0);
        mark = { end: w.len - base, body: start - base, children };
        break;
      }
      case "packed": {
        // A packed column the long way: fork, one write per element, ldelim.
        w.fork();
        for (const v of p.vs) SCALARS[p.elem].pb(w, v as never);
        w.ldelim();
        break;
      }
      case "unexpected": throw new Error("writer: unexpected");
      default: SCALARS[p.kind].pb(w, p.v as never);
    }
    marks.push(mark! ?? { end: w.len - base });
  }
  return marks;
}

function pbBytes(fields: PField[], marks?: Mark[]): Uint8Array {
  const w = protobuf.Writer.create();
  const m = pbWrite(w, fields);
  if (marks) marks.push(...m);
  return new Uint8Array(w.finish());
}

// ---------------------------------------------------------------------------------------
// Readers: guided by the expected fields for types (the wire does not say them), taking
// tags from the wire.

function kwRead(r: ProtobufReader, expected: PField[], count?: number): PField[] {
  const out: PField[] = [];
  for (let i = 0; count === undefined ? r.pos < r.end : i < count; i++) {
    const tag = r.tag();
    const f = tag >>> 3;
    const hint = expected[i];
    if (!hint || tag !== tagOf(hint)) {
      r.skip(tag);
      out.push({ f, kind: "unexpected", wt: tag & 7 });
      continue;
    }
    switch (hint.kind) {
      case "string": out.push({ f, kind: "string", v: r.string() }); break;
      case "bytes": out.push({ f, kind: "bytes", v: r.bytes() }); break;
      case "message": {
        const outer = r.begin();
        out.push({ f, kind: "message", fields: kwRead(r, hint.fields) });
        r.finish(outer);
        break;
      }
      case "group": {
        // kitewire's tag() refuses end-group tags: read the known fields, then the end tag as a varint.
        const fields = kwRead(r, hint.fields, hint.fields.length);
        const end = r.readVarint32();
        expect(end, `end-group tag of field ${f}`).toBe(((f << 3) | WireType.EGROUP) >>> 0);
        out.push({ f, kind: "group", fields });
        break;
      }
      case "packed": {
        const type = SCALARS[hint.elem];
        let vs: Scalar[];
        if (type.kwAppendPacked !== undefined && f % 2 === 1) {
          // Appending keeps what the array held (a repeated field's earlier chunks).
          const held = [-7];
          expect(type.kwAppendPacked(r, held)).toBe(held);
          expect(held[0]).toBe(-7);
          vs = held.slice(1);
        } else {
          vs = Array.from(type.kwReadPacked(r));
        }
        out.push({ f, kind: "packed", elem: hint.elem, vs });
        break;
      }
      case "unexpected": throw new Error("reader: unexpected");
      default: out.push({ f, kind: hint.kind, v: SCALARS[hint.kind].kwRead(r) });
    }
  }
  return out;
}

function pbRead(r: PbReader, expected: PField[], end: number, group?: number): PField[] {
  const out: PField[] = [];
  for (let i = 0; r.pos < end; i++) {
    const tag = r.uint32();
    const f = tag >>> 3;
    if ((tag & 7) === WireType.EGROUP && f === group) return out;
    const hint = expected[i];
    if (!hint || tag !== tagOf(hint)) {
      r.skipType(tag & 7, 0, f);
      out.push({ f, kind: "unexpected", wt: tag & 7 });
      continue;
    }
    switch (hint.kind) {
      case "string": out.push({ f, kind: "string", v: r.string() }); break;
      case "bytes": out.push({ f, kind: "bytes", v: new Uint8Array(r.bytes()) }); break;
      case "message": {
        const len = r.uint32();
        out.push({ f, kind: "message", fields: pbRead(r, hint.fields, r.pos + len) });
        break;
      }
      case "group": out.push({ f, kind: "group", fields: pbRead(r, hint.fields, end, f) }); break;
      case "packed": {
        const stop = r.uint32() + r.pos;
        const vs: Scalar[] = [];
        while (r.pos < stop) vs.push(SCALARS[hint.elem].pbRead(r));
        expect(r.pos, `packed field ${f} ends on its length`).toBe(stop);
        out.push({ f, kind: "packed", elem: hint.elem, vs });
        break;
      }
      case "unexpected": throw new Error("reader: unexpected");
      default: out.push({ f, kind: hint.kind, v: SCALARS[hint.kind].pbRead(r) });
    }
  }
  if (group !== undefined) throw new Error(`group ${group} has no end tag`);
  return out;
}

// ---------------------------------------------------------------------------------------
// Comparison.

const hex = (b: Uint8Array) => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");

function scalarCanon(kind: Kind, v: Scalar): unknown {
  if (kind === "float" || kind === "double") {
    const dv = new DataView(new ArrayBuffer(8));
    dv.setFloat64(0, v as number);
    return `${v}:${hex(new Uint8Array(dv.buffer))}`;
  }
  return typeof v === "bigint" ? `${v}n` : v;
}

function canon(fields: PField[]): unknown[] {
  return fields.map((p) => {
    switch (p.kind) {
      case "string": return [p.f, p.kind, p.v];
      case "bytes": return [p.f, p.kind, hex(p.v)];
      case "message": case "group": return [p.f, p.kind, canon(p.fields)];
      case "packed": return [p.f, p.kind, p.elem, p.vs.map((v) => scalarCanon(p.elem, v))];
      case "unexpected": return [p.f, p.kind, p.wt];
      default: return [p.f, p.kind, scalarCanon(p.kind, p.v)];
    }
  });
}

function expectBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  if (i === actual.length && i === expected.length) return;
  const around = (b: Uint8Array) => `${hex(b.subarray(Math.max(0, i - 12), i))}|${hex(b.subarray(i, i + 12))}`;
  expect(hex(actual), `${what}: bytes differ at offset ${i}: kitewire (${actual.length} bytes) ${around(actual)}` +
    ` vs protobufjs (${expected.length} bytes) ${around(expected)}`).toBe(hex(expected));
}

function forSeeds(list: readonly number[], fn: (seed: number) => void): void {
  for (const seed of list) {
    try {
      fn(seed);
    } catch (e) {
      if (e instanceof Error && !e.message.includes(`seed ${seed}`)) e.message = `seed ${seed}: ${e.message}`;
      throw e;
    }
  }
}

/**
 * kitewire's bytes for `fields`: written by the shared writer (reset, arena reused) or a
 * fresh one with a tiny arena so that growth happens inside values and open forks.
 */
function kwBytes(shared: ProtobufWriter, seed: number, fields: PField[]): Uint8Array {
  const pick = new Random(seed ^ 0x5a5a5a5a);
  const fresh = pick.bool() ? null : new ProtobufWriter({ initialCapacity: pick.int(1, 64) });
  const w = fresh ?? shared.reset();
  kwWrite(w, fields, pick);
  const out = w.finish();
  expect(out.length, `seed ${seed}: writer length`).toBe(w.length);
  fresh?.dispose();
  return out;
}

// ---------------------------------------------------------------------------------------
// The properties.

test("random messages: kitewire and protobufjs write identical bytes", () => {
  const shared = new ProtobufWriter();
  forSeeds(SEEDS, (seed) => {
    const fields = new Gen(new Random(seed)).message();
    expectBytes(kwBytes(shared, seed, fields), pbBytes(fields), `seed ${seed}`);
  });
});

test("random messages: kitewire reads protobufjs's bytes to the same values", () => {
  const r = new ProtobufReader();
  forSeeds(SEEDS, (seed) => {
    const fields = new Gen(new Random(seed)).message();
    r.load(pbBytes(fields));
    expect(canon(kwRead(r, fields)), `seed ${seed}: read by kitewire`).toEqual(canon(fields));
    expect(r.remaining, `seed ${seed}: bytes left`).toBe(0);
  });
});

test("random messages: protobufjs reads kitewire's bytes to the same values", () => {
  const shared = new ProtobufWriter();
  forSeeds(SEEDS, (seed) => {
    const fields = new Gen(new Random(seed)).message();
    const bytes = kwBytes(shared, seed, fields);
    const r = protobuf.Reader.create(Buffer.from(bytes));
    expect(canon(pbRead(r, fields, bytes.length)), `seed ${seed}: read by protobufjs`).toEqual(canon(fields));
    expect(r.pos, `seed ${seed}: protobufjs stops at the end`).toBe(bytes.length);
  });
});

test("negative int32 (and int32 columns) are ten-byte varints on both sides", () => {
  const w = new ProtobufWriter();
  forSeeds(SEEDS, (seed) => {
    const r = new Random(seed);
    const vs = Array.from({ length: r.int(1, 20) }, () => -r.int(1, 2 ** 31));
    const fields: PField[] = [
      ...vs.map((v): PField => ({ f: 1, kind: "int32", v })),
      { f: 2, kind: "packed", elem: "int32", vs },
    ];
    w.reset();
    kwWrite(w, fields, r);
    const kw = w.finish();
    const pb = pbBytes(fields);
    expectBytes(kw, pb, `seed ${seed}`);
    // Each negative value: one tag byte and ten value bytes; the column: tag, length, 10 per value.
    const columnLength = 10 * vs.length;
    expect(kw.length, `seed ${seed}: size`).toBe(11 * vs.length + 1 + varintSize(columnLength) + columnLength);
    const rd = new ProtobufReader().load(pb);
    expect(canon(kwRead(rd, fields)), `seed ${seed}: read by kitewire`).toEqual(canon(fields));
  });
});

test("nested bodies of every length-prefix size around the limits (fork/join vs fork/ldelim)", () => {
  const shared = new ProtobufWriter();
  /** A body of exactly `n` bytes (n >= 2): a bytes field, padded with a bool field when no single one fits. */
  function body(n: number): PField[] {
    for (const pad of [0, 2]) {
      for (let v = 1; v <= 4; v++) {
        const len = n - pad - 1 - v;
        if (len >= 0 && varintSize(len) === v) {
          return [{ f: 1, kind: "bytes", v: new Uint8Array(len).fill(0xab) }, ...(pad ? [{ f: 2, kind: "bool", v: true } as PField] : [])];
        }
      }
    }
    throw new Error(`no body of ${n} bytes`);
  }
  const sizes = [2, 3, 126, 127, 128, 129, 16382, 16383, 16384, 16385, 2097151, 2097152];
  forSeeds(SEEDS.slice(0, 4), (seed) => {
    for (const n of sizes) {
      // Depth 1 and nested twice, so an inner join moves bytes inside an open outer fork.
      const inner: PField = { f: 3, kind: "message", fields: body(n) };
      const fields: PField[] = [inner, { f: 4, kind: "message", fields: [{ f: 5, kind: "message", fields: [inner] }] }];
      const kw = kwBytes(shared, seed, fields);
      const pb = pbBytes(fields);
      expectBytes(kw, pb, `seed ${seed}: body of ${n} bytes`);
      const r = new ProtobufReader().load(pb);
      expect(canon(kwRead(r, fields)), `seed ${seed}: body of ${n} bytes read by kitewire`).toEqual(canon(fields));
    }
  });
});

test("short strings written within a few bytes of the arena's end: identical bytes", () => {
  // The arena is filled to `room` bytes before its end, then a string is written.
  for (const s of ["", "a", "é", "€", "😀", "ab", "abc", "x".repeat(42), "x".repeat(43), "é".repeat(64)]) {
    for (let room = 0; room <= 8; room++) {
      const w = new ProtobufWriter({ initialCapacity: 64 });
      const start = w.start;
      let filler = 0;
      for (;;) {
        w.bool(true);
        filler++;
        if (w.start !== start) throw new Error("arena grew while filling");
        if (2 ** w.engine.dv.getUint32(w.start - 8, true) - w.length === room) break;
      }
      w.string(s).stringField(18, s).stringField(130, s).bool(false);
      const pw = protobuf.Writer.create();
      for (let i = 0; i < filler; i++) pw.bool(true);
      pw.string(s).uint32(18).string(s).uint32(130).string(s).bool(false);
      expectBytes(w.finish(), new Uint8Array(pw.finish()), `string of ${s.length} UTF-16 units with ${room} bytes left in the arena`);
      w.dispose();
    }
  }
});

/**
 * Walks `expected` at the reader's position, at each field randomly skipping it with
 * skip(tag) or descending into it, checking after every field that the reader stands
 * where protobufjs's write of it ended; now and then validate()s the rest of the
 * current body, which must not move the reader.
 */
function skipWalk(r: ProtobufReader, expected: PField[], marks: Mark[], base: number, rnd: Random, what: string): void {
  expected.forEach((p, i) => {
    const mark = marks[i]!;
    if (rnd.int(0, 4) === 0) {
      const at = r.offset;
      r.validate();
      expect(r.offset, `${what}: validate() moved the reader`).toBe(at);
    }
    const tag = r.tag();
    expect(tag, `${what}: tag of field ${i} at ${base}`).toBe(tagOf(p));
    if (p.kind === "message" && rnd.bool()) {
      const outer = r.begin();
      expect(r.offset, `${what}: body start of field ${i} at ${base}`).toBe(base + mark.body!);
      skipWalk(r, p.fields, mark.children!, base + mark.body!, rnd, what);
      r.finish(outer);
    } else {
      r.skip(tag);
    }
    expect(r.offset, `${what}: end of field ${i} (${p.kind}, field ${p.f}) at ${base}`).toBe(base + mark.end);
  });
}

test("skip() and validate() over protobufjs messages land exactly at the end of each field", () => {
  const shared = new ProtobufWriter();
  const r = new ProtobufReader();
  forSeeds(SEEDS, (seed) => {
    const fields = new Gen(new Random(seed)).message();
    const marks: Mark[] = [];
    const pb = pbBytes(fields, marks);
    const rnd = new Random(seed ^ 0x0ff1ce);
    r.load(pb);
    r.validate();
    skipWalk(r, fields, marks, 0, rnd, `seed ${seed}`);
    expect(r.remaining, `seed ${seed}: bytes left`).toBe(0);
    // And protobufjs's skipType agrees about kitewire's bytes.
    const kw = kwBytes(shared, seed, fields);
    const pr = protobuf.Reader.create(Buffer.from(kw));
    for (const p of fields) {
      const tag = pr.uint32();
      expect(tag, `seed ${seed}: protobufjs reads kitewire's tag`).toBe(tagOf(p));
      pr.skipType(tag & 7, 0, tag >>> 3);
    }
    expect(pr.pos, `seed ${seed}: protobufjs skipType over kitewire's message`).toBe(kw.length);
  });
});
