/**
 * Field defaults. A message leaves a field with presence `undefined` while it is absent, so
 * that absence stays visible; these give the value a reader of the field sees then.
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import { emptyBytes } from "../slab.js";
import type { FieldType, ProtobufField, ProtobufMessageCodec } from "./message.js";

/**
 * The value a singular `field` of `type` has when absent: its proto2 `[default = ...]`,
 * else the type's zero (0, 0n, false, "", empty bytes, the first enum value, an empty
 * message). Each call returns a new value where it could be changed (bytes, messages).
 */
export function defaultOf(field: ProtobufField, type: FieldType = field.type): unknown {
  if (field.defaultValue instanceof Uint8Array) return field.defaultValue.slice();
  if (field.defaultValue !== undefined) return field.defaultValue;
  switch (type.kind) {
    case "enum":
      return Object.values(type.type().values)[0] ?? 0;
    case "message":
      return type.type().create();
    case "map":
      return new Map();
    case "scalar":
      switch (type.type) {
        case "int64": case "uint64": case "sint64": case "fixed64": case "sfixed64": return 0n;
        case "bool": return false;
        case "string": return "";
        case "bytes": return emptyBytes();
        default: return 0;
      }
  }
}

/**
 * `message[name]`, or when it is absent (`undefined`) the field's default (`defaultOf`;
 * `[]` for a repeated field): what protobuf's generated getters return in other languages.
 * Throws INVALID_VALUE when `name` is not a field of `codec` outside any oneof.
 *
 * @example valueOrDefault(Record$, record, "name") // "unnamed" while name is unset
 */
export function valueOrDefault<T, K extends keyof T & string>(codec: ProtobufMessageCodec<T>, message: T, name: K): NonNullable<T[K]> {
  const value = message[name];
  if (value !== undefined && value !== null) return value as NonNullable<T[K]>;
  const field = codec.fields.find((f) => f.localName === name && f.oneof === undefined);
  if (field === undefined) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `${codec.typeName} has no field '${name}' outside a oneof`);
  }
  return (field.repeated ? [] : defaultOf(field)) as NonNullable<T[K]>;
}
