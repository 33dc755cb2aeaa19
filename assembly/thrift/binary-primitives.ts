/**
 * Thrift Binary primitives inside the engine, for engine-side codecs (framing, transcoders)
 * and the skipper. Writers take an address with room enough and return the address after
 * what they wrote. Readers check bounds, return the value and leave the address after it
 * in `binaryEnd` (0 on failure, with the error recorded by `fail`).
 */
import { ErrorCode, fail } from "../errors";

const VERSION_1: u32 = 0x80010000;

/** Address after the last value read, or 0 if it failed. */
export let binaryEnd: usize = 0;
/** Field id of the last field header read. */
export let binaryFieldId: i16 = 0;
/** Element type of the last list/set header read (key type for maps). */
export let binaryElementType: u8 = 0;
/** Value type of the last map header read. */
export let binaryValueType: u8 = 0;

// @ts-ignore: decorator
@inline export function binaryWriteI16(p: usize, v: i16): usize { store<u16>(p, bswap<u16>(<u16>v)); return p + 2; }
// @ts-ignore: decorator
@inline export function binaryWriteI32(p: usize, v: i32): usize { store<u32>(p, bswap<u32>(<u32>v)); return p + 4; }
// @ts-ignore: decorator
@inline export function binaryWriteI64(p: usize, v: i64): usize { store<u64>(p, bswap<u64>(<u64>v)); return p + 8; }
// @ts-ignore: decorator
@inline export function binaryWriteDouble(p: usize, v: f64): usize { return binaryWriteI64(p, reinterpret<i64>(v)); }
// @ts-ignore: decorator
@inline export function binaryWriteByte(p: usize, v: i8): usize { store<i8>(p, v); return p + 1; }
// @ts-ignore: decorator
@inline export function binaryWriteBool(p: usize, v: bool): usize { store<u8>(p, v ? 1 : 0); return p + 1; }

/** Writes an i32 length and `len` bytes from `src`. */
export function binaryWriteBinary(p: usize, src: usize, len: usize): usize {
  p = binaryWriteI32(p, <i32>len);
  memory.copy(p, src, len);
  return p + len;
}

/** Writes a strict (versioned) message header; the name is `nameLen` UTF-8 bytes at `name`. */
export function binaryWriteMessageHeader(p: usize, type: u8, name: usize, nameLen: usize, seqid: i32): usize {
  p = binaryWriteI32(p, <i32>(VERSION_1 | type));
  p = binaryWriteBinary(p, name, nameLen);
  return binaryWriteI32(p, seqid);
}

export function binaryWriteFieldHeader(p: usize, type: u8, id: i16): usize {
  store<u8>(p, type);
  return binaryWriteI16(p + 1, id);
}

export function binaryWriteListHeader(p: usize, elementType: u8, size: i32): usize {
  store<u8>(p, elementType);
  return binaryWriteI32(p + 1, size);
}

export function binaryWriteMapHeader(p: usize, keyType: u8, valueType: u8, size: i32): usize {
  store<u8>(p, keyType);
  store<u8>(p, valueType, 1);
  return binaryWriteI32(p + 2, size);
}

// @ts-ignore: decorator
@inline function need(p: usize, n: usize, end: usize): bool {
  if (p + n > end) {
    binaryEnd = 0;
    fail(ErrorCode.TRUNCATED, p);
    return false;
  }
  binaryEnd = p + n;
  return true;
}

export function binaryReadI16(p: usize, end: usize): i16 {
  return need(p, 2, end) ? <i16>bswap<u16>(load<u16>(p)) : 0;
}

export function binaryReadI32(p: usize, end: usize): i32 {
  return need(p, 4, end) ? <i32>bswap<u32>(load<u32>(p)) : 0;
}

export function binaryReadI64(p: usize, end: usize): i64 {
  return need(p, 8, end) ? <i64>bswap<u64>(load<u64>(p)) : 0;
}

export function binaryReadDouble(p: usize, end: usize): f64 {
  return reinterpret<f64>(binaryReadI64(p, end));
}

export function binaryReadByte(p: usize, end: usize): i8 {
  return need(p, 1, end) ? load<i8>(p) : 0;
}

/** Reads a field header; returns its type (0 for STOP) and sets `binaryFieldId`. */
export function binaryReadFieldHeader(p: usize, end: usize): u8 {
  if (!need(p, 1, end)) return 0;
  const type = load<u8>(p);
  if (type == 0) return 0;
  if (!need(p, 3, end)) return 0;
  binaryFieldId = <i16>bswap<u16>(load<u16>(p, 1));
  return type;
}

/** Reads a list/set header; returns the size (checked non-negative) and sets `binaryElementType`. */
export function binaryReadListHeader(p: usize, end: usize): i32 {
  if (!need(p, 5, end)) return 0;
  binaryElementType = load<u8>(p);
  const size = <i32>bswap<u32>(load<u32>(p, 1));
  if (size < 0) {
    binaryEnd = 0;
    fail(ErrorCode.NEGATIVE_LENGTH, p + 1);
    return 0;
  }
  return size;
}

/** Reads a map header; returns the size and sets `binaryElementType` (key) and `binaryValueType`. */
export function binaryReadMapHeader(p: usize, end: usize): i32 {
  if (!need(p, 6, end)) return 0;
  binaryElementType = load<u8>(p);
  binaryValueType = load<u8>(p, 1);
  const size = <i32>bswap<u32>(load<u32>(p, 2));
  if (size < 0) {
    binaryEnd = 0;
    fail(ErrorCode.NEGATIVE_LENGTH, p + 2);
    return 0;
  }
  return size;
}

/**
 * Reads an i32 length prefix and checks the bytes follow; returns the address of the
 * bytes (their end in `binaryEnd`), or 0.
 */
export function binaryReadBinary(p: usize, end: usize): usize {
  const len = binaryReadI32(p, end);
  if (binaryEnd == 0) return 0;
  if (len < 0) {
    binaryEnd = 0;
    fail(ErrorCode.NEGATIVE_LENGTH, p);
    return 0;
  }
  if (<usize>len > end - binaryEnd) {
    binaryEnd = 0;
    fail(ErrorCode.LENGTH_LIMIT, p);
    return 0;
  }
  const start = binaryEnd;
  binaryEnd = start + len;
  return start;
}
