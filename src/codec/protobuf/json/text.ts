/**
 * JSON text in and out. Reading is `JSON.parse` plus a check it cannot make: an object key
 * given twice is an error in ProtoJSON, where `JSON.parse` keeps the last. Writing is ours
 * so that a double -0 prints as `-0` (as protobuf's C++ does) rather than `0`.
 */
import { ErrorCode, KitewireError } from "../../../errors.js";
import type { JsonValue } from "./types.js";

/** Parses JSON text; throws JSON_SYNTAX for malformed text and INVALID_VALUE for a duplicate key. */
export function parseJsonText(text: string): JsonValue {
  let json: JsonValue;
  try {
    json = JSON.parse(text) as JsonValue;
  } catch (e) {
    throw new KitewireError(ErrorCode.JSON_SYNTAX, `invalid JSON: ${e instanceof Error ? e.message : String(e)}`, {
      cause: e,
    });
  }
  checkDuplicateKeys(text);
  return json;
}

/** An open object (the keys it has had, the last of them) or array (the element index). */
type Frame = { seen: Set<string>; key: string } | { index: number };

/**
 * Scans text `JSON.parse` accepted for an object that names a key twice. Only strings and
 * structural characters matter; each open object keeps the set of keys seen so far.
 */
function checkDuplicateKeys(text: string): void {
  const frames: Frame[] = [];
  let keyNext = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      frames.push({ seen: new Set(), key: "" });
      keyNext = true;
    } else if (c === 0x5b /* [ */) {
      frames.push({ index: 0 });
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      frames.pop();
      keyNext = false;
    } else if (c === 0x2c /* , */) {
      const top = frames[frames.length - 1]!;
      if ("index" in top) top.index++;
      else keyNext = true;
    } else if (c === 0x22 /* " */) {
      const start = i;
      i = closingQuote(text, i);
      if (!keyNext) continue;
      keyNext = false;
      const raw = text.slice(start, i + 1);
      const key = raw.includes("\\") ? (JSON.parse(raw) as string) : raw.slice(1, -1);
      const top = frames[frames.length - 1] as { seen: Set<string>; key: string };
      if (top.seen.has(key)) {
        throw new KitewireError(ErrorCode.INVALID_VALUE, `${framePath(frames)}: duplicate key ${raw} in a JSON object`);
      }
      top.seen.add(key);
      top.key = key;
    }
  }
}

/**
 * The index of the quote closing the string that opens at `open`: the next quote not
 * escaped (preceded by an even run of backslashes). Found with indexOf, which is much
 * faster than a loop over long strings (base64 values).
 */
export function closingQuote(text: string, open: number): number {
  for (let j = text.indexOf('"', open + 1); j >= 0; j = text.indexOf('"', j + 1)) {
    let k = j - 1;
    while (text.charCodeAt(k) === 0x5c /* \ */) k--;
    if ((j - 1 - k) % 2 === 0) return j;
  }
  return text.length; // unterminated: JSON.parse has already refused such text
}

/** The JSONPath of the innermost open frame. */
function framePath(frames: Frame[]): string {
  let s = "$";
  for (let i = 0; i < frames.length - 1; i++) {
    const f = frames[i]!;
    if ("index" in f) s += `[${f.index}]`;
    else s += /^[A-Za-z_$][\w$]*$/.test(f.key) ? `.${f.key}` : `[${JSON.stringify(f.key)}]`;
  }
  return s;
}

/** Prints a JSON value; `indent` spaces per level, or one line when 0. */
export function stringifyJson(value: JsonValue, indent = 0): string {
  return write(value, indent > 0 ? " ".repeat(indent) : "", "");
}

function write(v: JsonValue, step: string, margin: string): string {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return v ? "true" : "false";
    case "number":
      if (!Number.isFinite(v)) return "null"; // as JSON.stringify; ProtoJSON never produces it
      return Object.is(v, -0) ? "-0" : String(v);
    case "string":
      return JSON.stringify(v);
  }
  const inner = margin + step;
  const sep = step === "" ? "," : `,\n${inner}`;
  const [open, close] = step === "" ? ["", ""] : [`\n${inner}`, `\n${margin}`];
  if (Array.isArray(v)) {
    if (v.length === 0) return "[]";
    return `[${open}${v.map((x) => write(x, step, inner)).join(sep)}${close}]`;
  }
  const keys = Object.keys(v);
  if (keys.length === 0) return "{}";
  const colon = step === "" ? ":" : ": ";
  return `{${open}${keys.map((k) => `${JSON.stringify(k)}${colon}${write(v[k]!, step, inner)}`).join(sep)}${close}}`;
}
