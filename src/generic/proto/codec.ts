/**
 * A Protobuf message codec driven by a field table (`ProtobufField[]`, the table generated
 * codecs carry), for messages known only at run time. Values have the shape generated
 * code gives them (fields by their TypeScript name, oneofs as `{ case, value }`, int64
 * kinds as bigint, bytes as Uint8Array, maps as Map, unknown fields in `$unknown`), and
 * the bytes are those generated code writes and accepts: fields in number order, proto3
 * defaults left out, packed where declared, closed-enum strangers kept as unknown fields,
 * a repeated message field merged when it comes twice.
 */
import { emptyBytes } from "../../codec/slab.js";
import { packable, readPacked, readScalar, wireTypeOf, writePacked, writeValue, type Element } from "../../codec/protobuf/field-io.js";
import {
  decodeGroup, decodeNested, missingRequired, unknownVarint, unsetRequired,
  type ProtobufField, type ProtobufMessageCodec, type ScalarType,
} from "../../codec/protobuf/message.js";
import type { ProtobufReader } from "../../codec/protobuf/reader.js";
import { WireType } from "../../codec/protobuf/wire-type.js";
import type { ProtobufWriter } from "../../codec/protobuf/writer.js";

type Message = Record<string, unknown> & { $unknown?: Uint8Array[] };

/** Makes the codec of message `typeName` from its field table (declaration order). */
export function tableCodec(typeName: string, fields: readonly ProtobufField[]): ProtobufMessageCodec<Message> {
  const byNumber = new Map<number, ProtobufField>();
  for (const f of fields) byNumber.set(f.no, f);
  const inNumberOrder = [...fields].sort((a, b) => a.no - b.no);
  const oneofs = [...new Set(fields.flatMap((f) => (f.oneof === undefined ? [] : [f.oneof])))];
  const required = fields.filter((f) => f.required);

  const create = (init?: Partial<Message>): Message => {
    const v: Message = {};
    for (const f of fields) if (f.oneof === undefined) v[f.localName] = initial(f);
    for (const o of oneofs) v[o] = { case: undefined };
    return Object.assign(v, init);
  };

  return {
    typeName,
    fields,
    create,
    encode(w, v) {
      for (const f of inNumberOrder) encodeField(w, f, v, typeName);
      if (v.$unknown !== undefined) for (const u of v.$unknown) w.writeRaw(u);
    },
    decode(r, into) {
      const v = into === undefined ? create() : { ...into };
      const seen = required.length > 0 ? new Set<number>(into === undefined ? [] : required.map((f) => f.no)) : undefined;
      let unknown = v.$unknown;
      while (r.pos < r.end) {
        const start = r.pos;
        const tag = r.tag();
        const f = byNumber.get(tag >>> 3);
        if (f === undefined || !decodeField(r, f, tag, start, v, (u) => (unknown ??= []).push(u))) {
          r.skip(tag);
          (unknown ??= []).push(r.raw(start));
          continue;
        }
        seen?.add(f.no);
      }
      for (const f of required) if (!seen!.has(f.no)) throw missingRequired(typeName, f.protoName, r);
      if (unknown !== undefined) v.$unknown = unknown;
      return v;
    },
  };
}

/** Whether a field is absent-able in the generated TypeScript (`x?:`). */
function isOptional(f: ProtobufField): boolean {
  return f.presence && !f.required && !f.repeated;
}

function initial(f: ProtobufField): unknown {
  if (f.type.kind === "map") return new Map();
  if (f.repeated) return [];
  if (isOptional(f)) return undefined;
  return zero(f.type);
}

/** The zero of one value of `type`, as generated decoders start from. */
function zero(type: Element): unknown {
  if (type.kind === "message") return type.type().create();
  if (type.kind === "enum") return 0;
  return scalarZero(type.type);
}

function scalarZero(t: ScalarType): unknown {
  switch (t) {
    case "int64": case "uint64": case "sint64": case "fixed64": case "sfixed64": return 0n;
    case "bool": return false;
    case "string": return "";
    case "bytes": return emptyBytes();
    default: return 0;
  }
}

/** Whether an implicit-presence (proto3) value differs from its default, as generated encoders test it. */
function nonDefault(type: Element, x: unknown): boolean {
  if (type.kind !== "scalar") return x !== 0;
  switch (type.type) {
    case "bytes": return (x as Uint8Array).length !== 0;
    case "double": case "float": return x !== 0 || Object.is(x, -0);
    default: return x !== scalarZero(type.type);
  }
}

function encodeField(w: ProtobufWriter, f: ProtobufField, v: Message, typeName: string): void {
  const type = f.type;
  if (type.kind === "map") {
    const key: Element = { kind: "scalar", type: type.key };
    for (const [k, x] of v[f.localName] as Map<unknown, unknown>) {
      w.tag(f.no, WireType.LEN).fork();
      writeValue(w, 1, key, k);
      writeValue(w, 2, type.value, x);
      w.join();
    }
    return;
  }
  if (f.repeated) {
    const list = v[f.localName] as unknown[];
    if (f.packed && packable(type)) {
      if (list.length > 0) {
        w.tag(f.no, WireType.LEN);
        writePacked(w, type, list);
      }
    } else {
      for (const x of list) writeValue(w, f.no, type, x);
    }
    return;
  }
  if (f.oneof !== undefined) {
    const o = v[f.oneof] as { case?: string; value?: unknown };
    if (o.case === f.localName) writeValue(w, f.no, type, o.value);
    return;
  }
  const x = v[f.localName];
  if (f.required) {
    if (x === undefined) throw unsetRequired(typeName, f.protoName);
    writeValue(w, f.no, type, x);
  } else if (f.presence ? x !== undefined : nonDefault(type, x)) {
    writeValue(w, f.no, type, x);
  }
}

/** Whether a closed enum lacks number `x`. */
function undeclared(type: Element, x: number): boolean {
  if (type.kind !== "enum") return false;
  const info = type.type();
  return info.closed && info.names[x] === undefined;
}

/**
 * Reads field `f` (its tag read, `start` where the tag began) into `v`; returns false when
 * the wire type is not one the field takes (the caller keeps it as an unknown field).
 */
function decodeField(
  r: ProtobufReader, f: ProtobufField, tag: number, start: number, v: Message, keep: (bytes: Uint8Array) => void,
): boolean {
  const wt = tag & 7;
  const type = f.type;
  if (type.kind === "map") {
    if (wt !== WireType.LEN) return false;
    const outer = r.begin();
    const keyType: Element = { kind: "scalar", type: type.key };
    const keyTag = (1 << 3) | wireTypeOf(keyType);
    const valueTag = (2 << 3) | wireTypeOf(type.value);
    let k = scalarZero(type.key);
    let x = zero(type.value);
    while (r.pos < r.end) {
      const t = r.tag();
      if (t === keyTag) k = readScalar(r, type.key);
      else if (t === valueTag) x = readOne(r, type.value, t, x);
      else r.skip(t);
    }
    r.finish(outer);
    if (undeclared(type.value, x as number)) keep(r.raw(start));
    else (v[f.localName] as Map<unknown, unknown>).set(k, x);
    return true;
  }
  if (f.repeated) {
    const list = v[f.localName] as unknown[];
    if (wt === WireType.LEN && packable(type)) {
      for (const x of readPacked(r, type)) {
        if (undeclared(type, x as number)) keep(unknownVarint(f.no, x as number));
        else list.push(x);
      }
      return true;
    }
    if (wt !== wireTypeOf(type)) return false;
    const x = readOne(r, type, tag, undefined);
    if (undeclared(type, x as number)) keep(r.raw(start));
    else list.push(x);
    return true;
  }
  if (wt !== wireTypeOf(type)) return false;
  if (f.oneof !== undefined) {
    const o = v[f.oneof] as { case?: string; value?: unknown };
    const x = readOne(r, type, tag, o.case === f.localName ? o.value : undefined);
    if (undeclared(type, x as number)) keep(r.raw(start));
    else v[f.oneof] = { case: f.localName, value: x };
    return true;
  }
  const x = readOne(r, type, tag, v[f.localName]);
  if (undeclared(type, x as number)) keep(r.raw(start));
  else v[f.localName] = x;
  return true;
}

/** Reads one value of `type`; a message merges into `into` when given. */
function readOne(r: ProtobufReader, type: Element, tag: number, into: unknown): unknown {
  if (type.kind === "message") {
    const codec = type.type();
    return type.group ? decodeGroup(r, codec, tag, into ?? undefined) : decodeNested(r, codec, into ?? undefined);
  }
  if (type.kind === "enum") return r.int32();
  return readScalar(r, type.type);
}
