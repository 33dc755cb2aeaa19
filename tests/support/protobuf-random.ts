/**
 * Random messages for any codec, from its field table: every field set or not, oneofs with
 * one member or none, repeated and map fields of a few elements, open enums with values
 * they do not list, and the well-known types with valid values (a Timestamp in range, a
 * Duration whose nanos have the sign of its seconds, FieldMask paths that survive
 * lowerCamelCase, finite Value numbers, Anys holding messages of `anyTypes`).
 */
import { encodeProtobuf, type FieldType, type ProtobufMessageCodec, type ScalarType } from "kitewire";
import type { Random } from "./random.js";

type Codec = ProtobufMessageCodec<unknown>;
type ValueType = Exclude<FieldType, { kind: "map" }>;
type Msg = Record<string, unknown>;

/** How random messages are made. */
export interface RandomOptions {
  /** Message nesting beyond which optional messages stay unset and repeated ones empty. */
  maxDepth?: number;
  /** What Anys may hold (none: Anys stay empty). */
  anyTypes?: Codec[];
  /** Allow NaN in float and double fields. */
  nan?: boolean;
}

export function randomScalar(rng: Random, type: ScalarType, o: RandomOptions = {}): unknown {
  switch (type) {
    case "double":
      return o.nan && rng.int(0, 15) === 0 ? NaN : rng.double();
    case "float":
      return o.nan && rng.int(0, 15) === 0 ? NaN : Math.fround(rng.pick([rng.double(), rng.int(-1000, 1000) / 8, 0.1, -0]));
    case "int32": case "sint32": case "sfixed32":
      return rng.signed(32);
    case "uint32": case "fixed32":
      return rng.unsigned32();
    case "int64": case "sint64": case "sfixed64":
      return rng.int64();
    case "uint64": case "fixed64":
      return rng.uint64();
    case "bool":
      return rng.bool();
    case "string":
      return rng.string(8);
    case "bytes":
      return rng.bytes(8);
  }
}

const SEGMENTS = ["a", "user", "display_name", "x1", "created_at", "b_c_d"];

function wkt(rng: Random, codec: Codec, depth: number, o: RandomOptions): Msg | undefined {
  const nanos = () => rng.pick([0, rng.int(0, 999) * 1000000, rng.int(0, 999999) * 1000, rng.int(0, 999999999)]);
  switch (codec.typeName) {
    case "google.protobuf.Timestamp":
      return codec.create({ seconds: BigInt(rng.pick([0, rng.int(-62135596800, 253402300799), rng.int(-1e6, 2e9)])), nanos: nanos() }) as Msg;
    case "google.protobuf.Duration": {
      const seconds = rng.pick([0, rng.int(-315576000000, 315576000000), rng.int(-100, 100)]);
      const n = nanos();
      return codec.create({ seconds: BigInt(seconds), nanos: seconds < 0 || (seconds === 0 && rng.bool()) ? -n : n }) as Msg;
    }
    case "google.protobuf.FieldMask": {
      const paths = Array.from({ length: rng.int(0, 3) }, () =>
        Array.from({ length: rng.int(1, 3) }, () => rng.pick(SEGMENTS)).join("."));
      return codec.create({ paths }) as Msg;
    }
    case "google.protobuf.Value":
      return codec.create({ kind: randomKind(rng, codec, depth, o) }) as Msg;
    case "google.protobuf.Any": {
      const types = o.anyTypes ?? [];
      if (types.length === 0 || rng.int(0, 4) === 0) return codec.create() as Msg;
      const inner = rng.pick(types);
      const value = encodeProtobuf(inner, randomMessage(rng, inner, depth + 1, o));
      return codec.create({ typeUrl: `type.googleapis.com/${inner.typeName}`, value }) as Msg;
    }
  }
  return undefined;
}

function randomKind(rng: Random, valueCodec: Codec, depth: number, o: RandomOptions): { case: string; value: unknown } {
  const deep = depth >= (o.maxDepth ?? 3);
  const fieldCodec = (name: string) => {
    const t = valueCodec.fields.find((f) => f.localName === name)!.type;
    return (t as { type: () => Codec }).type();
  };
  switch (rng.int(0, deep ? 3 : 5)) {
    case 0: return { case: "nullValue", value: 0 };
    case 1: {
      const n = rng.double();
      return { case: "numberValue", value: Number.isFinite(n) ? n : 1.5 };
    }
    case 2: return { case: "stringValue", value: rng.string(6) };
    case 3: return { case: "boolValue", value: rng.bool() };
    case 4: return { case: "structValue", value: randomMessage(rng, fieldCodec("structValue"), depth + 1, o) };
    default: return { case: "listValue", value: randomMessage(rng, fieldCodec("listValue"), depth + 1, o) };
  }
}

function randomValue(rng: Random, t: ValueType, depth: number, o: RandomOptions): unknown {
  switch (t.kind) {
    case "scalar":
      return randomScalar(rng, t.type, o);
    case "enum": {
      const info = t.type();
      const numbers = Object.values(info.values);
      if (info.typeName === "google.protobuf.NullValue") return 0;
      return !info.closed && rng.int(0, 5) === 0 ? rng.pick([7, -3, 1000]) : rng.pick(numbers);
    }
    case "message":
      return randomMessage(rng, t.type(), depth + 1, o);
  }
}

/** A random message of `codec`. */
export function randomMessage(rng: Random, codec: Codec, depth = 0, o: RandomOptions = {}): Msg {
  const special = wkt(rng, codec, depth, o);
  if (special !== undefined) return special;
  const deep = depth >= (o.maxDepth ?? 3);
  const m = codec.create() as Msg;
  const oneofs = new Map<string, typeof codec.fields[number][]>();
  for (const f of codec.fields) {
    if (f.oneof !== undefined) {
      oneofs.set(f.oneof, [...(oneofs.get(f.oneof) ?? []), f]);
      continue;
    }
    const t = f.type;
    const isMessage = (t.kind === "map" ? t.value.kind : t.kind) === "message";
    if (t.kind === "map") {
      const map = m[f.localName] as Map<unknown, unknown>;
      const n = deep && isMessage ? 0 : rng.int(0, 3);
      for (let i = 0; i < n; i++) map.set(randomScalar(rng, t.key, o), randomValue(rng, t.value, depth, o));
    } else if (f.repeated) {
      const n = deep && isMessage ? 0 : rng.int(0, 3);
      m[f.localName] = Array.from({ length: n }, () => randomValue(rng, t, depth, o));
    } else if (f.required || (f.presence ? !(deep && isMessage) && rng.bool() : true)) {
      m[f.localName] = randomValue(rng, t, depth, o);
    }
  }
  for (const [name, members] of oneofs) {
    const choice = rng.int(0, members.length);
    const f = members[choice];
    const isMessage = f?.type.kind === "message";
    if (f !== undefined && !(deep && isMessage)) m[name] = { case: f.localName, value: randomValue(rng, f.type as ValueType, depth, o) };
  }
  return m;
}
