/**
 * google.rpc.Status, the message `grpc-status-details-bin` carries:
 * `{ int32 code = 1; string message = 2; repeated google.protobuf.Any details = 3; }`,
 * Any being `{ string type_url = 1; bytes value = 2; }`. Written and read by hand: it is
 * small and fixed, and a generated codec would need the engine for every error.
 */
import { bytesField, readFields, varint } from "./wire.js";

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
