/**
 * Writing Thrift values at the output (buffers.ts) in the protocol `setCompact` chose:
 * what json-to-thrift.ts writes, each value as the JS writers write it.
 */
import { varint32Size, writeVarint32, zigzag32, zigzag64 } from "../varint";
import { ensure, hashBytes, outBase, outPos } from "./buffers";
import { strEscaped, unescape } from "./json-text";

/** Whether values are written in Compact (else Binary). */
export let compact = false;

export function setCompact(v: bool): void {
  compact = v;
}

// @ts-ignore: decorator
@inline export function put8(v: u32): bool {
  if (!ensure(1)) return false;
  store<u8>(outPos, <u8>v);
  outPos++;
  return true;
}

export function putVarint(v: u64): bool {
  if (!ensure(10)) return false;
  while (v >= 0x80) {
    store<u8>(outPos++, <u8>(v | 0x80));
    v >>= 7;
  }
  store<u8>(outPos++, <u8>v);
  return true;
}

export function putI16(v: i32): bool {
  if (compact) return putVarint(<u64>zigzag32(v));
  if (!ensure(2)) return false;
  store<u16>(outPos, bswap<u16>(<u16>v));
  outPos += 2;
  return true;
}

export function putI32(v: i32): bool {
  if (compact) return putVarint(<u64>zigzag32(v));
  if (!ensure(4)) return false;
  store<u32>(outPos, bswap<u32>(<u32>v));
  outPos += 4;
  return true;
}

export function putI64(v: i64): bool {
  if (compact) return putVarint(zigzag64(v));
  if (!ensure(8)) return false;
  store<u64>(outPos, bswap<u64>(<u64>v));
  outPos += 8;
  return true;
}

export function putDouble(v: f64): bool {
  if (!ensure(8)) return false;
  const bits = reinterpret<u64>(v);
  store<u64>(outPos, compact ? bits : bswap<u64>(bits));
  outPos += 8;
  return true;
}

/** A length prefix (string, binary). */
// @ts-ignore: decorator
@inline export function putLength(n: usize): bool {
  return compact ? putVarint(<u64>n) : putI32(<i32>n);
}

/** A field header; returns the field id the next Compact header is relative to. */
export function fieldHeader(ttype: u32, ctype: u32, id: i32, lastId: i32): bool {
  if (!compact) {
    if (!ensure(3)) return false;
    store<u8>(outPos, <u8>ttype);
    store<u16>(outPos + 1, bswap<u16>(<u16>id));
    outPos += 3;
    return true;
  }
  const delta = id - lastId;
  if (delta > 0 && delta <= 15) return put8(<u32>(delta << 4) | ctype);
  return put8(ctype) && putVarint(<u64>zigzag32(id));
}

/** The identity of a string just written at output offset `start` (its bytes after the length). */
export function stringIdentity(start: usize): u64 {
  const q = stringBody(start);
  return hashBytes(q, outPos - q, 4);
}

/** The address of the bytes of the string written at output offset `start` (after its length). */
export function stringBody(start: usize): usize {
  let q = outBase + start;
  if (!compact) return q + 4;
  while (load<u8>(q) >= 0x80) q++;
  return q + 1;
}

/** Writes the string body [p, q) (escapes resolved) with its length prefix. */
export function writeString(p: usize, q: usize): bool {
  const raw = q - p;
  if (!strEscaped) {
    if (!putLength(raw) || !ensure(raw)) return false;
    memory.copy(outPos, p, raw);
    outPos += raw;
    return true;
  }
  const room: usize = compact ? 5 : 4;
  if (!ensure(room + raw)) return false;
  const at = outPos;
  const n = unescape(p, q, at + room);
  if (n < 0) return false;
  if (compact) {
    const size = varint32Size(<u32>n);
    writeVarint32(at, <u32>n);
    memory.copy(at + size, at + room, <usize>n);
    outPos = at + size + <usize>n;
  } else {
    store<u32>(at, bswap<u32>(<u32>n));
    outPos = at + 4 + <usize>n;
  }
  return true;
}

/** Value of each byte as a base64 character, standard or URL-safe alphabet; -1 for others. */
const B64: StaticArray<i8> = [-1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 62, -1, 62, -1, 63, 52, 53, 54, 55, 56, 57, 58, 59, 60, 61, -1, -1, -1, -1, -1, -1, -1, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, -1, -1, -1, -1, 63, -1, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 45, 46, 47, 48, 49, 50, 51, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1];

// @ts-ignore: decorator
@inline export function b64(c: u32): i32 {
  return <i32>unchecked(B64[c]);
}

/** Decodes base64 [p, q) as the JS path's base64Decode does, with its length prefix. */
export function writeBase64(p: usize, q: usize): bool {
  const len = q - p;
  let end = len;
  let pad: usize = 0;
  while (end > 0 && load<u8>(p + end - 1) == 0x3d && pad < 2) {
    end--;
    pad++;
  }
  if (pad > 0 && len % 4 != 0) return false;
  if (end % 4 == 1) return false;
  const n = (end * 3) >> 2;
  // 16 bytes of room past the end: the SIMD loop stores 16 bytes to keep 12.
  if (!putLength(n) || !ensure(n + 16)) return false;
  let o = outPos;
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    while (i + 16 <= end) {
      const r = base64Block(p + i, o);
      if (!r) break; // a character outside both alphabets: the scalar loop says which
      i += 16;
      o += 12;
    }
  }
  for (; i + 4 <= end; i += 4) {
    const a = b64(load<u8>(p + i)), b = b64(load<u8>(p + i + 1)), c = b64(load<u8>(p + i + 2)), d = b64(load<u8>(p + i + 3));
    if ((a | b | c | d) < 0) return false;
    const v = (a << 18) | (b << 12) | (c << 6) | d;
    store<u8>(o, <u8>(v >> 16));
    store<u8>(o + 1, <u8>(v >> 8));
    store<u8>(o + 2, <u8>v);
    o += 3;
  }
  const rest = end - i;
  if (rest > 0) {
    let acc: i32 = 0;
    for (let k: usize = 0; k < rest; k++) {
      const v = b64(load<u8>(p + i + k));
      if (v < 0) return false;
      acc = (acc << 6) | v;
    }
    if (rest == 2) {
      store<u8>(o++, <u8>(acc >> 4));
    } else {
      store<u8>(o++, <u8>(acc >> 10));
      store<u8>(o++, <u8>(acc >> 2));
    }
  }
  outPos = o;
  return true;
}

/**
 * Decodes 16 base64 characters (either alphabet) at `p` into 12 bytes at `o` (storing 16);
 * false, writing nothing meaningful, if one is not a base64 character.
 */
function base64Block(p: usize, o: usize): bool {
  const c = v128.load(p);
  const upper = v128.and(i8x16.ge_u(c, i8x16.splat(0x41)), i8x16.le_u(c, i8x16.splat(0x5a)));
  const lower = v128.and(i8x16.ge_u(c, i8x16.splat(0x61)), i8x16.le_u(c, i8x16.splat(0x7a)));
  const digit = v128.and(i8x16.ge_u(c, i8x16.splat(0x30)), i8x16.le_u(c, i8x16.splat(0x39)));
  const plus = v128.or(i8x16.eq(c, i8x16.splat(0x2b)), i8x16.eq(c, i8x16.splat(0x2d))); // + or -: 62
  const slash = v128.or(i8x16.eq(c, i8x16.splat(0x2f)), i8x16.eq(c, i8x16.splat(0x5f))); // / or _: 63
  if (!i8x16.all_true(v128.or(v128.or(upper, lower), v128.or(digit, v128.or(plus, slash))))) return false;
  // Each character's value: the character minus its range's start plus the range's first value.
  let v = v128.and(upper, i8x16.sub(c, i8x16.splat(0x41)));
  v = v128.or(v, v128.and(lower, i8x16.sub(c, i8x16.splat(0x47))));
  v = v128.or(v, v128.and(digit, i8x16.add(c, i8x16.splat(4))));
  v = v128.or(v, v128.and(plus, i8x16.splat(62)));
  v = v128.or(v, v128.and(slash, i8x16.splat(63)));
  // Pack 4 x 6 bits into 3 bytes per 32-bit lane, then put each lane's bytes in order.
  const pairs = v128.or(i16x8.shl(v128.and(v, i16x8.splat(0x00ff)), 6), i16x8.shr_u(v, 8));
  const words = v128.or(i32x4.shl(v128.and(pairs, i32x4.splat(0xffff)), 12), i32x4.shr_u(pairs, 16));
  v128.store(o, i8x16.swizzle(words, i8x16(2, 1, 0, 6, 5, 4, 10, 9, 8, 14, 13, 12, -1, -1, -1, -1)));
  return true;
}

/** Writes the 16 bytes of a UUID in canonical text [p, q) (either case). */
export function writeUuid(p: usize, q: usize): bool {
  if (q - p != 36 || strEscaped || !ensure(16)) return false;
  let o = outPos;
  let i: usize = 0;
  while (i < 36) {
    if (i == 8 || i == 13 || i == 18 || i == 23) {
      if (load<u8>(p + i) != 0x2d) return false;
      i++;
      continue;
    }
    const hi = hexDigit(load<u8>(p + i)), lo = hexDigit(load<u8>(p + i + 1));
    if ((hi | lo) < 0) return false;
    store<u8>(o++, <u8>((hi << 4) | lo));
    i += 2;
  }
  outPos = o;
  return true;
}

// @ts-ignore: decorator
@inline export function hexDigit(c: u32): i32 {
  if (c - 0x30 < 10) return <i32>(c - 0x30);
  const l = c | 0x20;
  if (l - 0x61 < 6) return <i32>(l - 0x57);
  return -1;
}
