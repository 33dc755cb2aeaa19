/**
 * How a failed call looks on the wire of each protocol the gateway speaks: a Connect code
 * (the gRPC status names in snake case), its HTTP status and gRPC status number, as the
 * Connect protocol specification maps them, and which code each kitewire failure gets.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { JsonValue } from "../codec/protobuf/json/types.js";
import { grpcDetailsOf, GrpcStatus } from "../grpc/status.js";

export type ConnectCode =
  | "canceled" | "unknown" | "invalid_argument" | "deadline_exceeded" | "not_found" | "already_exists"
  | "permission_denied" | "resource_exhausted" | "failed_precondition" | "aborted" | "out_of_range"
  | "unimplemented" | "internal" | "unavailable" | "data_loss" | "unauthenticated";

/** Connect code → [HTTP status, gRPC status] (the Connect protocol's table; the gRPC numbers are src/grpc's). */
const STATUS: Readonly<Record<ConnectCode, readonly [number, GrpcStatus]>> = {
  canceled: [499, GrpcStatus.CANCELLED],
  unknown: [500, GrpcStatus.UNKNOWN],
  invalid_argument: [400, GrpcStatus.INVALID_ARGUMENT],
  deadline_exceeded: [504, GrpcStatus.DEADLINE_EXCEEDED],
  not_found: [404, GrpcStatus.NOT_FOUND],
  already_exists: [409, GrpcStatus.ALREADY_EXISTS],
  permission_denied: [403, GrpcStatus.PERMISSION_DENIED],
  resource_exhausted: [429, GrpcStatus.RESOURCE_EXHAUSTED],
  failed_precondition: [400, GrpcStatus.FAILED_PRECONDITION],
  aborted: [409, GrpcStatus.ABORTED],
  out_of_range: [400, GrpcStatus.OUT_OF_RANGE],
  unimplemented: [501, GrpcStatus.UNIMPLEMENTED],
  internal: [500, GrpcStatus.INTERNAL],
  unavailable: [503, GrpcStatus.UNAVAILABLE],
  data_loss: [500, GrpcStatus.DATA_LOSS],
  unauthenticated: [401, GrpcStatus.UNAUTHENTICATED],
};

/** The HTTP status of a Connect code (the Connect protocol's table). */
export function httpStatusOf(code: ConnectCode): number {
  return STATUS[code][0];
}

/** The gRPC status number of a Connect code. */
export function grpcStatusOf(code: ConnectCode): number {
  return STATUS[code][1];
}

/** The Connect code of an HTTP status, for a response without a Connect error body. */
export function codeOfHttpStatus(status: number): ConnectCode {
  switch (status) {
    case 400: return "invalid_argument";
    case 401: return "unauthenticated";
    case 403: return "permission_denied";
    case 404: return "unimplemented";
    case 408: return "deadline_exceeded";
    case 413: case 429: return "resource_exhausted";
    case 499: return "canceled";
    case 502: case 503: case 504: return "unavailable";
    default: return "unknown";
  }
}

/** The Connect code of a gRPC status number. */
export function codeOfGrpcStatus(status: number): ConnectCode {
  for (const [code, [, grpc]] of Object.entries(STATUS)) if (grpc === status) return code as ConnectCode;
  return "unknown";
}

/** A declared exception of the called method, as a failure carries it. */
export interface DeclaredException {
  /** The exception's type name in the IDL. */
  type: string;
  /** Its fields by the JSON mapping. */
  value: JsonValue;
  /** Its bytes in the binary codec of the upstream (Thrift Binary), for Connect error details. */
  bytes?: Uint8Array;
}

/** Why a call through the gateway failed, before it is written in a protocol's form. */
export class GatewayFailure {
  constructor(
    readonly code: ConnectCode,
    readonly message: string,
    /** An HTTP status other than the code's (413 for a body over the limit, 415, 405). */
    readonly httpStatus: number = httpStatusOf(code),
    readonly exception?: DeclaredException,
    /** The kitewire error code behind it, when there is one. */
    readonly cause?: string,
  ) {}

  /** The Connect error JSON, `{code, message, details?}` (also the body of HTTP-mapped routes' errors). */
  toJson(): Record<string, JsonValue> {
    const out: Record<string, JsonValue> = { code: this.code, message: this.message };
    if (this.cause !== undefined) out["kitewireCode"] = this.cause;
    if (this.exception !== undefined) {
      out["exception"] = this.exception.type;
      out["value"] = this.exception.value;
    }
    return out;
  }
}

/** Failures of what the HTTP client sent (its body, its JSON, its arguments): invalid_argument. */
const REQUEST_ERRORS: ReadonlySet<string> = new Set([
  ErrorCode.JSON_SYNTAX, ErrorCode.INVALID_VALUE, ErrorCode.MISSING_FIELD, ErrorCode.DEPTH_LIMIT, ErrorCode.TRUNCATED,
  ErrorCode.TRAILING_BYTES, ErrorCode.UNKNOWN_TYPE, ErrorCode.INVALID_UTF8, ErrorCode.MALFORMED_VARINT,
  ErrorCode.NEGATIVE_LENGTH, ErrorCode.INVALID_TAG, ErrorCode.LENGTH_LIMIT, ErrorCode.BAD_VERSION,
]);

/** The failure for an error thrown while reading the HTTP client's request. */
export function requestFailure(error: unknown): GatewayFailure {
  if (error instanceof GatewayFailure) return error;
  if (error instanceof KitewireError && REQUEST_ERRORS.has(error.code)) {
    return new GatewayFailure("invalid_argument", error.message, undefined, undefined, error.code);
  }
  return callFailure(error);
}

/**
 * The failure for an error of the upstream call (or of reading its reply). A gRPC
 * upstream's status is passed on as it is, with its message.
 */
export function callFailure(error: unknown): GatewayFailure {
  if (error instanceof GatewayFailure) return error;
  const grpc = grpcDetailsOf(error);
  if (grpc !== undefined) {
    return new GatewayFailure(codeOfGrpcStatus(grpc.grpcStatus), grpc.grpcMessage, undefined, undefined, (error as KitewireError).code);
  }
  if (!(error instanceof KitewireError)) {
    return new GatewayFailure("internal", error instanceof Error ? error.message : String(error));
  }
  const code = ((): ConnectCode => {
    switch (error.code) {
      case ErrorCode.TIMEOUT: return "deadline_exceeded";
      case ErrorCode.CANCELLED: return "canceled";
      case ErrorCode.CONNECTION: case ErrorCode.NO_INSTANCE: case ErrorCode.CIRCUIT_OPEN: case ErrorCode.SHUTTING_DOWN:
        return "unavailable";
      case ErrorCode.UNKNOWN_METHOD: return "unimplemented";
      case ErrorCode.OVERLOADED: return "resource_exhausted";
      case ErrorCode.REMOTE: case ErrorCode.BIZ_STATUS: return "unknown";
      default: return "internal";
    }
  })();
  const message = code === "unavailable" ? `upstream unavailable: ${error.message}` : error.message;
  return new GatewayFailure(code, message, undefined, undefined, error.code);
}
