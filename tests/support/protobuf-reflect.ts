/**
 * Hand-written Protobuf codecs for tests: `message(typeName, fields)` makes an object
 * satisfying ProtobufMessageCodec whose create/encode/decode interpret the field table
 * (with ProtobufWriter/ProtobufReader) the way generated code does it inline: implicit
 * presence defaults not written, packed repeated scalars, maps as entry messages, oneofs as
 * `{ case, value }`, proto2 groups, closed enums' unknown values and unknown fields kept in
 * `$unknown`. Field helpers (`scalar`, `enumOf`, ...) keep schemas short; everything comes
 * from "kitewire", so the same file serves the source tree and the built package.
 */
import {
  decodeGroup, decodeNested, missingRequired, unsetRequired, WireType,
  type FieldType, type ProtobufEnumInfo, type ProtobufField, type ProtobufMessageCodec, type ProtobufReader,
  type ProtobufWriter, type ScalarType,
} from "kitewire";

type ValueType = Exclude<FieldType, { kind: "map" }>;
type Msg = Record<string, unknown>;

/** The JSON name protoc derives from a field name: each "_" dropped, the letter after it upper-cased. */
export function jsonNameOf(protoName: string): string {
  let out = "";
  let upper = false;
  for (const c of protoName) {
    if (c === "_") upper = true;
    else {
      out += upper ? c.toUpperCase() : c;
      upper = false;
    }
  }
  return out;
}

/** Options of a field beyond its number, name and type. */
export interface FieldOptions {
  repeated?: boolean;
  packed?: boolean;
  presence?: boolean;
  required?: boolean;
  oneof?: string;
  jsonName?: string;
  localName?: string;
  defaultValue?: unknown;
}

/** A field; jsonName as protoc derives it, localName the jsonName unless given. */
export function field(no: number, protoName: string, type: FieldType, o: FieldOptions = {}): ProtobufField {
  const jsonName = o.jsonName ?? jsonNameOf(protoName);
  const repeated = o.repeated ?? type.kind === "map";
  const packable = (type.kind === "scalar" && !["string", "bytes"].includes(type.type)) || type.kind === "enum";
  return {
    no, protoName, jsonName, localName: o.localName ?? jsonNameOf(protoName), type, repeated,
    packed: o.packed ?? (repeated && packable),
    presence: o.presence ?? (o.oneof !== undefined || o.required === true || (type.kind === "message" && !repeated)),
    required: o.required ?? false,
    ...(o.oneof === undefined ? {} : { oneof: o.oneof }),
    ...(o.defaultValue === undefined ? {} : { defaultValue: o.defaultValue }),
  };
}

export const scalar = (type: ScalarType): FieldType => ({ kind: "scalar", type });
export const enumOf = (info: () => ProtobufEnumInfo): FieldType => ({ kind: "enum", type: info });
export const messageOf = (codec: () => ProtobufMessageCodec<unknown>, group = false): FieldType =>
  ({ kind: "message", type: codec, ...(group ? { group } : {}) });
export const mapOf = (key: ScalarType, value: FieldType): FieldType => ({ kind: "map", key, value: value as ValueType });

/** An enum table from its values (names of aliases: the first). */
export function enumInfo(typeName: string, values: Record<string, number>, closed = false): ProtobufEnumInfo {
  const names: Record<number, string> = {};
  for (const [name, n] of Object.entries(values)) names[n] ??= name;
  return { typeName, values, names, closed };
}

const WIRE: Record<ScalarType, WireType> = {
  double: WireType.I64, fixed64: WireType.I64, sfixed64: WireType.I64,
  float: WireType.I32, fixed32: WireType.I32, sfixed32: WireType.I32,
  string: WireType.LEN, bytes: WireType.LEN,
  int32: WireType.VARINT, int64: WireType.VARINT, uint32: WireType.VARINT, uint64: WireType.VARINT,
  sint32: WireType.VARINT, sint64: WireType.VARINT, bool: WireType.VARINT,
};

const PACKED_READ: Record<string, (r: ProtobufReader) => ArrayLike<unknown>> = {
  int32: (r) => r.packedInt32(), uint32: (r) => r.packedUint32(), sint32: (r) => r.packedSint32(),
  int64: (r) => r.packedInt64(), uint64: (r) => r.packedUint64(), sint64: (r) => r.packedSint64(),
  bool: (r) => r.packedBool(), double: (r) => r.packedDouble(), float: (r) => r.packedFloat(),
  fixed32: (r) => r.packedFixed32(), sfixed32: (r) => r.packedSfixed32(), fixed64: (r) => r.packedFixed64(),
  sfixed64: (r) => r.packedSfixed64(), enum: (r) => r.packedInt32(),
};

const PACKED_WRITE: Record<string, (w: ProtobufWriter, v: never[]) => void> = {
  int32: (w, v) => w.packedInt32(v), uint32: (w, v) => w.packedUint32(v), sint32: (w, v) => w.packedSint32(v),
  int64: (w, v) => w.packedInt64(v), uint64: (w, v) => w.packedUint64(v), sint64: (w, v) => w.packedSint64(v),
  bool: (w, v) => w.packedBool(v), double: (w, v) => w.packedDouble(v), float: (w, v) => w.packedFloat(v),
  fixed32: (w, v) => w.packedFixed32(v), sfixed32: (w, v) => w.packedSfixed32(v), fixed64: (w, v) => w.packedFixed64(v),
  sfixed64: (w, v) => w.packedSfixed64(v), enum: (w, v) => w.packedInt32(v),
};

const wireOf = (t: ValueType): WireType =>
  t.kind === "scalar" ? WIRE[t.type] : t.kind === "enum" ? WireType.VARINT : t.group ? WireType.SGROUP : WireType.LEN;
const packedKey = (t: ValueType) => (t.kind === "scalar" ? t.type : t.kind);

/** The zero of a value type (a message's is `create()`). */
function zeroOf(t: ValueType): unknown {
  if (t.kind === "enum") return 0;
  if (t.kind === "message") return t.type().create();
  switch (t.type) {
    case "bool": return false;
    case "string": return "";
    case "bytes": return new Uint8Array(0);
    case "int64": case "uint64": case "sint64": case "fixed64": case "sfixed64": return 0n;
    default: return 0;
  }
}

function isZero(t: ValueType, v: unknown): boolean {
  if (t.kind === "scalar" && t.type === "bytes") return (v as Uint8Array).length === 0;
  if (t.kind === "scalar" && (t.type === "double" || t.type === "float")) return Object.is(v, 0);
  return v === zeroOf(t);
}

function writeValue(w: ProtobufWriter, no: number, t: ValueType, v: unknown): void {
  if (t.kind === "message") {
    const codec = t.type();
    if (t.group) {
      w.tag(no, WireType.SGROUP);
      codec.encode(w, v);
      w.tag(no, WireType.EGROUP);
    } else {
      w.tag(no, WireType.LEN).fork();
      codec.encode(w, v);
      w.join();
    }
    return;
  }
  w.tag(no, wireOf(t));
  if (t.kind === "enum") w.int32(v as number);
  else (w[t.type] as (x: unknown) => void).call(w, v);
}

function readValue(r: ProtobufReader, t: ValueType, tag: number): unknown {
  if (t.kind === "message") return t.group ? decodeGroup(r, t.type(), tag) : decodeNested(r, t.type());
  if (t.kind === "enum") return r.int32();
  return (r[t.type] as () => unknown).call(r);
}

const known = (t: ValueType, v: unknown) => t.kind !== "enum" || !t.type().closed || t.type().names[v as number] !== undefined;

/** A codec interpreting `fields` (in the order given: generated code writes declaration order). */
export function message<T = Msg>(typeName: string, fields: ProtobufField[]): ProtobufMessageCodec<T> {
  const byNo = new Map(fields.map((f) => [f.no, f]));
  const codec: ProtobufMessageCodec<Msg> = {
    typeName,
    fields,
    create(init?: Partial<Msg>): Msg {
      const m: Msg = {};
      for (const f of fields) {
        if (f.oneof !== undefined) m[f.oneof] = { case: undefined };
        else if (f.type.kind === "map") m[f.localName] = new Map();
        else if (f.repeated) m[f.localName] = [];
        else if (f.required) m[f.localName] = zeroOf(f.type);
        else m[f.localName] = f.presence ? undefined : zeroOf(f.type);
      }
      return { ...m, ...init };
    },
    encode(w: ProtobufWriter, v: Msg): void {
      for (const f of fields) {
        const t = f.type;
        if (t.kind === "map") {
          for (const [k, x] of v[f.localName] as Map<unknown, unknown>) {
            w.tag(f.no, WireType.LEN).fork();
            writeValue(w, 1, { kind: "scalar", type: t.key }, k);
            writeValue(w, 2, t.value, x);
            w.join();
          }
        } else if (f.repeated) {
          const items = v[f.localName] as unknown[];
          if (f.packed) {
            if (items.length > 0) PACKED_WRITE[packedKey(t)]!(w.tag(f.no, WireType.LEN), items as never[]);
          } else {
            for (const x of items) writeValue(w, f.no, t, x);
          }
        } else if (f.oneof !== undefined) {
          const o = v[f.oneof] as { case?: string; value?: unknown };
          if (o.case === f.localName) writeValue(w, f.no, t, o.value);
        } else {
          const x = v[f.localName];
          if (f.required && x === undefined) throw unsetRequired(typeName, f.protoName);
          if (f.presence ? x !== undefined : !isZero(t, x)) writeValue(w, f.no, t, x);
        }
      }
      for (const u of (v.$unknown as Uint8Array[] | undefined) ?? []) w.writeRaw(u);
    },
    decode(r: ProtobufReader): Msg {
      const m = codec.create();
      const seen = new Set<number>();
      const unknown: Uint8Array[] = [];
      while (r.pos < r.end) {
        const start = r.pos;
        const tag = r.tag();
        const f = byNo.get(tag >>> 3);
        const wt = tag & 7;
        const t = f?.type;
        if (f === undefined || t === undefined) {
          r.skip(tag);
          unknown.push(r.raw(start));
        } else if (t.kind === "map") {
          if (wt !== WireType.LEN) { r.skip(tag); unknown.push(r.raw(start)); continue; }
          const outer = r.begin();
          const kt: ValueType = { kind: "scalar", type: t.key };
          let k = zeroOf(kt);
          let x = zeroOf(t.value);
          while (r.pos < r.end) {
            const et = r.tag();
            if (et === ((1 << 3) | wireOf(kt))) k = readValue(r, kt, et);
            else if (et === ((2 << 3) | wireOf(t.value))) x = readValue(r, t.value, et);
            else r.skip(et);
          }
          r.finish(outer);
          (m[f.localName] as Map<unknown, unknown>).set(k, x);
        } else if (f.repeated && wt === WireType.LEN && t.kind !== "message" && PACKED_READ[packedKey(t)]) {
          const items = m[f.localName] as unknown[];
          for (const x of Array.from(PACKED_READ[packedKey(t)]!(r))) items.push(x);
        } else if (wt !== wireOf(t)) {
          r.skip(tag);
          unknown.push(r.raw(start));
        } else {
          const x = readValue(r, t, tag);
          if (!known(t, x)) unknown.push(r.raw(start));
          else if (f.repeated) (m[f.localName] as unknown[]).push(x);
          else if (f.oneof !== undefined) m[f.oneof] = { case: f.localName, value: x };
          else m[f.localName] = x;
          seen.add(f.no);
        }
      }
      for (const f of fields) if (f.required && !seen.has(f.no)) throw missingRequired(typeName, f.protoName, r);
      if (unknown.length > 0) m.$unknown = unknown;
      return m;
    },
  };
  return codec as unknown as ProtobufMessageCodec<T>;
}

/**
 * `value` (a message of `codec`) with every google.protobuf.Any's bytes replaced by the
 * message they hold, decoded (and expanded in turn): two Anys holding the same message are
 * then equal even when their bytes list map entries in different orders.
 */
export function expandAnys(codec: ProtobufMessageCodec<unknown>, value: unknown,
  find: (typeName: string) => ProtobufMessageCodec<unknown> | undefined, decode: (c: ProtobufMessageCodec<unknown>, b: Uint8Array) => unknown): unknown {
  const m = value as Msg;
  if (codec.typeName === "google.protobuf.Any") {
    const url = m.typeUrl as string;
    const inner = find(url.slice(url.lastIndexOf("/") + 1));
    return inner === undefined ? m : { typeUrl: url, message: expandAnys(inner, decode(inner, m.value as Uint8Array), find, decode) };
  }
  const out: Msg = { ...m };
  const one = (t: ValueType, x: unknown) => (t.kind === "message" ? expandAnys(t.type(), x, find, decode) : x);
  for (const f of codec.fields) {
    const t = f.type;
    if (t.kind === "map") {
      out[f.localName] = new Map([...(m[f.localName] as Map<unknown, unknown>)].map(([k, x]) => [k, one(t.value, x)]));
    } else if (f.repeated) {
      out[f.localName] = (m[f.localName] as unknown[]).map((x) => one(t, x));
    } else if (f.oneof !== undefined) {
      const o = m[f.oneof] as { case?: string; value?: unknown };
      if (o.case === f.localName) out[f.oneof] = { case: o.case, value: one(t, o.value) };
    } else if (m[f.localName] !== undefined) {
      out[f.localName] = one(t, m[f.localName]);
    }
  }
  return out;
}
