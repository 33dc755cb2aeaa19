/**
 * gRPC's Length-Prefixed-Message: a 1-byte compressed flag, a u32 big-endian length, then
 * the message. The deframer cuts messages out of the DATA chunks of one stream, checking
 * each announced length against the limit before holding any of its bytes.
 */
import { ErrorCode, KitewireError } from "../errors.js";

/** Bytes of the prefix before each message. */
export const PREFIX_BYTES = 5;

/** Per-message compression, as `grpc-encoding` names it (`identity` is none). */
export interface GrpcCompression {
  /** The name in `grpc-encoding` / `grpc-accept-encoding`, e.g. `gzip`. */
  readonly name: string;
  compress(bytes: Uint8Array): Uint8Array;
  /** Inflates `bytes`; throws LENGTH_LIMIT when the result would exceed `maxBytes`. */
  decompress(bytes: Uint8Array, maxBytes: number): Uint8Array;
}

/** Writes the 5-byte prefix of a message of `length` bytes at `at` in `out`. */
export function writePrefix(out: Uint8Array, at: number, compressed: boolean, length: number): void {
  out[at] = compressed ? 1 : 0;
  out[at + 1] = length >>> 24;
  out[at + 2] = (length >>> 16) & 0xff;
  out[at + 3] = (length >>> 8) & 0xff;
  out[at + 4] = length & 0xff;
}

/** Receives the messages cut from a stream (an object, so that a call is its own sink: no closure per call). */
export interface MessageSink {
  /** One whole message, a view valid during the call; `compressed` is the prefix's flag. */
  message(message: Uint8Array, compressed: boolean): void;
}

/** Where a deframer asks for the bytes of the partial messages it holds (a server-wide budget). */
export interface HoldBudget {
  /** Asks for `bytes` more; false: refused (the deframer throws OVERLOADED). */
  take(bytes: number): boolean;
  /** Gives back all that was taken. */
  free(): void;
}

/**
 * Cuts Length-Prefixed-Messages from a stream's DATA chunks. A message within one chunk is
 * passed on as a view of it (no copy); one spread over chunks is gathered once.
 */
export class MessageDeframer {
  private held: Uint8Array | undefined;
  private heldLength = 0;
  /** Bytes of the stream consumed so far (the offset of errors). */
  private offset = 0;

  /** @param maxMessageBytes the largest message accepted (its announced length, before decompression). */
  constructor(private readonly maxMessageBytes: number, private readonly sink: MessageSink, private readonly budget?: HoldBudget) {}

  /** Whether a partial message is held (at the end of a stream: it was cut short). */
  get partial(): boolean {
    return this.heldLength > 0;
  }

  /** Takes one DATA chunk. Throws MALFORMED_FRAME (bad flag) or LENGTH_LIMIT (over the limit). */
  push(chunk: Uint8Array): void {
    let at = 0;
    if (this.heldLength > 0) {
      at = this.fill(chunk);
      if (at < 0) return;
    }
    while (chunk.length - at >= PREFIX_BYTES) {
      const length = this.announced(chunk, at);
      if (chunk.length - at - PREFIX_BYTES < length) break;
      const message = chunk.subarray(at + PREFIX_BYTES, at + PREFIX_BYTES + length);
      const compressed = chunk[at] === 1;
      at += PREFIX_BYTES + length;
      this.offset += PREFIX_BYTES + length;
      this.sink.message(message, compressed);
    }
    if (at < chunk.length) this.hold(chunk.subarray(at));
  }

  /** The length a prefix at `at` announces, checked. */
  private announced(bytes: Uint8Array, at: number): number {
    const flag = bytes[at]!;
    if (flag > 1) throw new KitewireError(ErrorCode.MALFORMED_FRAME, `bad gRPC message prefix: compressed flag ${flag}`, { offset: this.offset });
    const length = ((bytes[at + 1]! << 24) | (bytes[at + 2]! << 16) | (bytes[at + 3]! << 8) | bytes[at + 4]!) >>> 0;
    if (length > this.maxMessageBytes) {
      throw new KitewireError(ErrorCode.LENGTH_LIMIT, `gRPC message of ${length} bytes is over the limit of ${this.maxMessageBytes}`,
        { offset: this.offset });
    }
    return length;
  }

  private charge(bytes: number): void {
    if (this.budget !== undefined && !this.budget.take(bytes)) {
      throw new KitewireError(ErrorCode.OVERLOADED, `a partial message of ${bytes} bytes would take the server past its budget for partial messages`,
        { offset: this.offset });
    }
  }

  private hold(rest: Uint8Array): void {
    const need = rest.length >= PREFIX_BYTES ? PREFIX_BYTES + this.announced(rest, 0) : PREFIX_BYTES;
    this.charge(Math.max(need, rest.length));
    const buffer = new Uint8Array(Math.max(need, rest.length));
    buffer.set(rest);
    this.held = buffer;
    this.heldLength = rest.length;
  }

  /** Adds `chunk` to the held partial message; returns where the chunk's unused bytes start, or -1 if it was all taken. */
  private fill(chunk: Uint8Array): number {
    let held = this.held!;
    let at = 0;
    if (this.heldLength < PREFIX_BYTES) {
      at = Math.min(PREFIX_BYTES - this.heldLength, chunk.length);
      held.set(chunk.subarray(0, at), this.heldLength);
      this.heldLength += at;
      if (this.heldLength < PREFIX_BYTES) return -1;
      const total = PREFIX_BYTES + this.announced(held, 0);
      if (held.length < total) {
        this.charge(total - held.length);
        const grown = new Uint8Array(total);
        grown.set(held.subarray(0, this.heldLength));
        this.held = held = grown;
      }
    }
    const total = PREFIX_BYTES + this.announced(held, 0);
    const take = Math.min(total - this.heldLength, chunk.length - at);
    held.set(chunk.subarray(at, at + take), this.heldLength);
    this.heldLength += take;
    at += take;
    if (this.heldLength < total) return -1;
    this.held = undefined;
    this.heldLength = 0;
    this.budget?.free();
    this.offset += total;
    this.sink.message(held.subarray(PREFIX_BYTES, total), held[0] === 1);
    return at;
  }
}
