/**
 * The JSON mapping of Thrift values (JSON generic), as Kitex's JSON generic call has it:
 * field names as keys; i64 read from a number or a decimal string and written as a number
 * while it is a safe integer, as a string beyond 2^53; binary as base64; enums read by
 * name or number and written as numbers; lists and sets as arrays; maps as objects with
 * stringified keys; a union as an object with its one set field. Reading checks
 * everything against the IDL and says where it failed with a JSON path (`$.user.tags[2]`).
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import { base64Decode, base64Encode } from "../../codec/protobuf/json/base64.js";
import type { JsonObject, JsonValue } from "../../codec/protobuf/json/types.js";
import { absentValue, ThriftGenericException } from "./codec.js";
import type { ThriftStructDescriptor, ThriftTypeDescriptor } from "./descriptor.js";

/** Options of reading JSON as Thrift values. */
export interface ThriftJsonReadOptions {
  /** Skip object keys that name no field instead of failing. Default false. */
  ignoreUnknownFields?: boolean;
  /** Deepest nesting of objects and arrays accepted. Default 100. */
  maxDepth?: number;
}

const INT_RANGE = { byte: [-128, 127], i16: [-32768, 32767], i32: [-(2 ** 31), 2 ** 31 - 1] } as const;
const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What a JSON value is, for error messages. */
function describe(json: unknown): string {
  if (json === null) return "null";
  if (Array.isArray(json)) return "an array";
  if (typeof json === "object") return "an object";
  if (typeof json === "string") return `string ${JSON.stringify(json.length > 40 ? json.slice(0, 40) + "…" : json)}`;
  return `${typeof json} ${String(json)}`;
}

/** The name of a type as error messages give it. */
export function typeName(t: ThriftTypeDescriptor): string {
  switch (t.kind) {
    case "enum": return `enum ${t.enum.name}`;
    case "struct": return `${t.struct.kind} ${t.struct.name}`;
    case "list": case "set": return `${t.kind}<${typeName(t.element)}>`;
    case "map": return `map<${typeName(t.key)},${typeName(t.value)}>`;
    default: return t.kind;
  }
}

class Reader {
  private depth = 0;
  constructor(private readonly options: ThriftJsonReadOptions) {}

  private fail(path: string, t: ThriftTypeDescriptor | string, json: unknown, detail?: string): never {
    const expected = typeof t === "string" ? t : typeName(t);
    throw new KitewireError(ErrorCode.INVALID_VALUE, `${path}: expected ${expected}, got ${describe(json)}${detail ? ` (${detail})` : ""}`, {
      details: { path, expected },
    });
  }

  struct(desc: ThriftStructDescriptor, json: JsonValue, path: string): Record<string, unknown> {
    if (typeof json !== "object" || json === null || Array.isArray(json)) this.fail(path, `${desc.kind} ${desc.name}`, json);
    if (++this.depth > (this.options.maxDepth ?? 100)) {
      throw new KitewireError(ErrorCode.DEPTH_LIMIT, `${path}: JSON nested deeper than ${this.options.maxDepth ?? 100}`, {
        details: { path },
      });
    }
    const out: Record<string, unknown> = desc.kind === "union" ? { case: undefined } : {};
    for (const key of Object.keys(json)) {
      const f = desc.fields.find((x) => x.name === key);
      const at = `${path}.${key}`;
      if (f === undefined) {
        if (this.options.ignoreUnknownFields) continue;
        throw new KitewireError(ErrorCode.INVALID_VALUE, `${at}: ${desc.name} has no field '${key}' (fields: ${desc.fields.map((x) => x.name).join(", ")})`, {
          details: { path: at },
        });
      }
      const v = json[key]!;
      if (v === null) continue; // null is absence, as in Kitex's JSON generic
      const value = this.value(f.type, v, at);
      if (desc.kind === "union") {
        if (out["case"] !== undefined) {
          throw new KitewireError(ErrorCode.INVALID_VALUE, `${path}: union ${desc.name} has more than one field set`, {
            details: { path },
          });
        }
        out["case"] = f.name;
        out["value"] = value;
      } else {
        out[f.name] = value;
      }
    }
    if (desc.kind !== "union") {
      for (const f of desc.fields) {
        if (out[f.name] !== undefined) continue;
        if (f.requiredness === "required") {
          throw new KitewireError(ErrorCode.MISSING_FIELD, `${path}.${f.name}: required field ${desc.name}.${f.name} is missing`, {
            details: { path: `${path}.${f.name}` },
          });
        }
        out[f.name] = absentValue(f);
      }
    }
    this.depth--;
    return out;
  }

  value(t: ThriftTypeDescriptor, json: JsonValue, path: string): unknown {
    switch (t.kind) {
      case "bool":
        if (typeof json !== "boolean") this.fail(path, t, json);
        return json;
      case "byte": case "i16": case "i32": {
        const n = typeof json === "string" && /^-?\d+$/.test(json) ? Number(json) : json;
        const [min, max] = INT_RANGE[t.kind];
        if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) this.fail(path, t, json);
        return n;
      }
      case "i64": {
        let n: bigint | undefined;
        if (typeof json === "number" && Number.isSafeInteger(json)) n = BigInt(json);
        else if (typeof json === "string" && /^-?\d+$/.test(json)) n = BigInt(json);
        if (n === undefined || n < I64_MIN || n > I64_MAX) {
          this.fail(path, t, json, typeof json === "number" && Number.isInteger(json) ? "beyond 2^53: give it as a string" : undefined);
        }
        return n;
      }
      case "double": {
        if (typeof json === "number") return json;
        if (typeof json === "string") {
          if (json === "NaN") return NaN;
          if (json === "Infinity") return Infinity;
          if (json === "-Infinity") return -Infinity;
          if (json.trim() !== "" && Number.isFinite(Number(json))) return Number(json);
        }
        return this.fail(path, t, json);
      }
      case "string":
        if (typeof json !== "string") this.fail(path, t, json);
        return json;
      case "uuid":
        if (typeof json !== "string" || !UUID.test(json)) this.fail(path, t, json);
        return json.toLowerCase();
      case "binary": {
        if (typeof json !== "string") this.fail(path, "base64 string", json);
        const bytes = base64Decode(json);
        if (typeof bytes === "string") this.fail(path, "base64 string", json, bytes);
        return bytes;
      }
      case "enum": {
        if (typeof json === "string") {
          const n = t.enum.values.get(json);
          if (n === undefined) this.fail(path, t, json, `values: ${[...t.enum.values.keys()].join(", ")}`);
          return n;
        }
        if (typeof json !== "number" || !Number.isInteger(json) || json < INT_RANGE.i32[0] || json > INT_RANGE.i32[1]) {
          this.fail(path, t, json);
        }
        return json;
      }
      case "list": case "set": {
        if (!Array.isArray(json)) this.fail(path, t, json);
        const items = json.map((e, i) => this.value(t.element, e, `${path}[${i}]`));
        return t.kind === "set" ? new Set(items) : items;
      }
      case "map": {
        if (typeof json !== "object" || json === null || Array.isArray(json)) this.fail(path, t, json);
        const map = new Map<unknown, unknown>();
        for (const key of Object.keys(json)) {
          const at = `${path}[${JSON.stringify(key)}]`;
          map.set(this.key(t.key, key, at), this.value(t.value, json[key]!, at));
        }
        return map;
      }
      case "struct": {
        const fields = this.struct(t.struct, json, path);
        return t.struct.kind === "exception" ? new ThriftGenericException(t.struct.name, fields) : fields;
      }
    }
  }

  /** A map key from its JSON (string) form. */
  private key(t: ThriftTypeDescriptor, key: string, path: string): unknown {
    switch (t.kind) {
      case "bool":
        if (key !== "true" && key !== "false") this.fail(path, "map key true or false", key);
        return key === "true";
      case "byte": case "i16": case "i32": case "i64": case "enum":
        return this.value(t, t.kind === "enum" && /^-?\d+$/.test(key) ? Number(key) : key, path);
      case "double": case "string": case "uuid": case "binary":
        return this.value(t, key, path);
      default:
        this.fail(path, "a map whose keys are scalars (JSON object keys are strings)", key);
    }
  }
}

/** Reads a struct (or union, or exception's fields) from a JSON value; `path` names it in errors (default `$`). */
export function thriftStructFromJson(
  desc: ThriftStructDescriptor, json: JsonValue, options: ThriftJsonReadOptions = {}, path = "$",
): Record<string, unknown> {
  return new Reader(options).struct(desc, json, path);
}

/** Reads a value of `type` from a JSON value. */
export function thriftValueFromJson(type: ThriftTypeDescriptor, json: JsonValue, options: ThriftJsonReadOptions = {}, path = "$"): unknown {
  return new Reader(options).value(type, json, path);
}

/** The JSON value of a struct's map-generic value. */
export function thriftStructToJson(desc: ThriftStructDescriptor, value: unknown): JsonObject {
  const v = value as Record<string, unknown>;
  const out: JsonObject = {};
  if (desc.kind === "union") {
    const f = desc.fields.find((x) => x.name === v["case"]);
    if (f !== undefined) out[f.name] = thriftValueToJson(f.type, v["value"]);
    return out;
  }
  for (const f of desc.fields) {
    const x = v[f.name];
    if (x !== undefined) out[f.name] = thriftValueToJson(f.type, x);
  }
  return out;
}

/** The JSON value of a map-generic value of `type`. */
export function thriftValueToJson(type: ThriftTypeDescriptor, value: unknown): JsonValue {
  switch (type.kind) {
    case "bool": case "string": case "uuid": case "byte": case "i16": case "i32": case "enum":
      return value as JsonValue;
    case "i64": {
      const n = value as bigint;
      return n >= -(2n ** 53n) && n <= 2n ** 53n ? Number(n) : n.toString();
    }
    case "double": {
      const n = value as number;
      return Number.isFinite(n) ? n : String(n);
    }
    case "binary": return base64Encode(value as Uint8Array);
    case "list": return (value as unknown[]).map((e) => thriftValueToJson(type.element, e));
    case "set": return [...(value as Set<unknown>)].map((e) => thriftValueToJson(type.element, e));
    case "map": {
      const out: JsonObject = {};
      for (const [k, x] of value as Map<unknown, unknown>) out[keyToJson(type.key, k)] = thriftValueToJson(type.value, x);
      return out;
    }
    case "struct": return thriftStructToJson(type.struct, value);
  }
}

function keyToJson(t: ThriftTypeDescriptor, key: unknown): string {
  const json = thriftValueToJson(t, key);
  if (typeof json === "object" && json !== null) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `map keys of type ${typeName(t)} have no JSON form`);
  }
  return String(json);
}
