/**
 * What ProtoJSON needs to know about the well-known types, by full name: which have a JSON
 * form of their own, the scalar each wrapper holds, the FieldMask path conversions, and
 * how to reach the codecs of the types a WKT is built from (through its field table, as
 * generated code describes it).
 */
import { ErrorCode, KitewireError } from "../../../errors.js";
import type { ProtobufMessageCodec, ScalarType } from "../message.js";

export const ANY = "google.protobuf.Any";
export const TIMESTAMP = "google.protobuf.Timestamp";
export const DURATION = "google.protobuf.Duration";
export const FIELD_MASK = "google.protobuf.FieldMask";
export const STRUCT = "google.protobuf.Struct";
export const VALUE = "google.protobuf.Value";
export const LIST_VALUE = "google.protobuf.ListValue";
export const NULL_VALUE = "google.protobuf.NullValue";

/** The wrappers (google/protobuf/wrappers.proto) and the scalar type of their `value`. */
export const WRAPPERS: ReadonlyMap<string, ScalarType> = new Map<string, ScalarType>([
  ["google.protobuf.DoubleValue", "double"],
  ["google.protobuf.FloatValue", "float"],
  ["google.protobuf.Int64Value", "int64"],
  ["google.protobuf.UInt64Value", "uint64"],
  ["google.protobuf.Int32Value", "int32"],
  ["google.protobuf.UInt32Value", "uint32"],
  ["google.protobuf.BoolValue", "bool"],
  ["google.protobuf.StringValue", "string"],
  ["google.protobuf.BytesValue", "bytes"],
]);

const SPECIAL = new Set([ANY, TIMESTAMP, DURATION, FIELD_MASK, STRUCT, VALUE, LIST_VALUE, ...WRAPPERS.keys()]);

/**
 * Whether messages of `typeName` have a JSON form other than an object of their fields (in
 * an Any, such a message goes under "value"). google.protobuf.Empty has not: it is `{}`.
 */
export function hasSpecialJson(typeName: string): boolean {
  return SPECIAL.has(typeName);
}

/**
 * The codec of the message held by field `localName` of `codec` (for a map, its values),
 * e.g. Struct's `fields` gives Value.
 */
export function fieldCodec(codec: ProtobufMessageCodec<unknown>, localName: string): ProtobufMessageCodec<unknown> {
  const field = codec.fields.find((f) => f.localName === localName);
  const t = field?.type.kind === "map" ? field.type.value : field?.type;
  if (t?.kind !== "message") {
    throw new KitewireError(ErrorCode.INVALID_STATE, `${codec.typeName} has no message field ${localName}`);
  }
  return t.type();
}

/**
 * A FieldMask path in JSON: snake_case segments to lowerCamelCase ("user.display_name" to
 * "user.displayName"). Returns undefined when the result would not read back as the same
 * path: an uppercase letter, or an "_" not followed by a lowercase letter.
 */
export function pathToCamel(path: string): string | undefined {
  if (/[A-Z]|_(?![a-z])/.test(path)) return undefined;
  return path.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** A FieldMask path from JSON: lowerCamelCase to snake_case; undefined if it has an "_". */
export function pathToSnake(path: string): string | undefined {
  if (path.includes("_")) return undefined;
  return path.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
