/**
 * ProtobufWriter's one-call writers against its two-call ones: every field writer
 * (`int32Field(tag, v)`, ...) writes what `tag()` and the value writer write, and refuses
 * what they refuse; a packed 32-bit column written by JS (up to 32 values) is the engine's
 * column byte for byte, and refuses a bad value at the same index. Bytes against protobufjs
 * are in tests/interop/protobuf.test.ts.
 */
import { beforeAll, expect, test } from "vitest";
import { init, ProtobufWriter, WireType } from "../../src/runtime/node/index.js";
import { Random, seeds } from "../support/random.js";

beforeAll(async () => {
  await init();
});

type Writer = (w: ProtobufWriter, v: never) => unknown;
type FieldWriter = (w: ProtobufWriter, tag: number, v: never) => unknown;

/** Each kind: wire type, a value generator, out-of-range values, the value writer and the field writer. */
const KINDS: [string, WireType, (r: Random) => unknown, unknown[], Writer, FieldWriter][] = [
  ["int32", WireType.VARINT, (r) => r.signed(32), [2 ** 31, -(2 ** 31) - 1, 1.5, NaN], (w, v) => w.int32(v), (w, t, v) => w.int32Field(t, v)],
  ["uint32", WireType.VARINT, (r) => r.unsigned32(), [-1, 2 ** 32, 0.5], (w, v) => w.uint32(v), (w, t, v) => w.uint32Field(t, v)],
  ["sint32", WireType.VARINT, (r) => r.signed(32), [2 ** 31, 1.5], (w, v) => w.sint32(v), (w, t, v) => w.sint32Field(t, v)],
  ["int64", WireType.VARINT, (r) => r.int64(), [2n ** 63n, 1 as never], (w, v) => w.int64(v), (w, t, v) => w.int64Field(t, v)],
  ["uint64", WireType.VARINT, (r) => r.uint64(), [-1n, 2n ** 64n], (w, v) => w.uint64(v), (w, t, v) => w.uint64Field(t, v)],
  ["sint64", WireType.VARINT, (r) => r.int64(), [2n ** 63n], (w, v) => w.sint64(v), (w, t, v) => w.sint64Field(t, v)],
  ["bool", WireType.VARINT, (r) => r.bool(), [], (w, v) => w.bool(v), (w, t, v) => w.boolField(t, v)],
  ["fixed32", WireType.I32, (r) => r.unsigned32(), [-1, 2 ** 32], (w, v) => w.fixed32(v), (w, t, v) => w.fixed32Field(t, v)],
  ["sfixed32", WireType.I32, (r) => r.signed(32), [2 ** 31], (w, v) => w.sfixed32(v), (w, t, v) => w.sfixed32Field(t, v)],
  ["fixed64", WireType.I64, (r) => r.uint64(), [-1n], (w, v) => w.fixed64(v), (w, t, v) => w.fixed64Field(t, v)],
  ["sfixed64", WireType.I64, (r) => r.int64(), [2n ** 63n], (w, v) => w.sfixed64(v), (w, t, v) => w.sfixed64Field(t, v)],
  ["float", WireType.I32, (r) => Math.fround(r.double()), [], (w, v) => w.float(v), (w, t, v) => w.floatField(t, v)],
  ["double", WireType.I64, (r) => r.double(), [], (w, v) => w.double(v), (w, t, v) => w.doubleField(t, v)],
  ["string", WireType.LEN, (r) => r.string(r.pick([0, 3, 20, 21, 43, 200])), [], (w, v) => w.string(v), (w, t, v) => w.stringField(t, v)],
  ["bytes", WireType.LEN, (r) => r.bytes(r.pick([0, 5, 200])), [], (w, v) => w.bytes(v), (w, t, v) => w.bytesField(t, v)],
];

test("field writers write what tag() and the value writer write, and refuse the same values", () => {
  const a = new ProtobufWriter();
  const b = new ProtobufWriter({ initialCapacity: 16 }); // grows inside fields
  for (const seed of seeds(100)) {
    const r = new Random(seed);
    a.reset();
    b.reset();
    for (let i = 0; i < 40; i++) {
      const [, wt, gen, , write, writeField] = r.pick(KINDS);
      const no = r.pick([1, 15, 16, 2047, 2048, 2 ** 29 - 1, r.int(1, 2 ** 29 - 1)]);
      const v = gen(r) as never;
      write(a.tag(no, wt), v);
      writeField(b, ((no << 3) | wt) >>> 0, v);
    }
    expect(Buffer.from(b.finish()).toString("hex"), `seed ${seed}`).toBe(Buffer.from(a.finish()).toString("hex"));
  }
  for (const [name, wt, , bad, write, writeField] of KINDS) {
    for (const v of bad) {
      expect(() => write(a.reset().tag(1, wt), v as never), `${name}(${v})`).toThrow(expect.objectContaining({ code: "INVALID_VALUE" }));
      expect(() => writeField(b.reset(), (1 << 3) | wt, v as never), `${name}Field(${v})`).toThrow(expect.objectContaining({ code: "INVALID_VALUE" }));
    }
  }
});

test("packed 32-bit columns: JS-written (up to 32 values) and engine-written columns agree with element-by-element varints", () => {
  const w = new ProtobufWriter({ initialCapacity: 8 });
  const one = new ProtobufWriter();
  const columns = [
    ["int32", (r: Random) => r.signed(32), (x: ProtobufWriter, vs: number[]) => x.packedInt32(vs), (x: ProtobufWriter, v: number) => x.int32(v)],
    ["uint32", (r: Random) => r.unsigned32(), (x: ProtobufWriter, vs: number[]) => x.packedUint32(vs), (x: ProtobufWriter, v: number) => x.uint32(v)],
    ["sint32", (r: Random) => r.signed(32), (x: ProtobufWriter, vs: number[]) => x.packedSint32(vs), (x: ProtobufWriter, v: number) => x.sint32(v)],
  ] as const;
  for (const seed of seeds(100)) {
    const r = new Random(seed);
    for (const [name, gen, packed, single] of columns) {
      // Counts on both sides of the JS/engine threshold; small values too, so that columns of one- and two-byte lengths both occur.
      const n = r.pick([0, 1, 12, 31, 32, 33, r.int(0, 100)]);
      const vs = Array.from({ length: n }, () => (r.bool() ? gen(r) : r.int(0, 300)));
      one.reset();
      for (const v of vs) single(one, v);
      const body = one.finish();
      w.reset();
      packed(w, vs);
      const lengthPrefix = new ProtobufWriter().uint32(body.length);
      const expected = Buffer.concat([lengthPrefix.finish(), body]).toString("hex");
      lengthPrefix.dispose();
      expect(Buffer.from(w.finish()).toString("hex"), `seed ${seed}: ${name} column of ${n}`).toBe(expected);
    }
  }
  for (const n of [5, 40]) {
    const ints = Array.from({ length: n }, (_, i) => i);
    for (const [bad, write] of [[2 ** 31, (vs: number[]) => w.packedInt32(vs)], [-1, (vs: number[]) => w.packedUint32(vs)], [1.5, (vs: number[]) => w.packedSint32(vs)]] as const) {
      const vs = ints.slice();
      vs[3] = bad;
      expect(() => write(vs), `column of ${n} with ${bad} at index 3`).toThrow(expect.objectContaining({ code: "INVALID_VALUE", message: expect.stringContaining("index 3") }));
    }
  }
  w.dispose();
  one.dispose();
});
