/**
 * Protocol detection from a connection's first bytes, as a Kitex server does it
 * (wire-formats.md), extended to Thrift Compact.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { Transport } from "./transport.js";
import { TTHEADER_MAGIC, TTHeaderProtocol } from "./ttheader.js";

const THRIFT_BINARY = 0x8001;
const KITEX_PROTOBUF = 0x9001;
const COMPACT_ID = 0x82;
const MESH_HEADER = 0xffaf;
const HTTP2_PREFACE = "PRI * HTTP/2.0";

/** Bytes needed before `detect` can decide: the 8 of the rules (TTHeader needs its header too). */
export const DETECT_BYTES = 8;

/**
 * Decides the transport from the first bytes of a connection. `peek(offset)` returns the
 * byte at `offset` or -1 if it has not arrived. Returns null when more bytes are needed.
 */
export function detectTransport(peek: (offset: number) => number, available: number): Transport | null {
  if (available < DETECT_BYTES) return null;
  const u16 = (at: number) => (peek(at) << 8) | peek(at + 1);
  const u32 = (at: number) => ((u16(at) << 16) | u16(at + 2)) >>> 0;
  if (u16(4) === TTHEADER_MAGIC) {
    if (available < 14) return null;
    const payload = 14 + u16(12) * 4;
    if (payload + 8 > u32(0) + 4) throw malformed("TTHeader header size runs past its frame", 12);
    if (available < payload + 8) return null;
    const id = peek(14);
    if (id === TTHeaderProtocol.PROTOBUF || u16(payload + 4) === KITEX_PROTOBUF) {
      return { framing: "ttheader-framed", protocol: "protobuf" };
    }
    const compact = id === TTHeaderProtocol.COMPACT;
    if (u16(payload) === THRIFT_BINARY || peek(payload) === COMPACT_ID) {
      return { framing: "ttheader", protocol: compact ? "compact" : "binary" };
    }
    if (u16(payload + 4) === THRIFT_BINARY || peek(payload + 4) === COMPACT_ID) {
      return { framing: "ttheader-framed", protocol: compact ? "compact" : "binary" };
    }
    throw malformed(`TTHeader payload is neither Thrift nor Kitex Protobuf (0x${u32(payload).toString(16)})`, payload);
  }
  if (u16(0) === MESH_HEADER) throw malformed("MeshHeader framing is not supported", 0);
  if (u16(0) === THRIFT_BINARY) return { framing: "buffered", protocol: "binary" };
  if (peek(0) === COMPACT_ID) return { framing: "buffered", protocol: "compact" };
  if (u16(4) === THRIFT_BINARY) return { framing: "framed", protocol: "binary" };
  if (peek(4) === COMPACT_ID) return { framing: "framed", protocol: "compact" };
  if (u16(4) === KITEX_PROTOBUF) return { framing: "kitex-protobuf", protocol: "protobuf" };
  let head = "";
  for (let i = 0; i < DETECT_BYTES; i++) head += String.fromCharCode(peek(i));
  if (HTTP2_PREFACE.startsWith(head)) throw malformed("HTTP/2 (gRPC) is served by the grpc/ adapter, not this listener", 0);
  throw malformed(`unknown protocol: first bytes 0x${u32(0).toString(16).padStart(8, "0")}${u32(4).toString(16).padStart(8, "0")}`, 0);
}

function malformed(message: string, offset: number): KitewireError {
  return new KitewireError(ErrorCode.MALFORMED_FRAME, message, { offset });
}
