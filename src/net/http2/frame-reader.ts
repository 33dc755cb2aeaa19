/**
 * The input side of an HTTP/2 connection: the client preface, frame headers and sizes,
 * per-frame validation (stream 0 rules, lengths, padding, priority fields), header blocks
 * assembled across CONTINUATION frames (bounded in bytes and frames), and flood accounting
 * (control frames and stream resets per second). What a frame means for the connection's
 * state is left to its `FrameSink` (connection.ts). No runtime APIs.
 */
import { Flag, FRAME_HEADER_BYTES, FrameType, H2Error, PREFACE } from "./constants.js";
import type { Http2Options } from "./options.js";

/** A breach of the protocol: the connection goes with GOAWAY `h2`; `offset` is the offending frame's byte. */
export class ProtocolError extends Error {
  constructor(readonly h2: number, message: string, readonly offset: number) {
    super(message);
  }
}

/** Counts events in one-second windows. */
class RateBound {
  private count = 0;
  private since = 0;
  constructor(private readonly limit: number) {}
  /** False once more than `limit` happened within the current second. */
  spend(): boolean {
    const now = Date.now();
    if (now - this.since >= 1000) (this.since = now), (this.count = 0);
    return ++this.count <= this.limit;
  }
}

/** What a connection does with the frames its reader checked. Methods may throw ProtocolError. */
/**
 * The end of a PADDED frame's payload `[start, end)` without its padding (the payload proper
 * starts at `start + 1`, after the pad length). Throws PROTOCOL_ERROR when the padding does not fit.
 */
export function unpaddedEnd(buf: Uint8Array, start: number, end: number, frame: string, offset: number): number {
  const pad = buf[start] ?? 0;
  if (end - start < 1 || pad > end - start - 1) throw new ProtocolError(H2Error.PROTOCOL_ERROR, `padding longer than the ${frame} frame`, offset);
  return end - pad;
}

export interface FrameSink {
  /** The connection is over: stop reading. */
  isDead(): boolean;
  /** Bytes came in past the preface. */
  activity(): void;
  /** Reading failed (a ProtocolError, or a KitewireError from HPACK): the connection must go. */
  failed(error: unknown): void;
  /** A DATA frame (stream id not 0), padding still in place. */
  data(buf: Uint8Array, start: number, end: number, flags: number, id: number, offset: number): void;
  /** A whole header block, its CONTINUATIONs joined and padding/priority removed. */
  headerBlock(id: number, endStream: boolean, buf: Uint8Array, start: number, end: number, offset: number): void;
  /** RST_STREAM (call `FrameReader.spendReset` to count it). */
  rstStream(id: number, code: number, offset: number): void;
  /** SETTINGS without ACK: `(end - start) / 6` entries, already counted as a control frame. */
  settings(buf: Uint8Array, start: number, end: number, offset: number): void;
  /** PING: an ACK, or a ping to answer with `buf[start, end)` (already counted as a control frame). */
  ping(buf: Uint8Array, start: number, end: number, ack: boolean): void;
  /** GOAWAY from the peer. */
  goaway(lastStreamId: number, code: number): void;
  /** WINDOW_UPDATE on stream `id` (0: the connection). */
  windowUpdate(id: number, increment: number, offset: number): void;
}

const EMPTY = new Uint8Array(0);

/** Reads one connection's bytes into checked frames for its sink. */
export class FrameReader {
  private prefaceLeft: number;
  private buffer: Uint8Array = EMPTY;
  /** Bytes of the connection consumed before `buffer`. */
  private consumed = 0;
  /** An unfinished header block: its stream, flags, fragments and frames so far. */
  private block: { id: number; endStream: boolean; parts: Uint8Array[]; bytes: number; frames: number; offset: number } | undefined;
  private readonly resets: RateBound;
  private readonly controls: RateBound;

  constructor(private readonly options: Readonly<Http2Options>, side: "server" | "client", private readonly sink: FrameSink) {
    this.prefaceLeft = side === "server" ? PREFACE.length : 0;
    this.resets = new RateBound(options.maxResetsPerSecond);
    this.controls = new RateBound(options.maxControlFramesPerSecond);
  }

  /** Feeds bytes read from the transport. Views of `bytes` are handed to the sink: the caller must not reuse it. */
  receive(bytes: Uint8Array): void {
    let buf = bytes;
    if (this.buffer.length > 0) {
      buf = new Uint8Array(this.buffer.length + bytes.length);
      buf.set(this.buffer);
      buf.set(bytes, this.buffer.length);
    }
    let pos = 0;
    try {
      if (this.prefaceLeft > 0) {
        const from = PREFACE.length - this.prefaceLeft;
        const n = Math.min(this.prefaceLeft, buf.length);
        for (let i = 0; i < n; i++) {
          if (buf[i] !== PREFACE[from + i]) throw new ProtocolError(H2Error.PROTOCOL_ERROR, "not the HTTP/2 connection preface", this.consumed + i);
        }
        this.prefaceLeft -= n;
        pos = n;
      }
      this.sink.activity();
      while (buf.length - pos >= FRAME_HEADER_BYTES && !this.sink.isDead()) {
        const length = (buf[pos]! << 16) | (buf[pos + 1]! << 8) | buf[pos + 2]!;
        const type = buf[pos + 3]!;
        if (length > this.options.maxFrameSize) {
          throw new ProtocolError(H2Error.FRAME_SIZE_ERROR, `a frame of ${length} bytes, over the ${this.options.maxFrameSize} allowed`, this.consumed + pos);
        }
        if (buf.length - pos - FRAME_HEADER_BYTES < length) break;
        const flags = buf[pos + 4]!;
        const id = ((buf[pos + 5]! & 0x7f) << 24 | (buf[pos + 6]! << 16) | (buf[pos + 7]! << 8) | buf[pos + 8]!) >>> 0;
        const start = pos + FRAME_HEADER_BYTES;
        this.frame(buf, start, start + length, type, flags, id, this.consumed + pos);
        pos = start + length;
      }
    } catch (error) {
      this.sink.failed(error);
      return;
    }
    this.consumed += pos;
    this.buffer = pos === buf.length ? EMPTY : buf.slice(pos);
  }

  /** Counts a control frame (or an empty DATA frame); throws past the per-second bound. */
  control(offset: number): void {
    if (!this.controls.spend()) {
      throw new ProtocolError(H2Error.ENHANCE_YOUR_CALM, `more than ${this.options.maxControlFramesPerSecond} control frames in a second`, offset);
    }
  }

  /** Counts a stream reset from the peer (rapid reset); throws past the per-second bound. */
  spendReset(offset: number): void {
    if (!this.resets.spend()) {
      throw new ProtocolError(H2Error.ENHANCE_YOUR_CALM, `more than ${this.options.maxResetsPerSecond} stream resets in a second`, offset);
    }
  }

  private frame(buf: Uint8Array, start: number, end: number, type: number, flags: number, id: number, offset: number): void {
    const length = end - start;
    if (this.block !== undefined && type !== FrameType.CONTINUATION) {
      throw new ProtocolError(H2Error.PROTOCOL_ERROR, `a frame of type ${type} inside a header block`, offset);
    }
    switch (type) {
      case FrameType.DATA:
        if (id === 0) throw new ProtocolError(H2Error.PROTOCOL_ERROR, "DATA on stream 0", offset);
        return this.sink.data(buf, start, end, flags, id, offset);
      case FrameType.HEADERS: {
        if (id === 0) throw new ProtocolError(H2Error.PROTOCOL_ERROR, "HEADERS on stream 0", offset);
        let from = start;
        let to = end;
        if (flags & Flag.PADDED) {
          to = unpaddedEnd(buf, from, to, "HEADERS", offset);
          from++;
        }
        if (flags & Flag.PRIORITY) from += 5;
        if (from > to) throw new ProtocolError(H2Error.FRAME_SIZE_ERROR, "HEADERS too short for its priority fields", offset);
        const block = { id, endStream: (flags & Flag.END_STREAM) !== 0, parts: [buf.subarray(from, to)], bytes: to - from, frames: 1, offset: offset + FRAME_HEADER_BYTES + (from - start) };
        this.checkBlock(block.bytes, offset);
        if (flags & Flag.END_HEADERS) return this.sink.headerBlock(block.id, block.endStream, block.parts[0]!, 0, block.bytes, block.offset);
        block.parts[0] = buf.slice(from, to);
        this.block = block;
        return;
      }
      case FrameType.CONTINUATION: {
        const block = this.block;
        if (block === undefined || block.id !== id) throw new ProtocolError(H2Error.PROTOCOL_ERROR, "CONTINUATION without a header block open on its stream", offset);
        block.bytes += length;
        this.checkBlock(block.bytes, offset);
        if (++block.frames > this.options.maxContinuationFrames) {
          throw new ProtocolError(H2Error.ENHANCE_YOUR_CALM, `a header block of more than ${this.options.maxContinuationFrames} frames`, offset);
        }
        block.parts.push(buf.slice(start, end));
        if ((flags & Flag.END_HEADERS) === 0) return;
        this.block = undefined;
        const whole = new Uint8Array(block.bytes);
        let at = 0;
        for (const p of block.parts) (whole.set(p, at), (at += p.length));
        return this.sink.headerBlock(id, block.endStream, whole, 0, whole.length, block.offset);
      }
      case FrameType.PRIORITY:
        if (id === 0) throw new ProtocolError(H2Error.PROTOCOL_ERROR, "PRIORITY on stream 0", offset);
        if (length !== 5) throw new ProtocolError(H2Error.FRAME_SIZE_ERROR, "PRIORITY not 5 bytes", offset);
        return this.control(offset);
      case FrameType.RST_STREAM: {
        if (id === 0) throw new ProtocolError(H2Error.PROTOCOL_ERROR, "RST_STREAM on stream 0", offset);
        if (length !== 4) throw new ProtocolError(H2Error.FRAME_SIZE_ERROR, "RST_STREAM not 4 bytes", offset);
        const code = ((buf[start]! << 24) | (buf[start + 1]! << 16) | (buf[start + 2]! << 8) | buf[start + 3]!) >>> 0;
        return this.sink.rstStream(id, code, offset);
      }
      case FrameType.SETTINGS:
        if (id !== 0) throw new ProtocolError(H2Error.PROTOCOL_ERROR, "SETTINGS on a stream", offset);
        if (flags & Flag.ACK) {
          if (end !== start) throw new ProtocolError(H2Error.FRAME_SIZE_ERROR, "SETTINGS ACK with a payload", offset);
          return;
        }
        if ((end - start) % 6 !== 0) throw new ProtocolError(H2Error.FRAME_SIZE_ERROR, "SETTINGS not a multiple of 6 bytes", offset);
        this.control(offset);
        return this.sink.settings(buf, start, end, offset);
      case FrameType.PUSH_PROMISE:
        throw new ProtocolError(H2Error.PROTOCOL_ERROR, "PUSH_PROMISE, with push disabled", offset);
      case FrameType.PING: {
        if (id !== 0) throw new ProtocolError(H2Error.PROTOCOL_ERROR, "PING on a stream", offset);
        if (length !== 8) throw new ProtocolError(H2Error.FRAME_SIZE_ERROR, "PING not 8 bytes", offset);
        const ack = (flags & Flag.ACK) !== 0;
        if (!ack) this.control(offset);
        return this.sink.ping(buf, start, end, ack);
      }
      case FrameType.GOAWAY: {
        if (id !== 0) throw new ProtocolError(H2Error.PROTOCOL_ERROR, "GOAWAY on a stream", offset);
        if (length < 8) throw new ProtocolError(H2Error.FRAME_SIZE_ERROR, "GOAWAY shorter than 8 bytes", offset);
        const last = ((buf[start]! & 0x7f) << 24 | (buf[start + 1]! << 16) | (buf[start + 2]! << 8) | buf[start + 3]!) >>> 0;
        const code = ((buf[start + 4]! << 24) | (buf[start + 5]! << 16) | (buf[start + 6]! << 8) | buf[start + 7]!) >>> 0;
        return this.sink.goaway(last, code);
      }
      case FrameType.WINDOW_UPDATE: {
        if (length !== 4) throw new ProtocolError(H2Error.FRAME_SIZE_ERROR, "WINDOW_UPDATE not 4 bytes", offset);
        const increment = ((buf[start]! & 0x7f) << 24 | (buf[start + 1]! << 16) | (buf[start + 2]! << 8) | buf[start + 3]!) >>> 0;
        return this.sink.windowUpdate(id, increment, offset);
      }
      default:
        return; // unknown frame types are ignored (RFC 9113 §4.1)
    }
  }

  private checkBlock(bytes: number, offset: number): void {
    if (bytes > this.options.maxHeaderListSize) {
      throw new ProtocolError(H2Error.ENHANCE_YOUR_CALM, `a header block over ${this.options.maxHeaderListSize} bytes`, offset);
    }
  }
}
