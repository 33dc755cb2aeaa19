/**
 * Differential fuzzing with fast-check against the npm peers, complementing the seeded
 * random interop tests (tests/interop/): fast-check draws its own edge-biased values
 * (extreme integers, -0/NaN/subnormal floats, astral and empty strings, long and empty
 * containers, i16 edge field ids) and, on a failure, shrinks it to a minimal value.
 *
 *  - Thrift, schema-less value trees (the model of tests/interop/thrift-interop.ts):
 *    kitewire's writer and npm thrift 0.24's protocol write the same bytes in Binary and
 *    Compact, and each reads the other's bytes back to the value.
 *  - Protobuf, values of the interop corpus messages drawn from kitewire's field tables:
 *    kitewire's generated encoder and protobufjs 8.8 (reflection) write the same bytes,
 *    and each decodes the other's to the value.
 *
 * Peer limits kept out of the drawn values (documented with the seeded tests): npm thrift
 * writes -0 as +0 and carries only RFC 9562 UUIDs; protobufjs maps are JS objects, so map
 * entries are drawn in object key order; oneof_group.proto is not parsed by protobufjs.
 * Reproduce a failure with the seed and path fast-check prints (KITEWIRE_SEED=<seed>).
 */
import { beforeAll, describe, expect, test } from "vitest";
import fc from "fast-check";
import {
  ThriftBinaryReader, ThriftBinaryWriter, ThriftCompactReader, ThriftCompactWriter, TType, decodeProtobuf, encodeProtobuf,
  type ProtobufEnumInfo, type ProtobufField, type ScalarType, type ThriftReader, type ThriftWriter,
} from "kitewire";
import {
  canon, kwRead, kwWrite, npmBytes, npmRead, npmReader, npmWrite, thrift, type NpmProtocolClass, type Value,
} from "../interop/thrift-interop.js";
import {
  corpus, fieldValue, objectOrder, protobufjsKnows, reorderMaps, type Codec, type MapKey, type Msg,
} from "../support/protobuf-corpus.js";
import { fromProtobufjs, loadProtobufjs, toProtobufjs } from "../support/protobuf-peers.js";
import { fuzzEngine } from "./engine.js";

const RUNS = Number(process.env.KITEWIRE_FUZZ_RUNS ?? 150);
const SEED = Number(process.env.KITEWIRE_SEED ?? 0xd1ff);
const params = { numRuns: RUNS, seed: SEED, interruptAfterTimeLimit: 15_000, markInterruptAsFailure: false };

beforeAll(() => {
  fuzzEngine();
});

// ---------------------------------------------------------------------------------------
// Thrift

const i8 = fc.integer({ min: -128, max: 127 });
const i16 = fc.integer({ min: -32768, max: 32767 });
const i32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const i64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
/** Any double npm thrift writes exactly: all but -0. */
const double = fc.double().map((d) => (Object.is(d, -0) ? 0 : d));
const text = fc.string({ unit: "binary", maxLength: 40 });
const binary = fc.uint8Array({ maxLength: 40 });
/** RFC 9562 UUIDs (versions 1-8, variant 10xx), nil and max: what npm thrift's uuid package accepts. */
const uuid = fc.oneof(
  fc.constant(new Uint8Array(16)), fc.constant(new Uint8Array(16).fill(0xff)),
  fc.tuple(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.integer({ min: 1, max: 8 })).map(([u, version]) => {
    const out = Uint8Array.from(u);
    out[6] = (out[6]! & 0x0f) | (version << 4);
    out[8] = (out[8]! & 0x3f) | 0x80;
    return out;
  }),
);

type TypeTree = number | { t: typeof TType.LIST | typeof TType.SET; e: TypeTree } | { t: typeof TType.MAP; k: TypeTree; v: TypeTree }
  | { t: typeof TType.STRUCT; fields: { id: number; type: TypeTree }[] };

const PRIMITIVES = [TType.BOOL, TType.BYTE, TType.I16, TType.I32, TType.I64, TType.DOUBLE, TType.STRING, TType.UUID];

/** Types first (so that container elements share one), then values of them. */
const typeTree = fc.letrec<{ type: TypeTree }>((tie) => ({
  type: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    fc.constantFrom(...PRIMITIVES),
    fc.record({ t: fc.constantFrom(TType.LIST as typeof TType.LIST, TType.SET as typeof TType.SET), e: tie("type") }),
    fc.record({ t: fc.constant(TType.MAP as typeof TType.MAP), k: tie("type"), v: tie("type") }),
    fc.record({ t: fc.constant(TType.STRUCT as typeof TType.STRUCT), fields: fc.array(fc.record({ id: i16, type: tie("type") }), { maxLength: 5 }) }),
  ),
})).type;

function valueOf(type: TypeTree): fc.Arbitrary<Value> {
  if (typeof type === "number") {
    switch (type) {
      case TType.BOOL: return fc.boolean().map((v) => ({ t: TType.BOOL, v }));
      case TType.BYTE: return i8.map((v) => ({ t: TType.BYTE, v }));
      case TType.I16: return i16.map((v) => ({ t: TType.I16, v }));
      case TType.I32: return i32.map((v) => ({ t: TType.I32, v }));
      case TType.I64: return i64.map((v) => ({ t: TType.I64, v }));
      case TType.DOUBLE: return double.map((v) => ({ t: TType.DOUBLE, v }));
      case TType.STRING: return fc.oneof(text, binary).map((v) => ({ t: TType.STRING, v }));
      default: return uuid.map((v) => ({ t: TType.UUID, v }));
    }
  }
  const size = { maxLength: 20 };
  switch (type.t) {
    case TType.LIST: case TType.SET: {
      const et = typeof type.e === "number" ? type.e : type.e.t;
      return fc.array(valueOf(type.e), size).map((elems) => ({ t: type.t, et, elems }));
    }
    case TType.MAP: {
      const kt = typeof type.k === "number" ? type.k : type.k.t;
      const vt = typeof type.v === "number" ? type.v : type.v.t;
      return fc.array(fc.tuple(valueOf(type.k), valueOf(type.v)), size).map((entries) => ({ t: TType.MAP, kt, vt, entries }));
    }
    default:
      return fc.tuple(...type.fields.map((f) => valueOf(f.type).map((value) => ({ id: f.id, value }))))
        .map((fields) => ({ t: TType.STRUCT, fields }));
  }
}

const thriftStruct = typeTree
  .filter((t) => typeof t === "object" && t.t === TType.STRUCT)
  .chain(valueOf);

const PROTOCOLS: [string, () => ThriftWriter & { finish(): Uint8Array }, () => ThriftReader & { load(b: Uint8Array): unknown }, NpmProtocolClass, boolean][] = [
  ["binary", () => new ThriftBinaryWriter(), () => new ThriftBinaryReader(), thrift.TBinaryProtocol, false],
  ["compact", () => new ThriftCompactWriter(), () => new ThriftCompactReader(), thrift.TCompactProtocol, true],
];

describe.each(PROTOCOLS)("Thrift %s against npm thrift (fast-check)", (_name, writer, reader, Npm, compact) => {
  test("same bytes both ways, and each reads the other's bytes back to the value", () => {
    fc.assert(fc.property(thriftStruct, (v) => {
      const w = writer();
      kwWrite(w, v);
      const kw = w.finish();
      const npm = npmBytes(Npm, (p) => npmWrite(p, v));
      expect(Buffer.from(kw).toString("hex")).toBe(Buffer.from(npm).toString("hex"));
      const r = reader();
      r.load(npm);
      expect(canon(kwRead(r, TType.STRUCT, v), compact)).toEqual(canon(v, compact));
      const { p, done } = npmReader(Npm, kw);
      expect(canon(npmRead(p, TType.STRUCT, v, compact), compact)).toEqual(canon(v, compact));
      expect(done()).toBe(true);
    }), params);
  });
});

// ---------------------------------------------------------------------------------------
// Protobuf

type ValueType = Exclude<ProtobufField["type"], { kind: "map" }>;
const MAX_DEPTH = 2;

const u32 = fc.integer({ min: 0, max: 2 ** 32 - 1 });
const u64 = fc.bigInt({ min: 0n, max: 2n ** 64n - 1n });

function scalar(t: ScalarType): fc.Arbitrary<unknown> {
  switch (t) {
    case "double": return fc.double();
    case "float": return fc.float();
    case "int32": case "sint32": case "sfixed32": return i32;
    case "uint32": case "fixed32": return u32;
    case "int64": case "sint64": case "sfixed64": return i64;
    case "uint64": case "fixed64": return u64;
    case "bool": return fc.boolean();
    case "string": return text;
    case "bytes": return binary;
  }
}

function enumValue(info: ProtobufEnumInfo): fc.Arbitrary<number> {
  const declared = fc.constantFrom(...Object.keys(info.names).map(Number));
  return info.closed ? declared : fc.oneof(declared, i32);
}

const messages = new Map<string, fc.Arbitrary<Msg>>();

function valueType(t: ValueType, depth: number): fc.Arbitrary<unknown> | undefined {
  switch (t.kind) {
    case "scalar": return scalar(t.type);
    case "enum": return enumValue(t.type());
    case "message": return depth < MAX_DEPTH ? message(t.type() as Codec, depth + 1) : undefined;
  }
}

/** Values of `c` as kitewire's generated code holds them, maps in JS object key order (protobufjs keeps maps as objects). */
function message(c: Codec, depth = 0): fc.Arbitrary<Msg> {
  const key = `${c.typeName}@${depth}`;
  const known = messages.get(key);
  if (known) return known;
  // Any's value is opaque bytes here (a random Leaf in tests/interop); Struct values need a kind for some peers.
  const parts: Record<string, fc.Arbitrary<unknown>> = {};
  const oneofs = new Map<string, fc.Arbitrary<unknown>[]>();
  for (const f of c.fields) {
    const t = f.type;
    if (f.oneof !== undefined) {
      const arb = valueType(t as ValueType, depth);
      if (arb) oneofs.set(f.oneof, [...(oneofs.get(f.oneof) ?? []), arb.map((value) => ({ case: f.localName, value }))]);
      continue;
    }
    if (t.kind === "map") {
      const v = valueType(t.value, depth);
      parts[f.localName] = v === undefined
        ? fc.constant(new Map())
        : fc.array(fc.tuple(scalar(t.key), v), { maxLength: 5 }).map((es) => new Map(es as [MapKey, unknown][]));
    } else {
      // Past the depth bound a required message field holds an empty message.
      const arb = valueType(t, depth) ?? (f.required && t.kind === "message" ? fc.constant((t.type() as Codec).create()) : undefined);
      if (arb === undefined) continue;
      if (f.repeated) parts[f.localName] = fc.array(arb, { maxLength: 8 });
      else if (f.presence && !f.required) parts[f.localName] = fc.option(arb, { nil: undefined });
      else parts[f.localName] = arb;
    }
  }
  for (const [name, members] of oneofs) {
    parts[name] = c.typeName === "google.protobuf.Value" ? fc.oneof(...members) : fc.oneof(fc.constant({ case: undefined }), ...members);
  }
  const arb = fc.record(parts).map((fields) => reorderMaps(c, Object.assign(c.create(), fields), objectOrder));
  messages.set(key, arb);
  return arb;
}

const PROTOBUF_TYPES = corpus.map((c) => c.typeName).filter((n) => protobufjsKnows(n) && n.startsWith("interop."));

describe("Protobuf against protobufjs (fast-check)", () => {
  let pbjs: ReturnType<typeof loadProtobufjs>;
  beforeAll(() => {
    pbjs = loadProtobufjs();
  });

  test.each(PROTOBUF_TYPES)("%s: same bytes, and each decodes the other's to the value", (typeName) => {
    const c = corpus.find((x) => x.typeName === typeName)!;
    const type = pbjs.lookup(typeName);
    fc.assert(fc.property(message(c), (v) => {
      const kw = encodeProtobuf(c, v);
      const pb = type.encode(type.fromObject(toProtobufjs(c, v, type))).finish();
      expect(Buffer.from(kw).toString("hex")).toBe(Buffer.from(pb).toString("hex"));
      const back = decodeProtobuf(c, pb);
      expect(Buffer.from(encodeProtobuf(c, back)).toString("hex")).toBe(Buffer.from(kw).toString("hex"));
      const peer = fromProtobufjs(c, type.decode(kw), type);
      expect(Buffer.from(encodeProtobuf(c, peer)).toString("hex")).toBe(Buffer.from(kw).toString("hex"));
      for (const f of c.fields) expect(fieldValue(back, f) === undefined).toBe(fieldValue(peer, f) === undefined);
    }), { ...params, numRuns: Math.max(20, Math.floor(RUNS / 3)) });
  });
});
