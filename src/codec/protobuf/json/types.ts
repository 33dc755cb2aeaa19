/** The JSON values ProtoJSON produces and accepts, and the options of both directions. */
import type { TypeRegistry } from "./registry.js";

/** A JSON value as `JSON.parse` returns it. */
export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;

/** A JSON object. */
export interface JsonObject {
  [key: string]: JsonValue;
}

/** Options of `toJson` and `toJsonString`. */
export interface JsonWriteOptions {
  /**
   * Also print fields without presence that hold their default: proto3 scalars and enums
   * that are 0, "", false or empty, and empty repeated and map fields (protobuf's
   * `always_print_fields_with_no_presence`). Fields with presence (messages, `optional`,
   * proto2 scalars, oneof members) are printed only when set, whatever this says.
   * Default false.
   */
  emitDefaults?: boolean;
  /** Use the .proto field names (`created_at`) instead of the JSON names (`createdAt`). Default false. */
  useProtoNames?: boolean;
  /** Print enum values as numbers instead of names. Default false. */
  enumAsInteger?: boolean;
  /**
   * Where `google.protobuf.Any` finds the codec of the message it holds, and which
   * extensions are printed (as `"[full.name]"`, when the message holds them).
   */
  typeRegistry?: TypeRegistry;
  /** Deepest nesting of messages printed (cycles and runaway values stop here). Default 100. */
  maxDepth?: number;
}

/** Options of `toJsonString`. */
export interface JsonStringWriteOptions extends JsonWriteOptions {
  /** Indent nested lines by this many spaces; 0 (the default) prints one line. */
  indent?: number;
}

/** Options of `fromJson` and `fromJsonString`. */
export interface JsonReadOptions {
  /**
   * Skip object keys that name no field, and enum names the enum does not have (the
   * field, element or map entry is then left out), instead of failing. Default false.
   */
  ignoreUnknownFields?: boolean;
  /**
   * Where `google.protobuf.Any` finds the codec of the message its `@type` names, and the
   * extensions `"[full.name]"` keys may set.
   */
  typeRegistry?: TypeRegistry;
  /** Deepest nesting of messages (and of `google.protobuf.Value`s) accepted. Default 100. */
  maxDepth?: number;
}

/** Default of `maxDepth`: what protobuf's own JSON parsers allow. */
export const DEFAULT_MAX_DEPTH = 100;
