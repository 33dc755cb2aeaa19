/**
 * The one error class of kitewire, with stable string codes.
 *
 * Every failure the library reports is a `KitewireError`: decoders say what was wrong and
 * at which byte offset, the IDL compilers at which `file:line:col`. `instanceof` works
 * across two copies of the package (the check is by brand, not by prototype).
 */

/** Stable error codes. New codes may be added; existing ones never change meaning. */
export const ErrorCode = {
  /** The input ends before the value it announces. */
  TRUNCATED: "TRUNCATED",
  /** A length or count exceeds the remaining input or a configured maximum. */
  LENGTH_LIMIT: "LENGTH_LIMIT",
  /** Nesting deeper than the configured maximum depth. */
  DEPTH_LIMIT: "DEPTH_LIMIT",
  /** Bytes that are not well-formed UTF-8 where strict decoding was asked for. */
  INVALID_UTF8: "INVALID_UTF8",
  /** A Thrift type id or Protobuf wire type that does not exist, or is not the one expected. */
  UNKNOWN_TYPE: "UNKNOWN_TYPE",
  /** A Thrift message header with a bad version or protocol id. */
  BAD_VERSION: "BAD_VERSION",
  /** A varint longer than its type allows. */
  MALFORMED_VARINT: "MALFORMED_VARINT",
  /** A negative size or length. */
  NEGATIVE_LENGTH: "NEGATIVE_LENGTH",
  /** The engine's linear memory cannot grow as needed (or would pass its configured limit). */
  OUT_OF_MEMORY: "OUT_OF_MEMORY",
  /** A Protobuf tag with field number 0 or out of range, or an unmatched group end. */
  INVALID_TAG: "INVALID_TAG",
  /** A value that does not fit the type it is written as. */
  INVALID_VALUE: "INVALID_VALUE",
  /** A required field is absent from a decoded struct or message. */
  MISSING_FIELD: "MISSING_FIELD",
  /** Bytes remain after a value that should have ended its input. */
  TRAILING_BYTES: "TRAILING_BYTES",
  /** A transport frame that is not well-formed (bad magic, unknown framing, bad header). */
  MALFORMED_FRAME: "MALFORMED_FRAME",
  /** The engine was used before `init()` finished, or could not be loaded. */
  NOT_INITIALIZED: "NOT_INITIALIZED",
  /** An API was used against its contract (e.g. a writer left inside an open struct). */
  INVALID_STATE: "INVALID_STATE",
  /** Text that is not well-formed JSON (RFC 8259) where JSON was expected (ProtoJSON parsing). */
  JSON_SYNTAX: "JSON_SYNTAX",
  /** A call did not finish within its deadline (connect or RPC timeout). */
  TIMEOUT: "TIMEOUT",
  /** A call was cancelled by its caller (AbortSignal). */
  CANCELLED: "CANCELLED",
  /** The connection could not be made, or closed with the call in flight. */
  CONNECTION: "CONNECTION",
  /** The server does not serve the method (TApplicationException UNKNOWN_METHOD). */
  UNKNOWN_METHOD: "UNKNOWN_METHOD",
  /** The peer answered with an application-level error (TApplicationException, Kitex ErrorProto). */
  REMOTE: "REMOTE",
  /** A business status error (TTHeader biz-status): `details` has status, message and extra. */
  BIZ_STATUS: "BIZ_STATUS",
  /** A limit of the server was reached (connections, concurrency, rate). */
  OVERLOADED: "OVERLOADED",
  /** A discovered service has no instance to call (none registered, or none with the wanted tags). */
  NO_INSTANCE: "NO_INSTANCE",
  /** A circuit breaker is open: the call failed fast without being sent (`details`: level, key). */
  CIRCUIT_OPEN: "CIRCUIT_OPEN",
  /** The server or client is shutting down. */
  SHUTTING_DOWN: "SHUTTING_DOWN",
} as const;

export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

const BRAND = Symbol.for("kitewire.error");

/** `Error` with the stack-trace limit of V8 (and JavaScriptCore), which lib.es typings lack. */
const V8Error = Error as ErrorConstructor & { stackTraceLimit?: number };

/** Options for a `KitewireError`: where the failure was found and what caused it. */
export interface KitewireErrorOptions {
  /** Byte offset in the input where the failure was found. */
  offset?: number;
  /** The underlying error, if any. */
  cause?: unknown;
  /** Structured facts about the failure (e.g. a business status and its extra fields). */
  details?: Readonly<Record<string, unknown>>;
  /**
   * False: capture no stack trace (`stack` is the first line only). For errors made where
   * no caller's frame is on the stack (a timer, a reply or a rejected frame arriving on a
   * socket), whose trace would show only kitewire's and the runtime's internals: capturing
   * it is most of what making an error costs (bench/hardening.bench.mjs).
   */
  stack?: boolean;
}

/** The error every kitewire API throws. */
export class KitewireError extends Error {
  // `declare`: assigned in the constructor only (a class field would define each one first).
  /** Stable code: branch on this, not on the message. */
  declare readonly code: ErrorCode;
  /** Byte offset in the input where the failure was found, when it came from bytes. */
  declare readonly offset: number | undefined;
  /** Structured facts about the failure, when the code has any. */
  declare readonly details: Readonly<Record<string, unknown>> | undefined;

  constructor(code: ErrorCode, message: string, options?: KitewireErrorOptions) {
    // The brand and `name` live on the prototype, and `cause` is given to Error only when
    // there is one: own properties defined per instance made up most of the cost besides
    // the stack (bench/hardening.bench.mjs).
    const offset = options?.offset;
    const cause = options?.cause;
    const text = offset === undefined ? message : `${message} (at byte ${offset})`;
    // One `super` call site (two measured slower). Error() cannot throw here (the
    // message is a string, the options a plain object), so the limit is always restored.
    const quiet = options?.stack === false;
    const frames = V8Error.stackTraceLimit;
    if (quiet) V8Error.stackTraceLimit = 0;
    super(text, cause === undefined ? undefined : { cause });
    if (quiet) V8Error.stackTraceLimit = frames;
    this.offset = offset;
    this.details = options?.details;
    this.code = code;
  }

  static override [Symbol.hasInstance](value: unknown): boolean {
    return typeof value === "object" && value !== null && (value as Record<symbol, unknown>)[BRAND] === true;
  }

  static {
    Object.defineProperty(this.prototype, "name", { value: "KitewireError", writable: true, configurable: true });
    Object.defineProperty(this.prototype, BRAND, { value: true });
  }

  /** Returns `error` if it is a KitewireError, else wraps it with `code`. */
  static from(error: unknown, code: ErrorCode = ErrorCode.INVALID_STATE): KitewireError {
    if (error instanceof KitewireError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new KitewireError(code, message, { cause: error });
  }
}

/**
 * `error.message` without the " (at byte N)" its constructor added for its offset: for a
 * new error that takes the message and the offset, so the offset is named once.
 */
export function messageWithoutOffset(error: KitewireError): string {
  const suffix = ` (at byte ${String(error.offset)})`;
  return error.offset !== undefined && error.message.endsWith(suffix) ? error.message.slice(0, -suffix.length) : error.message;
}

/** The error for a value that does not fit the type it is written as. */
export function outOfRange(what: string, value: unknown): KitewireError {
  return new KitewireError(ErrorCode.INVALID_VALUE, `${what} out of range: ${String(value)}`);
}
