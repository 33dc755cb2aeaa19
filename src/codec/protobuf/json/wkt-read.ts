/**
 * The well-known types' own JSON forms, reading. Messages are built with their codec's
 * `create`, and the codecs of nested Struct/Value/ListValue are found through the field
 * tables, so these work with whatever codecs generated code provides for google.protobuf.
 */
import { encodeProtobuf, type ProtobufMessageCodec } from "../message.js";
import { describe, hasOwn, isObject, isWellFormed } from "./context.js";
import type { JsonReader } from "./from-json.js";
import { scalarFromJson } from "./scalars.js";
import { durationFromJson, timestampFromJson } from "./time.js";
import type { JsonValue } from "./types.js";
import {
  ANY, DURATION, FIELD_MASK, fieldCodec, hasSpecialJson, LIST_VALUE, pathToSnake, STRUCT, TIMESTAMP, VALUE, WRAPPERS,
} from "./wkt.js";

/** What `wktFromJson` returns for a message without a JSON form of its own. */
export const NOT_SPECIAL: unique symbol = Symbol("not special");

type Codec = ProtobufMessageCodec<unknown>;

/** A well-known type from its own JSON form, or NOT_SPECIAL for any other message. */
export function wktFromJson(r: JsonReader, codec: Codec, json: JsonValue): unknown {
  switch (codec.typeName) {
    case TIMESTAMP:
      return codec.create(timestampFromJson(r, json));
    case DURATION:
      return codec.create(durationFromJson(r, json));
    case FIELD_MASK:
      return codec.create({ paths: fieldMaskFromJson(r, json) });
    case STRUCT:
      return structFromJson(r, codec, json);
    case VALUE:
      return valueFromJson(r, codec, json);
    case LIST_VALUE:
      return listFromJson(r, codec, json);
    case ANY:
      return anyFromJson(r, codec, json);
  }
  const scalar = WRAPPERS.get(codec.typeName);
  if (scalar === undefined) return NOT_SPECIAL;
  if (json === null) throw r.error(`expected a ${codec.typeName} value, got null`);
  return codec.create({ value: scalarFromJson(r, scalar, json) });
}

function fieldMaskFromJson(r: JsonReader, json: JsonValue): string[] {
  if (typeof json !== "string") throw r.error(`expected a FieldMask string like "a.b,cD", got ${describe(json)}`);
  if (json === "") return [];
  return json.split(",").map((path) => {
    const snake = pathToSnake(path);
    if (snake === undefined) throw r.error(`FieldMask path ${JSON.stringify(path)} is not lowerCamelCase (it has an "_")`);
    return snake;
  });
}

/** A Value in a Struct or ListValue, counting one level of nesting. */
function nestedValue(r: JsonReader, valueCodec: Codec, json: JsonValue): unknown {
  r.enter(VALUE);
  const v = valueFromJson(r, valueCodec, json);
  r.leave();
  return v;
}

function structFromJson(r: JsonReader, structCodec: Codec, json: JsonValue): unknown {
  if (!isObject(json)) throw r.error(`expected a JSON object for google.protobuf.Struct, got ${describe(json)}`);
  const valueCodec = fieldCodec(structCodec, "fields");
  const fields = new Map<string, unknown>();
  for (const key of Object.keys(json)) {
    r.push(key);
    if (!isWellFormed(key)) throw r.error("key has an unpaired surrogate (it has no UTF-8 encoding)");
    fields.set(key, nestedValue(r, valueCodec, json[key]!));
    r.pop();
  }
  return structCodec.create({ fields });
}

function listFromJson(r: JsonReader, listCodec: Codec, json: JsonValue): unknown {
  if (!Array.isArray(json)) throw r.error(`expected a JSON array for google.protobuf.ListValue, got ${describe(json)}`);
  const valueCodec = fieldCodec(listCodec, "values");
  const values = json.map((item, i) => {
    r.push(i);
    const v = nestedValue(r, valueCodec, item);
    r.pop();
    return v;
  });
  return listCodec.create({ values });
}

function valueFromJson(r: JsonReader, valueCodec: Codec, json: JsonValue): unknown {
  let kind: { case: string; value: unknown };
  if (json === null) {
    kind = { case: "nullValue", value: 0 };
  } else if (typeof json === "number") {
    if (!Number.isFinite(json)) throw r.error(`a Value number must be finite, got ${describe(json)}`);
    kind = { case: "numberValue", value: json };
  } else if (typeof json === "string") {
    kind = { case: "stringValue", value: scalarFromJson(r, "string", json) };
  } else if (typeof json === "boolean") {
    kind = { case: "boolValue", value: json };
  } else if (Array.isArray(json)) {
    kind = { case: "listValue", value: listFromJson(r, fieldCodec(valueCodec, "listValue"), json) };
  } else if (isObject(json)) {
    kind = { case: "structValue", value: structFromJson(r, fieldCodec(valueCodec, "structValue"), json) };
  } else {
    throw r.error(`expected a JSON value, got ${describe(json)}`);
  }
  return valueCodec.create({ kind });
}

function anyFromJson(r: JsonReader, anyCodec: Codec, json: JsonValue): unknown {
  if (!isObject(json)) throw r.error(`expected a JSON object for google.protobuf.Any, got ${describe(json)}`);
  const keys = Object.keys(json);
  if (keys.length === 0) return anyCodec.create(); // the empty Any
  const typeUrl = json["@type"];
  if (typeof typeUrl !== "string") {
    throw r.error(`an Any needs "@type" (a string), got ${hasOwn(json, "@type") ? describe(typeUrl) : "no @type"}`);
  }
  r.push("@type");
  const codec = r.anyType(typeUrl);
  r.pop();
  let msg: unknown;
  if (hasSpecialJson(codec.typeName)) {
    if (!hasOwn(json, "value")) throw r.error(`an Any holding ${codec.typeName} needs its JSON under "value"`);
    for (const key of keys) {
      if (key !== "@type" && key !== "value" && !r.ignoreUnknownFields) {
        r.push(key);
        throw r.error(`an Any holding ${codec.typeName} has only "@type" and "value"`);
      }
    }
    r.push("value");
    msg = r.message(codec, json.value!);
    r.pop();
  } else {
    r.enter(codec.typeName);
    msg = r.fields(codec, json, true);
    r.leave();
  }
  const value = r.guard(`cannot encode the ${codec.typeName} of an Any`, () => encodeProtobuf(codec, msg));
  return anyCodec.create({ typeUrl, value });
}
