/**
 * One field's values read and written from its field-table type (`FieldType`), for code
 * that works from descriptors rather than generated readers and writers (extensions).
 * Scalars use the same ProtobufReader/ProtobufWriter methods generated code calls, so the
 * bytes are the same.
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import type { FieldType, ScalarType } from "./message.js";
import type { ProtobufReader } from "./reader.js";
import { WireType } from "./wire-type.js";
import type { ProtobufWriter } from "./writer.js";

/** A field's type other than a map: a scalar, an enum or a message. */
export type Element = Exclude<FieldType, { kind: "map" }>;

const SCALAR_WIRE: Record<ScalarType, WireType> = {
  double: WireType.I64, float: WireType.I32, int32: WireType.VARINT, int64: WireType.VARINT, uint32: WireType.VARINT,
  uint64: WireType.VARINT, sint32: WireType.VARINT, sint64: WireType.VARINT, fixed32: WireType.I32, fixed64: WireType.I64,
  sfixed32: WireType.I32, sfixed64: WireType.I64, bool: WireType.VARINT, string: WireType.LEN, bytes: WireType.LEN,
};

/** The wire type one value of `type` is written with. */
export function wireTypeOf(type: Element): WireType {
  if (type.kind === "message") return type.group ? WireType.SGROUP : WireType.LEN;
  return type.kind === "enum" ? WireType.VARINT : SCALAR_WIRE[type.type];
}

/** Whether repeated values of `type` may be packed (numbers, bools and enums). */
export function packable(type: Element): boolean {
  return type.kind === "enum" || (type.kind === "scalar" && type.type !== "string" && type.type !== "bytes");
}

/** Reads one value of scalar type `t` (its tag already read). */
export function readScalar(r: ProtobufReader, t: ScalarType): unknown {
  switch (t) {
    case "double": return r.double();
    case "float": return r.float();
    case "int32": return r.int32();
    case "int64": return r.int64();
    case "uint32": return r.uint32();
    case "uint64": return r.uint64();
    case "sint32": return r.sint32();
    case "sint64": return r.sint64();
    case "fixed32": return r.fixed32();
    case "fixed64": return r.fixed64();
    case "sfixed32": return r.sfixed32();
    case "sfixed64": return r.sfixed64();
    case "bool": return r.bool();
    case "string": return r.string();
    case "bytes": return r.bytes();
  }
}

/** Reads a packed column of `type` (its tag already read): length, then values. */
export function readPacked(r: ProtobufReader, type: Element): Iterable<unknown> {
  switch (type.kind === "enum" ? "int32" : (type as { type: ScalarType }).type) {
    case "double": return r.packedDouble();
    case "float": return r.packedFloat();
    case "int32": return r.packedInt32();
    case "int64": return r.packedInt64();
    case "uint32": return r.packedUint32();
    case "uint64": return r.packedUint64();
    case "sint32": return r.packedSint32();
    case "sint64": return r.packedSint64();
    case "fixed32": return r.packedFixed32();
    case "fixed64": return r.packedFixed64();
    case "sfixed32": return r.packedSfixed32();
    case "sfixed64": return r.packedSfixed64();
    case "bool": return r.packedBool();
    default: throw new KitewireError(ErrorCode.UNKNOWN_TYPE, "string and bytes do not pack");
  }
}

/** Writes one field `no` holding `x`, tag included, as protoc does (a message length-delimited, a group between its tags). */
export function writeValue(w: ProtobufWriter, no: number, type: Element, x: unknown): void {
  if (type.kind === "message") {
    const codec = type.type();
    if (type.group) {
      w.tag(no, WireType.SGROUP);
      codec.encode(w, x);
      w.tag(no, WireType.EGROUP);
    } else {
      w.tag(no, WireType.LEN).fork();
      codec.encode(w, x);
      w.join();
    }
    return;
  }
  w.tag(no, wireTypeOf(type));
  if (type.kind === "enum") w.int32(x as number);
  else writeScalar(w, type.type, x);
}

/** Writes one value of scalar type `t` (its tag already written). */
export function writeScalar(w: ProtobufWriter, t: ScalarType, x: unknown): void {
  switch (t) {
    case "double": w.double(x as number); break;
    case "float": w.float(x as number); break;
    case "int32": w.int32(x as number); break;
    case "int64": w.int64(x as bigint); break;
    case "uint32": w.uint32(x as number); break;
    case "uint64": w.uint64(x as bigint); break;
    case "sint32": w.sint32(x as number); break;
    case "sint64": w.sint64(x as bigint); break;
    case "fixed32": w.fixed32(x as number); break;
    case "fixed64": w.fixed64(x as bigint); break;
    case "sfixed32": w.sfixed32(x as number); break;
    case "sfixed64": w.sfixed64(x as bigint); break;
    case "bool": w.bool(x as boolean); break;
    case "string": w.string(x as string); break;
    case "bytes": w.bytes(x as Uint8Array); break;
  }
}

/** Writes a packed column's length and values (its tag already written). */
export function writePacked(w: ProtobufWriter, type: Element, list: unknown[]): void {
  const numbers = list as number[];
  const bigints = list as bigint[];
  switch (type.kind === "enum" ? "int32" : (type as { type: ScalarType }).type) {
    case "double": w.packedDouble(numbers); break;
    case "float": w.packedFloat(numbers); break;
    case "int32": w.packedInt32(numbers); break;
    case "int64": w.packedInt64(bigints); break;
    case "uint32": w.packedUint32(numbers); break;
    case "uint64": w.packedUint64(bigints); break;
    case "sint32": w.packedSint32(numbers); break;
    case "sint64": w.packedSint64(bigints); break;
    case "fixed32": w.packedFixed32(numbers); break;
    case "fixed64": w.packedFixed64(bigints); break;
    case "sfixed32": w.packedSfixed32(numbers); break;
    case "sfixed64": w.packedSfixed64(bigints); break;
    case "bool": w.packedBool(list as boolean[]); break;
    default: throw new KitewireError(ErrorCode.UNKNOWN_TYPE, "string and bytes do not pack");
  }
}
