/**
 * Thrift Compact protocol (Apache's thrift-compact-protocol.md): zigzag varints, field
 * ids as deltas, booleans folded into field headers, little-endian doubles.
 *
 * As with Binary, the host handles single fields; the engine skips and validates whole
 * values and messages, and converts whole integer lists to and from zigzag varints.
 */
import { ErrorCode, fail, lastFailure } from "../errors";
import {
  readVarint32, readVarint64, varintEnd, writeVarint32, writeVarint64,
  zigzag32, zigzag64, unzigzag32, unzigzag64,
} from "../varint";
import { CType, DEPTH_CEILING } from "./types";
import {
  compactEnd, compactElementType, compactValueType, compactReadFieldHeader, compactReadListHeader,
  compactReadMapHeader,
} from "./compact-primitives";

const PROTOCOL_ID: u32 = 0x82;
const VERSION: u32 = 1;

/** Skips a varint of at most `max` bytes; returns the address after it or a negative error. */
// @ts-ignore: decorator
@inline function skipVarint(p: usize, end: usize, max: usize): isize {
  readVarint64(p, end, max);
  return varintEnd == 0 ? lastFailure() : varintEnd;
}

/** Skips one value of compact `type` at `p` (a bool here is a container element: one byte). */
export function compactSkip(p: usize, end: usize, type: u32, depth: i32): isize {
  switch (type) {
    case CType.BOOL_TRUE: case CType.BOOL_FALSE: case CType.BYTE:
      if (p >= end) return fail(ErrorCode.TRUNCATED, p);
      return p + 1;
    case CType.I16: case CType.I32: return skipVarint(p, end, 5);
    case CType.I64: return skipVarint(p, end, 10);
    case CType.DOUBLE:
      if (p + 8 > end) return fail(ErrorCode.TRUNCATED, p);
      return p + 8;
    case CType.UUID:
      if (p + 16 > end) return fail(ErrorCode.TRUNCATED, p);
      return p + 16;
    case CType.BINARY: {
      const len = readVarint32(p, end, 5);
      if (varintEnd == 0) return lastFailure();
      if (<usize>len > end - varintEnd) return fail(ErrorCode.LENGTH_LIMIT, p);
      return varintEnd + len;
    }
    case CType.STRUCT:
      if (depth <= 0) return fail(ErrorCode.DEPTH_LIMIT, p);
      return compactSkipStruct(p, end, depth - 1);
    case CType.LIST: case CType.SET: {
      if (depth <= 0) return fail(ErrorCode.DEPTH_LIMIT, p);
      const size = compactReadListHeader(p, end);
      if (compactEnd == 0) return lastFailure();
      return skipElements(p, compactEnd, end, size, 0, compactElementType, depth - 1);
    }
    case CType.MAP: {
      if (depth <= 0) return fail(ErrorCode.DEPTH_LIMIT, p);
      const size = compactReadMapHeader(p, end);
      if (compactEnd == 0) return lastFailure();
      if (size == 0) return compactEnd;
      // Key type 0 is no type (and would make skipElements take the map for a list).
      if (compactElementType == CType.STOP) return fail(ErrorCode.UNKNOWN_TYPE, p);
      return skipElements(p, compactEnd, end, size, compactElementType, compactValueType, depth - 1);
    }
    default:
      return fail(ErrorCode.UNKNOWN_TYPE, p);
  }
}

/** Skips `size` container entries at `q` (map entries when `ktype` is not 0). */
function skipElements(start: usize, q: usize, end: usize, size: u32, ktype: u32, vtype: u32, depth: i32): isize {
  // Every element takes at least one byte: refuse impossible counts before looping.
  // Element types of empty containers are not checked: some peers write 0 there.
  if (size == 0) return q;
  const perEntry: usize = ktype != 0 ? 2 : 1;
  if (<usize>size > (end - q) / perEntry) return fail(ErrorCode.LENGTH_LIMIT, start);
  if (vtype == CType.STOP || vtype > <u32>CType.UUID) return fail(ErrorCode.UNKNOWN_TYPE, start);
  if (ktype == 0) {
    // Fixed-width element lists are skipped in one step.
    const width: usize = vtype == CType.DOUBLE ? 8 : vtype == CType.UUID ? 16 :
      (vtype <= <u32>CType.BYTE ? 1 : 0);
    if (width != 0) {
      const bytes = <usize>size * width;
      if (q + bytes > end) return fail(ErrorCode.TRUNCATED, q);
      return q + bytes;
    }
  } else if (ktype > <u32>CType.UUID) {
    return fail(ErrorCode.UNKNOWN_TYPE, start);
  }
  for (let i: u32 = 0; i < size; i++) {
    if (ktype != 0) {
      const k = compactSkip(q, end, ktype, depth);
      if (k < 0) return k;
      q = k;
    }
    const v = compactSkip(q, end, vtype, depth);
    if (v < 0) return v;
    q = v;
  }
  return q;
}

/** Skips the fields of a struct up to and including its STOP byte. */
export function compactSkipStruct(p: usize, end: usize, depth: i32): isize {
  while (true) {
    // Field ids do not matter when skipping: any previous id will do.
    const type = compactReadFieldHeader(p, end, 0);
    if (compactEnd == 0) return lastFailure();
    if (type == CType.STOP) return compactEnd;
    if (type == CType.BOOL_TRUE || type == CType.BOOL_FALSE) {
      p = compactEnd;
      continue;
    }
    const next = compactSkip(compactEnd, end, type, depth);
    if (next < 0) return next;
    p = next;
  }
}

/** Host entry: skips a value of compact `type`, nesting bounded by `maxDepth`. */
export function thriftCompactSkip(p: usize, end: usize, type: u32, maxDepth: i32): isize {
  return compactSkip(p, end, type, min(maxDepth, DEPTH_CEILING));
}

/** Validates a whole Compact message (header and body) and returns the address after it. */
export function thriftCompactSkipMessage(p: usize, end: usize, maxDepth: i32): isize {
  if (p + 2 > end) return fail(ErrorCode.TRUNCATED, p);
  if (<u32>load<u8>(p) != PROTOCOL_ID || (<u32>load<u8>(p, 1) & 0x1f) != VERSION) {
    return fail(ErrorCode.BAD_VERSION, p);
  }
  const seq = skipVarint(p + 2, end, 5);
  if (seq < 0) return seq;
  const name = compactSkip(seq, end, CType.BINARY, 0);
  if (name < 0) return name;
  return compactSkipStruct(name, end, min(maxDepth, DEPTH_CEILING) - 1);
}

/** Writes `n` i32 at `src` as zigzag varints at `dst`; returns the address after them. */
export function compactWriteI32s(src: usize, n: usize, dst: usize): usize {
  for (let i: usize = 0; i < n; i++) dst = writeVarint32(dst, zigzag32(load<i32>(src + (i << 2))));
  return dst;
}

/** Writes `n` i64 at `src` as zigzag varints at `dst`; returns the address after them. */
export function compactWriteI64s(src: usize, n: usize, dst: usize): usize {
  for (let i: usize = 0; i < n; i++) dst = writeVarint64(dst, zigzag64(load<i64>(src + (i << 3))));
  return dst;
}

/** Reads `n` zigzag varints (i16/i32) at [p, end) into i32 at `dst`; returns the address after them. */
export function compactReadI32s(p: usize, end: usize, n: usize, dst: usize): isize {
  for (let i: usize = 0; i < n; i++) {
    const v = readVarint32(p, end, 5);
    if (varintEnd == 0) return lastFailure();
    store<i32>(dst + (i << 2), unzigzag32(v));
    p = varintEnd;
  }
  return p;
}

/** Reads `n` zigzag varints (i64) at [p, end) into i64 at `dst`; returns the address after them. */
export function compactReadI64s(p: usize, end: usize, n: usize, dst: usize): isize {
  for (let i: usize = 0; i < n; i++) {
    const v = readVarint64(p, end, 10);
    if (varintEnd == 0) return lastFailure();
    store<i64>(dst + (i << 3), unzigzag64(v));
    p = varintEnd;
  }
  return p;
}
