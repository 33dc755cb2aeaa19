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
import type { ThriftFieldDescriptor, ThriftStructDescriptor, ThriftTypeDescriptor } from "./descriptor.js";

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

/** A struct's fields by name, made once per struct. */
const fieldsByName = new WeakMap<ThriftStructDescriptor, Map<string, ThriftFieldDescriptor>>();
function fieldNamed(desc: ThriftStructDescriptor, name: string): ThriftFieldDescriptor | undefined {
  let byName = fieldsByName.get(desc);
  if (byName === undefined) fieldsByName.set(desc, (byName = new Map(desc.fields.map((f) => [f.name, f]))));
  return byName.get(name);
}

/** A step of a JSON path: a field (string), a list index (number), or a map key. */
type Step = string | number | { key: string };

class Reader {
  private depth = 0;
  /** Where the reader is, kept as steps and only printed when something fails. */
  private readonly steps: Step[] = [];

  constructor(private readonly options: ThriftJsonReadOptions, private readonly root: string) {}

  private path(extra?: Step): string {
    let s = this.root;
    for (const step of extra === undefined ? this.steps : [...this.steps, extra]) {
      s += typeof step === "string" ? `.${step}` : typeof step === "number" ? `[${step}]` : `[${JSON.stringify(step.key)}]`;
    }
    return s;
  }

  private error(code: ErrorCode, message: string, extra?: Step): KitewireError {
    const path = this.path(extra);
    return new KitewireError(code, `${path}: ${message}`, { details: { path } });
  }

  private fail(t: ThriftTypeDescriptor | string, json: unknown, detail?: string): never {
    const expected = typeof t === "string" ? t : typeName(t);
    const path = this.path();
    throw new KitewireError(ErrorCode.INVALID_VALUE, `${path}: expected ${expected}, got ${describe(json)}${detail ? ` (${detail})` : ""}`, {
      details: { path, expected },
    });
  }

  struct(desc: ThriftStructDescriptor, json: JsonValue): Record<string, unknown> {
    if (typeof json !== "object" || json === null || Array.isArray(json)) this.fail(`${desc.kind} ${desc.name}`, json);
    const maxDepth = this.options.maxDepth ?? 100;
    if (++this.depth > maxDepth) throw this.error(ErrorCode.DEPTH_LIMIT, `JSON nested deeper than ${maxDepth}`);
    const union = desc.kind === "union";
    const out: Record<string, unknown> = union ? { case: undefined } : {};
    for (const key of Object.keys(json)) {
      const f = fieldNamed(desc, key);
      if (f === undefined) {
        if (this.options.ignoreUnknownFields) continue;
        throw this.error(ErrorCode.INVALID_VALUE, `${desc.name} has no field '${key}' (fields: ${desc.fields.map((x) => x.name).join(", ")})`, key);
      }
      const v = json[key]!;
      if (v === null) continue; // null is absence, as in Kitex's JSON generic
      this.steps.push(key);
      const value = this.value(f.type, v);
      this.steps.pop();
      if (union) {
        if (out["case"] !== undefined) throw this.error(ErrorCode.INVALID_VALUE, `union ${desc.name} has more than one field set`);
        out["case"] = f.name;
        out["value"] = value;
      } else {
        out[f.name] = value;
      }
    }
    if (!union) {
      for (const f of desc.fields) {
        if (out[f.name] !== undefined) continue;
        if (f.requiredness === "required") {
          throw this.error(ErrorCode.MISSING_FIELD, `required field ${desc.name}.${f.name} is missing`, f.name);
        }
        out[f.name] = absentValue(f);
      }
    }
    this.depth--;
    return out;
  }

  value(t: ThriftTypeDescriptor, json: JsonValue): unknown {
    switch (t.kind) {
      case "bool":
        if (typeof json !== "boolean") this.fail(t, json);
        return json;
      case "byte": case "i16": case "i32": {
        const n = typeof json === "string" && /^-?\d+$/.test(json) ? Number(json) : json;
        const [min, max] = INT_RANGE[t.kind];
        if (typeof n !== "number" || !Number.isInteger(n) || n < min || n > max) this.fail(t, json);
        return n;
      }
      case "i64": {
        let n: bigint | undefined;
        if (typeof json === "number" && Number.isSafeInteger(json)) n = BigInt(json);
        else if (typeof json === "string" && /^-?\d+$/.test(json)) n = BigInt(json);
        if (n === undefined || n < I64_MIN || n > I64_MAX) {
          this.fail(t, json, typeof json === "number" && Number.isInteger(json) ? "beyond 2^53: give it as a string" : undefined);
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
        return this.fail(t, json);
      }
      case "string":
        if (typeof json !== "string") this.fail(t, json);
        return json;
      case "uuid":
        if (typeof json !== "string" || !UUID.test(json)) this.fail(t, json);
        return json.toLowerCase();
      case "binary": {
        if (typeof json !== "string") this.fail("base64 string", json);
        const bytes = base64Decode(json);
        if (typeof bytes === "string") this.fail("base64 string", json, bytes);
        return bytes;
      }
      case "enum": {
        if (typeof json === "string") {
          const n = t.enum.values.get(json);
          if (n === undefined) this.fail(t, json, `values: ${[...t.enum.values.keys()].join(", ")}`);
          return n;
        }
        if (typeof json !== "number" || !Number.isInteger(json) || json < INT_RANGE.i32[0] || json > INT_RANGE.i32[1]) this.fail(t, json);
        return json;
      }
      case "list": case "set": {
        if (!Array.isArray(json)) this.fail(t, json);
        const items = new Array<unknown>(json.length);
        for (let i = 0; i < json.length; i++) {
          this.steps.push(i);
          items[i] = this.value(t.element, json[i]!);
          this.steps.pop();
        }
        return t.kind === "set" ? new Set(items) : items;
      }
      case "map": {
        if (typeof json !== "object" || json === null || Array.isArray(json)) this.fail(t, json);
        const map = new Map<unknown, unknown>();
        for (const key of Object.keys(json)) {
          this.steps.push({ key });
          map.set(this.key(t.key, key), this.value(t.value, json[key]!));
          this.steps.pop();
        }
        return map;
      }
      case "struct": {
        const fields = this.struct(t.struct, json);
        return t.struct.kind === "exception" ? new ThriftGenericException(t.struct.name, fields) : fields;
      }
    }
  }

  /** A map key from its JSON (string) form. */
  private key(t: ThriftTypeDescriptor, key: string): unknown {
    switch (t.kind) {
      case "bool":
        if (key !== "true" && key !== "false") this.fail("map key true or false", key);
        return key === "true";
      case "byte": case "i16": case "i32": case "i64": case "enum":
        return this.value(t, t.kind === "enum" && /^-?\d+$/.test(key) ? Number(key) : key);
      case "double": case "string": case "uuid": case "binary":
        return this.value(t, key);
      default:
        this.fail("a map whose keys are scalars (JSON object keys are strings)", key);
    }
  }
}

/** Reads a struct (or union, or exception's fields) from a JSON value; `path` names it in errors (default `$`). */
export function thriftStructFromJson(
  desc: ThriftStructDescriptor, json: JsonValue, options: ThriftJsonReadOptions = {}, path = "$",
): Record<string, unknown> {
  return new Reader(options, path).struct(desc, json);
}

/** Reads a value of `type` from a JSON value. */
export function thriftValueFromJson(type: ThriftTypeDescriptor, json: JsonValue, options: ThriftJsonReadOptions = {}, path = "$"): unknown {
  return new Reader(options, path).value(type, json);
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
      // Non-finite values and -0 (which JSON.stringify would print as 0) as strings, which reading accepts.
      const n = value as number;
      return Number.isFinite(n) && !Object.is(n, -0) ? n : Object.is(n, -0) ? "-0" : String(n);
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
