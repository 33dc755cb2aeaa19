/**
 * Writing frames around messages, in the writer's own arena: the frame header goes first
 * with its lengths left open, the message is written after it by the payload codec, and
 * `endFrame` fills the lengths in. The frame is built once, in place.
 */
import type { ByteWriter } from "../codec/byte-writer.js";
import { ErrorCode, KitewireError } from "../errors.js";
import type { Transport } from "./transport.js";
import { encodeTTHeader, type TTHeaderInfo } from "./ttheader.js";

/** Where a frame's open lengths are, from the arena start; -1 when absent. */
export interface FrameMark {
  start: number;
  outer: number;
  inner: number;
}

/** TTHeader fields a frame needs; seqid and protocol are filled in from the call. */
export type TTHeaderFields = Pick<TTHeaderInfo, "flags" | "intInfo" | "strInfo"> & { token?: string };

/** Starts a frame at the writer's position; write the message, then call `endFrame`. */
export function beginFrame(w: ByteWriter, transport: Transport, seqid: number, header?: TTHeaderFields): FrameMark {
  const start = w.length;
  const mark: FrameMark = { start, outer: -1, inner: -1 };
  switch (transport.framing) {
    case "buffered":
      return mark;
    case "framed":
    case "kitex-protobuf":
      mark.outer = start;
      w.writeRaw(new Uint8Array(4));
      return mark;
    case "ttheader":
    case "ttheader-framed": {
      mark.outer = start;
      w.writeRaw(new Uint8Array(4));
      w.writeRaw(encodeTTHeader({
        flags: header?.flags ?? 0,
        seqid,
        protocol: transport.protocol === "compact" ? 0x02 : transport.protocol === "protobuf" ? 0x04 : 0x00,
        intInfo: header?.intInfo ?? new Map(),
        strInfo: header?.strInfo ?? new Map(),
        ...(header?.token === undefined ? {} : { token: header.token }),
      }));
      if (transport.framing === "ttheader-framed") {
        mark.inner = w.length;
        w.writeRaw(new Uint8Array(4));
      }
      return mark;
    }
  }
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
