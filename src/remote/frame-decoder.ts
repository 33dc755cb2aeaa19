/**
 * Cuts complete frames off a connection's buffer chain: the transport is detected from the
 * first bytes, each frame's size is checked against the limit before anything is
 * gathered, and a frame comes out as a chain of its own sharing the connection's blocks.
 */
import type { BufferChain } from "../buffer/chain.js";
import { ErrorCode, KitewireError } from "../errors.js";
import type { Engine } from "../wasm/engine.js";
import { detectTransport } from "./detect.js";
import type { Transport } from "./transport.js";
import { decodeTTHeader, type TTHeaderInfo } from "./ttheader.js";

/** One received frame. Release `bytes` when done with it. */
export interface Frame {
  transport: Transport;
  /** The TTHeader, for TTHeader framings. */
  header?: TTHeaderInfo;
  /** The whole frame, as received. */
  bytes: BufferChain;
  /** Where the message (Thrift message, or Kitex Protobuf header and body) starts in `bytes`, and its length. */
  messageOffset: number;
  messageLength: number;
}

export interface FrameDecoderOptions {
  /** Largest frame accepted, in bytes (checked before the frame is gathered). */
  maxFrameSize: number;
  /** Nesting bound for measuring buffered (unframed) Thrift messages. */
  maxDepth?: number;
  /** Fix the transport instead of detecting it (a client knows what it sent). */
  transport?: Transport;
}

/** Engine results that mean "the message continues past what has arrived". */
const NEEDS_MORE = new Set(["TRUNCATED", "LENGTH_LIMIT"]);

export class FrameDecoder {
  /** The connection's transport, once known. */
  transport: Transport | undefined;
  private readonly maxFrameSize: number;
  private readonly maxDepth: number;

  constructor(private readonly engine: Engine, options: FrameDecoderOptions) {
    this.maxFrameSize = options.maxFrameSize;
    this.maxDepth = options.maxDepth ?? 64;
    this.transport = options.transport;
  }

  /**
   * Takes the next complete frame off `chain`, or returns null when more bytes are needed.
   * Throws MALFORMED_FRAME or LENGTH_LIMIT for input no more bytes can fix: the
   * connection should be closed.
   */
  next(chain: BufferChain): Frame | null {
    const available = chain.length;
    if (this.transport === undefined) {
      if (available < 8) return null;
      const n = Math.min(available, 64 + 4 * 0xffff);
      const at = chain.contiguous(n);
      const u8 = this.engine.u8;
      const found = detectTransport((i) => (i < n ? u8[at + i]! : -1), n);
      if (found === null) {
        if (available > this.maxFrameSize) throw this.tooLarge(available);
        return null;
      }
      this.transport = found;
    }
    return this.transport.framing === "buffered" ? this.buffered(chain, available) : this.lengthPrefixed(chain, available);
  }

  private tooLarge(size: number): KitewireError {
    return new KitewireError(ErrorCode.LENGTH_LIMIT, `frame of ${size} bytes exceeds the maximum ${this.maxFrameSize}`, { offset: 0 });
  }

  private lengthPrefixed(chain: BufferChain, available: number): Frame | null {
    if (available < 4) return null;
    const size = chain.peekU32(0);
    if (size > this.maxFrameSize - 4) throw this.tooLarge(size + 4);
    if (available < size + 4) return null;
    const bytes = chain.slice(size + 4);
    const transport = this.transport!;
    try {
      if (transport.framing === "framed" || transport.framing === "kitex-protobuf") {
        return { transport, bytes, messageOffset: 4, messageLength: size };
      }
      const at = bytes.contiguous(size + 4);
      const { info, payloadOffset } = decodeTTHeader(this.engine.u8.subarray(at, at + size + 4));
      if (info.transforms.length > 0) {
        throw new KitewireError(ErrorCode.MALFORMED_FRAME, `TTHeader transforms ${info.transforms.join(",")} are not supported`);
      }
      if (transport.framing === "ttheader") {
        return { transport, header: info, bytes, messageOffset: payloadOffset, messageLength: size + 4 - payloadOffset };
      }
      const inner = size + 4 - payloadOffset - 4;
      if (inner < 0 || bytes.peekU32(payloadOffset) !== inner) {
        throw new KitewireError(ErrorCode.MALFORMED_FRAME, "TTHeader framed payload length does not match the frame", {
          offset: payloadOffset,
        });
      }
      return { transport, header: info, bytes, messageOffset: payloadOffset + 4, messageLength: inner };
    } catch (error) {
      bytes.release();
      throw error;
    }
  }

  /** Unframed Thrift: the message's end is found by walking it in the engine. */
  private buffered(chain: BufferChain, available: number): Frame | null {
    if (available === 0) return null;
    const at = chain.contiguous(available);
    const e = this.engine.exports;
    const end = at + available;
    const result = this.transport!.protocol === "compact"
      ? e.thriftCompactSkipMessage(at, end, this.maxDepth)
      : e.thriftBinarySkipMessage(at, end, this.maxDepth, 0);
    if (result < 0) {
      const error = this.engine.error(result, at, "buffered message");
      if (!NEEDS_MORE.has(error.code)) throw error;
      if (available > this.maxFrameSize) throw this.tooLarge(available);
      return null;
    }
    const length = result - at;
    if (length > this.maxFrameSize) throw this.tooLarge(length);
    return { transport: this.transport!, bytes: chain.slice(length), messageOffset: 0, messageLength: length };
  }
}
