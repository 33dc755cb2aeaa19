/**
 * The header values of gRPC over HTTP/2 (grpc/doc/PROTOCOL-HTTP2.md): `grpc-timeout`,
 * `grpc-message` percent-encoding, and custom metadata, whose `-bin` keys carry base64.
 */
import { ErrorCode, KitewireError } from "../errors.js";

/** Custom metadata: text values, or binary ones under keys ending in `-bin`. */
export type GrpcMetadata = Record<string, string | Uint8Array>;

const UNITS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 1e-3, n: 1e-6 };

/**
 * Parses `grpc-timeout` (`TimeoutValue TimeoutUnit`: at most 8 ASCII digits, then one of
 * H M S m u n) into milliseconds. Throws INVALID_VALUE for anything else.
 */
export function parseTimeout(value: string): number {
  const unit = UNITS[value.charAt(value.length - 1)];
  const digits = value.slice(0, -1);
  if (unit === undefined || digits.length === 0 || digits.length > 8 || !/^[0-9]+$/.test(digits)) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `bad grpc-timeout ${JSON.stringify(value)}: want 1-8 digits and a unit of H M S m u n`);
  }
  return Number(digits) * unit;
}

/** Formats a timeout of `ms` milliseconds for `grpc-timeout`, in the finest unit whose value fits 8 digits. */
export function formatTimeout(ms: number): string {
  const t = Math.max(0, Math.ceil(ms));
  if (t < 1e8) return `${t}m`;
  if (t / 1000 < 1e8) return `${Math.ceil(t / 1000)}S`;
  if (t / 60_000 < 1e8) return `${Math.ceil(t / 60_000)}M`;
  return `${Math.min(99_999_999, Math.ceil(t / 3_600_000))}H`;
}

/**
 * Percent-encodes a status message for `grpc-message`: bytes of its UTF-8 outside
 * printable ASCII (0x20-0x7E) and `%` itself become `%XX`.
 */
export function encodeGrpcMessage(message: string): string {
  let plain = true;
  for (let i = 0; i < message.length; i++) {
    const c = message.charCodeAt(i);
    if (c < 0x20 || c > 0x7e || c === 0x25) {
      plain = false;
      break;
    }
  }
  if (plain) return message;
  let out = "";
  for (const b of new TextEncoder().encode(message)) {
    out += b < 0x20 || b > 0x7e || b === 0x25 ? `%${b.toString(16).toUpperCase().padStart(2, "0")}` : String.fromCharCode(b);
  }
  return out;
}

/** Decodes a percent-encoded `grpc-message`; a malformed escape is kept as it is (the spec asks receivers not to fail). */
export function decodeGrpcMessage(value: string): string {
  if (!value.includes("%")) return value;
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c === 0x25 && i + 2 < value.length + 0 && /^[0-9a-fA-F]{2}$/.test(value.slice(i + 1, i + 3))) {
      bytes.push(parseInt(value.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(c & 0xff);
    }
  }
  return new TextDecoder().decode(new Uint8Array(bytes));
}

/**
 * Headers gRPC and HTTP/2 reserve: never custom metadata in either direction. (`:*` pseudo
 * headers are reserved too.)
 */
const RESERVED = new Set(["content-type", "te", "user-agent", "grpc-timeout", "grpc-encoding", "grpc-accept-encoding",
  "grpc-status", "grpc-message", "grpc-status-details-bin", "content-length", "accept-encoding", "host", "connection",
  "transfer-encoding", "keep-alive", "upgrade", "proxy-connection", "date"]);

/** Whether `key` (lower case) is custom metadata, not a header of the protocol. */
export function isCustomMetadata(key: string): boolean {
  return key.charCodeAt(0) !== 0x3a && !RESERVED.has(key);
}

/** The custom metadata among received headers: `-bin` values base64-decoded, repeated values joined by ", ". */
export function metadataOf(headers: Readonly<Record<string, string | string[] | undefined>>): GrpcMetadata {
  const out: GrpcMetadata = {};
  for (const key in headers) {
    if (!isCustomMetadata(key)) continue;
    const value = headers[key];
    if (value === undefined) continue;
    if (key.endsWith("-bin")) out[key] = decodeBase64(Array.isArray(value) ? value.join(",") : value);
    else out[key] = Array.isArray(value) ? value.join(", ") : value;
  }
  return out;
}

/** Adds `metadata` to outgoing headers (`-bin` values base64 without padding). Throws INVALID_VALUE for a reserved or badly typed key. */
export function addMetadata(headers: Record<string, string | string[]>, metadata: Readonly<GrpcMetadata>): void {
  for (const key in metadata) {
    const lower = key.toLowerCase();
    const value = metadata[key]!;
    if (!isCustomMetadata(lower)) throw new KitewireError(ErrorCode.INVALID_VALUE, `metadata key ${JSON.stringify(key)} is reserved by gRPC`);
    if (lower.endsWith("-bin")) {
      headers[lower] = encodeBase64(typeof value === "string" ? new TextEncoder().encode(value) : value);
    } else {
      if (typeof value !== "string") throw new KitewireError(ErrorCode.INVALID_VALUE, `metadata ${key}: binary values need a key ending in -bin`);
      headers[lower] = value;
    }
  }
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;
B64_INDEX["-".charCodeAt(0)] = 62; // url-safe alphabet accepted too
B64_INDEX["_".charCodeAt(0)] = 63;

/** Base64 without padding, as gRPC sends `-bin` values. */
export function encodeBase64(bytes: Uint8Array): string {
  let out = "";
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  if (i < bytes.length) {
    const n = (bytes[i]! << 16) | ((bytes[i + 1] ?? 0) << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]!;
    if (i + 1 < bytes.length) out += B64[(n >> 6) & 63]!;
  }
  return out;
}

/** Decodes base64, padded or not (values joined by "," from repeated headers are decoded one by one). Throws INVALID_VALUE. */
export function decodeBase64(text: string): Uint8Array {
  if (text.includes(",")) {
    const parts = text.split(",").map((p) => decodeBase64(p.trim()));
    const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of parts) (out.set(p, at), (at += p.length));
    return out;
  }
  const s = text.replace(/=+$/, "");
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let at = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_INDEX[c]! : -1;
    if (v < 0) throw new KitewireError(ErrorCode.INVALID_VALUE, `bad base64 in a -bin metadata value at character ${i}`, { offset: i });
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, at);
}
