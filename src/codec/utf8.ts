/**
 * Strings between JS and engine memory, each path chosen by length (the crossovers come
 * from bench/utf8.bench.mjs and bench/README.md section 5b; see wasm-boundary.md): short
 * strings are encoded and decoded by a JS loop, long ones by the native
 * TextEncoder/TextDecoder, text past the short length in a Node Buffer by the Buffer's
 * own `utf8Slice`, non-ASCII text of middle length by the engine's decoder, which beats
 * TextDecoder's fixed cost there.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { Engine } from "../wasm/engine.js";

/** Up to this many UTF-16 units a JS loop encodes faster than `encodeInto`. */
export const SHORT_ENCODE = 20;
/** Up to this many bytes a JS loop decodes ASCII faster than `TextDecoder` or a Buffer's `utf8Slice`. */
export const SHORT_DECODE = 32;
/** Up to this many bytes a JS loop decodes ASCII faster than `TextDecoder`, where there is no `utf8Slice`. */
export const PLAIN_SHORT_DECODE = 48;
/**
 * Up to this many bytes, text that is not ASCII is decoded by a JS loop: for short text the
 * engine's decoder costs more in its fixed costs (a copy of the message into engine
 * memory, the call, building the string from its output) than it saves.
 */
export const JS_DECODE = 64;
/** Up to this many bytes non-ASCII text is decoded by the engine, beyond it by TextDecoder. */
export const ENGINE_DECODE = 65536;

const encoder = new TextEncoder();
const strictDecoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenientDecoder = new TextDecoder("utf-8", { fatal: false, ignoreBOM: true });

/**
 * Writes `s` at `at` in `u8` if it is all ASCII (room for one byte per UTF-16 unit must
 * already be there) and returns the end; returns -1 at the first other unit, having written
 * some of the bytes before it. Four units a step: one test for the four, and a quarter of
 * the loop's own work (a string of 4-20 units takes ~20 % less than a unit a step).
 */
export function encodeAscii(s: string, u8: Uint8Array, at: number): number {
  const n = s.length;
  let p = at;
  let i = 0;
  for (; i + 4 <= n; i += 4) {
    const a = s.charCodeAt(i);
    const b = s.charCodeAt(i + 1);
    const c = s.charCodeAt(i + 2);
    const d = s.charCodeAt(i + 3);
    if ((a | b | c | d) >= 0x80) return -1;
    u8[p] = a;
    u8[p + 1] = b;
    u8[p + 2] = c;
    u8[p + 3] = d;
    p += 4;
  }
  for (; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x80) return -1;
    u8[p++] = c;
  }
  return p;
}

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
  /** Takes the input's views afresh after an engine call that may have grown memory. */
  sync(): void;
}

/**
 * What a Node Buffer has (and Bun's and Deno's): found on the input itself, so the core
 * imports nothing of Node's and other inputs take the paths that need no such method.
 */
type MaybeNodeBuffer = Uint8Array & { utf8Slice?(start: number, end: number): string };

/**
 * Decodes the UTF-8 at [p, end) of `u8`, the memory of `input` (engine memory or any other
 * bytes, which the engine's decoder needs copied in). Strict: malformed bytes throw
 * INVALID_UTF8 with their offset from `base`; otherwise they become U+FFFD as with
 * TextDecoder. May grow engine memory (then it calls `input.sync()`).
 */
export function decodeUtf8(
  engine: Engine, u8: Uint8Array, p: number, end: number, strict: boolean, base: number, input: EngineInput,
): string {
  const len = end - p;
  const buffer: MaybeNodeBuffer = u8;
  if (len <= SHORT_DECODE || (len <= PLAIN_SHORT_DECODE && typeof buffer.utf8Slice !== "function")) {
    // ASCII sixteen, then eight bytes at a time: as few fromCharCode calls, and strings
    // joined, as the length allows.
    let s = "";
    let i = p;
    for (; i + 16 <= end; i += 16) {
      const a = u8[i]!, b = u8[i + 1]!, c = u8[i + 2]!, d = u8[i + 3]!;
      const e = u8[i + 4]!, f = u8[i + 5]!, g = u8[i + 6]!, h = u8[i + 7]!;
      const j = u8[i + 8]!, k = u8[i + 9]!, l = u8[i + 10]!, m = u8[i + 11]!;
      const n = u8[i + 12]!, o = u8[i + 13]!, q = u8[i + 14]!, r = u8[i + 15]!;
      if ((a | b | c | d | e | f | g | h | j | k | l | m | n | o | q | r) & 0x80) break;
      s += String.fromCharCode(a, b, c, d, e, f, g, h, j, k, l, m, n, o, q, r);
    }
    if (i + 8 <= end) {
      const a = u8[i]!, b = u8[i + 1]!, c = u8[i + 2]!, d = u8[i + 3]!;
      const e = u8[i + 4]!, f = u8[i + 5]!, g = u8[i + 6]!, h = u8[i + 7]!;
      if (((a | b | c | d | e | f | g | h) & 0x80) === 0) {
        s += String.fromCharCode(a, b, c, d, e, f, g, h);
        i += 8;
      }
    }
    // The rest (if fewer than eight) in one call too, each byte loaded once: one string made,
    // not one per character.
    switch (end - i) {
      case 0: return s;
      case 1: {
        const a = u8[i]!;
        if (a < 0x80) return s + String.fromCharCode(a);
        break;
      }
      case 2: {
        const a = u8[i]!, b = u8[i + 1]!;
        if (((a | b) & 0x80) === 0) return s + String.fromCharCode(a, b);
        break;
      }
      case 3: {
        const a = u8[i]!, b = u8[i + 1]!, c = u8[i + 2]!;
        if (((a | b | c) & 0x80) === 0) return s + String.fromCharCode(a, b, c);
        break;
      }
      case 4: {
        const a = u8[i]!, b = u8[i + 1]!, c = u8[i + 2]!, d = u8[i + 3]!;
        if (((a | b | c | d) & 0x80) === 0) return s + String.fromCharCode(a, b, c, d);
        break;
      }
      case 5: {
        const a = u8[i]!, b = u8[i + 1]!, c = u8[i + 2]!, d = u8[i + 3]!, e = u8[i + 4]!;
        if (((a | b | c | d | e) & 0x80) === 0) return s + String.fromCharCode(a, b, c, d, e);
        break;
      }
      case 6: {
        const a = u8[i]!, b = u8[i + 1]!, c = u8[i + 2]!, d = u8[i + 3]!, e = u8[i + 4]!, f = u8[i + 5]!;
        if (((a | b | c | d | e | f) & 0x80) === 0) return s + String.fromCharCode(a, b, c, d, e, f);
        break;
      }
      case 7: {
        const a = u8[i]!, b = u8[i + 1]!, c = u8[i + 2]!, d = u8[i + 3]!, e = u8[i + 4]!, f = u8[i + 5]!, g = u8[i + 6]!;
        if (((a | b | c | d | e | f | g) & 0x80) === 0) return s + String.fromCharCode(a, b, c, d, e, f, g);
      }
      // Eight or more left: a step above stopped at a byte that is not ASCII.
    }
  }
  return decodeUtf8Past(engine, u8, p, end, strict, base, input);
}

/**
 * `decodeUtf8` past its short ASCII path. A function of its own because, measured, a
 * process that had decoded non-ASCII text then decoded a 5-field message in 81-89 ns with
 * these paths inside `decodeUtf8`, and in 75-78 ns with them here (bench/README.md, 5b).
 */
function decodeUtf8Past(
  engine: Engine, u8: Uint8Array, p: number, end: number, strict: boolean, base: number, input: EngineInput,
): string {
  const len = end - p;
  const buffer: MaybeNodeBuffer = u8;
  // Text that starts with ASCII is most likely ASCII.
  const ascii = len > SHORT_DECODE && ((u8[p]! | u8[p + 1]! | u8[p + 2]! | u8[p + 3]!) & 0x80) === 0;
  if (ascii && typeof buffer.utf8Slice === "function") {
    // A Node Buffer (the bytes of a socket): its own native decoder costs less than any
    // check that the text is ASCII first, and than TextDecoder, at every length. Malformed
    // bytes come out as U+FFFD: then the paths below decide (strict: an error with its
    // offset; lenient: the same replacement, or a U+FFFD that was in the text).
    const s = buffer.utf8Slice(p, end);
    if (s.indexOf("\uFFFD") === -1) return s;
  }
  // Other bytes: ASCII goes to TextDecoder, which does it fastest; other short text is
  // decoded by a JS loop (no engine copy of the message, no native call), longer text by
  // the engine, up to the size where TextDecoder catches up.
  if (!ascii && len <= JS_DECODE) {
    const s = decodeWellFormed(u8, p, end);
    if (s !== null) return s;
    // Malformed: the paths below report it (strict) or replace it as TextDecoder does.
  }
  if (!ascii && len <= ENGINE_DECODE) {
    // May grow memory: views are taken from the engine afresh below.
    const shift = input.engineOffset();
    const scratch = engine.scratch(len * 2);
    const units = engine.exports.utf8Decode(p + shift, len, scratch, strict ? 1 : 0);
    if (units < 0) throw engine.error(units, base + shift, "string");
    // Only this path calls the engine: the others leave the reader's views as they are,
    // which spares a call per string (sync is not inlined into large generated bodies).
    input.sync();
    return stringFromUnits(engine.u16, scratch >>> 1, units);
  }
  try {
    return (strict ? strictDecoder : lenientDecoder).decode(u8.subarray(p, end));
  } catch {
    throw invalidUtf8(engine, p, len, base, input.engineOffset());
  }
}

/** The UTF-16 units of text `decodeWellFormed` decodes (at most one unit per byte). */
const textUnits = new Uint16Array(JS_DECODE);

/**
 * Decodes the UTF-8 at [p, end) of `u8` (at most JS_DECODE bytes) if it is well formed,
 * else returns null. Well formed as the WHATWG decoder defines it: no overlong forms, no
 * surrogates, nothing above U+10FFFF, no sequence cut short.
 */
function decodeWellFormed(u8: Uint8Array, p: number, end: number): string | null {
  let n = 0;
  while (p < end) {
    const c = u8[p]!;
    if (c < 0x80) {
      textUnits[n++] = c;
      p++;
    } else if (c < 0xe0) {
      if (c < 0xc2 || p + 1 >= end) return null;
      const c1 = u8[p + 1]!;
      if ((c1 & 0xc0) !== 0x80) return null;
      textUnits[n++] = ((c & 0x1f) << 6) | (c1 & 0x3f);
      p += 2;
    } else if (c < 0xf0) {
      if (p + 2 >= end) return null;
      const c1 = u8[p + 1]!;
      const c2 = u8[p + 2]!;
      if ((((c1 & 0xc0) ^ 0x80) | ((c2 & 0xc0) ^ 0x80)) !== 0) return null;
      const u = ((c & 0x0f) << 12) | ((c1 & 0x3f) << 6) | (c2 & 0x3f);
      if (u < 0x800 || (u & 0xf800) === 0xd800) return null;
      textUnits[n++] = u;
      p += 3;
    } else {
      if (c > 0xf4 || p + 3 >= end) return null;
      const c1 = u8[p + 1]!;
      const c2 = u8[p + 2]!;
      const c3 = u8[p + 3]!;
      if ((((c1 & 0xc0) ^ 0x80) | ((c2 & 0xc0) ^ 0x80) | ((c3 & 0xc0) ^ 0x80)) !== 0) return null;
      const cp = ((c & 0x07) << 18) | ((c1 & 0x3f) << 12) | ((c2 & 0x3f) << 6) | (c3 & 0x3f);
      if (cp < 0x10000 || cp > 0x10ffff) return null;
      textUnits[n++] = 0xd7c0 + (cp >> 10); // the high surrogate of cp: 0xd800 + ((cp - 0x10000) >> 10)
      textUnits[n++] = 0xdc00 | (cp & 0x3ff);
      p += 4;
    }
  }
  return stringFromUnits(textUnits, 0, n);
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
