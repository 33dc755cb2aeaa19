/**
 * The well-known types' own JSON forms, printing: Timestamp and Duration as strings, the
 * wrappers as their value, FieldMask as "a.b,cD", Struct/Value/ListValue as the JSON they
 * stand for, and Any as its message's JSON with "@type" (or "@type" and "value").
 */
import { decodeProtobuf, type ProtobufMessageCodec } from "../message.js";
import { describe, isWellFormed, setKey } from "./context.js";
import { scalarToJson } from "./scalars.js";
import { durationToJson, timestampToJson } from "./time.js";
import type { JsonWriter } from "./to-json.js";
import type { JsonObject, JsonValue } from "./types.js";
import {
  ANY, DURATION, FIELD_MASK, fieldCodec, hasSpecialJson, LIST_VALUE, pathToCamel, STRUCT, TIMESTAMP, VALUE, WRAPPERS,
} from "./wkt.js";

type Fields = Record<string, unknown>;

/** The JSON of a well-known type with a form of its own, or undefined for any other message. */
export function wktToJson(w: JsonWriter, codec: ProtobufMessageCodec<unknown>, msg: object): JsonValue | undefined {
  const m = msg as Fields;
  switch (codec.typeName) {
    case TIMESTAMP:
      return timestampToJson(w, m);
    case DURATION:
      return durationToJson(w, m);
    case FIELD_MASK:
      return fieldMaskToJson(w, m);
    case STRUCT:
      return structToJson(w, codec, m);
    case VALUE:
      return valueToJson(w, codec, m);
    case LIST_VALUE:
      return listToJson(w, codec, m);
    case ANY:
      return anyToJson(w, m);
  }
  const scalar = WRAPPERS.get(codec.typeName);
  return scalar === undefined ? undefined : scalarToJson(w, scalar, m.value);
}

function fieldMaskToJson(w: JsonWriter, m: Fields): string {
  const paths = m.paths;
  if (!Array.isArray(paths)) throw w.error(`expected FieldMask.paths to be an array, got ${describe(paths)}`);
  return paths.map((p: unknown) => {
    const camel = typeof p === "string" ? pathToCamel(p) : undefined;
    if (camel === undefined) {
      throw w.error(`FieldMask path ${typeof p === "string" ? JSON.stringify(p) : describe(p)} has no JSON form that reads back as it ` +
        `(paths are snake_case: lowercase, each "_" followed by a lowercase letter)`);
    }
    return camel;
  }).join(",");
}

/** A Value, counting one level of nesting (Struct and ListValue nest through Values). */
function nestedValue(w: JsonWriter, valueCodec: ProtobufMessageCodec<unknown>, v: unknown): JsonValue {
  if (typeof v !== "object" || v === null) throw w.error(`expected a google.protobuf.Value, got ${describe(v)}`);
  w.enter(VALUE);
  const json = valueToJson(w, valueCodec, v as Fields);
  w.leave();
  return json;
}

function structToJson(w: JsonWriter, structCodec: ProtobufMessageCodec<unknown>, m: Fields): JsonObject {
  const fields = m.fields;
  if (!(fields instanceof Map)) throw w.error(`expected Struct.fields to be a Map, got ${describe(fields)}`);
  const valueCodec = fieldCodec(structCodec, "fields");
  const out: JsonObject = {};
  for (const [key, v] of fields) {
    if (typeof key !== "string" || !isWellFormed(key)) throw w.error(`Struct key ${describe(key)} is not a valid string`);
    w.push(key);
    setKey(out, key, nestedValue(w, valueCodec, v));
    w.pop();
  }
  return out;
}

function listToJson(w: JsonWriter, listCodec: ProtobufMessageCodec<unknown>, m: Fields): JsonValue[] {
  const values = m.values;
  if (!Array.isArray(values)) throw w.error(`expected ListValue.values to be an array, got ${describe(values)}`);
  const valueCodec = fieldCodec(listCodec, "values");
  return values.map((v: unknown, i) => {
    w.push(i);
    const json = nestedValue(w, valueCodec, v);
    w.pop();
    return json;
  });
}

function valueToJson(w: JsonWriter, valueCodec: ProtobufMessageCodec<unknown>, m: Fields): JsonValue {
  const kind = (m.kind ?? {}) as { case?: unknown; value?: unknown };
  const v = kind.value;
  switch (kind.case) {
    case "nullValue":
      return null;
    case "numberValue":
      // JSON has no NaN or Infinity, and a string would read back as a stringValue.
      if (typeof v !== "number" || !Number.isFinite(v)) {
        throw w.error(`Value.numberValue must be a finite number, got ${describe(v)}`);
      }
      if (Object.is(v, -0)) w.negativeZero = true;
      return v;
    case "stringValue":
      return scalarToJson(w, "string", v);
    case "boolValue":
      return scalarToJson(w, "bool", v);
    case "structValue":
    case "listValue": {
      if (typeof v !== "object" || v === null) throw w.error(`expected Value.${kind.case} to be a message, got ${describe(v)}`);
      const codec = fieldCodec(valueCodec, kind.case);
      return kind.case === "structValue" ? structToJson(w, codec, v as Fields) : listToJson(w, codec, v as Fields);
    }
    case undefined:
      throw w.error("google.protobuf.Value has no kind set (it has no JSON form)");
    default:
      throw w.error(`google.protobuf.Value has an unknown kind ${describe(kind.case)}`);
  }
}

function anyToJson(w: JsonWriter, m: Fields): JsonObject {
  const { typeUrl, value } = m;
  if (typeof typeUrl !== "string") throw w.error(`expected Any.typeUrl to be a string, got ${describe(typeUrl)}`);
  if (!(value instanceof Uint8Array)) throw w.error(`expected Any.value to be a Uint8Array, got ${describe(value)}`);
  if (typeUrl === "") {
    if (value.length > 0) throw w.error("Any has a value but no typeUrl");
    return {};
  }
  const codec = w.anyType(typeUrl);
  const inner = w.guard(`Any value is not a valid ${codec.typeName}`, () => decodeProtobuf(codec, value));
  const out: JsonObject = { "@type": typeUrl };
  if (hasSpecialJson(codec.typeName)) {
    w.push("value");
    out.value = w.message(codec, inner);
    w.pop();
  } else {
    w.enter(codec.typeName);
    w.fields(codec, inner as object, out);
    w.leave();
  }
  return out;
}
