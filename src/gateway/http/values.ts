/**
 * What HTTP-mapped routes share: reading the JSON body, the query, cookies, and turning
 * the text of a path variable, query parameter or header into the JSON value the JSON
 * mapping reads for a field's type.
 */
import { base64Encode } from "../../codec/protobuf/json/base64.js";
import type { JsonObject, JsonValue } from "../../codec/protobuf/json/types.js";
import { parseGenericJson } from "../../generic/json-text.js";
import type { GatewayRequest } from "../exchange.js";
import { GatewayFailure, requestFailure } from "../failure.js";

const utf8 = new TextDecoder("utf-8", { fatal: true });
const encoder = new TextEncoder();

/** Verbs whose requests carry a body. */
export const BODY_VERBS: ReadonlySet<string> = new Set(["POST", "PUT", "PATCH"]);

/** The request body as a JSON value (undefined when there is none). */
export async function jsonBody(req: GatewayRequest, limit: number): Promise<JsonValue | undefined> {
  const bytes = await req.body(limit);
  if (bytes.length === 0) return undefined;
  let text: string;
  try {
    text = utf8.decode(bytes);
  } catch {
    throw new GatewayFailure("invalid_argument", "the JSON body is not valid UTF-8");
  }
  try {
    return parseGenericJson(text);
  } catch (error) {
    throw requestFailure(error);
  }
}

/** The request body as text (for a raw-body field). */
export async function textBody(req: GatewayRequest, limit: number): Promise<string> {
  try {
    return utf8.decode(await req.body(limit));
  } catch (error) {
    if (error instanceof GatewayFailure) throw error;
    throw new GatewayFailure("invalid_argument", "the body is not valid UTF-8");
  }
}

/** The query's values by name, in order. */
export function queryValues(query: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (query === "") return out;
  new URLSearchParams(query).forEach((v, k) => {
    const list = out.get(k);
    if (list === undefined) out.set(k, [v]);
    else list.push(v);
  });
  return out;
}

/** A cookie's value, or null. */
export function cookie(req: GatewayRequest, name: string): string | null {
  const header = req.header("cookie");
  if (header === null) return null;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return null;
}

/** The scalar kinds text converts to. */
export type ScalarKind = "bool" | "int" | "int64" | "float" | "string" | "bytes" | "enum" | "json";

/** The JSON value of `text` for a field of kind `kind`; `what` names it in errors (`query parameter "q"`). */
export function textToJson(text: string, kind: ScalarKind, what: string): JsonValue {
  switch (kind) {
    case "bool":
      if (text === "true" || text === "1") return true;
      if (text === "false" || text === "0") return false;
      throw new GatewayFailure("invalid_argument", `${what}: expected true or false, got ${JSON.stringify(text)}`);
    case "int":
      if (/^-?\d+$/.test(text)) return Number(text);
      throw new GatewayFailure("invalid_argument", `${what}: expected an integer, got ${JSON.stringify(text)}`);
    case "int64":
      if (/^-?\d+$/.test(text)) return text;
      throw new GatewayFailure("invalid_argument", `${what}: expected an integer, got ${JSON.stringify(text)}`);
    case "float": {
      const n = Number(text);
      if (text.trim() !== "" && !Number.isNaN(n)) return n;
      if (text === "NaN") return "NaN";
      throw new GatewayFailure("invalid_argument", `${what}: expected a number, got ${JSON.stringify(text)}`);
    }
    case "enum": return /^-?\d+$/.test(text) ? Number(text) : text;
    case "bytes": return base64Encode(encoder.encode(text));
    case "json":
      try {
        return parseGenericJson(text);
      } catch (error) {
        throw new GatewayFailure("invalid_argument", `${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    case "string": return text;
  }
}

/** Sets `obj[path...] = value`, making the objects on the way (`a.b.c`). */
export function setPath(obj: JsonObject, path: readonly string[], value: JsonValue): void {
  let o = obj;
  for (let i = 0; i < path.length - 1; i++) {
    const next = o[path[i]!];
    if (typeof next === "object" && next !== null && !Array.isArray(next)) o = next;
    else o = o[path[i]!] = {};
  }
  o[path[path.length - 1]!] = value;
}

/** Whether a JSON value is an object. */
export function isJsonObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}
