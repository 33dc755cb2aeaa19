/**
 * Packed repeated columns: a whole column encoded or decoded per call.
 *
 * Runs of one-byte varints (small non-negative values, the common case) are moved sixteen
 * at a time with SIMD. When encoding, anything else takes a scalar path. When decoding
 * 32-bit kinds, other varints are found a window of bytes at a time and decoded two at a
 * time with SIMD (one at a time in the plain build); see read32.
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

/**
 * 32-bit kinds. Most of a column is read in windows of 64 bytes (16 near its end): the
 * high bits of all of a window's bytes give at once where every varint ends, and each
 * varint that ends inside the window is then decoded from its own load. Where a varint
 * starts no longer depends on decoding the one before it (in a one-at-a-time loop each
 * start waits for the previous load), so the values of a window decode in parallel.
 * The last bytes of the column, and the rest of any column with a varint of more than
 * ten bytes, go one varint at a time, which is also where errors are reported.
 */
// @ts-ignore: decorator: inlined into both call sites, so `zigzag` is a constant in each
@inline function read32(p: usize, end: usize, dst: usize, zigzag: bool): isize {
  const start = dst;
  const windowEnd = windowLimit(end);
  for (;;) {
    const wide = p + 64 <= windowEnd;
    if (!wide && p + 16 > windowEnd) break;
    const cont = wide ? continuations64(p) : continuations16(p);
    let stops = ~cont;
    if (!wide) stops &= 0xffff;
    if (overlongRun(cont)) break;
    if (ASC_FEATURE_SIMD) {
      // Leading runs of sixteen one-byte varints are widened sixteen at a time.
      const runs = <usize>ctz(~stops) >> 4;
      if (runs != 0) {
        for (let k: usize = 0; k < runs; k++) {
          widen16(p, dst, zigzag);
          p += 16;
          dst += 64;
        }
        continue;
      }
    }
    walkWindow(p, stops, dst, zigzag);
    dst += <usize>popcnt(stops) << 2;
    // The next window starts at the varint that did not end in this one.
    p += <usize>(64 - clz(stops));
  }
  while (p < end) {
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

/**
 * Where windows must stop: at `end`, and 16 bytes before the end of linear memory. A
 * window loads up to eight bytes past its end (eight bytes at each varint start, and
 * at the window's end for the unused half of a last pair); bytes past the window never
 * reach a result, but the memory must exist.
 */
// @ts-ignore: decorator
@inline function windowLimit(end: usize): usize {
  const memoryEnd = <u64>memory.size() << 16;
  return <usize>min(<u64>end, memoryEnd - 16);
}

/**
 * Decodes every varint that ends in the window at p (`stops` has bit k set when byte
 * p + k ends one; the first starts at p) into consecutive u32 at dst.
 */
// @ts-ignore: decorator
@inline function walkWindow(p: usize, stops: u64, dst: usize, zigzag: bool): void {
  let s: usize = 0;
  if (ASC_FEATURE_SIMD) {
    // Two at a time. With an odd count the last pair's second half decodes the bytes
    // after the last varint, a value stored one slot past the real ones: the caller
    // counts only real ones, and the next value stored overwrites it. There is room for
    // it: the caller has room for one value per byte, and an odd count is less than the
    // window's bytes.
    do {
      const t0 = <usize>ctz(stops);
      stops &= stops - 1;
      const t1 = <usize>ctz(stops);
      stops &= stops - 1;
      decodePair(p + s, p + t0 + 1, dst, zigzag);
      dst += 8;
      s = t1 + 1;
    } while (stops != 0);
  } else {
    do {
      const x = load<u64>(p + s);
      const own = ~x & 0x8080808080808080;
      const v = payload32(x & (own ^ (own - 1)));
      store<u32>(dst, zigzag ? (v >>> 1) ^ -(v & 1) : v);
      dst += 4;
      s = <usize>ctz(stops) + 1;
      stops &= stops - 1;
    } while (stops != 0);
  }
}

/**
 * Decodes the varints at a and b (each ends within its first ten bytes; eight bytes are
 * readable at both) into two u32 at dst. Only the first five bytes carry the low 32 bits.
 */
// @ts-ignore: decorator
@inline function decodePair(a: usize, b: usize, dst: usize, zigzag: bool): void {
  const x = v128.load64_lane(b, v128.load64_zero(a), 1);
  // Keep each lane's bytes up to its first byte with the high bit clear (all eight when
  // none is: a nine- or ten-byte varint, whose later bytes do not reach the low 32 bits).
  const own = v128.andnot(i64x2.splat(0x8080808080808080), x);
  const y = v128.and(x, v128.xor(own, i64x2.sub(own, i64x2.splat(1))));
  // Byte pairs to 14 bits in each 16-bit lane, lane pairs to 28 bits in each 32-bit lane
  // (a multiply-add), then the low four bits of the fifth byte above them.
  const w = v128.or(v128.and(y, i16x8.splat(0x7f)), v128.and(i16x8.shr_u(y, 1), i16x8.splat(0x3f80)));
  const d = i32x4.dot_i16x8_s(w, i32x4.splat(0x40000001));
  let v = v128.or(d, i64x2.shr_u(i32x4.shl(d, 28), 32));
  if (zigzag) v = unzigzag4(v);
  v128.store64_lane(dst, i32x4.shuffle(v, v, 0, 2, 0, 2), 0);
}

/** Sixteen one-byte varints at p as sixteen u32 at dst. */
// @ts-ignore: decorator
@inline function widen16(p: usize, dst: usize, zigzag: bool): void {
  const v = v128.load(p);
  const lo = i16x8.extend_low_i8x16_u(v);
  const hi = i16x8.extend_high_i8x16_u(v);
  let a = i32x4.extend_low_i16x8_u(lo);
  let b = i32x4.extend_high_i16x8_u(lo);
  let c = i32x4.extend_low_i16x8_u(hi);
  let d = i32x4.extend_high_i16x8_u(hi);
  if (zigzag) {
    a = unzigzag4(a);
    b = unzigzag4(b);
    c = unzigzag4(c);
    d = unzigzag4(d);
  }
  v128.store(dst, a);
  v128.store(dst, b, 16);
  v128.store(dst, c, 32);
  v128.store(dst, d, 48);
}

/** Zigzag decoding of four u32 lanes. */
// @ts-ignore: decorator
@inline function unzigzag4(v: v128): v128 {
  return v128.xor(i32x4.shr_u(v, 1), i32x4.neg(v128.and(v, i32x4.splat(1))));
}

/** Bit k set: byte p + k (k < 64) has its high bit set, so a varint goes on after it. */
// @ts-ignore: decorator
@inline function continuations64(p: usize): u64 {
  if (ASC_FEATURE_SIMD) {
    const a = <u64>i8x16.bitmask(v128.load(p));
    const b = <u64>i8x16.bitmask(v128.load(p, 16));
    const c = <u64>i8x16.bitmask(v128.load(p, 32));
    const d = <u64>i8x16.bitmask(v128.load(p, 48));
    return a | (b << 16) | (c << 32) | (d << 48);
  }
  return continuations16(p) | (continuations16(p + 16) << 16) |
    (continuations16(p + 32) << 32) | (continuations16(p + 48) << 48);
}

/** Bit k set: byte p + k (k < 16) has its high bit set. */
// @ts-ignore: decorator
@inline function continuations16(p: usize): u64 {
  if (ASC_FEATURE_SIMD) return <u64>i8x16.bitmask(v128.load(p));
  return highBits8(load<u64>(p)) | (highBits8(load<u64>(p, 8)) << 8);
}

/** The high bit of each byte of `x`, as eight bits (the multiply gathers them, no carries). */
// @ts-ignore: decorator
@inline function highBits8(x: u64): u64 {
  return (((x & 0x8080808080808080) >> 7) * 0x0102040810204080) >> 56;
}

/** True if `cont` has ten bits set in a row: ten continuation bytes, a varint of more than ten. */
// @ts-ignore: decorator
@inline function overlongRun(cont: u64): bool {
  let r = cont & (cont >> 1); // runs of 2
  r &= r >> 2; // 4
  r &= r >> 4; // 8
  r &= r >> 2; // 10
  return r != 0;
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
