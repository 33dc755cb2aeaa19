/**
 * Base-128 varints (Protobuf and Thrift Compact) and zigzag.
 *
 * Readers return the value and leave the address after it in `varintEnd`; on malformed
 * or truncated input they set `varintEnd` to 0 and record the failure with `fail`
 * (`lastFailure()` then gives the code).
 */
import { ErrorCode, fail } from "./errors";

/** Address after the varint last read, or 0 if it was malformed (see errorAt). */
export let varintEnd: usize = 0;

// @ts-ignore: decorator
@inline export function zigzag32(v: i32): u32 {
  return <u32>((v << 1) ^ (v >> 31));
}
// @ts-ignore: decorator
@inline export function unzigzag32(v: u32): i32 {
  return <i32>(v >>> 1) ^ -(<i32>(v & 1));
}
// @ts-ignore: decorator
@inline export function zigzag64(v: i64): u64 {
  return <u64>((v << 1) ^ (v >> 63));
}
// @ts-ignore: decorator
@inline export function unzigzag64(v: u64): i64 {
  return <i64>(v >>> 1) ^ -(<i64>(v & 1));
}

/** Bytes a varint of `v` takes. */
// @ts-ignore: decorator
@inline export function varint32Size(v: u32): usize {
  // 1 + floor((bits - 1) / 7) where bits is at least 1.
  return ((<usize>(31 - clz<u32>(v | 1)) * 9 + 73) >> 6);
}

// @ts-ignore: decorator
@inline export function varint64Size(v: u64): usize {
  return ((<usize>(63 - clz<u64>(v | 1)) * 9 + 73) >> 6);
}

/** Writes `v` at `p` and returns the address after it. */
// @ts-ignore: decorator
@inline export function writeVarint32(p: usize, v: u32): usize {
  while (v >= 0x80) {
    store<u8>(p++, <u8>(v | 0x80));
    v >>>= 7;
  }
  store<u8>(p++, <u8>v);
  return p;
}

// @ts-ignore: decorator
@inline export function writeVarint64(p: usize, v: u64): usize {
  while (v >= 0x80) {
    store<u8>(p++, <u8>(v | 0x80));
    v >>>= 7;
  }
  store<u8>(p++, <u8>v);
  return p;
}

/**
 * Reads a varint of at most `maxBytes` (5 or 10) bytes, keeping its low 64 bits.
 * Protobuf writes negative int32 as 10-byte varints, so 32-bit readers still pass 10.
 */
export function readVarint64(p: usize, end: usize, maxBytes: usize): u64 {
  let result: u64 = 0;
  let shift: u64 = 0;
  const start = p;
  while (true) {
    if (p >= end) {
      varintEnd = 0;
      fail(ErrorCode.TRUNCATED, start);
      return 0;
    }
    if (p - start >= maxBytes) {
      varintEnd = 0;
      fail(ErrorCode.MALFORMED_VARINT, start);
      return 0;
    }
    const b = <u64>load<u8>(p++);
    result |= (b & 0x7f) << shift;
    if (b < 0x80) break;
    shift += 7;
  }
  varintEnd = p;
  return result;
}

/** Reads a varint and keeps its low 32 bits; one-byte values take the fast path. */
// @ts-ignore: decorator
@inline export function readVarint32(p: usize, end: usize, maxBytes: usize): u32 {
  if (p < end) {
    const b = <u32>load<u8>(p);
    if (b < 0x80) {
      varintEnd = p + 1;
      return b;
    }
  }
  return <u32>readVarint64(p, end, maxBytes);
}
