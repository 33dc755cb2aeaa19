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

/** A string's opening quote, or a run of 16 or more digits (no shorter integer is beyond 2^53). */
const QUOTE_OR_LONG_DIGITS = /"|-?\d{16,}/g;

/** `text` with every integer literal outside strings that is not a safe integer put in quotes. */
function quoteUnsafeIntegers(text: string): string {
  if (!hasLongDigitRun(text)) return text;
  let out: string[] | undefined;
  let last = 0;
  const re = new RegExp(QUOTE_OR_LONG_DIGITS);
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const at = m.index;
    if (m[0] === '"') {
      re.lastIndex = closingQuote(text, at) + 1;
      continue;
    }
    const end = at + m[0].length;
    // Part of a number with a fraction or an exponent: a double, left alone.
    if (/[.eE+]/.test(text[at - 1] ?? "") || /[.eE]/.test(text[end] ?? "")) continue;
    if (Number.isSafeInteger(Number(m[0]))) continue;
    (out ??= []).push(text.slice(last, at), `"${m[0]}"`);
    last = end;
  }
  if (out === undefined) return text;
  out.push(text.slice(last));
  return out.join("");
}

/**
 * Whether `text` has a run of 16 digits anywhere: without one, no integer literal in it
 * can be beyond 2^53. A loop, as the regex /\d{16}/ backtracks at every digit.
 */
function hasLongDigitRun(text: string): boolean {
  let run = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0x30 && c <= 0x39) {
      if (++run === 16) return true;
    } else {
      run = 0;
    }
  }
  return false;
}
