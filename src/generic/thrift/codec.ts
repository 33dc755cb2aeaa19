/**
 * Thrift structs encoded and decoded from their descriptors, by the map-generic rules:
 * the values generated code uses (bool, number for byte/i16/i32/double and enums, bigint
 * for i64, string, Uint8Array for binary, string for uuid, arrays for lists, Set, Map,
 * plain objects keyed by field name for structs, `{ case, value }` for unions), so that a
 * value written here gives the bytes generated code gives for it, through the same
 * ThriftWriter and ThriftReader calls.
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import { newList } from "../../codec/list.js";
import { emptyBytes } from "../../codec/slab.js";
import type { ThriftReader, ThriftWriter, UnknownField } from "../../codec/thrift/protocol.js";
import {
  expectElements, expectEntries, missingField, unionOverflow, unsetField, uuidFromBytes, uuidToBytes,
  type ThriftStructCodec,
} from "../../codec/thrift/struct.js";
import { TType } from "../../codec/thrift/types.js";
import type { ThriftFieldDescriptor, ThriftStructDescriptor, ThriftTypeDescriptor } from "./descriptor.js";

/**
 * A declared Thrift exception, as generic calls carry it: its IDL type name, and its
 * fields (map-generic values) as its own properties, as generated exception classes have
 * them (a `message` field is the Error's message). A generic handler throws one to answer
 * with that exception; a generic client's call rejects with one when the server does.
 */
export class ThriftGenericException extends Error {
  [field: string]: unknown;
  declare readonly typeName: string;

  constructor(typeName: string, fields: Record<string, unknown> = {}) {
    super(typeof fields["message"] === "string" ? fields["message"] : "");
    Object.defineProperty(this, "typeName", { value: typeName, enumerable: false });
    Object.assign(this, fields);
  }
}
// On the prototype, so that an exception's own enumerable properties are exactly its fields.
ThriftGenericException.prototype.name = "ThriftGenericException";

/** A struct's or union's codec over map-generic values. */
export function structCodec(desc: ThriftStructDescriptor): ThriftStructCodec<unknown> {
  return {
    get typeName() {
      return desc.name;
    },
    write: (w, v) => writeStruct(w, desc, v as Record<string, unknown>),
    read: (r) => readStruct(r, desc),
  };
}

/**
 * An exception's codec: reads give a `ThriftGenericException`, writes take any object
 * with the fields (a generated exception too). It is also what a Thrift service table lists as the exception's
 * class: `instanceof` it is true of a `ThriftGenericException` of its type name.
 */
export function exceptionCodec(desc: ThriftStructDescriptor): ThriftStructCodec<unknown> {
  const codec = {
    get typeName() {
      return desc.name;
    },
    write: (w: ThriftWriter, v: unknown) => writeStruct(w, desc, v as Record<string, unknown>),
    read: (r: ThriftReader) => new ThriftGenericException(desc.name, readStruct(r, desc) as Record<string, unknown>),
    [Symbol.hasInstance]: (x: unknown) => x instanceof ThriftGenericException && x.typeName === desc.name,
  };
  return codec;
}

/** The wire type of a descriptor type. */
export function ttypeOf(t: ThriftTypeDescriptor): TType {
  switch (t.kind) {
    case "bool": return TType.BOOL;
    case "byte": return TType.BYTE;
    case "i16": return TType.I16;
    case "i32": case "enum": return TType.I32;
    case "i64": return TType.I64;
    case "double": return TType.DOUBLE;
    case "string": case "binary": return TType.STRING;
    case "uuid": return TType.UUID;
    case "list": return TType.LIST;
    case "set": return TType.SET;
    case "map": return TType.MAP;
    case "struct": return TType.STRUCT;
  }
}

function writeStruct(w: ThriftWriter, desc: ThriftStructDescriptor, v: Record<string, unknown>): void {
  if (typeof v !== "object" || v === null) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `${desc.name}: expected an object, got ${typeof v}`);
  }
  w.writeStructBegin();
  if (desc.kind === "union") {
    const c = v["case"];
    if (c !== undefined) {
      const f = desc.fields.find((x) => x.name === c);
      if (f === undefined) throw new KitewireError(ErrorCode.INVALID_VALUE, `union ${desc.name} has no field '${String(c)}'`);
      w.writeFieldBegin(ttypeOf(f.type), f.id);
      writeValue(w, f.type, v["value"]);
    }
  } else {
    for (const f of desc.fields) {
      const x = v[f.name];
      if (x === undefined) {
        if (f.requiredness === "required") throw unsetField(desc.name, f.name);
        continue;
      }
      w.writeFieldBegin(ttypeOf(f.type), f.id);
      writeValue(w, f.type, x);
    }
  }
  const unknown = v["$unknown"] as UnknownField[] | undefined;
  if (unknown !== undefined) w.writeUnknown(unknown);
  w.writeFieldStop();
  w.writeStructEnd();
}

function writeValue(w: ThriftWriter, t: ThriftTypeDescriptor, x: unknown): void {
  switch (t.kind) {
    case "bool": return w.writeBool(x as boolean);
    case "byte": return w.writeByte(x as number);
    case "i16": return w.writeI16(x as number);
    case "i32": case "enum": return w.writeI32(x as number);
    case "i64": return w.writeI64(x as bigint);
    case "double": return w.writeDouble(x as number);
    case "string": return w.writeString(x as string);
    case "binary": return w.writeBinary(x as Uint8Array);
    case "uuid": return w.writeUuid(uuidToBytes(x as string));
    case "list": {
      const list = x as unknown[];
      w.writeListBegin(ttypeOf(t.element), list.length);
      for (const e of list) writeValue(w, t.element, e);
      return;
    }
    case "set": {
      const set = x as Set<unknown>;
      w.writeSetBegin(ttypeOf(t.element), set.size);
      for (const e of set) writeValue(w, t.element, e);
      return;
    }
    case "map": {
      const map = x as Map<unknown, unknown>;
      w.writeMapBegin(ttypeOf(t.key), ttypeOf(t.value), map.size);
      for (const [k, e] of map) {
        writeValue(w, t.key, k);
        writeValue(w, t.value, e);
      }
      return;
    }
    case "struct": return t.struct.codec.write(w, x);
  }
}

/** The value an absent field reads as: its IDL default, else the type's zero (nothing for optional fields and structs). */
export function absentValue(f: ThriftFieldDescriptor): unknown {
  if (f.default !== undefined) return typeof f.default === "object" ? structuredClone(f.default) : f.default;
  return f.requiredness === "optional" ? undefined : zeroValue(f.type);
}

/** The zero value of a type (undefined for structs), as generated `create()` gives it. */
export function zeroValue(t: ThriftTypeDescriptor): unknown {
  switch (t.kind) {
    case "bool": return false;
    case "byte": case "i16": case "i32": case "double": case "enum": return 0;
    case "i64": return 0n;
    case "string": return "";
    case "binary": return emptyBytes();
    case "uuid": return "00000000-0000-0000-0000-000000000000";
    case "list": return [];
    case "set": return new Set();
    case "map": return new Map();
    case "struct": return undefined;
  }
}

function readStruct(r: ThriftReader, desc: ThriftStructDescriptor): unknown {
  const union = desc.kind === "union";
  const out: Record<string, unknown> = union ? { case: undefined } : {};
  const seen = new Set<number>();
  let unknown: UnknownField[] | undefined;
  r.readStructBegin();
  for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
    const f = fieldById(desc, r.fieldId);
    if (f !== undefined && t === ttypeOf(f.type)) {
      const value = readValue(r, f.type);
      if (union) {
        if (out["case"] !== undefined) throw unionOverflow(desc.name, r);
        out["case"] = f.name;
        out["value"] = value;
      } else {
        out[f.name] = value;
      }
      seen.add(f.id);
      continue;
    }
    if (r.keepUnknown) (unknown ??= []).push(r.readUnknown(t));
    else r.skip(t);
  }
  r.readStructEnd();
  if (!union) {
    for (const f of desc.fields) {
      if (seen.has(f.id)) continue;
      if (f.requiredness === "required") throw missingField(desc.name, f.name, r);
      out[f.name] = absentValue(f);
    }
  }
  if (unknown !== undefined) out["$unknown"] = unknown;
  return out;
}

function fieldById(desc: ThriftStructDescriptor, id: number): ThriftFieldDescriptor | undefined {
  for (const f of desc.fields) if (f.id === id) return f;
  return undefined;
}

function readValue(r: ThriftReader, t: ThriftTypeDescriptor): unknown {
  switch (t.kind) {
    case "bool": return r.readBool();
    case "byte": return r.readByte();
    case "i16": return r.readI16();
    case "i32": case "enum": return r.readI32();
    case "i64": return r.readI64();
    case "double": return r.readDouble();
    case "string": return r.readString();
    case "binary": return r.readBinary();
    case "uuid": return uuidFromBytes(r.readUuid());
    case "list": {
      const n = r.readListBegin();
      expectElements(r, n, ttypeOf(t.element));
      const list: unknown[] = newList(n);
      for (let i = 0; i < n; i++) list[i] = readValue(r, t.element);
      r.readContainerEnd();
      return list;
    }
    case "set": {
      const n = r.readSetBegin();
      expectElements(r, n, ttypeOf(t.element));
      const set = new Set<unknown>();
      for (let i = 0; i < n; i++) set.add(readValue(r, t.element));
      r.readContainerEnd();
      return set;
    }
    case "map": {
      const n = r.readMapBegin();
      expectEntries(r, n, ttypeOf(t.key), ttypeOf(t.value));
      const map = new Map<unknown, unknown>();
      for (let i = 0; i < n; i++) {
        const k = readValue(r, t.key);
        map.set(k, readValue(r, t.value));
      }
      r.readContainerEnd();
      return map;
    }
    case "struct": return t.struct.codec.read(r);
  }
}
