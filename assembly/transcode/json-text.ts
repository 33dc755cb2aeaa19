/**
 * Reading JSON text: whitespace, string tokens (scanned, checked, unescaped to UTF-8),
 * and skipping whole values with the checks JSON.parse makes (and duplicate keys, which
 * the JS path refuses too). Everything refuses by returning 0 / false / -1: the host then
 * takes the JS path, which says what is wrong.
 */
import { utf8Validate } from "../utf8/utf8";
import { scanNumber } from "./numbers";
import { allDistinct, hashBytes, pushHash, workBase, workPop, workTop, workAlloc } from "./buffers";

/** After `scanString`: whether the string had escapes, or bytes of 0x80 and above. */
export let strEscaped = false;

/** Skips JSON whitespace from `p`. */
// @ts-ignore: decorator
@inline export function skipWs(p: usize, end: usize): usize {
  while (p < end) {
    const c = load<u8>(p);
    if (c != 0x20 && c != 0x0a && c != 0x0d && c != 0x09) break;
    p++;
  }
  return p;
}

/**
 * Scans the string whose opening quote is at `p`: returns the address of its closing
 * quote, or 0 if it is unterminated, holds a raw control character or malformed UTF-8.
 * Escapes are only stepped over here (`unescape` checks them).
 */
export function scanString(p: usize, end: usize): usize {
  let q = p + 1;
  let escaped = false;
  let wide = false;
  while (true) {
    // Runs with no quote, backslash or control byte, 16 (SIMD) or 8 bytes at a time.
    // On a stop, go straight to its first byte (the lowest flagged lane; bytes before it are
    // plain or wide): most strings are keys and short values, ended within the first block.
    if (ASC_FEATURE_SIMD) {
      while (q + 16 <= end) {
        const v = v128.load(q);
        const stop = i8x16.bitmask(v128.or(v128.or(i8x16.eq(v, i8x16.splat(0x22)), i8x16.eq(v, i8x16.splat(0x5c))),
          i8x16.lt_u(v, i8x16.splat(0x20))));
        const high = i8x16.bitmask(v);
        if (stop != 0) {
          const at = ctz(stop);
          if ((high & ((1 << at) - 1)) != 0) wide = true;
          q += at;
          break;
        }
        if (high != 0) wide = true;
        q += 16;
      }
    }
    while (q + 8 <= end) {
      const w = load<u64>(q);
      const quote = w ^ 0x2222222222222222;
      const slash = w ^ 0x5c5c5c5c5c5c5c5c;
      // A borrow can flag bytes after a true stop, never before: the lowest flag is exact.
      const stop = (((quote - 0x0101010101010101) & ~quote) | ((slash - 0x0101010101010101) & ~slash) |
        ((w - 0x2020202020202020) & ~w)) & 0x8080808080808080;
      if (stop != 0) {
        const at = <usize>(ctz(stop) >> 3);
        if ((w & 0x8080808080808080 & ((<u64>1 << (at << 3)) - 1)) != 0) wide = true;
        q += at;
        break;
      }
      if ((w & 0x8080808080808080) != 0) wide = true;
      q += 8;
    }
    if (q >= end) return 0;
    const c = <u32>load<u8>(q);
    if (c == 0x22) break;
    if (c == 0x5c) {
      escaped = true;
      q += 2;
      continue;
    }
    if (c < 0x20) return 0;
    if (c >= 0x80) wide = true;
    q++;
  }
  if (q >= end) return 0;
  if (wide && utf8Validate(p + 1, q - p - 1) != 0) return 0;
  strEscaped = escaped;
  return q;
}

// @ts-ignore: decorator
@inline function hex(c: u32): i32 {
  if (c >= 0x30 && c <= 0x39) return <i32>(c - 0x30);
  c |= 0x20;
  if (c >= 0x61 && c <= 0x66) return <i32>(c - 0x57);
  return -1;
}

function hex4(p: usize): i32 {
  const a = hex(load<u8>(p)), b = hex(load<u8>(p, 1)), c = hex(load<u8>(p, 2)), d = hex(load<u8>(p, 3));
  if ((a | b | c | d) < 0) return -1;
  return (a << 12) | (b << 8) | (c << 4) | d;
}

/**
 * Writes the UTF-8 of the string body [p, end) (escapes resolved) at `dst`, which has
 * room for `end - p` bytes (no escape grows). Returns the bytes written, or -1 for a bad
 * escape or a lone surrogate (which the JS path would turn into U+FFFD: left to it).
 */
export function unescape(p: usize, end: usize, dst: usize): isize {
  const start = dst;
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c != 0x5c) {
      store<u8>(dst++, <u8>c);
      p++;
      continue;
    }
    if (p + 1 >= end) return -1;
    const e = <u32>load<u8>(p, 1);
    p += 2;
    let out: u32 = 0;
    switch (e) {
      case 0x22: out = 0x22; break;
      case 0x5c: out = 0x5c; break;
      case 0x2f: out = 0x2f; break;
      case 0x62: out = 0x08; break;
      case 0x66: out = 0x0c; break;
      case 0x6e: out = 0x0a; break;
      case 0x72: out = 0x0d; break;
      case 0x74: out = 0x09; break;
      case 0x75: {
        if (p + 4 > end) return -1;
        let u = hex4(p);
        if (u < 0) return -1;
        p += 4;
        if (u >= 0xd800 && u <= 0xdfff) {
          if (u >= 0xdc00 || p + 6 > end || load<u8>(p) != 0x5c || load<u8>(p, 1) != 0x75) return -1;
          const lo = hex4(p + 2);
          if (lo < 0xdc00 || lo > 0xdfff) return -1;
          p += 6;
          u = 0x10000 + ((u - 0xd800) << 10) + (lo - 0xdc00);
        }
        if (u < 0x80) {
          store<u8>(dst++, <u8>u);
        } else if (u < 0x800) {
          store<u8>(dst++, <u8>(0xc0 | (u >> 6)));
          store<u8>(dst++, <u8>(0x80 | (u & 0x3f)));
        } else if (u < 0x10000) {
          store<u8>(dst++, <u8>(0xe0 | (u >> 12)));
          store<u8>(dst++, <u8>(0x80 | ((u >> 6) & 0x3f)));
          store<u8>(dst++, <u8>(0x80 | (u & 0x3f)));
        } else {
          store<u8>(dst++, <u8>(0xf0 | (u >> 18)));
          store<u8>(dst++, <u8>(0x80 | ((u >> 12) & 0x3f)));
          store<u8>(dst++, <u8>(0x80 | ((u >> 6) & 0x3f)));
          store<u8>(dst++, <u8>(0x80 | (u & 0x3f)));
        }
        continue;
      }
      default:
        return -1;
    }
    store<u8>(dst++, <u8>out);
  }
  return <isize>(dst - start);
}

/** Deepest nesting `skipValue` follows (the JS path has none but its stack). */
const SKIP_DEPTH: i32 = 200;

/** Hash seed of object keys (duplicate detection). */
export const KEY_SEED: u64 = 0x6b6579;

/**
 * Skips one JSON value at `p` (whitespace before it already skipped), checking it as
 * JSON.parse would and refusing duplicate keys; returns the address after it, or 0.
 */
export function skipValue(p: usize, end: usize, depth: i32): usize {
  if (p >= end) return 0;
  const c = <u32>load<u8>(p);
  if (c == 0x22) {
    const q = scanString(p, end);
    if (q == 0) return 0;
    if (strEscaped && !escapesValid(p + 1, q)) return 0;
    return q + 1;
  }
  if (c == 0x7b || c == 0x5b) {
    if (depth >= SKIP_DEPTH) return 0;
    const object = c == 0x7b;
    const close: u32 = object ? 0x7d : 0x5d;
    const top = workTop;
    let n: usize = 0;
    let q = skipWs(p + 1, end);
    const hashes = workTop;
    if (q < end && load<u8>(q) == close) return q + 1;
    while (true) {
      if (object) {
        if (q >= end || load<u8>(q) != 0x22) return 0;
        const k = scanString(q, end);
        if (k == 0) return 0;
        const h = keyHash(q + 1, k);
        if (h == 0 || !pushHash(h)) return 0;
        n++;
        q = skipWs(k + 1, end);
        if (q >= end || load<u8>(q) != 0x3a) return 0;
        q = skipWs(q + 1, end);
      }
      q = skipValue(q, end, depth + 1);
      if (q == 0) return 0;
      q = skipWs(q, end);
      if (q >= end) return 0;
      const d = <u32>load<u8>(q);
      if (d == 0x2c) {
        q = skipWs(q + 1, end);
        continue;
      }
      if (d != close) return 0;
      break;
    }
    if (object && !allDistinct((hashes + 7) & ~<usize>7, n)) return 0;
    workPop(top);
    return q + 1;
  }
  if (c == 0x74) return literal(p, end, 0x65757274, 4); // true
  if (c == 0x66) return p + 5 <= end && load<u8>(p, 4) == 0x65 ? literal(p, end, 0x736c6166, 5) : 0; // false
  if (c == 0x6e) return literal(p, end, 0x6c6c756e, 4); // null
  return scanNumber(p, end);
}

/** `p` past a literal whose first four bytes are `word` (little-endian) and length `n`. */
// @ts-ignore: decorator
@inline export function literal(p: usize, end: usize, word: u32, n: usize): usize {
  return p + n <= end && load<u32>(p) == word ? p + n : 0;
}

/** Whether the escapes of the string body [p, q) are all valid (lone surrogates refused). */
function escapesValid(p: usize, q: usize): bool {
  const top = workTop;
  const at = workAlloc(q - p);
  const ok = at >= 0 && unescape(p, q, workBase + <usize>at) >= 0;
  workPop(top);
  return ok;
}

/**
 * The identity hash of an object key (body [p, q)): of its text after unescaping, so
 * that `"a"` and `"\u0061"` collide as JSON.parse makes them. 0 when an escape is bad.
 */
export function keyHash(p: usize, q: usize): u64 {
  if (!strEscaped) return hashBytes(p, q - p, KEY_SEED);
  const top = workTop;
  const at = workAlloc(q - p);
  if (at < 0) return 0;
  const n = unescape(p, q, workBase + <usize>at);
  const h = n < 0 ? 0 : hashBytes(workBase + <usize>at, <usize>n, KEY_SEED);
  workPop(top);
  return h;
}

/** The index `isIndexKey` last read. */
export let keyIndex: u64 = 0;

/**
 * Whether the key text [p, q) is an array index ("0" or no leading zero, at most
 * 4294967294), which JS enumerates before other keys, in ascending order; sets keyIndex.
 */
export function isIndexKey(p: usize, q: usize): bool {
  const n = q - p;
  if (n == 0 || n > 10) return false;
  if (load<u8>(p) == 0x30 && n > 1) return false;
  let v: u64 = 0;
  for (let i: usize = 0; i < n; i++) {
    const c = <u32>load<u8>(p + i);
    if (c < 0x30 || c > 0x39) return false;
    v = v * 10 + (c - 0x30);
  }
  keyIndex = v;
  return v <= 4294967294;
}
