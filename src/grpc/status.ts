/**
 * gRPC status codes (grpc/doc/statuscodes.md) and how they map to kitewire's error codes,
 * both ways: a handler's KitewireError becomes a status on the wire, and a status received
 * by a client becomes a KitewireError whose `details` keep what the peer sent.
 */
import { ErrorCode, KitewireError } from "../errors.js";

/** The status codes of gRPC, by their names in the spec. */
export const GrpcStatus = {
  OK: 0,
  CANCELLED: 1,
  UNKNOWN: 2,
  INVALID_ARGUMENT: 3,
  DEADLINE_EXCEEDED: 4,
  NOT_FOUND: 5,
  ALREADY_EXISTS: 6,
  PERMISSION_DENIED: 7,
  RESOURCE_EXHAUSTED: 8,
  FAILED_PRECONDITION: 9,
  ABORTED: 10,
  OUT_OF_RANGE: 11,
  UNIMPLEMENTED: 12,
  INTERNAL: 13,
  UNAVAILABLE: 14,
  DATA_LOSS: 15,
  UNAUTHENTICATED: 16,
} as const;
export type GrpcStatus = (typeof GrpcStatus)[keyof typeof GrpcStatus];

/** What a gRPC status carries besides its code, in a KitewireError's `details`. */
export interface GrpcErrorDetails {
  /** The status code (numeric). */
  readonly grpcStatus: number;
  /** The status message, decoded. */
  readonly grpcMessage: string;
  /** `grpc-status-details-bin`: a serialized google.rpc.Status, if sent. */
  readonly statusDetails?: Uint8Array;
  /** The trailing (or trailers-only) metadata received with the status. */
  readonly metadata?: Readonly<Record<string, string | Uint8Array>>;
}

const FROM_KITEWIRE: Partial<Record<ErrorCode, GrpcStatus>> = {
  [ErrorCode.TIMEOUT]: GrpcStatus.DEADLINE_EXCEEDED,
  [ErrorCode.CANCELLED]: GrpcStatus.CANCELLED,
  [ErrorCode.UNKNOWN_METHOD]: GrpcStatus.UNIMPLEMENTED,
  [ErrorCode.OVERLOADED]: GrpcStatus.RESOURCE_EXHAUSTED,
  [ErrorCode.SHUTTING_DOWN]: GrpcStatus.UNAVAILABLE,
  [ErrorCode.CONNECTION]: GrpcStatus.UNAVAILABLE,
  [ErrorCode.NO_INSTANCE]: GrpcStatus.UNAVAILABLE,
  [ErrorCode.CIRCUIT_OPEN]: GrpcStatus.UNAVAILABLE,
  [ErrorCode.INVALID_VALUE]: GrpcStatus.INVALID_ARGUMENT,
  [ErrorCode.LENGTH_LIMIT]: GrpcStatus.RESOURCE_EXHAUSTED,
};

const TO_KITEWIRE: Partial<Record<number, ErrorCode>> = {
  [GrpcStatus.CANCELLED]: ErrorCode.CANCELLED,
  [GrpcStatus.DEADLINE_EXCEEDED]: ErrorCode.TIMEOUT,
  [GrpcStatus.UNIMPLEMENTED]: ErrorCode.UNKNOWN_METHOD,
  [GrpcStatus.RESOURCE_EXHAUSTED]: ErrorCode.OVERLOADED,
  [GrpcStatus.UNAVAILABLE]: ErrorCode.CONNECTION,
};

/**
 * A KitewireError that a handler throws to answer with a given gRPC status (and optional
 * google.rpc.Status details and trailing metadata). Its kitewire code follows the status.
 */
export function grpcError(status: GrpcStatus | number, message: string,
  extra: { statusDetails?: Uint8Array; metadata?: Record<string, string | Uint8Array>; cause?: unknown } = {}): KitewireError {
  const details: GrpcErrorDetails = {
    grpcStatus: status, grpcMessage: message,
    ...(extra.statusDetails && { statusDetails: extra.statusDetails }), ...(extra.metadata && { metadata: extra.metadata }),
  };
  return new KitewireError(TO_KITEWIRE[status] ?? ErrorCode.REMOTE, message, { details: { ...details }, cause: extra.cause });
}

/** The gRPC status of a KitewireError's details, if it has one. */
export function grpcDetailsOf(error: unknown): GrpcErrorDetails | undefined {
  const d = error instanceof KitewireError ? error.details : undefined;
  return d !== undefined && typeof d["grpcStatus"] === "number" ? (d as unknown as GrpcErrorDetails) : undefined;
}

/** The status and message a server answers with for `error` (thrown by a handler or by kitewire). */
export function statusOf(error: unknown): { status: number; message: string } {
  const grpc = grpcDetailsOf(error);
  if (grpc !== undefined) return { status: grpc.grpcStatus, message: grpc.grpcMessage };
  if (error instanceof KitewireError) return { status: FROM_KITEWIRE[error.code] ?? GrpcStatus.UNKNOWN, message: error.message };
  return { status: GrpcStatus.UNKNOWN, message: error instanceof Error ? error.message : String(error) };
}

/** The error a client raises for a non-OK status received from `method`. */
export function errorOfStatus(method: string, status: number, message: string, statusDetails?: Uint8Array,
  metadata?: Record<string, string | Uint8Array>): KitewireError {
  const name = Object.keys(GrpcStatus).find((k) => GrpcStatus[k as keyof typeof GrpcStatus] === status) ?? String(status);
  const details: GrpcErrorDetails = {
    grpcStatus: status, grpcMessage: message, ...(statusDetails && { statusDetails }), ...(metadata && { metadata }),
  };
  return new KitewireError(TO_KITEWIRE[status] ?? ErrorCode.REMOTE, `${method}: ${name}${message ? `: ${message}` : ""}`, { details: { ...details } });
}
