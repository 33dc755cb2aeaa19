/**
 * Error codes shared with the host (src/errors.ts mirrors them by number).
 *
 * Functions that can fail return a negative value `-code`; the byte address where the
 * failure was found is kept in `errorAt` so the host can report an offset.
 */
export const enum ErrorCode {
  /** The input ends before the value it announces. */
  TRUNCATED = 1,
  /** A length prefix exceeds the remaining input or the configured maximum. */
  LENGTH_LIMIT = 2,
  /** Nesting deeper than the configured maximum depth. */
  DEPTH_LIMIT = 3,
  /** Bytes that are not well-formed UTF-8. */
  INVALID_UTF8 = 4,
  /** A Thrift type id or Protobuf wire type that does not exist. */
  UNKNOWN_TYPE = 5,
  /** A Thrift message header with a bad version or protocol id. */
  BAD_VERSION = 6,
  /** A varint longer than 10 bytes (or 5 for 32-bit values). */
  MALFORMED_VARINT = 7,
  /** A negative size or length. */
  NEGATIVE_LENGTH = 8,
  /** Linear memory cannot grow to satisfy an allocation. */
  OUT_OF_MEMORY = 9,
  /** A Protobuf tag with field number 0, or an unmatched group end. */
  INVALID_TAG = 10,
}

/** Address of the last failure, reported to the host through `lastErrorAt()`. */
export let errorAt: usize = 0;
/** Code of the last failure. */
export let errorCode: ErrorCode = ErrorCode.TRUNCATED;

/** Records what failed and where, and returns the negative code to propagate. */
// @ts-ignore: decorator
@inline export function fail(code: ErrorCode, at: usize): isize {
  errorCode = code;
  errorAt = at;
  return -(<isize>code);
}

/** The negative code of the last failure, for callees that signal failure out of band. */
// @ts-ignore: decorator
@inline export function lastFailure(): isize {
  return -(<isize>errorCode);
}
