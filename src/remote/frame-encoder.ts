/**
 * Writing frames around messages, in the writer's own arena: the frame header goes first
 * with its lengths left open, the message is written after it by the payload codec, and
 * `endFrame` fills the lengths in. The frame is built once, in place.
 */
import type { ByteWriter } from "../codec/byte-writer.js";
import { ErrorCode, KitewireError } from "../errors.js";
import { THeaderProtocol, writeTHeader } from "./theader.js";
import { transformById, transformName } from "./transform.js";
import { ttheaderPayloadFramed, type Transport } from "./transport.js";
import { NO_INT_INFO, NO_STR_INFO, TTHeaderProtocol, writeTTHeader, type TTHeaderFields } from "./ttheader.js";

/** Where a frame's open lengths are, from the arena start; -1 when absent. */
export interface FrameMark {
  start: number;
  outer: number;
  inner: number;
  /** Where the payload starts, and the THeader transforms `endFrame` applies to it. */
  payload: number;
  transforms: readonly number[];
}

/** A frame's header fields: TTHeader's, and for Apache THeader the payload transforms (ids). */
export interface FrameHeaderFields extends TTHeaderFields {
  transforms?: readonly number[];
}

const NO_TRANSFORMS: readonly number[] = Object.freeze([]);
const NO_HEADER: FrameHeaderFields = { flags: 0, intInfo: NO_INT_INFO, strInfo: NO_STR_INFO };

/** Starts a frame at the writer's position; write the message, then call `endFrame`. */
export function beginFrame(w: ByteWriter, transport: Transport, seqid: number, header: FrameHeaderFields = NO_HEADER): FrameMark {
  const start = w.length;
  const mark: FrameMark = { start, outer: -1, inner: -1, payload: start, transforms: NO_TRANSFORMS };
  if (transport.framing === "buffered") return mark;
  mark.outer = start;
  reserveU32(w);
  if (transport.framing === "theader") {
    mark.transforms = header.transforms ?? NO_TRANSFORMS;
    writeTHeader(w, seqid, transport.protocol === "compact" ? THeaderProtocol.COMPACT : THeaderProtocol.BINARY,
      { flags: header.flags, transforms: mark.transforms, strInfo: header.strInfo });
  } else if (transport.framing === "ttheader" || transport.framing === "ttheader-framed") {
    writeTTHeader(w, seqid, TTHEADER_PROTOCOL_ID[transport.protocol], header);
    if (ttheaderPayloadFramed(transport)) {
      mark.inner = w.length;
      reserveU32(w);
    }
  }
  mark.payload = w.length;
  return mark;
}

/** Kitex sends protocol id 0 for Kitex Protobuf in TTHeader (0x04 would stop older Kitex servers) and so does kitewire. */
const TTHEADER_PROTOCOL_ID = { binary: TTHeaderProtocol.BINARY, compact: TTHeaderProtocol.COMPACT, protobuf: TTHeaderProtocol.BINARY } as const;

/** Leaves room for a length `endFrame` fills in. */
function reserveU32(w: ByteWriter): void {
  w.ensure(4);
  w.pos += 4;
}

/** Fills in the lengths of the frame `beginFrame` started; returns the frame's size. */
export function endFrame(w: ByteWriter, mark: FrameMark, maxFrameSize = 0x7fffffff): number {
  if (mark.transforms.length > 0) transformPayload(w, mark);
  const end = w.length;
  const size = end - mark.start;
  if (size > maxFrameSize) {
    throw new KitewireError(ErrorCode.LENGTH_LIMIT, `frame of ${size} bytes exceeds the maximum ${maxFrameSize}`);
  }
  if (mark.outer >= 0) w.patchU32(mark.outer, end - mark.outer - 4);
  if (mark.inner >= 0) w.patchU32(mark.inner, end - mark.inner - 4);
  return size;
}

/** Replaces the payload written since `mark.payload` by its transformed bytes. */
function transformPayload(w: ByteWriter, mark: FrameMark): void {
  let payload: Uint8Array = w.engine.u8.subarray(w.start + mark.payload, w.pos);
  for (const id of mark.transforms) {
    const transform = transformById(id);
    if (transform === undefined) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `THeader transform ${transformName(id)} is not registered on this runtime`);
    }
    payload = transform.encode(payload);
  }
  w.pos = w.start + mark.payload;
  w.writeRaw(payload);
}
