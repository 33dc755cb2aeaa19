/**
 * Packed repeated columns: a whole column encoded or decoded per call.
 *
 * Runs of one-byte varints (small non-negative values, the common case) are moved sixteen
 * at a time with SIMD; anything else takes a scalar path. After a vector check fails the
 * next sixteen bytes go scalar before SIMD is tried again, so mixed data does not pay for
 * a failed check per value.
 */
import { ErrorCode, fail } from "../errors";
import { writeVarint32, writeVarint64, zigzag32, zigzag64 } from "../varint";

/**
 * Column kinds, named for the Protobuf scalar types that share a varint transform: INT32
 * sign-extends negatives to 10 bytes, UINT32 does not, SINT32 is zigzag; the 64-bit kinds
 * read and write i64 values.
 */
export const enum Column { INT32 = 0, UINT32 = 1, SINT32 = 2, INT64 = 3, SINT64 = 4, BOOL = 5 }

/** Room before the body for its length: the body is written after it and moved back. */
const LENGTH_ROOM: usize = 5;

/**
 * Writes a packed column body: its varint byte length, then `n` values of `kind` from
 * `src` (i32 for 32-bit kinds, i64 for 64-bit kinds, u8 for BOOL). Returns the address
 * after it. The caller has room for 10 + 10 * n bytes.
 */
export function protobufWritePacked(kind: u32, src: usize, n: usize, dst: usize): usize {
  const body = dst + LENGTH_ROOM;
  let end: usize;
  switch (kind) {
    case Column.INT32: end = write32(src, n, body, false, true); break;
    case Column.UINT32: end = write32(src, n, body, false, false); break;
    case Column.SINT32: end = write32(src, n, body, true, false); break;
    case Column.INT64: end = write64(src, n, body, false); break;
    case Column.SINT64: end = write64(src, n, body, true); break;
    default:
      for (let i: usize = 0; i < n; i++) store<u8>(body + i, load<u8>(src + i) != 0 ? 1 : 0);
      end = body + n;
  }
  const len = end - body;
  const after = writeVarint32(dst, <u32>len);
  if (after != body) memory.copy(after, body, len);
  return after + len;
}

function write32(src: usize, n: usize, dst: usize, zigzag: bool, signExtend: bool): usize {
  let i: usize = 0;
  if (ASC_FEATURE_SIMD) {
    const limit = i32x4.splat(0x80);
    while (i + 16 <= n) {
      let a = v128.load(src + (i << 2));
      let b = v128.load(src + (i << 2), 16);
      let c = v128.load(src + (i << 2), 32);
      let d = v128.load(src + (i << 2), 48);
      if (zigzag) {
        a = v128.xor(i32x4.shl(a, 1), i32x4.shr_s(a, 31));
        b = v128.xor(i32x4.shl(b, 1), i32x4.shr_s(b, 31));
        c = v128.xor(i32x4.shl(c, 1), i32x4.shr_s(c, 31));
        d = v128.xor(i32x4.shl(d, 1), i32x4.shr_s(d, 31));
      }
      // Unsigned compares: negative values are large and fail the check.
      const big = v128.or(v128.or(i32x4.ge_u(a, limit), i32x4.ge_u(b, limit)), v128.or(i32x4.ge_u(c, limit), i32x4.ge_u(d, limit)));
      if (v128.any_true(big)) {
        for (const stop = i + 16; i < stop; i++) dst = write32One(load<i32>(src + (i << 2)), dst, zigzag, signExtend);
        continue;
      }
      v128.store(dst, i8x16.narrow_i16x8_u(i16x8.narrow_i32x4_u(a, b), i16x8.narrow_i32x4_u(c, d)));
      dst += 16;
      i += 16;
    }
  }
  for (; i < n; i++) dst = write32One(load<i32>(src + (i << 2)), dst, zigzag, signExtend);
  return dst;
}

// @ts-ignore: decorator
@inline function write32One(v: i32, dst: usize, zigzag: bool, signExtend: bool): usize {
  if (zigzag) return writeVarint32(dst, zigzag32(v));
  if (signExtend && v < 0) return writeVarint64(dst, <u64>(<i64>v));
  return writeVarint32(dst, <u32>v);
}

function write64(src: usize, n: usize, dst: usize, zigzag: bool): usize {
  for (let i: usize = 0; i < n; i++) {
    const v = load<i64>(src + (i << 3));
    dst = writeVarint64(dst, zigzag ? zigzag64(v) : <u64>v);
  }
  return dst;
}

/**
 * Decodes the varints in [p, end) as a column of `kind` into `dst` (i32, i64 or u8 per
 * value; room for `end - p` values is enough) and returns how many it wrote, or a
 * negative error. 32-bit kinds keep the low 32 bits, as protoc does.
 */
export function protobufReadPacked(kind: u32, p: usize, end: usize, dst: usize): isize {
  switch (kind) {
    case Column.INT32: case Column.UINT32: return read32(p, end, dst, false);
    case Column.SINT32: return read32(p, end, dst, true);
    case Column.INT64: return read64(p, end, dst, false);
    case Column.SINT64: return read64(p, end, dst, true);
    default: return readBools(p, end, dst);
  }
}

function read32(p: usize, end: usize, dst: usize, zigzag: bool): isize {
  const start = dst;
  let scalarUntil = p;
  while (p < end) {
    if (ASC_FEATURE_SIMD && p >= scalarUntil && p + 16 <= end) {
      const v = v128.load(p);
      if (i8x16.bitmask(v) == 0) {
        const lo = i16x8.extend_low_i8x16_u(v);
        const hi = i16x8.extend_high_i8x16_u(v);
        let a = i32x4.extend_low_i16x8_u(lo);
        let b = i32x4.extend_high_i16x8_u(lo);
        let c = i32x4.extend_low_i16x8_u(hi);
        let d = i32x4.extend_high_i16x8_u(hi);
        if (zigzag) {
          const one = i32x4.splat(1);
          a = v128.xor(i32x4.shr_u(a, 1), i32x4.neg(v128.and(a, one)));
          b = v128.xor(i32x4.shr_u(b, 1), i32x4.neg(v128.and(b, one)));
          c = v128.xor(i32x4.shr_u(c, 1), i32x4.neg(v128.and(c, one)));
          d = v128.xor(i32x4.shr_u(d, 1), i32x4.neg(v128.and(d, one)));
        }
        v128.store(dst, a);
        v128.store(dst, b, 16);
        v128.store(dst, c, 32);
        v128.store(dst, d, 48);
        dst += 64;
        p += 16;
        continue;
      }
      scalarUntil = p + 16;
    }
    let v: u32;
    if (p + 10 <= end) {
      // Eight bytes at once: the first byte with its high bit clear ends the varint.
      const x = load<u64>(p);
      const stops = ~x & 0x8080808080808080;
      if (stops != 0) {
        v = payload32(x & (stops ^ (stops - 1)));
        p += <usize>((ctz(stops) + 1) >> 3);
      } else {
        // Nine or ten bytes (a sign-extended negative): the low 32 bits are already in x.
        v = payload32(x);
        if (load<u8>(p, 8) < 0x80) p += 9;
        else if (load<u8>(p, 9) < 0x80) p += 10;
        else return fail(ErrorCode.MALFORMED_VARINT, p);
      }
    } else {
      const at = p;
      let b = <u32>load<u8>(p++);
      v = b & 0x7f;
      let shift: u32 = 7;
      while (b >= 0x80) {
        if (p >= end) return fail(ErrorCode.TRUNCATED, at);
        if (shift >= 70) return fail(ErrorCode.MALFORMED_VARINT, at);
        b = <u32>load<u8>(p++);
        if (shift < 32) v |= (b & 0x7f) << shift;
        shift += 7;
      }
    }
    store<u32>(dst, zigzag ? (v >>> 1) ^ -(v & 1) : v);
    dst += 4;
  }
  return (dst - start) >> 2;
}

function read64(p: usize, end: usize, dst: usize, zigzag: bool): isize {
  let n: usize = 0;
  while (p < end) {
    let v: u64;
    if (p + 10 <= end) {
      const x = load<u64>(p);
      const stops = ~x & 0x8080808080808080;
      if (stops != 0) {
        v = payload56(x & (stops ^ (stops - 1)));
        p += <usize>((ctz(stops) + 1) >> 3);
      } else {
        v = payload56(x);
        const b8 = <u64>load<u8>(p, 8);
        v |= (b8 & 0x7f) << 56;
        if (b8 < 0x80) p += 9;
        else {
          const b9 = <u64>load<u8>(p, 9);
          if (b9 >= 0x80) return fail(ErrorCode.MALFORMED_VARINT, p);
          v |= b9 << 63;
          p += 10;
        }
      }
    } else {
      const at = p;
      let b = <u64>load<u8>(p++);
      v = b & 0x7f;
      let shift: u64 = 7;
      while (b >= 0x80) {
        if (p >= end) return fail(ErrorCode.TRUNCATED, at);
        if (shift >= 70) return fail(ErrorCode.MALFORMED_VARINT, at);
        b = <u64>load<u8>(p++);
        v |= (b & 0x7f) << shift;
        shift += 7;
      }
    }
    store<u64>(dst + (n << 3), zigzag ? (v >>> 1) ^ -(v & 1) : v);
    n++;
  }
  return n;
}

/** The low 32 bits of the 7-bit groups of the varint bytes in `x` (five bytes carry them). */
// @ts-ignore: decorator
@inline function payload32(x: u64): u32 {
  const lo = <u32>x;
  return (lo & 0x7f) | ((lo >> 1) & 0x3f80) | ((lo >> 2) & 0x1fc000) | ((lo >> 3) & 0xfe00000) |
    (<u32>(x >> 32) << 28);
}

/** The 7-bit groups of up to eight varint bytes in `x` (little-endian), joined: 56 bits. */
// @ts-ignore: decorator
@inline function payload56(x: u64): u64 {
  return (x & 0x7f) | ((x >> 1) & 0x3f80) | ((x >> 2) & 0x1fc000) | ((x >> 3) & 0xfe00000) |
    ((x >> 4) & 0x7f0000000) | ((x >> 5) & 0x3f800000000) | ((x >> 6) & 0x1fc0000000000) |
    ((x >> 7) & 0xfe000000000000);
}

function readBools(p: usize, end: usize, dst: usize): isize {
  let n: usize = 0;
  while (p < end) {
    const at = p;
    let b = <u32>load<u8>(p++);
    let any = b & 0x7f;
    let count = 1;
    while (b >= 0x80) {
      if (p >= end) return fail(ErrorCode.TRUNCATED, at);
      if (++count > 10) return fail(ErrorCode.MALFORMED_VARINT, at);
      b = <u32>load<u8>(p++);
      any |= b & 0x7f;
    }
    store<u8>(dst + n, any != 0 ? 1 : 0);
    n++;
  }
  return n;
}
