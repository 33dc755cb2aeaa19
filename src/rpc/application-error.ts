/**
 * How failures that are not declared exceptions cross the wire: Thrift's
 * TApplicationException struct `{1: string message, 2: i32 type}` in an EXCEPTION
 * message, and Kitex Protobuf's `ErrorProto {int32 TypeID = 1; string Message = 2}`.
 */
import type { ProtobufReader } from "../codec/protobuf/reader.js";
import type { ProtobufWriter } from "../codec/protobuf/writer.js";
import type { ThriftReader, ThriftWriter } from "../codec/thrift/protocol.js";
import { TType } from "../codec/thrift/types.js";
import { ErrorCode, KitewireError } from "../errors.js";

/** TApplicationException types (Apache Thrift). */
export const ApplicationErrorType = {
  UNKNOWN: 0, UNKNOWN_METHOD: 1, INVALID_MESSAGE_TYPE: 2, WRONG_METHOD_NAME: 3, BAD_SEQUENCE_ID: 4,
  MISSING_RESULT: 5, INTERNAL_ERROR: 6, PROTOCOL_ERROR: 7, INVALID_TRANSFORM: 8, INVALID_PROTOCOL: 9,
  UNSUPPORTED_CLIENT_TYPE: 10,
  /** kitewire's own (Kitex's own start at 20): the server refused the call for a limit (rate, concurrency). */
  OVERLOADED: 100,
  /** kitewire's own: the caller's deadline passed before the handler ran. */
  DEADLINE_EXCEEDED: 101,
} as const;

export interface ApplicationError {
  message: string;
  type: number;
}

export function writeThriftApplicationError(w: ThriftWriter, e: ApplicationError): void {
  w.writeStructBegin();
  w.writeFieldBegin(TType.STRING, 1);
  w.writeString(e.message);
  w.writeFieldBegin(TType.I32, 2);
  w.writeI32(e.type);
  w.writeFieldStop();
  w.writeStructEnd();
}

export function readThriftApplicationError(r: ThriftReader): ApplicationError {
  const e: ApplicationError = { message: "", type: ApplicationErrorType.UNKNOWN };
  r.readStructBegin();
  for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
    if (r.fieldId === 1 && t === TType.STRING) e.message = r.readString();
    else if (r.fieldId === 2 && t === TType.I32) e.type = r.readI32();
    else r.skip(t);
  }
  r.readStructEnd();
  return e;
}

export function writeProtobufApplicationError(w: ProtobufWriter, e: ApplicationError): void {
  if (e.type !== 0) w.tag(1, 0).int32(e.type);
  if (e.message !== "") w.tag(2, 2).string(e.message);
}

export function readProtobufApplicationError(r: ProtobufReader): ApplicationError {
  const e: ApplicationError = { message: "", type: ApplicationErrorType.UNKNOWN };
  while (r.pos < r.end) {
    const tag = r.tag();
    if (tag === 8) e.type = r.int32();
    else if (tag === 18) e.message = r.string();
    else r.skip(tag);
  }
  return e;
}

/** The KitewireError a client raises for an application error from its peer. */
export function applicationErrorToKitewire(e: ApplicationError, method: string): KitewireError {
  const code = e.type === ApplicationErrorType.UNKNOWN_METHOD ? ErrorCode.UNKNOWN_METHOD
    : e.type === ApplicationErrorType.OVERLOADED ? ErrorCode.OVERLOADED
      : e.type === ApplicationErrorType.DEADLINE_EXCEEDED ? ErrorCode.TIMEOUT : ErrorCode.REMOTE;
  return new KitewireError(code, `${method}: remote error: ${e.message || "(no message)"}`, { details: { type: e.type }, stack: false });
}

/** The application error a server sends for a failure it has no declared exception for. */
export function kitewireToApplicationError(error: unknown): ApplicationError {
  if (error instanceof KitewireError) {
    const type = error.code === ErrorCode.UNKNOWN_METHOD ? ApplicationErrorType.UNKNOWN_METHOD
      : error.code === ErrorCode.OVERLOADED ? ApplicationErrorType.OVERLOADED
      : error.code === ErrorCode.TIMEOUT ? ApplicationErrorType.DEADLINE_EXCEEDED
      : error.code === ErrorCode.REMOTE && typeof error.details?.["type"] === "number" ? error.details["type"] as number
        : ["TRUNCATED", "LENGTH_LIMIT", "DEPTH_LIMIT", "INVALID_UTF8", "UNKNOWN_TYPE", "BAD_VERSION", "MALFORMED_VARINT",
          "NEGATIVE_LENGTH", "INVALID_TAG", "MISSING_FIELD", "TRAILING_BYTES"].includes(error.code)
          ? ApplicationErrorType.PROTOCOL_ERROR : ApplicationErrorType.INTERNAL_ERROR;
    return { message: error.message, type };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { message, type: ApplicationErrorType.INTERNAL_ERROR };
}
