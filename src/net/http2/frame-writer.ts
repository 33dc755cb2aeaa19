/**
 * Frames written into shared chunks and handed to the transport in one batch per tick: a
 * reply of HEADERS + DATA + trailers, and every other stream's frames written meanwhile,
 * leave in one socket write. Chunks are never reused once handed over (the transport may
 * hold them until sent), so nothing is copied twice.
 */
import { FRAME_HEADER_BYTES } from "./constants.js";

const CHUNK = 64 * 1024;

export class FrameWriter {
  private chunk = new Uint8Array(CHUNK);
  private start = 0;
  /** Where the next byte goes in `chunk`. */
  pos = 0;
  private readonly parts: Uint8Array[] = [];
  private scheduled = false;
  /** Bytes written since the last flush. */
  unflushed = 0;
  private readonly flushNow = () => this.flush();

  constructor(private readonly sink: (parts: Uint8Array[]) => void, private readonly schedule: (fn: () => void) => void) {}

  /** Room for `n` more bytes at `pos`; returns the chunk to write them in. */
  reserve(n: number): Uint8Array {
    this.unflushed += n;
    if (this.chunk.length - this.pos < n) {
      if (this.pos > this.start) this.parts.push(this.chunk.subarray(this.start, this.pos));
      this.chunk = new Uint8Array(Math.max(CHUNK, n));
      this.start = this.pos = 0;
    }
    if (!this.scheduled) {
      this.scheduled = true;
      this.schedule(this.flushNow);
    }
    return this.chunk;
  }

  /** Writes a frame header at `pos` (room reserved by the caller). */
  header(out: Uint8Array, length: number, type: number, flags: number, stream: number): void {
    let at = this.pos;
    out[at++] = length >>> 16;
    out[at++] = (length >>> 8) & 0xff;
    out[at++] = length & 0xff;
    out[at++] = type;
    out[at++] = flags;
    out[at++] = (stream >>> 24) & 0x7f;
    out[at++] = (stream >>> 16) & 0xff;
    out[at++] = (stream >>> 8) & 0xff;
    out[at++] = stream & 0xff;
    this.pos = at;
  }

  /** A whole frame with `payload`. */
  frame(type: number, flags: number, stream: number, payload: Uint8Array, start = 0, end = payload.length): void {
    const length = end - start;
    const out = this.reserve(FRAME_HEADER_BYTES + length);
    this.header(out, length, type, flags, stream);
    out.set(length === payload.length ? payload : payload.subarray(start, end), this.pos);
    this.pos += length;
  }

  /** A frame whose payload is a 32-bit value (RST_STREAM, WINDOW_UPDATE). */
  frame32(type: number, stream: number, value: number): void {
    const out = this.reserve(FRAME_HEADER_BYTES + 4);
    this.header(out, 4, type, 0, stream);
    const at = this.pos;
    out[at] = value >>> 24;
    out[at + 1] = (value >>> 16) & 0xff;
    out[at + 2] = (value >>> 8) & 0xff;
    out[at + 3] = value & 0xff;
    this.pos = at + 4;
  }

  /** Hands what was written to the transport now. */
  flush(): void {
    this.scheduled = false;
    this.unflushed = 0;
    if (this.pos > this.start) {
      this.parts.push(this.chunk.subarray(this.start, this.pos));
      this.start = this.pos;
      // A chunk mostly used is retired, so small tails are not written from a nearly full chunk.
      if (this.chunk.length - this.pos < 4096) (this.chunk = new Uint8Array(CHUNK)), (this.start = this.pos = 0);
    }
    if (this.parts.length === 0) return;
    const parts = this.parts.splice(0);
    this.sink(parts);
  }
}
