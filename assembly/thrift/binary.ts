/**
 * Thrift Binary protocol: big-endian fixed-width values, i32 length prefixes.
 *
 * The host writes and reads single fields itself (a DataView is faster than a call per
 * field); the engine does what pays per call: skipping and validating whole values and
 * messages, and converting whole lists between host order and wire order.
 */
import { ErrorCode, fail, lastFailure } from "../errors";
import { TType, DEPTH_CEILING } from "./types";
import {
  binaryEnd, binaryElementType, binaryValueType, binaryReadBinary, binaryReadListHeader,
  binaryReadMapHeader,
} from "./binary-primitives";

/** Wire size of a fixed-width value of `type`, or 0 if it has none. */
// @ts-ignore: decorator
@inline function fixedSize(type: u32): usize {
  switch (type) {
    case TType.BOOL: case TType.BYTE: return 1;
    case TType.I16: return 2;
    case TType.I32: return 4;
    case TType.DOUBLE: case TType.I64: return 8;
    case TType.UUID: return 16;
    default: return 0;
  }
}

// @ts-ignore: decorator
@inline function readI32(p: usize): i32 {
  return bswap<i32>(load<i32>(p));
}

/**
 * Skips one value of `type` at `p`; returns the address after it or a negative error.
 * `depth` counts the structs and containers still allowed to open.
 */
export function binarySkip(p: usize, end: usize, type: u32, depth: i32): isize {
  const width = fixedSize(type);
  if (width != 0) {
    if (p + width > end) return fail(ErrorCode.TRUNCATED, p);
    return p + width;
  }
  if (type == TType.STRING) {
    binaryReadBinary(p, end);
    return binaryEnd == 0 ? lastFailure() : binaryEnd;
  }
  if (depth <= 0) return fail(ErrorCode.DEPTH_LIMIT, p);
  if (type == TType.STRUCT) return binarySkipStruct(p, end, depth - 1);
  let ktype: u32 = 0;
  let vtype: u32;
  let size: i32;
  if (type == TType.MAP) {
    size = binaryReadMapHeader(p, end);
    ktype = binaryElementType;
    vtype = binaryValueType;
  } else if (type == TType.LIST || type == TType.SET) {
    size = binaryReadListHeader(p, end);
    vtype = binaryElementType;
  } else {
    return fail(ErrorCode.UNKNOWN_TYPE, p);
  }
  if (binaryEnd == 0) return lastFailure();
  const start = p;
  const header = binaryEnd - p;
  p = binaryEnd;
  // Element types of empty containers are not checked: some peers write 0 there.
  if (size == 0) return p;
  const perEntry: usize = type == TType.MAP ? 2 : 1;
  if (<usize>size > (end - p) / perEntry) return fail(ErrorCode.LENGTH_LIMIT, start + header - 4);
  const kw = type == TType.MAP ? fixedSize(ktype) : 1;
  const vw = fixedSize(vtype);
  if (kw != 0 && vw != 0) {
    const bytes = <usize>size * (type == TType.MAP ? kw + vw : vw);
    if (p + bytes > end) return fail(ErrorCode.TRUNCATED, p);
    return p + bytes;
  }
  for (let i = 0; i < size; i++) {
    if (type == TType.MAP) {
      const k = binarySkip(p, end, ktype, depth - 1);
      if (k < 0) return k;
      p = k;
    }
    const v = binarySkip(p, end, vtype, depth - 1);
    if (v < 0) return v;
    p = v;
  }
  return p;
}

/** Skips the fields of a struct up to and including its STOP byte. */
export function binarySkipStruct(p: usize, end: usize, depth: i32): isize {
  while (true) {
    if (p >= end) return fail(ErrorCode.TRUNCATED, p);
    const type = <u32>load<u8>(p);
    if (type == TType.STOP) return p + 1;
    if (p + 3 > end) return fail(ErrorCode.TRUNCATED, p);
    const next = binarySkip(p + 3, end, type, depth);
    if (next < 0) return next;
    p = next;
  }
}

/** Host entry: skips a value of `type`, nesting bounded by `maxDepth`. */
export function thriftBinarySkip(p: usize, end: usize, type: u32, maxDepth: i32): isize {
  return binarySkip(p, end, type, min(maxDepth, DEPTH_CEILING));
}

/**
 * Validates a whole message (header and body struct) at [p, end) and returns the address
 * after it. Strict (versioned) headers always pass; old unversioned ones only if
 * `allowUnversioned`.
 */
export function thriftBinarySkipMessage(p: usize, end: usize, maxDepth: i32, allowUnversioned: bool): isize {
  if (p + 4 > end) return fail(ErrorCode.TRUNCATED, p);
  const word = readI32(p);
  let q = p + 4;
  if (word < 0) {
    if ((word & 0xffff0000) != 0x80010000) return fail(ErrorCode.BAD_VERSION, p);
    const name = binarySkip(q, end, TType.STRING, 0);
    if (name < 0) return name;
    q = name + 4;
  } else {
    if (!allowUnversioned) return fail(ErrorCode.BAD_VERSION, p);
    if (<usize>word > end - q) return fail(ErrorCode.LENGTH_LIMIT, p);
    q += <usize>word + 5;
  }
  if (q > end) return fail(ErrorCode.TRUNCATED, end);
  return binarySkipStruct(q, end, min(maxDepth, DEPTH_CEILING) - 1);
}

/**
 * Copies `n` values of `width` bytes (2, 4 or 8) from `src` to `dst`, reversing the byte
 * order of each: host (little-endian) lists to Binary wire order and back.
 */
export function byteSwapCopy(src: usize, n: usize, dst: usize, width: u32): void {
  let i: usize = 0;
  if (width == 2) {
    if (ASC_FEATURE_SIMD) {
      for (; i + 8 <= n; i += 8) {
        const v = v128.load(src + (i << 1));
        v128.store(dst + (i << 1), i8x16.swizzle(v, i8x16(1, 0, 3, 2, 5, 4, 7, 6, 9, 8, 11, 10, 13, 12, 15, 14)));
      }
    }
    for (; i < n; i++) store<u16>(dst + (i << 1), bswap<u16>(load<u16>(src + (i << 1))));
  } else if (width == 4) {
    if (ASC_FEATURE_SIMD) {
      for (; i + 4 <= n; i += 4) {
        const v = v128.load(src + (i << 2));
        v128.store(dst + (i << 2), i8x16.swizzle(v, i8x16(3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12)));
      }
    }
    for (; i < n; i++) store<u32>(dst + (i << 2), bswap<u32>(load<u32>(src + (i << 2))));
  } else {
    if (ASC_FEATURE_SIMD) {
      for (; i + 2 <= n; i += 2) {
        const v = v128.load(src + (i << 3));
        v128.store(dst + (i << 3), i8x16.swizzle(v, i8x16(7, 6, 5, 4, 3, 2, 1, 0, 15, 14, 13, 12, 11, 10, 9, 8)));
      }
    }
    for (; i < n; i++) store<u64>(dst + (i << 3), bswap<u64>(load<u64>(src + (i << 3))));
  }
}
