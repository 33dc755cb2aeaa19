/**
 * Scalar values between their TypeScript form and ProtoJSON: 32-bit integers as numbers,
 * 64-bit integers as decimal strings, floats with "NaN"/"Infinity"/"-Infinity", bytes as
 * base64, and map keys, which are always JSON strings.
 */
import type { ScalarType } from "../message.js";
import { base64Decode, base64Encode } from "./base64.js";
import { describe, isWellFormed, type JsonContext } from "./context.js";
import type { JsonValue } from "./types.js";

const I32: readonly [number, number] = [-0x80000000, 0x7fffffff];
const U32: readonly [number, number] = [0, 0xffffffff];
const I64: readonly [bigint, bigint] = [-(1n << 63n), (1n << 63n) - 1n];
const U64: readonly [bigint, bigint] = [0n, (1n << 64n) - 1n];

const RANGE32: Partial<Record<ScalarType, readonly [number, number]>> = {
  int32: I32, sint32: I32, sfixed32: I32, uint32: U32, fixed32: U32,
};
const RANGE64: Partial<Record<ScalarType, readonly [bigint, bigint]>> = {
  int64: I64, sint64: I64, sfixed64: I64, uint64: U64, fixed64: U64,
};

/** A JSON number's syntax (leading zeros allowed), which is what numeric strings must follow. */
const NUMBER = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/;

/** Largest float32. */
const FLOAT_MAX = 3.4028234663852886e38;

// ---- TypeScript -> JSON ----

/** The JSON form of scalar `v` of type `type`; throws if `v` is not a valid value of it. */
export function scalarToJson(ctx: JsonContext, type: ScalarType, v: unknown): JsonValue {
  const r32 = RANGE32[type];
  if (r32 !== undefined) {
    if (typeof v !== "number" || !Number.isInteger(v) || v < r32[0] || v > r32[1]) throw invalid(ctx, type, v);
    return v;
  }
  const r64 = RANGE64[type];
  if (r64 !== undefined) {
    if (typeof v !== "bigint" || v < r64[0] || v > r64[1]) throw invalid(ctx, type, v);
    return v.toString();
  }
  switch (type) {
    case "double":
    case "float":
      if (typeof v !== "number") throw invalid(ctx, type, v);
      if (Number.isNaN(v)) return "NaN";
      if (Object.is(v, -0)) ctx.negativeZero = true;
      return finite(type === "float" ? shortestFloat32(v) : v);
    case "bool":
      if (typeof v !== "boolean") throw invalid(ctx, type, v);
      return v;
    case "string":
      if (typeof v !== "string") throw invalid(ctx, type, v);
      if (!isWellFormed(v)) throw ctx.error("string has an unpaired surrogate (it has no UTF-8 encoding)");
      return v;
    case "bytes":
      if (!(v instanceof Uint8Array)) throw invalid(ctx, type, v);
      return base64Encode(v);
  }
  throw ctx.error(`unknown scalar type ${String(type)}`);
}

/** A map key as its JSON object key. */
export function mapKeyToJson(ctx: JsonContext, type: ScalarType, key: unknown): string {
  if (type === "bool") {
    if (typeof key !== "boolean") throw invalid(ctx, "bool map key", key);
    return key ? "true" : "false";
  }
  return String(scalarToJson(ctx, type, key));
}

/** A float or double that is not NaN: infinities as their strings. */
function finite(n: number): JsonValue {
  if (n === Infinity) return "Infinity";
  if (n === -Infinity) return "-Infinity";
  return n;
}

/**
 * The shortest decimal that reads back as the same float32 (what protobuf's C++ and Python
 * print), rather than the float32's exact double expansion (0.1f is 0.1, not
 * 0.10000000149011612).
 */
function shortestFloat32(v: number): number {
  const f = Math.fround(v);
  if (f === 0 || !Number.isFinite(f)) return f;
  // Nine significant digits always read back, and if p digits do, p + 1 do (the closer decimal
  // stays in f's rounding interval; where that interval is lopsided, at the powers of two,
  // the tests check every one): bisect for the fewest.
  let lo = 1;
  let hi = 9;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (Math.fround(Number(f.toPrecision(mid))) === f) hi = mid;
    else lo = mid + 1;
  }
  return Number(f.toPrecision(lo));
}

function invalid(ctx: JsonContext, type: string, v: unknown) {
  return ctx.error(`expected ${article(type)} value, got ${describe(v)}`);
}

function article(type: string): string {
  // By sound: "an int32", "an sfixed32", but "a uint32", "a string".
  return /^(?:[aeio]|s(?:int|fixed))/.test(type) ? `an ${type}` : `a ${type}`;
}

// ---- JSON -> TypeScript ----

/** The TypeScript value of JSON `json` (not null) for a field of scalar type `type`. */
export function scalarFromJson(ctx: JsonContext, type: ScalarType, json: JsonValue): unknown {
  const r32 = RANGE32[type];
  if (r32 !== undefined) return int32FromJson(ctx, type, r32, json);
  const r64 = RANGE64[type];
  if (r64 !== undefined) return int64FromJson(ctx, type, r64, json);
  switch (type) {
    case "double":
    case "float":
      return floatFromJson(ctx, type, json);
    case "bool":
      if (typeof json !== "boolean") throw ctx.error(`expected true or false, got ${describe(json)}`);
      return json;
    case "string":
      if (typeof json !== "string") throw ctx.error(`expected a string, got ${describe(json)}`);
      if (!isWellFormed(json)) throw ctx.error("string has an unpaired surrogate (it has no UTF-8 encoding)");
      return json;
    case "bytes": {
      if (typeof json !== "string") throw ctx.error(`expected a base64 string, got ${describe(json)}`);
      const bytes = base64Decode(json);
      if (typeof bytes === "string") throw ctx.error(`invalid base64: ${bytes}`);
      return bytes;
    }
  }
  throw ctx.error(`unknown scalar type ${String(type)}`);
}

/** A map key from its JSON object key. */
export function mapKeyFromJson(ctx: JsonContext, type: ScalarType, key: string): unknown {
  if (type === "bool") {
    if (key === "true") return true;
    if (key === "false") return false;
    throw ctx.error(`expected a bool map key ("true" or "false"), got ${describe(key)}`);
  }
  if (type === "string") {
    if (!isWellFormed(key)) throw ctx.error("map key has an unpaired surrogate (it has no UTF-8 encoding)");
    return key;
  }
  return scalarFromJson(ctx, type, key);
}

function int32FromJson(ctx: JsonContext, type: ScalarType, range: readonly [number, number], json: JsonValue): number {
  let n: number;
  if (typeof json === "number") {
    if (!Number.isInteger(json)) throw ctx.error(`expected an integer (${type}), got ${describe(json)}`);
    n = json;
  } else if (typeof json === "string") {
    const b = integerFromString(ctx, type, json, 40);
    if (b < BigInt(range[0]) || b > BigInt(range[1])) throw ctx.error(`${type} out of range: ${describe(json)}`);
    return Number(b);
  } else {
    throw ctx.error(`expected ${article(type)} number, got ${describe(json)}`);
  }
  if (n < range[0] || n > range[1]) throw ctx.error(`${type} out of range: ${describe(json)}`);
  return n === 0 ? 0 : n; // no -0 in an integer field
}

function int64FromJson(ctx: JsonContext, type: ScalarType, range: readonly [bigint, bigint], json: JsonValue): bigint {
  let b: bigint;
  if (typeof json === "number") {
    // A JSON number is a double already: exact for integers up to 2^53, and for larger
    // ones exactly the double the text rounded to (protobuf promises no more).
    if (!Number.isInteger(json)) throw ctx.error(`expected an integer (${type}), got ${describe(json)}`);
    b = BigInt(json);
  } else if (typeof json === "string") {
    b = integerFromString(ctx, type, json, 40);
  } else {
    throw ctx.error(`expected ${article(type)} as a decimal string or number, got ${describe(json)}`);
  }
  if (b < range[0] || b > range[1]) throw ctx.error(`${type} out of range: ${describe(json)}`);
  return b;
}

/**
 * The exact integer a numeric string denotes ("12", "-1e3", "1.50e1"); throws for other
 * syntax, fractions and magnitudes beyond `maxDigits` digits (so "1e999999999" costs nothing).
 */
function integerFromString(ctx: JsonContext, type: ScalarType, s: string, maxDigits: number): bigint {
  const m = NUMBER.exec(s);
  if (m === null) throw ctx.error(`expected ${article(type)} as a decimal string, got ${describe(s)}`);
  const [, sign, int, frac = "", exp = "0"] = m as unknown as [string, string, string, string?, string?];
  const digits = (int + frac).replace(/^0+/, "");
  if (digits === "") return 0n;
  const shift = Number(exp) - frac.length; // value = digits * 10^shift
  let b: bigint;
  if (shift >= 0) {
    if (digits.length + shift > maxDigits) throw ctx.error(`${type} out of range: ${describe(s)}`);
    b = BigInt(digits) * 10n ** BigInt(shift);
  } else {
    const cut = digits.length + shift; // digits before the decimal point
    if (!/^0*$/.test(cut > 0 ? digits.slice(cut) : digits)) {
      throw ctx.error(`expected an integer (${type}), got ${describe(s)}`);
    }
    b = cut > 0 ? BigInt(digits.slice(0, cut)) : 0n;
  }
  return sign === "-" ? -b : b;
}

function floatFromJson(ctx: JsonContext, type: "float" | "double", json: JsonValue): number {
  let n: number;
  if (typeof json === "number") {
    n = json;
    if (Number.isNaN(n)) throw ctx.error(`NaN must be the string "NaN"`);
  } else if (typeof json === "string") {
    if (json === "NaN") return NaN;
    if (json === "Infinity") return Infinity;
    if (json === "-Infinity") return -Infinity;
    if (!NUMBER.test(json)) throw ctx.error(`expected a ${type} as a number or numeric string, got ${describe(json)}`);
    n = Number(json);
  } else {
    throw ctx.error(`expected a ${type} number, got ${describe(json)}`);
  }
  // A finite literal too large for a double parses as Infinity: the spec calls it out of range.
  if (!Number.isFinite(n)) throw ctx.error(`${type} out of range: ${describe(json)} (write "Infinity" for infinity)`);
  if (type === "float") {
    const f = Math.fround(n);
    // Past FLT_MAX by less than half a unit in the last place still rounds to FLT_MAX.
    if (!Number.isFinite(f)) throw ctx.error(`float out of range (±${FLOAT_MAX}): ${describe(json)}`);
    return f;
  }
  return n;
}
