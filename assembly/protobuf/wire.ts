/**
 * Protobuf wire format: tags, varints, packed repeated columns, skip and validate.
 *
 * Single scalar fields are written and read by the host; the engine takes whole packed
 * columns (one call for the column, not one per value) and walks whole messages.
 */
import { ErrorCode, fail, lastFailure } from "../errors";
import {
  readVarint32, readVarint64, varintEnd, varint32Size, varint64Size,
  writeVarint32, writeVarint64, zigzag32, zigzag64, unzigzag32, unzigzag64,
} from "../varint";

/** Wire types. */
export const enum WireType { VARINT = 0, I64 = 1, LEN = 2, SGROUP = 3, EGROUP = 4, I32 = 5 }

/** Largest field number Protobuf allows. */
const MAX_FIELD: u32 = (1 << 29) - 1;
const DEPTH_CEILING: i32 = 1000;

/**
 * Column kinds for packed encode/decode, named for the Protobuf scalar types that share a
 * varint transform: INT32 sign-extends negatives to 10 bytes, UINT32 does not, SINT32 is
 * zigzag; the 64-bit kinds read and write i64 values.
 */
export const enum Column { INT32 = 0, UINT32 = 1, SINT32 = 2, INT64 = 3, SINT64 = 4, BOOL = 5 }

/** Encoded byte size of a column of `n` values at `src`. */
function columnSize(kind: u32, src: usize, n: usize): usize {
  let size: usize = 0;
  switch (kind) {
    case Column.INT32:
      for (let i: usize = 0; i < n; i++) {
        const v = load<i32>(src + (i << 2));
        size += v < 0 ? 10 : varint32Size(<u32>v);
      }
      break;
    case Column.UINT32:
      for (let i: usize = 0; i < n; i++) size += varint32Size(load<u32>(src + (i << 2)));
      break;
    case Column.SINT32:
      for (let i: usize = 0; i < n; i++) size += varint32Size(zigzag32(load<i32>(src + (i << 2))));
      break;
    case Column.INT64:
      for (let i: usize = 0; i < n; i++) size += varint64Size(load<u64>(src + (i << 3)));
      break;
    case Column.SINT64:
      for (let i: usize = 0; i < n; i++) size += varint64Size(zigzag64(load<i64>(src + (i << 3))));
      break;
    default:
      size = n;
  }
  return size;
}

/**
 * Writes a packed column body: its varint byte length, then `n` values of `kind` from
 * `src` (i32 for 32-bit kinds, i64 for 64-bit kinds, u8 for BOOL). Returns the address
 * after it. The caller has room for 10 + 10 * n bytes.
 */
export function protobufWritePacked(kind: u32, src: usize, n: usize, dst: usize): usize {
  dst = writeVarint32(dst, <u32>columnSize(kind, src, n));
  switch (kind) {
    case Column.INT32:
      for (let i: usize = 0; i < n; i++) dst = writeVarint64(dst, <u64>(<i64>load<i32>(src + (i << 2))));
      break;
    case Column.UINT32:
      for (let i: usize = 0; i < n; i++) dst = writeVarint32(dst, load<u32>(src + (i << 2)));
      break;
    case Column.SINT32:
      for (let i: usize = 0; i < n; i++) dst = writeVarint32(dst, zigzag32(load<i32>(src + (i << 2))));
      break;
    case Column.INT64:
      for (let i: usize = 0; i < n; i++) dst = writeVarint64(dst, load<u64>(src + (i << 3)));
      break;
    case Column.SINT64:
      for (let i: usize = 0; i < n; i++) dst = writeVarint64(dst, zigzag64(load<i64>(src + (i << 3))));
      break;
    default:
      for (let i: usize = 0; i < n; i++) store<u8>(dst + i, load<u8>(src + i) != 0 ? 1 : 0);
      dst += n;
  }
  return dst;
}

/**
 * Decodes the varints in [p, end) as a column of `kind` into `dst` (i32, i64 or u8 per
 * value; room for `end - p` values is enough) and returns how many it wrote, or a
 * negative error. 32-bit kinds keep the low 32 bits, as protoc does.
 */
export function protobufReadPacked(kind: u32, p: usize, end: usize, dst: usize): isize {
  let n: usize = 0;
  const wide = kind == Column.INT64 || kind == Column.SINT64;
  while (p < end) {
    let v: u64;
    const b = load<u8>(p);
    if (b < 0x80) {
      v = b;
      p++;
    } else {
      v = readVarint64(p, end, 10);
      if (varintEnd == 0) return lastFailure();
      p = varintEnd;
    }
    if (wide) {
      store<i64>(dst + (n << 3), kind == Column.SINT64 ? unzigzag64(v) : <i64>v);
    } else if (kind == Column.BOOL) {
      store<u8>(dst + n, v != 0 ? 1 : 0);
    } else {
      store<i32>(dst + (n << 2), kind == Column.SINT32 ? unzigzag32(<u32>v) : <i32>v);
    }
    n++;
  }
  return n;
}

/**
 * Skips the value of a field whose tag was just read (the value starts at `p`). Groups
 * are walked to their matching end tag; `depth` bounds their nesting.
 */
export function protobufSkipValue(p: usize, end: usize, tag: u32, depth: i32): isize {
  switch (tag & 7) {
    case WireType.VARINT: {
      readVarint64(p, end, 10);
      return varintEnd == 0 ? lastFailure() : varintEnd;
    }
    case WireType.I64:
      if (p + 8 > end) return fail(ErrorCode.TRUNCATED, p);
      return p + 8;
    case WireType.I32:
      if (p + 4 > end) return fail(ErrorCode.TRUNCATED, p);
      return p + 4;
    case WireType.LEN: {
      const len = readVarint32(p, end, 5);
      if (varintEnd == 0) return lastFailure();
      if (<usize>len > end - varintEnd) return fail(ErrorCode.LENGTH_LIMIT, p);
      return varintEnd + len;
    }
    case WireType.SGROUP: {
      if (depth <= 0) return fail(ErrorCode.DEPTH_LIMIT, p);
      const q = protobufSkipFields(p, end, tag >> 3, depth - 1);
      return q;
    }
    default:
      return fail(ErrorCode.UNKNOWN_TYPE, p);
  }
}

/**
 * Walks fields from `p` until `end` (when `group` is 0) or until the end tag of group
 * field `group`, checking every tag and length. Returns the address after the last field.
 */
export function protobufSkipFields(p: usize, end: usize, group: u32, depth: i32): isize {
  while (p < end) {
    const at = p;
    const tag = readVarint32(p, end, 5);
    if (varintEnd == 0) return lastFailure();
    p = varintEnd;
    const field = tag >> 3;
    if (field == 0 || field > MAX_FIELD) return fail(ErrorCode.INVALID_TAG, at);
    if ((tag & 7) == WireType.EGROUP) {
      if (field != group) return fail(ErrorCode.INVALID_TAG, at);
      return p;
    }
    const next = protobufSkipValue(p, end, tag, depth);
    if (next < 0) return next;
    p = next;
  }
  if (group != 0) return fail(ErrorCode.TRUNCATED, end);
  return p;
}

/** Host entry: validates the wire structure of a whole message at [p, end). */
export function protobufValidate(p: usize, end: usize, maxDepth: i32): isize {
  return protobufSkipFields(p, end, 0, min(maxDepth, DEPTH_CEILING));
}

/** Host entry: skips one field value after its tag (groups nest at most `maxDepth`). */
export function protobufSkip(p: usize, end: usize, tag: u32, maxDepth: i32): isize {
  return protobufSkipValue(p, end, tag, min(maxDepth, DEPTH_CEILING));
}
