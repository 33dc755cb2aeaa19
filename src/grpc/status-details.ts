/**
 * google.rpc.Status, the message `grpc-status-details-bin` carries:
 * `{ int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }`,
 * Any being `{ string type_url = 1; bytes value = 2; }`. Written and read by hand: it is
 * small and fixed, and a generated codec would need the engine for every error.
 */
import { ErrorCode, KitewireError } from "../errors.js";

/** A google.protobuf.Any: a type URL and the packed message. */
export interface AnyMessage {
  typeUrl: string;
  value: Uint8Array;
}

/** A google.rpc.Status. */
export interface RpcStatus {
  code: number;
  message: string;
  details: AnyMessage[];
}

/** Serializes a google.rpc.Status. */
export function encodeRpcStatus(status: RpcStatus): Uint8Array {
  const out: number[] = [];
  if (status.code !== 0) (out.push(0x08), varint(out, status.code));
  if (status.message !== "") bytesField(out, 0x12, new TextEncoder().encode(status.message));
  for (const d of status.details) {
    const any: number[] = [];
    if (d.typeUrl !== "") bytesField(any, 0x0a, new TextEncoder().encode(d.typeUrl));
    if (d.value.length > 0) bytesField(any, 0x12, d.value);
    bytesField(out, 0x1a, any);
  }
  return Uint8Array.from(out);
}

/** Parses a google.rpc.Status; unknown fields are skipped. Throws a KitewireError (TRUNCATED, UNKNOWN_TYPE) with the offset. */
export function decodeRpcStatus(bytes: Uint8Array): RpcStatus {
  const status: RpcStatus = { code: 0, message: "", details: [] };
  readFields(bytes, (field, value) => {
    if (field === 1 && typeof value === "number") status.code = value | 0;
    else if (field === 2 && typeof value !== "number") status.message = new TextDecoder().decode(value);
    else if (field === 3 && typeof value !== "number") {
      const any: AnyMessage = { typeUrl: "", value: new Uint8Array(0) };
      readFields(value, (f, v) => {
        if (f === 1 && typeof v !== "number") any.typeUrl = new TextDecoder().decode(v);
        else if (f === 2 && typeof v !== "number") any.value = v.slice();
      });
      status.details.push(any);
    }
  });
  return status;
}

function varint(out: number[], v: number): void {
  let n = BigInt.asUintN(64, BigInt(v));
  while (n >= 0x80n) {
    out.push(Number(n & 0x7fn) | 0x80);
    n >>= 7n;
  }
  out.push(Number(n));
}

function bytesField(out: number[], tag: number, value: ArrayLike<number>): void {
  out.push(tag);
  varint(out, value.length);
  for (let i = 0; i < value.length; i++) out.push(value[i]!);
}

/** Calls `each` with every field of a message: varints as numbers, length-delimited ones as bytes; others skipped. */
function readFields(bytes: Uint8Array, each: (field: number, value: number | Uint8Array) => void): void {
  let at = 0;
  const readVarint = (): number => {
    let result = 0;
    let shift = 0;
    for (;;) {
      if (at >= bytes.length) throw new KitewireError(ErrorCode.TRUNCATED, "google.rpc.Status: varint runs past the end", { offset: at });
      const b = bytes[at++]!;
      if (shift < 32) result |= (b & 0x7f) << shift;
      shift += 7;
      if ((b & 0x80) === 0) return result;
      if (shift > 63) throw new KitewireError(ErrorCode.MALFORMED_VARINT, "google.rpc.Status: varint too long", { offset: at });
    }
  };
  while (at < bytes.length) {
    const start = at;
    const tag = readVarint();
    const field = tag >>> 3;
    switch (tag & 7) {
      case 0:
        each(field, readVarint());
        break;
      case 1:
        at += 8;
        break;
      case 2: {
        const length = readVarint();
        if (length < 0 || at + length > bytes.length) {
          throw new KitewireError(ErrorCode.TRUNCATED, "google.rpc.Status: field runs past the end", { offset: start });
        }
        each(field, bytes.subarray(at, at + length));
        at += length;
        break;
      }
      case 5:
        at += 4;
        break;
      default:
        throw new KitewireError(ErrorCode.UNKNOWN_TYPE, `google.rpc.Status: wire type ${tag & 7}`, { offset: start });
    }
    if (at > bytes.length) throw new KitewireError(ErrorCode.TRUNCATED, "google.rpc.Status: field runs past the end", { offset: start });
  }
}
