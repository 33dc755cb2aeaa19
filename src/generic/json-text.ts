/**
 * JSON text as generic calls read it: ProtoJSON's parser (JSON.parse, duplicate keys an
 * error), with integer literals beyond 2^53 kept exact. `JSON.parse` would round them to
 * the nearest double, so they are read as decimal strings instead, which every integer
 * type (and double) of the JSON mapping accepts.
 */
import { closingQuote, parseJsonText } from "../codec/protobuf/json/text.js";
import type { JsonValue } from "../codec/protobuf/json/types.js";

/** Parses JSON text; throws JSON_SYNTAX for malformed text and INVALID_VALUE for a duplicate key. */
export function parseGenericJson(text: string): JsonValue {
  return parseJsonText(quoteUnsafeIntegers(text));
}

/** `text` with every integer literal outside strings that is not a safe integer put in quotes. */
function quoteUnsafeIntegers(text: string): string {
  if (!/\d{16}/.test(text)) return text; // no integer literal that long, anywhere
  let out: string[] | undefined;
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x22 /* " */) {
      i = closingQuote(text, i);
      continue;
    }
    if (c !== 0x2d /* - */ && (c < 0x30 || c > 0x39)) continue;
    let end = i + 1;
    while (end < text.length && /[0-9.eE+-]/.test(text[end]!)) end++;
    const token = text.slice(i, end);
    if (token.length > 15 && /^-?\d+$/.test(token) && !Number.isSafeInteger(Number(token))) {
      (out ??= []).push(text.slice(last, i), `"${token}"`);
      last = end;
    }
    i = end - 1;
  }
  if (out === undefined) return text;
  out.push(text.slice(last));
  return out.join("");
}
