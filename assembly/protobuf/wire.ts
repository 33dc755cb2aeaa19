/**
 * Protobuf wire format: tags, varints, packed repeated columns, skip and validate.
 *
 * Single scalar fields are written and read by the host; the engine walks whole messages
 * (packed columns are in packed.ts).
 */
import { ErrorCode, fail, lastFailure } from "../errors";
import { readVarint32, readVarint64, varintEnd } from "../varint";

/** Wire types. */
export const enum WireType { VARINT = 0, I64 = 1, LEN = 2, SGROUP = 3, EGROUP = 4, I32 = 5 }

/** Largest field number Protobuf allows. */
const MAX_FIELD: u32 = (1 << 29) - 1;
const DEPTH_CEILING: i32 = 1000;

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
