/**
 * Thrift Compact primitives inside the engine (see binary-primitives.ts for the calling
 * convention). Field headers carry ids as deltas from the previous field's id, which the
 * caller keeps and passes in.
 */
import { ErrorCode, fail } from "../errors";
import { readVarint32, readVarint64, varintEnd, writeVarint32, writeVarint64, zigzag32, zigzag64, unzigzag32, unzigzag64 } from "../varint";
import { CType } from "./types";

const PROTOCOL_ID: u8 = 0x82;
const VERSION: u8 = 1;

/** Address after the last value read, or 0 if it failed. */
export let compactEnd: usize = 0;
/** Field id of the last field header read. */
export let compactFieldId: i16 = 0;
/** Compact type of the last list/set element, or map key. */
export let compactElementType: u8 = 0;
/** Compact type of the last map value. */
export let compactValueType: u8 = 0;
/** Message type and seqid of the last message header read. */
export let compactMessageType: u8 = 0;
export let compactSeqid: i32 = 0;

export function compactWriteI32(p: usize, v: i32): usize { return writeVarint32(p, zigzag32(v)); }
export function compactWriteI64(p: usize, v: i64): usize { return writeVarint64(p, zigzag64(v)); }

export function compactWriteDouble(p: usize, v: f64): usize {
  store<f64>(p, v); // little-endian, as the Compact spec says
  return p + 8;
}

/** Writes a varint length and `len` bytes from `src`. */
export function compactWriteBinary(p: usize, src: usize, len: usize): usize {
  p = writeVarint32(p, <u32>len);
  memory.copy(p, src, len);
  return p + len;
}

export function compactWriteMessageHeader(p: usize, type: u8, name: usize, nameLen: usize, seqid: i32): usize {
  store<u8>(p, PROTOCOL_ID);
  store<u8>(p, ((type << 5) & 0xe0) | VERSION, 1);
  p = writeVarint32(p + 2, <u32>seqid);
  return compactWriteBinary(p, name, nameLen);
}

/** Writes a field header for compact type `ctype` (BOOL_TRUE/FALSE carry a bool's value). */
export function compactWriteFieldHeader(p: usize, ctype: u8, id: i16, lastId: i16): usize {
  const delta = <i32>id - <i32>lastId;
  if (delta > 0 && delta <= 15) {
    store<u8>(p, <u8>(delta << 4) | ctype);
    return p + 1;
  }
  store<u8>(p, ctype);
  return compactWriteI32(p + 1, id);
}

export function compactWriteListHeader(p: usize, ctype: u8, size: i32): usize {
  if (size <= 14) {
    store<u8>(p, <u8>(size << 4) | ctype);
    return p + 1;
  }
  store<u8>(p, 0xf0 | ctype);
  return writeVarint32(p + 1, <u32>size);
}

export function compactWriteMapHeader(p: usize, keyType: u8, valueType: u8, size: i32): usize {
  if (size == 0) {
    store<u8>(p, 0);
    return p + 1;
  }
  p = writeVarint32(p, <u32>size);
  store<u8>(p, (keyType << 4) | valueType);
  return p + 1;
}

// @ts-ignore: decorator
@inline function failed(code: ErrorCode, at: usize): void {
  compactEnd = 0;
  fail(code, at);
}

export function compactReadI32(p: usize, end: usize): i32 {
  const v = readVarint32(p, end, 5);
  compactEnd = varintEnd;
  return unzigzag32(v);
}

export function compactReadI64(p: usize, end: usize): i64 {
  const v = readVarint64(p, end, 10);
  compactEnd = varintEnd;
  return unzigzag64(v);
}

export function compactReadDouble(p: usize, end: usize): f64 {
  if (p + 8 > end) {
    failed(ErrorCode.TRUNCATED, p);
    return 0;
  }
  compactEnd = p + 8;
  return load<f64>(p);
}

/** Reads a varint length and checks the bytes follow; returns their address (end in `compactEnd`). */
export function compactReadBinary(p: usize, end: usize): usize {
  const len = readVarint32(p, end, 5);
  if (varintEnd == 0) {
    compactEnd = 0;
    return 0;
  }
  if (<usize>len > end - varintEnd) {
    failed(ErrorCode.LENGTH_LIMIT, p);
    return 0;
  }
  compactEnd = varintEnd + len;
  return varintEnd;
}

/**
 * Reads a message header: sets `compactMessageType` and `compactSeqid`, returns the
 * address of the name (its end is `compactEnd`).
 */
export function compactReadMessageHeader(p: usize, end: usize): usize {
  if (p + 2 > end) {
    failed(ErrorCode.TRUNCATED, p);
    return 0;
  }
  const vt = load<u8>(p, 1);
  if (load<u8>(p) != PROTOCOL_ID || (vt & 0x1f) != VERSION) {
    failed(ErrorCode.BAD_VERSION, p);
    return 0;
  }
  compactMessageType = (vt >> 5) & 7;
  compactSeqid = <i32>readVarint32(p + 2, end, 5);
  if (varintEnd == 0) {
    compactEnd = 0;
    return 0;
  }
  return compactReadBinary(varintEnd, end);
}

/**
 * Reads a field header after field `lastId`; returns its compact type (STOP is 0) and sets
 * `compactFieldId`. Unknown types fail with UNKNOWN_TYPE at the header.
 */
export function compactReadFieldHeader(p: usize, end: usize, lastId: i16): u8 {
  if (p >= end) {
    failed(ErrorCode.TRUNCATED, p);
    return 0;
  }
  const head = load<u8>(p);
  compactEnd = p + 1;
  if (head == CType.STOP) return 0;
  const ctype = head & 0x0f;
  if (ctype == CType.STOP || ctype > <u8>CType.UUID) {
    failed(ErrorCode.UNKNOWN_TYPE, p);
    return 0;
  }
  const delta = head >> 4;
  if (delta != 0) {
    compactFieldId = <i16>(<i32>lastId + delta);
  } else {
    compactFieldId = <i16>unzigzag32(readVarint32(p + 1, end, 5));
    compactEnd = varintEnd;
    if (varintEnd == 0) return 0;
  }
  return ctype;
}

/** Reads a list/set header; returns the size and sets `compactElementType`. */
export function compactReadListHeader(p: usize, end: usize): i32 {
  if (p >= end) {
    failed(ErrorCode.TRUNCATED, p);
    return 0;
  }
  const head = load<u8>(p);
  compactElementType = head & 0x0f;
  let size = <u32>(head >> 4);
  compactEnd = p + 1;
  if (size == 15) {
    size = readVarint32(p + 1, end, 5);
    compactEnd = varintEnd;
    if (varintEnd == 0) return 0;
    if (<i32>size < 0) {
      failed(ErrorCode.NEGATIVE_LENGTH, p + 1);
      return 0;
    }
  }
  return <i32>size;
}

/** Reads a map header; returns the size and sets `compactElementType` (key) and `compactValueType`. */
export function compactReadMapHeader(p: usize, end: usize): i32 {
  const size = readVarint32(p, end, 5);
  compactEnd = varintEnd;
  if (varintEnd == 0) return 0;
  if (<i32>size < 0) {
    failed(ErrorCode.NEGATIVE_LENGTH, p);
    return 0;
  }
  if (size == 0) {
    compactElementType = compactValueType = 0;
    return 0;
  }
  if (varintEnd >= end) {
    failed(ErrorCode.TRUNCATED, varintEnd);
    return 0;
  }
  const kv = load<u8>(varintEnd);
  compactElementType = kv >> 4;
  compactValueType = kv & 0x0f;
  compactEnd = varintEnd + 1;
  return <i32>size;
}
