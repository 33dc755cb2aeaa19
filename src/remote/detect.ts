/**
 * Protocol detection from a connection's first bytes, as a Kitex server does it (Kitex's
 * `pkg/remote/codec/default_codec.go`: TTHeader by the magic in bytes 4..6, then Thrift
 * binary or Kitex Protobuf by the magic of the payload, framed or not), extended to
 * Thrift Compact and Apache THeader, and naming what it refuses (TLS, HTTP) so that
 * the operator and the log can tell a misconfigured client from garbage.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { THEADER_MAGIC, THeaderProtocol } from "./theader.js";
import type { Transport } from "./transport.js";
import { TTHEADER_MAGIC, TTHeaderProtocol } from "./ttheader.js";

const THRIFT_BINARY = 0x8001;
const KITEX_PROTOBUF = 0x9001;
const COMPACT_ID = 0x82;
const MESH_HEADER = 0xffaf;
const HTTP2_PREFACE = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
const HTTP1_METHODS = ["GET ", "POST ", "PUT ", "HEAD ", "DELETE ", "OPTIONS ", "PATCH ", "CONNECT "];
/** A TLS record of type handshake (0x16), version 3.x: a ClientHello. */
const TLS_HANDSHAKE = 0x16;

/** What this port serves, for the messages of refusals. */
export const SERVED_FRAMINGS =
  "this port serves Buffered, Framed, TTHeader, TTHeader-Framed and Apache THeader (Thrift binary or compact) and Kitex Protobuf (framed, or in TTHeader)";

/** Bytes needed before `detect` can decide: the 8 of the rules (TTHeader needs its header too). */
export const DETECT_BYTES = 8;

/**
 * Whether a connection's first bytes are (the start of) the HTTP/2 client preface, which
 * opens every gRPC connection: a Node listener hands such a connection to its gRPC side.
 */
export function looksLikeHttp2(first: Uint8Array): boolean {
  const n = Math.min(first.length, HTTP2_PREFACE.length);
  if (n === 0) return false;
  for (let i = 0; i < n; i++) if (first[i] !== HTTP2_PREFACE.charCodeAt(i)) return false;
  return true;
}

/**
 * Whether `peek` shows an HTTP/2 server's first frame, SETTINGS on stream 0 (length, type 4,
 * flags 0, stream 0): a gRPC server answering a client that sent a Thrift framing. No
 * framing of kitewire's has a 0 where the flags byte is (byte 4: a message's version or a
 * header's magic).
 */
export function looksLikeHttp2Settings(peek: (offset: number) => number): boolean {
  return peek(3) === 0x04 && peek(4) === 0 && peek(5) === 0 && peek(6) === 0 && peek(7) === 0 && peek(8) === 0 && peek(2) % 6 === 0;
}

/** Whether `peek` shows the start of a TLS record (handshake, or with `alert` an alert, 0x15) of TLS 1.0-1.3. */
export function looksLikeTls(peek: (offset: number) => number, alert = false): boolean {
  const type = peek(0);
  return (type === TLS_HANDSHAKE || (alert && type === 0x15)) && peek(1) === 0x03 && peek(2) >= 0 && peek(2) <= 0x04;
}

/**
 * Decides the transport from the first bytes of a connection. `peek(offset)` returns the
 * byte at `offset` or -1 if it has not arrived. Returns null when more bytes are needed;
 * throws MALFORMED_FRAME (with `details.detected` naming what was seen: "tls", "http2",
 * "http1", "meshheader", "ttheader", "unknown") for what this server does not serve.
 */
export function detectTransport(peek: (offset: number) => number, available: number): Transport | null {
  if (available < DETECT_BYTES) return null;
  const u16 = (at: number) => (peek(at) << 8) | peek(at + 1);
  const u32 = (at: number) => ((u16(at) << 16) | u16(at + 2)) >>> 0;
  // Before the framings: a TLS record's first word read as a frame length is over 369 MB.
  if (looksLikeTls(peek)) {
    throw refused("tls", "a TLS handshake on a plain TCP port: connect without the `tls` option, or serve TLS with listen(server, { tls })");
  }
  if (u16(4) === TTHEADER_MAGIC) return detectTTHeader(peek, available, u16, u32);
  if (u16(4) === THEADER_MAGIC) {
    if (available < 15) return null;
    return { framing: "theader", protocol: peek(14) === THeaderProtocol.COMPACT ? "compact" : "binary" };
  }
  if (u16(0) === MESH_HEADER) throw refused("meshheader", `MeshHeader framing is not supported: ${SERVED_FRAMINGS}`);
  if (u16(0) === THRIFT_BINARY) return { framing: "buffered", protocol: "binary" };
  if (peek(0) === COMPACT_ID) return { framing: "buffered", protocol: "compact" };
  if (u16(4) === THRIFT_BINARY) return { framing: "framed", protocol: "binary" };
  if (peek(4) === COMPACT_ID) return { framing: "framed", protocol: "compact" };
  if (u16(4) === KITEX_PROTOBUF) return { framing: "kitex-protobuf", protocol: "protobuf" };
  let head = "";
  for (let i = 0; i < DETECT_BYTES; i++) head += String.fromCharCode(peek(i));
  if (HTTP2_PREFACE.startsWith(head)) {
    throw refused("http2", `HTTP/2 (gRPC) is not served on this port (its listener has grpc: false): ${SERVED_FRAMINGS}`);
  }
  if (HTTP1_METHODS.some((m) => head.startsWith(m.slice(0, DETECT_BYTES)))) {
    throw refused("http1", `an HTTP/1 request: ${SERVED_FRAMINGS}, not HTTP`);
  }
  const first = `0x${u32(0).toString(16).padStart(8, "0")}${u32(4).toString(16).padStart(8, "0")}`;
  throw refused("unknown", `unknown protocol: first bytes ${first}; ${SERVED_FRAMINGS}`);
}

/** A TTHeader: the payload's own magic says which protocol it carries, and whether it is framed. */
function detectTTHeader(peek: (offset: number) => number, available: number, u16: (at: number) => number,
  u32: (at: number) => number): Transport | null {
  if (available < 14) return null;
  const payload = 14 + u16(12) * 4;
  if (payload + 8 > u32(0) + 4) throw malformed("TTHeader header size runs past its frame", 12);
  if (available < payload + 8) return null;
  // Kitex sends protocol id 0 for protobuf (older versions 3, newer ones define 4): the id
  // says nothing about protobuf, the payload's magic does.
  const compact = peek(14) === TTHeaderProtocol.COMPACT;
  if (u16(payload + 4) === KITEX_PROTOBUF) return { framing: "ttheader-framed", protocol: "protobuf" };
  if (u16(payload) === THRIFT_BINARY || peek(payload) === COMPACT_ID) return { framing: "ttheader", protocol: compact ? "compact" : "binary" };
  if (u16(payload + 4) === THRIFT_BINARY || peek(payload + 4) === COMPACT_ID) {
    return { framing: "ttheader-framed", protocol: compact ? "compact" : "binary" };
  }
  if (u16(payload) === KITEX_PROTOBUF) {
    throw refused("ttheader", "TTHeader with an unframed Kitex Protobuf payload: Kitex Protobuf in TTHeader carries its u32 length (TTHeader-Framed)",
      payload);
  }
  throw refused("ttheader", `TTHeader payload is neither Thrift nor Kitex Protobuf (0x${u32(payload).toString(16)})`, payload);
}

function refused(detected: string, message: string, offset = 0): KitewireError {
  return new KitewireError(ErrorCode.MALFORMED_FRAME, message, { offset, details: { detected }, stack: false });
}

function malformed(message: string, offset: number): KitewireError {
  return new KitewireError(ErrorCode.MALFORMED_FRAME, message, { offset, stack: false });
}
