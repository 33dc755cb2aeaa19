/**
 * What the socket thread needs of a request frame it hands to a server thread without
 * decoding it: its seqid and TTHeader flags (to answer the call with an exception should
 * its thread die or its deadline pass while it waits), read where the framing puts them,
 * straight from the socket's bytes. Nothing else of the frame is looked at here: the
 * server thread decodes and checks it (and a frame it cannot read costs its connection,
 * as on one thread). A frame whose envelope is not where it should be is left to the
 * slow path (the engine's decoder), which says what is wrong with it.
 */
import type { Transport } from "../../../remote/transport.js";

/** Where `readEnvelope` puts what it read (one object, reused: no allocation per frame). */
export interface Envelope {
  seqid: number;
  flags: number;
}

/** Framings whose envelope `readEnvelope` reads (the others take the slow path: buffered, THeader). */
export function envelopeReadable(t: Transport): boolean {
  return t.framing === "framed" || t.framing === "kitex-protobuf" || t.framing === "ttheader" || t.framing === "ttheader-framed";
}

const i32 = (b: Uint8Array, at: number) => (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;

/**
 * Reads the seqid and flags of `frame` (a whole frame, length prefix included) into `out`;
 * false if they are not where `t` puts them.
 */
export function readEnvelope(t: Transport, frame: Uint8Array, out: Envelope): boolean {
  const n = frame.length;
  if (t.framing === "ttheader" || t.framing === "ttheader-framed") {
    // LENGTH, MAGIC 0x1000, FLAGS (u16), SEQUENCE NUMBER (i32), HEADER SIZE ...
    if (n < 14 || frame[4] !== 0x10 || frame[5] !== 0x00) return false;
    out.flags = (frame[6]! << 8) | frame[7]!;
    out.seqid = i32(frame, 8);
    return true;
  }
  if (t.framing !== "framed" && t.framing !== "kitex-protobuf") return false;
  out.flags = 0;
  if (t.protocol === "compact") {
    // 0x82, version 1 and type, seqid as a varint.
    if (n < 7 || frame[4] !== 0x82 || (frame[5]! & 0x1f) !== 1) return false;
    let seqid = 0;
    for (let i = 0, at = 6; i < 5; i++, at++) {
      if (at >= n) return false;
      const b = frame[at]!;
      seqid |= (b & 0x7f) << (7 * i);
      if (b < 0x80) {
        out.seqid = seqid | 0;
        return true;
      }
    }
    return false;
  }
  // Strict Binary (and Kitex Protobuf's envelope): version word, name, seqid. Unversioned Binary takes the slow path.
  if (n < 16 || frame[4] !== 0x80 || frame[5] !== 0x01) return false;
  const nameLength = i32(frame, 8);
  if (nameLength < 0 || 16 + nameLength > n) return false;
  out.seqid = i32(frame, 12 + nameLength);
  return true;
}
