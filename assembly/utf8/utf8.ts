/**
 * UTF-8 <-> UTF-16 between two regions of linear memory, and validation.
 *
 * Decoding follows the WHATWG Encoding Standard, so non-strict output equals what
 * `TextDecoder` produces (each maximal invalid subpart becomes one U+FFFD). Encoding
 * equals `TextEncoder` (a lone surrogate becomes U+FFFD). Runs of ASCII are handled a
 * word (or, in the SIMD build, a vector) at a time.
 */
import { ErrorCode, fail } from "../errors";

const REPLACEMENT: u16 = 0xfffd;
const HIGH_BITS_64: u64 = 0x8080808080808080;

/** Length of the leading run of ASCII bytes in [p, end). */
function asciiRun(p: usize, end: usize): usize {
  const start = p;
  if (ASC_FEATURE_SIMD) {
    while (p + 16 <= end) {
      const v = v128.load(p);
      if (i8x16.bitmask(v) != 0) break;
      p += 16;
    }
  }
  while (p + 8 <= end) {
    if (load<u64>(p) & HIGH_BITS_64) break;
    p += 8;
  }
  while (p < end && load<u8>(p) < 0x80) p++;
  return p - start;
}

/** Widens `n` ASCII bytes at `src` to UTF-16 at `dst`. */
// @ts-ignore: decorator
@inline function widenAscii(src: usize, dst: usize, n: usize): void {
  const end = src + n;
  if (ASC_FEATURE_SIMD) {
    while (src + 16 <= end) {
      const v = v128.load(src);
      v128.store(dst, i16x8.extend_low_i8x16_u(v));
      v128.store(dst, i16x8.extend_high_i8x16_u(v), 16);
      src += 16;
      dst += 32;
    }
  }
  while (src < end) {
    store<u16>(dst, load<u8>(src));
    src++;
    dst += 2;
  }
}

/**
 * Where the well-formed sequence starting at `p` (lead byte >= 0x80) ends, or 0 if it is
 * not well-formed; on failure `badEnd` is where WHATWG's maximal subpart ends.
 */
let badEnd: usize = 0;
let codePoint: u32 = 0;

function sequenceEnd(p: usize, end: usize): usize {
  const b0 = <u32>load<u8>(p);
  let need: usize;
  let lower: u32 = 0x80;
  let upper: u32 = 0xbf;
  let cp: u32;
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    need = 1;
    cp = b0 & 0x1f;
  } else if (b0 >= 0xe0 && b0 <= 0xef) {
    need = 2;
    cp = b0 & 0x0f;
    if (b0 == 0xe0) lower = 0xa0;
    else if (b0 == 0xed) upper = 0x9f;
  } else if (b0 >= 0xf0 && b0 <= 0xf4) {
    need = 3;
    cp = b0 & 0x07;
    if (b0 == 0xf0) lower = 0x90;
    else if (b0 == 0xf4) upper = 0x8f;
  } else {
    badEnd = p + 1;
    return 0;
  }
  let q = p + 1;
  for (let i: usize = 0; i < need; i++) {
    if (q >= end) {
      badEnd = q;
      return 0;
    }
    const b = <u32>load<u8>(q);
    if (b < lower || b > upper) {
      badEnd = q;
      return 0;
    }
    lower = 0x80;
    upper = 0xbf;
    cp = (cp << 6) | (b & 0x3f);
    q++;
  }
  codePoint = cp;
  return q;
}

/**
 * The common well-formed 2-, 3- and 4-byte sequences, checked and decoded inline: returns
 * where the sequence at `p` ends (code point in `codePoint`), or 0 to take the careful
 * path of `sequenceEnd`, which also finds the maximal invalid subpart.
 */
// @ts-ignore: decorator
@inline function quickSequence(p: usize, end: usize, b0: u32): usize {
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    if (p + 2 > end) return 0;
    const b1 = <u32>load<u8>(p, 1);
    if ((b1 & 0xc0) != 0x80) return 0;
    codePoint = ((b0 & 0x1f) << 6) | (b1 & 0x3f);
    return p + 2;
  }
  if ((b0 & 0xf0) == 0xe0) {
    if (p + 3 > end) return 0;
    const b1 = <u32>load<u8>(p, 1);
    const b2 = <u32>load<u8>(p, 2);
    if (((b1 | (b2 << 8)) & 0xc0c0) != 0x8080) return 0;
    const cp = ((b0 & 0x0f) << 12) | ((b1 & 0x3f) << 6) | (b2 & 0x3f);
    // Overlong forms and encoded surrogates go to the careful path.
    if (cp < 0x800 || (cp & 0xf800) == 0xd800) return 0;
    codePoint = cp;
    return p + 3;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (p + 4 > end) return 0;
    const b1 = <u32>load<u8>(p, 1);
    const b2 = <u32>load<u8>(p, 2);
    const b3 = <u32>load<u8>(p, 3);
    if (((b1 | (b2 << 8) | (b3 << 16)) & 0xc0c0c0) != 0x808080) return 0;
    const cp = ((b0 & 0x07) << 18) | ((b1 & 0x3f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f);
    if (cp < 0x10000 || cp > 0x10ffff) return 0;
    codePoint = cp;
    return p + 4;
  }
  return 0;
}

/** Returns 0 if [src, src+len) is well-formed UTF-8, else -INVALID_UTF8 (offset in errorAt). */
export function utf8Validate(src: usize, len: usize): isize {
  const end = src + len;
  let p = src;
  while (p < end) {
    const b0 = <u32>load<u8>(p);
    if (b0 < 0x80) {
      p += asciiRun(p, end);
      continue;
    }
    let q = quickSequence(p, end, b0);
    if (q == 0) q = sequenceEnd(p, end);
    if (q == 0) return fail(ErrorCode.INVALID_UTF8, p);
    p = q;
  }
  return 0;
}

/**
 * Decodes [src, src+len) into UTF-16 at `dst` (room for `len` units is enough) and
 * returns the number of units written. Strict: the first malformed byte fails with
 * -INVALID_UTF8; otherwise each maximal invalid subpart becomes U+FFFD.
 */
export function utf8Decode(src: usize, len: usize, dst: usize, strict: bool): isize {
  const end = src + len;
  const start = dst;
  let p = src;
  while (p < end) {
    const b0 = <u32>load<u8>(p);
    if (b0 < 0x80) {
      const run = asciiRun(p, end);
      widenAscii(p, dst, run);
      p += run;
      dst += run << 1;
      continue;
    }
    let q = quickSequence(p, end, b0);
    if (q == 0) q = sequenceEnd(p, end);
    if (q == 0) {
      if (strict) return fail(ErrorCode.INVALID_UTF8, p);
      store<u16>(dst, REPLACEMENT);
      dst += 2;
      p = badEnd;
      continue;
    }
    const cp = codePoint;
    if (cp >= 0x10000) {
      store<u16>(dst, <u16>(0xd800 + ((cp - 0x10000) >> 10)));
      store<u16>(dst, <u16>(0xdc00 + (cp & 0x3ff)), 2);
      dst += 4;
    } else {
      store<u16>(dst, <u16>cp);
      dst += 2;
    }
    p = q;
  }
  return (dst - start) >> 1;
}

/** Length of the leading run of UTF-16 units below 0x80 in [p, end). */
function asciiRun16(p: usize, end: usize): usize {
  const start = p;
  if (ASC_FEATURE_SIMD) {
    const mask = i16x8.splat(<i16>0xff80);
    while (p + 16 <= end) {
      if (v128.any_true(v128.and(v128.load(p), mask))) break;
      p += 16;
    }
  }
  while (p < end && load<u16>(p) < 0x80) p += 2;
  return (p - start) >> 1;
}

/**
 * Encodes `units` UTF-16 code units at `src` as UTF-8 at `dst` (room for 3 bytes per unit
 * is enough) and returns the bytes written. Lone surrogates become U+FFFD.
 */
export function utf8Encode(src: usize, units: usize, dst: usize): usize {
  const end = src + (units << 1);
  const start = dst;
  let p = src;
  while (p < end) {
    const run = asciiRun16(p, end);
    if (run > 0) {
      let i: usize = 0;
      if (ASC_FEATURE_SIMD) {
        while (i + 16 <= run) {
          const a = v128.load(p + (i << 1));
          const b = v128.load(p + (i << 1), 16);
          v128.store(dst + i, i8x16.narrow_i16x8_u(a, b));
          i += 16;
        }
      }
      for (; i < run; i++) store<u8>(dst + i, <u8>load<u16>(p + (i << 1)));
      p += run << 1;
      dst += run;
      if (p >= end) break;
    }
    let c = <u32>load<u16>(p);
    p += 2;
    if (c < 0x800) {
      store<u8>(dst, <u8>(0xc0 | (c >> 6)));
      store<u8>(dst, <u8>(0x80 | (c & 0x3f)), 1);
      dst += 2;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) {
      const next = p < end ? <u32>load<u16>(p) : 0;
      if (c <= 0xdbff && next >= 0xdc00 && next <= 0xdfff) {
        p += 2;
        const cp = 0x10000 + ((c - 0xd800) << 10) + (next - 0xdc00);
        store<u8>(dst, <u8>(0xf0 | (cp >> 18)));
        store<u8>(dst, <u8>(0x80 | ((cp >> 12) & 0x3f)), 1);
        store<u8>(dst, <u8>(0x80 | ((cp >> 6) & 0x3f)), 2);
        store<u8>(dst, <u8>(0x80 | (cp & 0x3f)), 3);
        dst += 4;
        continue;
      }
      c = REPLACEMENT;
    }
    store<u8>(dst, <u8>(0xe0 | (c >> 12)));
    store<u8>(dst, <u8>(0x80 | ((c >> 6) & 0x3f)), 1);
    store<u8>(dst, <u8>(0x80 | (c & 0x3f)), 2);
    dst += 3;
  }
  return dst - start;
}

/** Bytes `utf8Encode` would write for `units` UTF-16 code units at `src`. */
export function utf8Length(src: usize, units: usize): usize {
  const end = src + (units << 1);
  let p = src;
  let bytes: usize = 0;
  while (p < end) {
    const c = <u32>load<u16>(p);
    p += 2;
    if (c < 0x80) bytes += 1;
    else if (c < 0x800) bytes += 2;
    else if (c >= 0xd800 && c <= 0xdbff && p < end) {
      const next = <u32>load<u16>(p);
      if (next >= 0xdc00 && next <= 0xdfff) {
        p += 2;
        bytes += 4;
      } else bytes += 3;
    } else bytes += 3;
  }
  return bytes;
}
