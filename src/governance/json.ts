/**
 * Strict readers for governance documents (Kitex's JSON shapes): a field of the wrong type,
 * an unknown field or an impossible value is an INVALID_VALUE error naming its path
 * (`echo.failure_policy.stop_policy.max_retry_times`), never a silent default.
 */
import { ErrorCode, KitewireError } from "../errors.js";

/** A JSON object read so far, with where it sits in its document. */
export type JsonObject = Readonly<Record<string, unknown>>;

/** The error for a document value at `path`. */
export function invalid(path: string, problem: string): KitewireError {
  return new KitewireError(ErrorCode.INVALID_VALUE, `${path || "document"}: ${problem}`);
}

/** `value` as an object whose keys are all in `known`. */
export function objectAt(value: unknown, path: string, known: readonly string[]): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(path, "must be an object");
  for (const key in value) if (!known.includes(key)) throw invalid(join(path, key), "unknown field");
  return value as JsonObject;
}

/** `value` as an object of any keys (a map: method name to policy). */
export function mapAt(value: unknown, path: string): JsonObject {
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw invalid(path, "must be an object");
  return value as JsonObject;
}

/** A number field in [min, max] (`fallback` when absent). */
export function numberAt(o: JsonObject, key: string, path: string, fallback: number, min = -Infinity, max = Infinity): number {
  const value = o[key];
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value)) throw invalid(join(path, key), "must be a number");
  if (value < min || value > max) throw invalid(join(path, key), `${value} is out of range [${min}, ${max}]`);
  return value;
}

/** An integer field in [min, max] (`fallback` when absent). */
export function integerAt(o: JsonObject, key: string, path: string, fallback: number, min = 0, max = 0xffffffff): number {
  const value = numberAt(o, key, path, fallback, min, max);
  if (!Number.isInteger(value)) throw invalid(join(path, key), `${value} is not an integer`);
  return value;
}

/** A boolean field (`fallback` when absent). */
export function booleanAt(o: JsonObject, key: string, path: string, fallback: boolean): boolean {
  const value = o[key];
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw invalid(join(path, key), "must be true or false");
  return value;
}

/** A string field (`fallback` when absent). */
export function stringAt(o: JsonObject, key: string, path: string, fallback: string): string {
  const value = o[key];
  if (value === undefined) return fallback;
  if (typeof value !== "string") throw invalid(join(path, key), "must be a string");
  return value;
}

/** Parses a document's text, naming `key` in the error. */
export function parseDocument(text: string, key: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new KitewireError(ErrorCode.JSON_SYNTAX, `${key}: not JSON: ${(error as Error).message}`, { cause: error });
  }
}

/** `a.b`, or `b` at the top. */
export function join(path: string, key: string): string {
  return path === "" ? key : `${path}.${key}`;
}
