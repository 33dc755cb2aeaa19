/**
 * Messages from ProtoJSON. A field is found by its JSON name or its .proto name (once: both
 * at once is an error, as are two members of one oneof); `null` leaves a field unset
 * (except where null is a value: google.protobuf.Value and NullValue); unknown keys and
 * enum names fail unless `ignoreUnknownFields`. A `"[full.name]"` key sets the extension
 * of that name if the typeRegistry has it, and is an unknown key if not.
 */
import { ErrorCode } from "../../../errors.js";
import { setExtension, type ProtobufExtension } from "../extension.js";
import type { FieldType, ProtobufEnumInfo, ProtobufField, ProtobufMessageCodec } from "../message.js";
import { describe, hasOwn, isObject, JsonContext } from "./context.js";
import { mapKeyFromJson, scalarFromJson } from "./scalars.js";
import { parseJsonText } from "./text.js";
import { DEFAULT_MAX_DEPTH, type JsonReadOptions, type JsonValue } from "./types.js";
import { NULL_VALUE, VALUE } from "./wkt.js";
import { NOT_SPECIAL, wktFromJson } from "./wkt-read.js";

type ValueType = Exclude<FieldType, { kind: "map" }>;
/** A message as the extension functions see it: its kept unknown fields are where extension values are. */
type Extendable = { $unknown?: Uint8Array[] };
type ExtensionOf = ProtobufExtension<Extendable, unknown>;

/** What a value reads as when it leaves its field, element or entry out (null, an ignored enum name). */
export const ABSENT: unique symbol = Symbol("absent");

const fieldsByKey = new WeakMap<ProtobufMessageCodec<unknown>, ReadonlyMap<string, ProtobufField>>();

/** The fields of `codec` by JSON name and by .proto name. */
function keyTable(codec: ProtobufMessageCodec<unknown>): ReadonlyMap<string, ProtobufField> {
  let table = fieldsByKey.get(codec);
  if (table === undefined) {
    const t = new Map<string, ProtobufField>();
    for (const f of codec.fields) t.set(f.jsonName, f).set(f.protoName, f);
    fieldsByKey.set(codec, (table = t));
  }
  return table;
}

/** Whether `key` has the form of an extension's key, `"[full.name]"`. */
function isExtensionKey(key: string): boolean {
  return key.length > 2 && key.startsWith("[") && key.endsWith("]");
}

/** Whether JSON null is a value of type `t` rather than "unset". */
function nullIsValue(t: ValueType): boolean {
  return (t.kind === "message" && t.type().typeName === VALUE) || (t.kind === "enum" && t.type().typeName === NULL_VALUE);
}

/** One `fromJson` call: its options and where it is in the JSON. */
export class JsonReader extends JsonContext {
  readonly ignoreUnknownFields: boolean;

  constructor(options: JsonReadOptions) {
    super(options.maxDepth ?? DEFAULT_MAX_DEPTH, options.typeRegistry);
    this.ignoreUnknownFields = options.ignoreUnknownFields === true;
  }

  /** A message from its JSON form (an object, or a well-known type's own form). */
  message(codec: ProtobufMessageCodec<unknown>, json: JsonValue): unknown {
    this.enter(codec.typeName);
    let msg = wktFromJson(this, codec, json);
    if (msg === NOT_SPECIAL) msg = this.fields(codec, json, false);
    this.leave();
    return msg;
  }

  /** A message from an object of its fields (in an Any, next to an "@type" key, which `inAny` skips). */
  fields(codec: ProtobufMessageCodec<unknown>, json: JsonValue, inAny: boolean): unknown {
    if (!isObject(json)) throw this.error(`expected a JSON object for ${codec.typeName}, got ${describe(json)}`);
    const table = keyTable(codec);
    const msg = codec.create() as Record<string, unknown>;
    const keyOf = new Map<ProtobufField, string>(); // field -> the key that gave it
    const oneofs = new Map<string, string>(); // oneof -> the key that set it
    const set = new Set<ProtobufField>();
    for (const key of Object.keys(json)) {
      const field = table.get(key);
      if (field === undefined) {
        if (isExtensionKey(key) && this.extension(codec, msg, key, json[key]!)) continue;
        if (this.ignoreUnknownFields || (inAny && key === "@type")) continue;
        this.push(key);
        const hint = isExtensionKey(key) ? " (and the typeRegistry has no extension of that name)" : "";
        throw this.error(`${codec.typeName} has no field named ${JSON.stringify(key)}${hint}`);
      }
      this.push(key);
      const prior = keyOf.get(field);
      if (prior !== undefined) throw this.error(`field ${field.protoName} is given twice (also as ${JSON.stringify(prior)})`);
      keyOf.set(field, key);
      const value = this.field(field, json[key]!);
      if (value !== ABSENT) {
        set.add(field);
        if (field.oneof === undefined) {
          msg[field.localName] = value;
        } else {
          const other = oneofs.get(field.oneof);
          if (other !== undefined) throw this.error(`oneof ${field.oneof} is already set by ${JSON.stringify(other)}`);
          oneofs.set(field.oneof, key);
          msg[field.oneof] = { case: field.localName, value };
        }
      }
      this.pop();
    }
    for (const field of codec.fields) {
      if (field.required && !set.has(field)) {
        throw this.error(`required field ${field.protoName} of ${codec.typeName} is missing`, ErrorCode.MISSING_FIELD);
      }
    }
    return msg;
  }

  /**
   * Sets the extension a `"[full.name]"` key names in `msg`, from `json`; false if the
   * typeRegistry has no such extension (the key is then an unknown field). An extension
   * of another message type is an error even with `ignoreUnknownFields`: the name is
   * known, so the JSON is wrong, not newer than the schema.
   */
  private extension(codec: ProtobufMessageCodec<unknown>, msg: object, key: string, json: JsonValue): boolean {
    const ext = this.findExtension(key.slice(1, -1));
    if (ext === undefined) return false;
    this.push(key);
    if (ext.extendee.typeName !== codec.typeName) {
      throw this.error(`extension ${ext.typeName} extends ${ext.extendee.typeName}, not ${codec.typeName}`);
    }
    const value = this.field(ext.field, json);
    if (value !== ABSENT) {
      this.guard(`cannot set extension ${ext.typeName}`, () => setExtension(msg as Extendable, ext as ExtensionOf, value));
    }
    this.pop();
    return true;
  }

  /** A field's value from its JSON, or ABSENT to leave the field as `create()` made it. */
  private field(field: ProtobufField, json: JsonValue): unknown {
    const t = field.type;
    if (t.kind === "map") {
      if (json === null) return ABSENT;
      if (!isObject(json)) throw this.error(`expected a JSON object for a map, got ${describe(json)}`);
      const map = new Map<unknown, unknown>();
      for (const key of Object.keys(json)) {
        this.push(key);
        const k = mapKeyFromJson(this, t.key, key);
        if (map.has(k)) throw this.error(`map key ${String(k)} is given twice`);
        const v = json[key]!;
        if (v === null && !nullIsValue(t.value)) throw this.error("a map value cannot be null");
        const value = this.value(t.value, v);
        if (value !== ABSENT) map.set(k, value);
        this.pop();
      }
      return map;
    }
    if (field.repeated) {
      if (json === null) return ABSENT;
      if (!Array.isArray(json)) throw this.error(`expected a JSON array, got ${describe(json)}`);
      const items: unknown[] = [];
      for (let i = 0; i < json.length; i++) {
        this.push(i);
        const v = json[i]!;
        if (v === null && !nullIsValue(t)) throw this.error("an array element cannot be null");
        const value = this.value(t, v);
        if (value !== ABSENT) items.push(value);
        this.pop();
      }
      return items;
    }
    if (json === null && !nullIsValue(t)) return ABSENT;
    return this.value(t, json);
  }

  /** A single value (a singular field, an element, a map value), or ABSENT for an ignored enum name. */
  private value(t: ValueType, json: JsonValue): unknown {
    switch (t.kind) {
      case "scalar":
        return scalarFromJson(this, t.type, json);
      case "enum":
        return this.enumValue(t.type(), json);
      case "message":
        return this.message(t.type(), json);
    }
  }

  private enumValue(info: ProtobufEnumInfo, json: JsonValue): number | typeof ABSENT {
    if (info.typeName === NULL_VALUE && (json === null || json === "NULL_VALUE" || json === 0)) return 0;
    if (typeof json === "string") {
      if (hasOwn(info.values, json)) return info.values[json]!;
      if (this.ignoreUnknownFields) return ABSENT;
      throw this.error(`${describe(json)} is not a value of enum ${info.typeName}`);
    }
    if (typeof json !== "number" || !Number.isInteger(json) || json < -0x80000000 || json > 0x7fffffff) {
      throw this.error(`expected a ${info.typeName} name or int32 number, got ${describe(json)}`);
    }
    // A closed (proto2) enum holds only the values it lists; an open one keeps any int32.
    if (info.closed && !hasOwn(info.names, json)) {
      if (this.ignoreUnknownFields) return ABSENT;
      throw this.error(`${json} is not a value of closed enum ${info.typeName}`);
    }
    return json === 0 ? 0 : json;
  }
}

/**
 * A message from a ProtoJSON value. Throws KitewireError naming the JSON path: INVALID_VALUE
 * for a key naming no field (or no extension in `typeRegistry`), an extension of another
 * message type, a value of the wrong type or out of range, a field or oneof given twice,
 * an Any whose type is not in `typeRegistry`; MISSING_FIELD for an absent
 * proto2 required field; DEPTH_LIMIT past `maxDepth`. A value `JSON.parse` returned has
 * lost duplicate keys already: `fromJsonString` rejects them.
 */
export function fromJson<T>(codec: ProtobufMessageCodec<T>, json: JsonValue, options: JsonReadOptions = {}): T {
  const r = new JsonReader(options);
  if (json === null && codec.typeName !== VALUE) throw r.error(`expected ${codec.typeName} JSON, got null`);
  return r.message(codec as ProtobufMessageCodec<unknown>, json) as T;
}

/** `fromJson` of JSON text; JSON_SYNTAX if it is not JSON, INVALID_VALUE for an object key given twice. */
export function fromJsonString<T>(codec: ProtobufMessageCodec<T>, text: string, options: JsonReadOptions = {}): T {
  return fromJson(codec, parseJsonText(text), options);
}
