/**
 * Hand-written codecs for the ProtoJSON tests: the well-known types (shaped as kitewire's
 * generator emits them) and the messages of tests/peers/proto/kitewire/json/{test,legacy}.proto,
 * which the Python peer test compiles with protoc; field for field the same schema (the
 * peer test checks it against the descriptors protoc made).
 */
import type { ProtobufMessageCodec } from "kitewire";
import { enumInfo, enumOf, field, mapOf, message, messageOf, scalar } from "./protobuf-reflect.js";

type Codec = ProtobufMessageCodec<unknown>;
const S = scalar;

// ---- google.protobuf ----

export const NullValue = enumInfo("google.protobuf.NullValue", { NULL_VALUE: 0 });
export const Timestamp = message("google.protobuf.Timestamp", [field(1, "seconds", S("int64")), field(2, "nanos", S("int32"))]);
export const Duration = message("google.protobuf.Duration", [field(1, "seconds", S("int64")), field(2, "nanos", S("int32"))]);
export const FieldMask = message("google.protobuf.FieldMask", [field(1, "paths", S("string"), { repeated: true })]);
export const Empty = message("google.protobuf.Empty", []);
export const Any = message("google.protobuf.Any", [field(1, "type_url", S("string")), field(2, "value", S("bytes"))]);
export const Struct: Codec = message("google.protobuf.Struct", [field(1, "fields", mapOf("string", messageOf(() => Value)))]);
export const ListValue: Codec = message("google.protobuf.ListValue", [
  field(1, "values", messageOf(() => Value), { repeated: true }),
]);
export const Value: Codec = message("google.protobuf.Value", [
  field(1, "null_value", enumOf(() => NullValue), { oneof: "kind" }),
  field(2, "number_value", S("double"), { oneof: "kind" }),
  field(3, "string_value", S("string"), { oneof: "kind" }),
  field(4, "bool_value", S("bool"), { oneof: "kind" }),
  field(5, "struct_value", messageOf(() => Struct), { oneof: "kind" }),
  field(6, "list_value", messageOf(() => ListValue), { oneof: "kind" }),
]);
const wrapper = (name: string, type: Parameters<typeof S>[0]) => message(`google.protobuf.${name}`, [field(1, "value", S(type))]);
export const DoubleValue = wrapper("DoubleValue", "double");
export const FloatValue = wrapper("FloatValue", "float");
export const Int64Value = wrapper("Int64Value", "int64");
export const UInt64Value = wrapper("UInt64Value", "uint64");
export const Int32Value = wrapper("Int32Value", "int32");
export const UInt32Value = wrapper("UInt32Value", "uint32");
export const BoolValue = wrapper("BoolValue", "bool");
export const StringValue = wrapper("StringValue", "string");
export const BytesValue = wrapper("BytesValue", "bytes");
export const WRAPPERS = [DoubleValue, FloatValue, Int64Value, UInt64Value, Int32Value, UInt32Value, BoolValue, StringValue, BytesValue];

// ---- kitewire.json (proto3) ----

/** Open; negative values and an alias (COLOR_CRIMSON = COLOR_RED). */
export const Color = enumInfo("kitewire.json.Color", {
  COLOR_UNSPECIFIED: 0, COLOR_RED: 1, COLOR_GREEN: 2, COLOR_NEGATIVE: -5, COLOR_CRIMSON: 1,
});

export const SCALAR_TYPES = [
  "double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64",
  "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes",
] as const;

/** Each scalar type singular (1-15), `optional` (16-30) and repeated (31-45), and an unpacked repeated int32. */
export const Scalars = message("kitewire.json.Scalars", [
  ...SCALAR_TYPES.map((t, i) => field(1 + i, `f_${t}`, S(t))),
  ...SCALAR_TYPES.map((t, i) => field(16 + i, `o_${t}`, S(t), { presence: true })),
  ...SCALAR_TYPES.map((t, i) => field(31 + i, `r_${t}`, S(t), { repeated: true })),
  field(46, "r_unpacked", S("int32"), { repeated: true, packed: false }),
]);

export const Nested: Codec = message("kitewire.json.Nested", [
  field(1, "a", S("int32")),
  field(2, "child", messageOf(() => Nested)),
  field(3, "children", messageOf(() => Nested), { repeated: true }),
  field(4, "note", S("string")),
  field(5, "color", enumOf(() => Color)),
]);

const KEY_TYPES = ["int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string"] as const;

/** Every key type (1-12), and string keys to messages, enums, bytes, doubles, Values, Durations. */
export const Maps = message("kitewire.json.Maps", [
  ...KEY_TYPES.map((k, i) => field(1 + i, `${k}_key`, mapOf(k, S("string")))),
  field(13, "message_value", mapOf("string", messageOf(() => Nested))),
  field(14, "enum_value", mapOf("string", enumOf(() => Color))),
  field(15, "bytes_value", mapOf("string", S("bytes"))),
  field(16, "double_value", mapOf("string", S("double"))),
  field(17, "value_value", mapOf("string", messageOf(() => Value))),
  field(18, "duration_value", mapOf("int64", messageOf(() => Duration))),
]);

export const Oneofs = message("kitewire.json.Oneofs", [
  field(1, "c_int32", S("int32"), { oneof: "choice" }),
  field(2, "c_string", S("string"), { oneof: "choice" }),
  field(3, "c_nested", messageOf(() => Nested), { oneof: "choice" }),
  field(4, "c_color", enumOf(() => Color), { oneof: "choice" }),
  field(5, "c_bytes", S("bytes"), { oneof: "choice" }),
  field(6, "c_null", enumOf(() => NullValue), { oneof: "choice" }),
  field(7, "c_value", messageOf(() => Value), { oneof: "choice" }),
  field(8, "c_double", S("double"), { oneof: "choice" }),
  field(9, "o_int64", S("int64"), { oneof: "other" }),
  field(10, "o_time", messageOf(() => Timestamp), { oneof: "other" }),
  field(11, "plain", S("int32")),
]);

export const Enums = message("kitewire.json.Enums", [
  field(1, "color", enumOf(() => Color)),
  field(2, "colors", enumOf(() => Color), { repeated: true }),
  field(3, "maybe", enumOf(() => Color), { presence: true }),
  field(4, "null_value", enumOf(() => NullValue)),
]);

export const Wkts = message("kitewire.json.Wkts", [
  field(1, "timestamp", messageOf(() => Timestamp)),
  field(2, "duration", messageOf(() => Duration)),
  field(3, "any", messageOf(() => Any)),
  field(4, "struct", messageOf(() => Struct)),
  field(5, "value", messageOf(() => Value)),
  field(6, "list_value", messageOf(() => ListValue)),
  field(7, "field_mask", messageOf(() => FieldMask)),
  field(8, "empty", messageOf(() => Empty)),
  ...WRAPPERS.map((w, i) => field(9 + i, `${w.typeName.slice(16).replace(/Value$/, "").toLowerCase()}_wrapper`, messageOf(() => w))),
  field(18, "timestamps", messageOf(() => Timestamp), { repeated: true }),
  field(19, "anys", messageOf(() => Any), { repeated: true }),
  field(20, "values", messageOf(() => Value), { repeated: true }),
  field(21, "int32_wrappers", messageOf(() => Int32Value), { repeated: true }),
  field(22, "durations", messageOf(() => Duration), { repeated: true }),
]);

/** Field names in the shapes the conformance suite uses, and a json_name option. */
export const Names = message("kitewire.json.Names", [
  "fieldname1", "field_name2", "_field_name3", "field__name4_", "field0name5", "field_0_name6", "fieldName7",
  "FieldName8", "field_Name9", "Field_Name10", "FIELD_NAME11", "FIELD_name12", "__field_name13", "__Field_name14",
  "field__name15", "field__Name16", "field_name17__", "Field_name18__",
].map((name, i) => field(1 + i, name, S("int32"), { localName: `f${i + 1}` })).concat([
  field(19, "custom", S("int32"), { jsonName: "renamed" }),
]));

// ---- kitewire.legacy (proto2) ----

/** Closed. */
export const Level = enumInfo("kitewire.legacy.Level", { LEVEL_LOW: 1, LEVEL_HIGH: 2 }, true);

export const LegacyExtra = message("kitewire.legacy.Legacy.Extra", [field(7, "depth", S("int32"), { presence: true })]);

export const Legacy: Codec = message("kitewire.legacy.Legacy", [
  field(1, "id", S("int32"), { required: true }),
  field(2, "name", S("string"), { presence: true, defaultValue: "anon" }),
  field(3, "level", enumOf(() => Level), { presence: true }),
  field(4, "levels", enumOf(() => Level), { repeated: true, packed: false }),
  field(5, "big", S("int64"), { presence: true }),
  field(6, "extra", messageOf(() => LegacyExtra, true)),
  field(8, "numbers", S("int32"), { repeated: true, packed: false }),
  field(9, "blob", S("bytes"), { presence: true }),
  field(10, "blobs", mapOf("int32", S("bytes"))),
  field(11, "child", messageOf(() => Legacy)),
]);

/** Every test message, for registries and the peer test. */
export const TEST_MESSAGES: Codec[] = [Scalars, Nested, Maps, Oneofs, Enums, Wkts, Names, Legacy];

/** Every well-known type codec. */
export const WKT_MESSAGES: Codec[] = [Timestamp, Duration, FieldMask, Empty, Any, Struct, ListValue, Value, ...WRAPPERS];
