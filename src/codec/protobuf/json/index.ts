/**
 * ProtoJSON: the canonical JSON mapping of Protobuf messages
 * (https://protobuf.dev/programming-guides/json/), driven by the field tables of generated
 * codecs, including the well-known types' own JSON forms.
 */
export { toJson, toJsonString } from "./to-json.js";
export { fromJson, fromJsonString } from "./from-json.js";
export { createTypeRegistry, type AnyProtobufExtension, type TypeRegistry } from "./registry.js";
export type { JsonValue, JsonObject, JsonWriteOptions, JsonStringWriteOptions, JsonReadOptions } from "./types.js";
