/**
 * Messages to ProtoJSON, walking the field table generated code provides. Fields are
 * printed in field-number order (as protobuf's C++, Java and Python print them), under
 * their JSON names unless `useProtoNames`; fields without presence are left out at their
 * default unless `emitDefaults`. Extensions in the typeRegistry that a message holds are
 * printed among them by number, under `"[full.name]"`; unset ones never are.
 */
import { getExtension, hasExtension, type ProtobufExtension } from "../extension.js";
import type { FieldType, ProtobufEnumInfo, ProtobufField, ProtobufMessageCodec } from "../message.js";
import { describe, hasOwn, JsonContext, setKey } from "./context.js";
import type { AnyProtobufExtension } from "./registry.js";
import { mapKeyToJson, scalarToJson } from "./scalars.js";
import { stringifyJson } from "./text.js";
import {
  DEFAULT_MAX_DEPTH, type JsonObject, type JsonStringWriteOptions, type JsonValue, type JsonWriteOptions,
} from "./types.js";
import { NULL_VALUE } from "./wkt.js";
import { wktToJson } from "./wkt-write.js";

type ValueType = Exclude<FieldType, { kind: "map" }>;
/** A message as the extension functions see it: its kept unknown fields are where extension values are. */
type Extendable = { $unknown?: Uint8Array[] };
type ExtensionOf = ProtobufExtension<Extendable, unknown>;

const sortedFields = new WeakMap<ProtobufMessageCodec<unknown>, readonly ProtobufField[]>();

function byNumber(codec: ProtobufMessageCodec<unknown>): readonly ProtobufField[] {
  let fields = sortedFields.get(codec);
  if (fields === undefined) {
    fields = [...codec.fields].sort((a, b) => a.no - b.no);
    sortedFields.set(codec, fields);
  }
  return fields;
}

/** One `toJson` call: its options and where it is in the message. */
export class JsonWriter extends JsonContext {
  readonly emitDefaults: boolean;
  readonly useProtoNames: boolean;
  readonly enumAsInteger: boolean;

  constructor(options: JsonWriteOptions) {
    super(options.maxDepth ?? DEFAULT_MAX_DEPTH, options.typeRegistry);
    this.emitDefaults = options.emitDefaults === true;
    this.useProtoNames = options.useProtoNames === true;
    this.enumAsInteger = options.enumAsInteger === true;
  }

  /** A message in its JSON form: an object of its fields, or a well-known type's own form. */
  message(codec: ProtobufMessageCodec<unknown>, msg: unknown): JsonValue {
    if (typeof msg !== "object" || msg === null) {
      throw this.error(`expected a ${codec.typeName} message object, got ${describe(msg)}`);
    }
    this.enter(codec.typeName);
    let json = wktToJson(this, codec, msg);
    if (json === undefined) {
      json = {};
      this.fields(codec, msg, json);
    }
    this.leave();
    return json;
  }

  /**
   * Adds the fields of `msg` to `out` (also how an Any adds its message's fields next to
   * "@type"), and the registered extensions it holds as `"[full.name]"` keys, merged with
   * the fields in number order as protobuf's C++ and Python printers order them.
   */
  fields(codec: ProtobufMessageCodec<unknown>, msg: object, out: JsonObject): void {
    const m = msg as Record<string, unknown>;
    const exts = this.extensionsIn(codec, msg as Extendable);
    let e = 0;
    for (const field of byNumber(codec)) {
      while (e < exts.length && exts[e]!.field.no < field.no) this.extension(exts[e++]!, msg as Extendable, out);
      let value: unknown;
      if (field.oneof !== undefined) {
        const oneof = m[field.oneof] as { case?: unknown; value?: unknown } | undefined;
        if (oneof?.case !== field.localName) continue;
        value = oneof.value;
      } else {
        value = m[field.localName];
      }
      const key = this.useProtoNames ? field.protoName : field.jsonName;
      this.push(key);
      const json = this.field(field, value);
      this.pop();
      if (json !== undefined) setKey(out, key, json);
    }
    while (e < exts.length) this.extension(exts[e++]!, msg as Extendable, out);
  }

  /** The registered extensions of `codec`'s type that `m` holds, in number order. */
  private extensionsIn(codec: ProtobufMessageCodec<unknown>, m: Extendable): readonly AnyProtobufExtension[] {
    // Extension values live in $unknown: without it there is nothing to look for.
    if (m.$unknown === undefined || m.$unknown.length === 0) return [];
    const registered = this.extensionsOf(codec.typeName);
    if (registered.length === 0) return registered;
    return this.guard(`cannot read the extensions of ${codec.typeName}`, () => registered.filter((x) => hasExtension(m, x as ExtensionOf)));
  }

  /** Adds `"[name]": value` for extension `ext` of `m`, its value printed as a field of its type would be. */
  private extension(ext: AnyProtobufExtension, m: Extendable, out: JsonObject): void {
    const key = `[${ext.typeName}]`;
    this.push(key);
    const value = this.guard(`cannot read extension ${ext.typeName}`, () => getExtension(m, ext as ExtensionOf));
    const json = this.field(ext.field, value);
    this.pop();
    if (json !== undefined) setKey(out, key, json);
  }

  /** A field's JSON, or undefined to leave it out. `undefined` values count as unset. */
  private field(field: ProtobufField, value: unknown): JsonValue | undefined {
    const t = field.type;
    if (t.kind === "map") {
      if (value === undefined) return this.emitDefaults ? {} : undefined;
      if (!(value instanceof Map)) throw this.error(`expected a Map, got ${describe(value)}`);
      if (value.size === 0 && !this.emitDefaults) return undefined;
      const out: JsonObject = {};
      for (const [k, v] of value) {
        const key = mapKeyToJson(this, t.key, k);
        this.push(key);
        setKey(out, key, this.value(t.value, v));
        this.pop();
      }
      return out;
    }
    if (field.repeated) {
      if (value === undefined) return this.emitDefaults ? [] : undefined;
      if (!Array.isArray(value) && !(ArrayBuffer.isView(value) && !(value instanceof DataView))) {
        throw this.error(`expected an array, got ${describe(value)}`);
      }
      const items = value as ArrayLike<unknown>;
      if (items.length === 0 && !this.emitDefaults) return undefined;
      const out = new Array<JsonValue>(items.length);
      for (let i = 0; i < items.length; i++) {
        this.push(i);
        out[i] = this.value(t, items[i]);
        this.pop();
      }
      return out;
    }
    if (field.oneof !== undefined) return this.value(t, value); // a set member is printed, default or not
    if (value === undefined || (value === null && t.kind === "message")) {
      return field.presence || !this.emitDefaults ? undefined : this.value(t, zero(t));
    }
    if (!field.presence && !this.emitDefaults && isZero(t, value)) return undefined;
    return this.value(t, value);
  }

  /** A single value (a singular field, an element, a map value). */
  private value(t: ValueType, v: unknown): JsonValue {
    switch (t.kind) {
      case "scalar":
        return scalarToJson(this, t.type, v);
      case "enum":
        return this.enumValue(t.type(), v);
      case "message":
        return this.message(t.type(), v);
    }
  }

  private enumValue(info: ProtobufEnumInfo, v: unknown): JsonValue {
    if (typeof v !== "number" || !Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) {
      throw this.error(`expected a ${info.typeName} value (an int32), got ${describe(v)}`);
    }
    if (info.typeName === NULL_VALUE) return null;
    if (hasOwn(info.names, v)) return this.enumAsInteger ? v : info.names[v]!;
    // A closed (proto2) enum holds only the values it lists; an open one prints others as numbers.
    if (info.closed) throw this.error(`${v} is not a value of closed enum ${info.typeName}`);
    return v;
  }
}

/** Whether `v` is the default of an implicit-presence field of type `t` (-0.0 is not: it has a sign bit). */
function isZero(t: ValueType, v: unknown): boolean {
  if (t.kind === "enum") return v === 0;
  if (t.kind !== "scalar") return false;
  switch (t.type) {
    case "bool":
      return v === false;
    case "string":
      return v === "";
    case "bytes":
      return v instanceof Uint8Array && v.length === 0;
    case "double":
    case "float":
      return Object.is(v, 0);
    default:
      return v === 0 || v === 0n;
  }
}

/** The default of an implicit-presence field of type `t` (enums and scalars only reach here). */
function zero(t: ValueType): unknown {
  if (t.kind !== "scalar") return 0;
  switch (t.type) {
    case "bool":
      return false;
    case "string":
      return "";
    case "bytes":
      return new Uint8Array(0);
    case "int64": case "uint64": case "sint64": case "fixed64": case "sfixed64":
      return 0n;
    default:
      return 0;
  }
}

/**
 * A message as a ProtoJSON value (usually an object; a string, number, array or null for
 * the well-known types with their own JSON form). Throws KitewireError (INVALID_VALUE,
 * naming the JSON path) for a value its field does not allow, a Timestamp or Duration out
 * of range, an Any whose type is not in `typeRegistry`; DEPTH_LIMIT past `maxDepth`; the
 * reader's errors for a kept extension value that does not decode as its type.
 */
export function toJson<T>(codec: ProtobufMessageCodec<T>, message: T, options: JsonWriteOptions = {}): JsonValue {
  return new JsonWriter(options).message(codec as ProtobufMessageCodec<unknown>, message);
}

/** `toJson`, printed as JSON text (one line, or indented by `options.indent` spaces). */
export function toJsonString<T>(codec: ProtobufMessageCodec<T>, message: T, options: JsonStringWriteOptions = {}): string {
  const w = new JsonWriter(options);
  const json = w.message(codec as ProtobufMessageCodec<unknown>, message);
  const indent = options.indent ?? 0;
  // JSON.stringify is native and faster, and lays out the same, but prints -0 as 0.
  return w.negativeZero ? stringifyJson(json, indent) : JSON.stringify(json, null, indent);
}
