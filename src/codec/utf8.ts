/**
 * Strings between JS and engine memory, each path chosen by length (the crossovers come
 * from bench/utf8.bench.mjs; see wasm-boundary.md): short strings are encoded and decoded
 * by a JS loop, long ones by the native TextEncoder/TextDecoder, non-ASCII ones of middle
 * length by the engine's decoder, which beats TextDecoder's fixed cost there.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { Engine } from "../wasm/engine.js";

/** Up to this many UTF-16 units a JS loop encodes faster than `encodeInto`. */
export const SHORT_ENCODE = 20;
/** Up to this many bytes a JS loop decodes ASCII faster than `TextDecoder`. */
export const SHORT_DECODE = 32;
/** Up to this many bytes non-ASCII text is decoded by the engine, beyond it by TextDecoder. */
export const ENGINE_DECODE = 65536;

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * Writes the UTF-8 of `s` at `at` in `u8` (room for 3 bytes per UTF-16 unit must already
 * be there) and returns the number of bytes written. Lone surrogates become U+FFFD.
 */
export function encodeUtf8(s: string, u8: Uint8Array, at: number): number {
  const n = s.length;
  if (n > SHORT_ENCODE) return encoder.encodeInto(s, u8.subarray(at, at + n * 3)).written;
  let p = at;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      u8[p++] = c;
    } else if (c < 0x800) {
      u8[p++] = 0xc0 | (c >> 6);
      u8[p++] = 0x80 | (c & 0x3f);
    } else {
      if ((c & 0xf800) === 0xd800) {
        const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
        if (c < 0xdc00 && (d & 0xfc00) === 0xdc00) {
          i++;
          const cp = 0x10000 + ((c - 0xd800) << 10) + (d - 0xdc00);
          u8[p++] = 0xf0 | (cp >> 18);
          u8[p++] = 0x80 | ((cp >> 12) & 0x3f);
          u8[p++] = 0x80 | ((cp >> 6) & 0x3f);
          u8[p++] = 0x80 | (cp & 0x3f);
          continue;
        }
        c = 0xfffd;
      }
      u8[p++] = 0xe0 | (c >> 12);
      u8[p++] = 0x80 | ((c >> 6) & 0x3f);
      u8[p++] = 0x80 | (c & 0x3f);
    }
  }
  return p - at;
}

/** Input whose bytes can be had in engine memory (a reader's). */
export interface EngineInput {
  /** What to add to a position of the input to address the same byte in engine memory. */
  engineOffset(): number;
}

/**
 * Decodes the UTF-8 at [p, end) of `u8`, the memory of `input` (engine memory or any other
 * bytes, which the engine's decoder needs copied in). Strict: malformed bytes throw
 * INVALID_UTF8 with their offset from `base`; otherwise they become U+FFFD as with
 * TextDecoder. May grow engine memory.
 */
export function decodeUtf8(
  engine: Engine, u8: Uint8Array, p: number, end: number, strict: boolean, base: number, input: EngineInput,
): string {
  const len = end - p;
  if (len <= SHORT_DECODE) {
    // ASCII eight bytes at a time: one fromCharCode call per eight characters.
    let s = "";
    let i = p;
    for (; i + 8 <= end; i += 8) {
      const a = u8[i]!, b = u8[i + 1]!, c = u8[i + 2]!, d = u8[i + 3]!;
      const e = u8[i + 4]!, f = u8[i + 5]!, g = u8[i + 6]!, h = u8[i + 7]!;
      if ((a | b | c | d | e | f | g | h) & 0x80) break;
      s += String.fromCharCode(a, b, c, d, e, f, g, h);
    }
    // The rest (fewer than eight) in one call too: one string made, not one per character.
    let high = 0;
    for (let k = i; k < end; k++) high |= u8[k]!;
    if ((high & 0x80) === 0) {
      switch (end - i) {
        case 0: return s;
        case 1: return s + String.fromCharCode(u8[i]!);
        case 2: return s + String.fromCharCode(u8[i]!, u8[i + 1]!);
        case 3: return s + String.fromCharCode(u8[i]!, u8[i + 1]!, u8[i + 2]!);
        case 4: return s + String.fromCharCode(u8[i]!, u8[i + 1]!, u8[i + 2]!, u8[i + 3]!);
        case 5: return s + String.fromCharCode(u8[i]!, u8[i + 1]!, u8[i + 2]!, u8[i + 3]!, u8[i + 4]!);
        case 6: return s + String.fromCharCode(u8[i]!, u8[i + 1]!, u8[i + 2]!, u8[i + 3]!, u8[i + 4]!, u8[i + 5]!);
        default: return s + String.fromCharCode(u8[i]!, u8[i + 1]!, u8[i + 2]!, u8[i + 3]!, u8[i + 4]!, u8[i + 5]!, u8[i + 6]!);
      }
    }
  }
  // Text that starts with ASCII is most likely ASCII, which TextDecoder does fastest; text
  // that does not goes to the engine, up to the size where TextDecoder catches up.
  if (len <= ENGINE_DECODE && (u8[p]! | u8[p + 1]! | u8[p + 2]! | u8[p + 3]!) & 0x80) {
    // May grow memory: views are taken from the engine afresh below.
    const shift = input.engineOffset();
    const scratch = engine.scratch(len * 2);
    const units = engine.exports.utf8Decode(p + shift, len, scratch, strict ? 1 : 0);
    if (units < 0) throw engine.error(units, base + shift, "string");
    return stringFromUnits(engine.u16, scratch >>> 1, units);
  }
  try {
    return (strict ? strictDecoder : lenientDecoder).decode(u8.subarray(p, end));
  } catch {
    throw invalidUtf8(engine, p, len, base, input.engineOffset());
  }
}

/** Up to this many UTF-16 units a string is built eight units per call (cheaper than a decoder call). */
const SHORT_UNITS = 32;
/** `String.fromCharCode.apply` takes at most this many units per call. */
const APPLY_CHUNK = 8192;

/** A UTF-16LE decoder where the runtime has one (all known do; the fallback is `apply`). */
const utf16Decoder: TextDecoder | null = (() => {
  try {
    return new TextDecoder("utf-16le");
  } catch {
    return null;
  }
})();

/** Makes a string of the `count` UTF-16 units at index `at` of `u`. */
export function stringFromUnits(u: Uint16Array, at: number, count: number): string {
  const end = at + count;
  let s = "";
  if (count <= SHORT_UNITS) {
    let k = at;
    for (; k + 8 <= end; k += 8) {
      s += String.fromCharCode(u[k]!, u[k + 1]!, u[k + 2]!, u[k + 3]!, u[k + 4]!, u[k + 5]!, u[k + 6]!, u[k + 7]!);
    }
    for (; k < end; k++) s += String.fromCharCode(u[k]!);
    return s;
  }
  if (utf16Decoder !== null) return utf16Decoder.decode(u.subarray(at, end));
  for (let k = at; k < end; k += APPLY_CHUNK) {
    s += String.fromCharCode.apply(null, u.subarray(k, Math.min(k + APPLY_CHUNK, end)) as unknown as number[]);
  }
  return s;
}

function invalidUtf8(engine: Engine, p: number, len: number, base: number, shift: number): KitewireError {
  const result = engine.exports.utf8Validate(p + shift, len);
  if (result < 0) return engine.error(result, base + shift, "string");
  return new KitewireError(ErrorCode.INVALID_UTF8, "string: invalid UTF-8", { offset: p - base });
}

/** Number of UTF-8 bytes `s` encodes to. */
export function utf8Length(s: string): number {
  let bytes = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      i++;
      bytes += 4;
    } else bytes += 3;
  }
  return bytes;
}
