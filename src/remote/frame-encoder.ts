/**
 * Writing frames around messages, in the writer's own arena: the frame header goes first
 * with its lengths left open, the message is written after it by the payload codec, and
 * `endFrame` fills the lengths in. The frame is built once, in place.
 */
import type { ByteWriter } from "../codec/byte-writer.js";
import { ErrorCode, KitewireError } from "../errors.js";
import type { Transport } from "./transport.js";
import { NO_INT_INFO, NO_STR_INFO, TTHeaderProtocol, writeTTHeader, type TTHeaderFields } from "./ttheader.js";

/** Where a frame's open lengths are, from the arena start; -1 when absent. */
export interface FrameMark {
  start: number;
  outer: number;
  inner: number;
}

const NO_TTHEADER: TTHeaderFields = { flags: 0, intInfo: NO_INT_INFO, strInfo: NO_STR_INFO };

/** Starts a frame at the writer's position; write the message, then call `endFrame`. */
export function beginFrame(w: ByteWriter, transport: Transport, seqid: number, header: TTHeaderFields = NO_TTHEADER): FrameMark {
  const start = w.length;
  const mark: FrameMark = { start, outer: -1, inner: -1 };
  if (transport.framing === "buffered") return mark;
  mark.outer = start;
  reserveU32(w);
  if (transport.framing === "ttheader" || transport.framing === "ttheader-framed") {
    writeTTHeader(w, seqid, TTHEADER_PROTOCOL_ID[transport.protocol], header);
    if (transport.framing === "ttheader-framed") {
      mark.inner = w.length;
      reserveU32(w);
    }
  }
  return mark;
}

const TTHEADER_PROTOCOL_ID = { binary: TTHeaderProtocol.BINARY, compact: TTHeaderProtocol.COMPACT, protobuf: TTHeaderProtocol.PROTOBUF } as const;

/** Leaves room for a length `endFrame` fills in. */
function reserveU32(w: ByteWriter): void {
  w.ensure(4);
  w.pos += 4;
}

/** Fills in the lengths of the frame `beginFrame` started; returns the frame's size. */
export function endFrame(w: ByteWriter, mark: FrameMark, maxFrameSize = 0x7fffffff): number {
  const end = w.length;
  const size = end - mark.start;
  if (size > maxFrameSize) {
    throw new KitewireError(ErrorCode.LENGTH_LIMIT, `frame of ${size} bytes exceeds the maximum ${maxFrameSize}`);
  }
  if (mark.outer >= 0) w.patchU32(mark.outer, end - mark.outer - 4);
  if (mark.inner >= 0) w.patchU32(mark.inner, end - mark.inner - 4);
  return size;
}
