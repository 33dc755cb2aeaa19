/**
 * Cuts complete frames off a connection's buffer chain: the transport is detected from the
 * first bytes, each frame's size is checked against the limit before anything is
 * gathered, and a frame comes out as a chain of its own sharing the connection's blocks.
 */
import { BufferChain } from "../buffer/chain.js";
import { ApplicationErrorType } from "../rpc/application-error.js";
import { ErrorCode, KitewireError } from "../errors.js";
import type { Engine } from "../wasm/engine.js";
import { ENGINE_ERRORS } from "../wasm/abi.js";
import { BufferedWalk, WALK_NEEDS_MORE } from "./buffered-walk.js";
import { describeTransport, ttheaderPayloadFramed, type Transport } from "./transport.js";
import { decodeTHeader, THeaderProtocol } from "./theader.js";
import { transformById, transformName } from "./transform.js";
import { detectTransport, looksLikeHttp2Settings, looksLikeTls } from "./detect.js";
import { decodeTTHeader, type TTHeaderInfo } from "./ttheader.js";

/** One received frame. Release `bytes` when done with it. */
export interface Frame {
  transport: Transport;
  /** The TTHeader or Apache THeader, for those framings. */
  header?: TTHeaderInfo;
  /** The whole frame, as received (for a transformed THeader payload: the payload, restored). */
  bytes: BufferChain;
  /** Where the message (Thrift message, or Kitex Protobuf header and body) starts in `bytes`, and its length. */
  messageOffset: number;
  messageLength: number;
  /**
   * Set for a THeader frame whose payload cannot be opened (an unknown transform or
   * protocol id, a payload that does not inflate within the frame size limit): the frame
   * is consumed and the connection intact, and a server answers it with the
   * TApplicationException of `error.details.type` (HeaderFormat.md: an unknown transform
   * MUST get an error). The message is empty.
   */
  error?: KitewireError;
}

const THEADER_BINARY: Transport = Object.freeze({ framing: "theader", protocol: "binary" });
const THEADER_COMPACT: Transport = Object.freeze({ framing: "theader", protocol: "compact" });

export interface FrameDecoderOptions {
  /** Largest frame accepted, in bytes (checked before the frame is gathered). */
  maxFrameSize: number;
  /** Nesting bound for measuring buffered (unframed) Thrift messages. */
  maxDepth?: number;
  /** Fix the transport instead of detecting it (a client knows what it sent). */
  transport?: Transport;
  /**
   * Leave THeader payloads as they came (transforms not applied: `bytes` is the whole
   * frame as received), for a server thread that only passes frames on to the one that
   * decodes them.
   */
  keepTransforms?: boolean;
}

/** Engine results that mean "the message continues past what has arrived". */
const NEEDS_MORE = new Set(["TRUNCATED", "LENGTH_LIMIT"]);

export class FrameDecoder {
  /** The connection's transport, once known. */
  transport: Transport | undefined;
  private readonly maxFrameSize: number;
  private readonly maxDepth: number;
  private readonly keepTransforms: boolean;
  /** A client's decoder: whether the first reply bytes were checked against what it sent. */
  private replyChecked: boolean;
  /** Where the walk of a buffered message that has not fully come stopped. */
  private partial: BufferedWalk | undefined;

  constructor(private readonly engine: Engine, options: FrameDecoderOptions) {
    this.maxFrameSize = options.maxFrameSize;
    this.maxDepth = options.maxDepth ?? 64;
    this.keepTransforms = options.keepTransforms ?? false;
    this.transport = options.transport;
    this.replyChecked = options.transport === undefined;
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
        // Only header framings (TTHeader, THeader) need more than 8 bytes to be told apart; they
        // are length-prefixed: their size is checked now, not once their header has come.
        const size = chain.peekU32(0);
        if (size > this.maxFrameSize - 4) throw this.tooLarge(size + 4);
        if (available > this.maxFrameSize) throw this.tooLarge(available);
        return null;
      }
      this.transport = found;
    } else if (!this.replyChecked && !this.checkReply(chain, available)) {
      return null;
    }
    return this.transport.framing === "buffered" ? this.buffered(chain, available) : this.lengthPrefixed(chain, available);
  }

  /**
   * A client's first reply bytes: a TLS record or another framing than the one it sent
   * means the two sides disagree, which would otherwise surface as a nonsense frame length
   * or a closed connection. Returns false while too few bytes have come to tell.
   */
  private checkReply(chain: BufferChain, available: number): boolean {
    const n = Math.min(available, 64 + 4 * 0xffff);
    const at = chain.contiguous(n);
    const u8 = this.engine.u8;
    const peek = (i: number) => (i < n ? u8[at + i]! : -1);
    const sent = this.transport!;
    if (looksLikeTls(peek, true)) {
      throw new KitewireError(ErrorCode.CONNECTION,
        `the server answered with TLS: it seems to speak TLS on this port; connect with the \`tls\` option (this client sent plain ${describeTransport(sent)})`);
    }
    if (looksLikeHttp2Settings(peek)) {
      throw new KitewireError(ErrorCode.CONNECTION,
        `the server answered with HTTP/2: it speaks gRPC on this port; call it with createGrpcClient (this client sent ${describeTransport(sent)})`);
    }
    let seen: Transport | null;
    try {
      seen = detectTransport(peek, n);
    } catch {
      seen = sent; // not a request-shaped framing this side knows: let the decoder say what is wrong
    }
    if (seen === null && n < available) seen = sent;
    if (seen === null) return false;
    this.replyChecked = true;
    const same = seen.protocol === sent.protocol &&
      (seen.framing === sent.framing || (seen.protocol === "protobuf" && ttheaderPayloadFramed(seen) && ttheaderPayloadFramed(sent)));
    if (!same) {
      throw new KitewireError(ErrorCode.MALFORMED_FRAME,
        `the server answered in ${describeTransport(seen)}, this client sends ${describeTransport(sent)}: configure the same transport on both sides`);
    }
    return true;
  }

  private tooLarge(size: number): KitewireError {
    return new KitewireError(ErrorCode.LENGTH_LIMIT, `frame of ${size} bytes exceeds the maximum ${this.maxFrameSize}`, { offset: 0, stack: false });
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
      if (transport.framing === "theader") return this.theader(bytes, at, size + 4);
      const { info, payloadOffset } = decodeTTHeader(this.engine.u8.subarray(at, at + size + 4));
      if (info.transforms.length > 0) {
        throw new KitewireError(ErrorCode.MALFORMED_FRAME, `TTHeader transforms ${info.transforms.join(",")} are not supported`);
      }
      if (!ttheaderPayloadFramed(transport)) {
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

  /**
   * An Apache THeader frame (`bytes`, at `at` in engine memory, `size` bytes): its own
   * protocol id says the payload protocol, and transformed payloads are restored into a
   * chain of their own, never larger than the frame size limit.
   */
  private theader(bytes: BufferChain, at: number, size: number): Frame {
    const { info, payloadOffset } = decodeTHeader(this.engine.u8.subarray(at, at + size));
    const protocol = info.protocol === THeaderProtocol.BINARY ? THEADER_BINARY : info.protocol === THeaderProtocol.COMPACT ? THEADER_COMPACT : undefined;
    const frame: Frame = { transport: protocol ?? THEADER_BINARY, header: info, bytes, messageOffset: payloadOffset, messageLength: size - payloadOffset };
    if (protocol === undefined) {
      return unopened(frame, `THeader protocol id ${info.protocol} is not served (binary 0 and compact 2 are)`, ApplicationErrorType.INVALID_PROTOCOL);
    }
    if (info.transforms.length === 0 || this.keepTransforms) return frame;
    let payload = this.engine.u8.subarray(at + payloadOffset, at + size);
    // Applied in reverse of the order listed (the sender applied them in that order).
    for (let i = info.transforms.length - 1; i >= 0; i--) {
      const transform = transformById(info.transforms[i]!);
      if (transform === undefined) {
        return unopened(frame, `THeader transform ${transformName(info.transforms[i]!)} is not available in this server (register it with registerTransform)`,
          ApplicationErrorType.INVALID_TRANSFORM);
      }
      try {
        payload = transform.decode(payload, this.maxFrameSize);
      } catch (error) {
        const e = KitewireError.from(error, ErrorCode.MALFORMED_FRAME);
        return unopened(frame, `THeader ${transform.name} payload: ${e.message}`, ApplicationErrorType.PROTOCOL_ERROR, e.code);
      }
    }
    const restored = new BufferChain(this.engine);
    try {
      restored.append(payload);
    } catch (error) {
      restored.release();
      throw error;
    }
    bytes.release();
    return { ...frame, bytes: restored, messageOffset: 0, messageLength: payload.length };
  }

  /**
   * Unframed Thrift: the message's end is found by walking it in the engine. A message
   * that has not fully come is walked on from where the last read stopped (BufferedWalk),
   * not again from its start, and "more bytes are needed" makes no error.
   */
  private buffered(chain: BufferChain, available: number): Frame | null {
    if (available === 0) return null;
    const at = chain.contiguous(available);
    const compact = this.transport!.protocol === "compact";
    if (this.partial !== undefined) {
      if (this.partial.resume(this.engine.u8, at, available) === WALK_NEEDS_MORE) return this.waitFor(available);
    }
    const e = this.engine.exports;
    const result = compact ? e.thriftCompactSkipMessage(at, at + available, this.maxDepth) : e.thriftBinarySkipMessage(at, at + available, this.maxDepth, 0);
    if (result < 0) {
      if (!NEEDS_MORE.has(ENGINE_ERRORS[-result]!)) {
        this.partial = undefined;
        throw this.engine.error(result, at, "buffered message");
      }
      // A message's first bytes (or a resumed walk that asked in vain): walk what has come
      // once, and on from there at the next reads.
      this.partial = new BufferedWalk(e, compact, this.maxDepth);
      if (this.partial.resume(this.engine.u8, at, available) !== WALK_NEEDS_MORE) this.partial = undefined;
      return this.waitFor(available);
    }
    this.partial = undefined;
    const length = result - at;
    if (length > this.maxFrameSize) throw this.tooLarge(length);
    return { transport: this.transport!, bytes: chain.slice(length), messageOffset: 0, messageLength: length };
  }

  /** More bytes are needed for a buffered message of which `available` have come. */
  private waitFor(available: number): null {
    if (available > this.maxFrameSize) throw this.tooLarge(available);
    return null;
  }
}

/** `frame` with its message emptied and `error` set (see Frame.error). */
function unopened(frame: Frame, message: string, type: number, code: KitewireError["code"] = ErrorCode.MALFORMED_FRAME): Frame {
  return { ...frame, messageOffset: frame.messageOffset + frame.messageLength, messageLength: 0,
    error: new KitewireError(code, message, { details: { type }, stack: false }) };
}
