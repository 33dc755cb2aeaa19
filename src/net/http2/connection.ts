/**
 * An HTTP/2 connection (RFC 9113) on any byte transport, either side: frames read from
 * `receive(bytes)` and written through a `FrameWriter` that batches a tick's frames into
 * one transport write. No runtime APIs: the Node socket adapter, web-stream sockets and
 * tests drive it the same way.
 *
 * The peer is untrusted. Frame sizes are checked on their header before anything is
 * buffered; header blocks are bounded in bytes and CONTINUATION frames (both in
 * frame-reader.ts, the input side, with the flood bounds); HPACK as in
 * hpack.ts; streams bounded by SETTINGS_MAX_CONCURRENT_STREAMS; flow control enforced
 * both ways; resets (rapid reset) and control frames (PING/SETTINGS floods) bounded per
 * second. A protocol error is a GOAWAY with its code and the end of the connection, told
 * to `onError` as a KitewireError with the byte offset of the offending frame.
 */
import { ErrorCode, KitewireError, messageWithoutOffset } from "../../errors.js";
import {
  DEFAULT_MAX_FRAME, DEFAULT_WINDOW, Flag, FRAME_HEADER_BYTES, FrameType, H2Error, MAX_WINDOW, PREFACE, Setting,
} from "./constants.js";
import { FrameReader, ProtocolError, unpaddedEnd } from "./frame-reader.js";
import { FrameWriter } from "./frame-writer.js";
import { HpackDecoder, HpackEncoder, type HeaderMap } from "./hpack.js";
import { makeHttp2Options, type Http2Options } from "./options.js";
import { Http2Stream, type Http2StreamHandler, type OutgoingHeaders } from "./stream.js";

/** Where a connection's bytes go. */
export interface Http2Transport {
  /**
   * Sends these bytes, in order (the parts are not reused by the connection). False when
   * the transport is full: the connection then holds back data until `transportDrained()`.
   */
  write(parts: Uint8Array[]): boolean;
  /** Ends the connection once what was written is sent. */
  end(): void;
}

/** What a connection tells its user. */
export interface Http2ConnectionEvents {
  /** Server side: the peer opened a stream. Set `stream.handler` before returning. */
  onStream?(stream: Http2Stream, headers: HeaderMap, endStream: boolean): void;
  /** The peer sent GOAWAY: streams above `lastStreamId` were not processed (they are closed REFUSED_STREAM). */
  onGoaway?(lastStreamId: number, code: number): void;
  /** The peer broke the protocol or a bound: the connection is closing (GOAWAY sent). */
  onError?(error: KitewireError): void;
  /** The connection is over (every stream closed, the transport ended). */
  onClose?(): void;
  /** Any frame came in (for idle timers). */
  onActivity?(): void;
}

const EMPTY = new Uint8Array(0);
/** Bytes of frames written in one tick before writers are told to wait for the flush. */
const TICK_BYTES = 256 * 1024;

export class Http2Connection {
  readonly options: Readonly<Http2Options>;
  private readonly writer: FrameWriter;
  private readonly encoder = new HpackEncoder();
  private readonly decoder: HpackDecoder;
  private readonly streams = new Map<number, Http2Stream>();
  /** Client: streams waiting for the peer's concurrency limit. */
  private readonly waiting: Http2Stream[] = [];
  private readonly blocked = new Set<Http2Stream>();
  /** Streams whose writers wait for the tick's flush or the transport's drain. */
  private readonly flushWaiters = new Set<Http2Stream>();
  /** The transport said it is full. */
  private congested = false;
  private nextStreamId: number;
  /** Highest stream id the peer opened (server) / this side opened (client). */
  lastPeerStreamId = 0;
  private peerMaxStreams = 100;
  private peerInitialWindow = DEFAULT_WINDOW;
  private peerMaxFrame = DEFAULT_MAX_FRAME;
  private sendWindow = DEFAULT_WINDOW;
  private recvWindow: number;
  private recvUnacked = 0;
  private readonly streamRecvWindow: number;
  private readonly reader: FrameReader;
  private readonly pings: ((error?: KitewireError) => void)[] = [];
  /** GOAWAY sent (no new streams accepted) / received (no new streams opened). */
  goingAway = false;
  goawayReceived = false;
  dead = false;
  private ended = false;

  constructor(readonly side: "server" | "client", private readonly transport: Http2Transport,
    readonly events: Http2ConnectionEvents = {}, options: Partial<Http2Options> = {}) {
    const o = (this.options = makeHttp2Options(options));
    this.writer = new FrameWriter((parts) => this.flushed(parts), o.schedule);
    this.decoder = new HpackDecoder(o.headerTableSize, o.maxHeaderListSize);
    this.nextStreamId = side === "client" ? 1 : 2;
    this.reader = new FrameReader(this.options, side, {
      isDead: () => this.dead,
      activity: () => this.events.onActivity?.(),
      failed: (error) => this.failed(error),
      data: (buf, start, end, flags, id, offset) => this.data(buf, start, end, flags, id, offset),
      headerBlock: (id, endStream, buf, start, end, offset) => this.headerBlock(id, endStream, buf, start, end, offset),
      rstStream: (id, code, offset) => this.rstStream(id, code, offset),
      settings: (buf, start, end, offset) => this.settings(buf, start, end, offset),
      ping: (buf, start, end, ack) => this.pingIn(buf, start, end, ack),
      goaway: (last, code) => this.goawayIn(last, code),
      windowUpdate: (id, increment, offset) => this.windowUpdate(id, increment, offset),
    });
    // Until the peer acknowledges our SETTINGS it may use the default window: accept at least that.
    this.streamRecvWindow = Math.max(o.initialWindowSize, DEFAULT_WINDOW);
    this.recvWindow = o.connectionWindowSize;
    if (side === "client") {
      const out = this.writer.reserve(PREFACE.length);
      out.set(PREFACE, this.writer.pos);
      this.writer.pos += PREFACE.length;
    }
    const settings: [number, number][] = [
      [Setting.MAX_CONCURRENT_STREAMS, o.maxConcurrentStreams], [Setting.INITIAL_WINDOW_SIZE, o.initialWindowSize],
      [Setting.MAX_FRAME_SIZE, o.maxFrameSize], [Setting.MAX_HEADER_LIST_SIZE, o.maxHeaderListSize],
      [Setting.HEADER_TABLE_SIZE, o.headerTableSize],
    ];
    if (side === "client") settings.push([Setting.ENABLE_PUSH, 0]);
    const payload = new Uint8Array(settings.length * 6);
    settings.forEach(([id, value], i) => {
      new DataView(payload.buffer).setUint16(i * 6, id);
      new DataView(payload.buffer).setUint32(i * 6 + 2, value);
    });
    this.writer.frame(FrameType.SETTINGS, 0, 0, payload);
    if (o.connectionWindowSize > DEFAULT_WINDOW) this.writer.frame32(FrameType.WINDOW_UPDATE, 0, o.connectionWindowSize - DEFAULT_WINDOW);
  }

  /** Open streams. */
  get size(): number {
    return this.streams.size;
  }

  // ---- output ----

  /** Client side: opens a stream with request `headers` (sent once the peer's concurrency limit allows). */
  request(headers: OutgoingHeaders, handler: Http2StreamHandler, endStream = false): Http2Stream {
    if (this.dead || this.goingAway || this.goawayReceived) {
      throw new KitewireError(ErrorCode.CONNECTION, "HTTP/2 connection is closing: no new streams");
    }
    const id = this.nextStreamId;
    if (id > MAX_WINDOW) throw new KitewireError(ErrorCode.CONNECTION, "HTTP/2 connection has used up its stream ids");
    this.nextStreamId += 2;
    const stream = new Http2Stream(this, id, this.peerInitialWindow, this.streamRecvWindow);
    stream.handler = handler;
    this.streams.set(id, stream);
    this.lastPeerStreamId = id;
    if (this.streams.size - this.waiting.length > this.peerMaxStreams) {
      this.waiting.push(stream);
      stream.queued = [headers, endStream];
    } else {
      this.writeHeaders(stream, headers, endStream);
    }
    return stream;
  }

  /** Sends `stream`'s headers (after its queued data, when they are trailers). */
  sendHeaders(stream: Http2Stream, headers: OutgoingHeaders, endStream: boolean): void {
    if (stream.closed || stream.localEnded) return;
    stream.headersSent = true;
    this.writeHeaders(stream, headers, endStream);
  }

  private writeHeaders(stream: Http2Stream, headers: OutgoingHeaders, endStream: boolean): void {
    stream.headersSent = true;
    const bound = HpackEncoder.bound(headers);
    const max = this.peerMaxFrame;
    const w = this.writer;
    if (bound <= max) {
      const out = w.reserve(FRAME_HEADER_BYTES + bound);
      const start = w.pos;
      const end = this.encoder.encode(headers, out, start + FRAME_HEADER_BYTES);
      w.header(out, end - start - FRAME_HEADER_BYTES, FrameType.HEADERS, Flag.END_HEADERS | (endStream ? Flag.END_STREAM : 0), stream.id);
      w.pos = end;
    } else {
      const block = new Uint8Array(bound);
      const length = this.encoder.encode(headers, block, 0);
      for (let at = 0; at < length || at === 0; at += max) {
        const last = at + max >= length;
        const type = at === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
        const flags = (last ? Flag.END_HEADERS : 0) | (at === 0 && endStream ? Flag.END_STREAM : 0);
        w.frame(type, flags, stream.id, block, at, Math.min(length, at + max));
        if (length === 0) break;
      }
    }
    if (endStream) this.localEnd(stream);
  }

  /** Queues data on `stream`; true when it all went out within the windows. */
  sendData(stream: Http2Stream, bytes: Uint8Array): boolean {
    if (stream.closed || stream.localEnded || stream.pendingEnd !== undefined) return true;
    if (bytes.length === 0) return true;
    stream.pending.push(bytes);
    stream.pendingBytes += bytes.length;
    if (stream.queued === undefined) this.pump(stream);
    if (stream.pendingBytes === 0) {
      if (!this.congested && this.writer.unflushed < TICK_BYTES) return true;
      this.flushWaiters.add(stream); // yield: the tick's frames go out before more are made
    }
    stream.needDrain = true;
    return false;
  }

  private flushed(parts: Uint8Array[]): void {
    if (!this.transport.write(parts)) this.congested = true;
    if (this.congested || this.flushWaiters.size === 0) return;
    const waiters = [...this.flushWaiters];
    this.flushWaiters.clear();
    for (const stream of waiters) this.drained(stream);
  }

  /** The transport took what it held: writers held back go on. */
  transportDrained(): void {
    this.congested = false;
    const waiters = [...this.flushWaiters];
    this.flushWaiters.clear();
    for (const stream of waiters) this.drained(stream);
  }

  private drained(stream: Http2Stream): void {
    if (stream.pendingBytes > 0 || !stream.needDrain) return;
    stream.needDrain = false;
    if (!stream.closed) stream.handler.onDrain(stream);
  }

  /** Ends `stream`'s side after its queued data. */
  endStream(stream: Http2Stream, end: OutgoingHeaders | true): void {
    if (stream.closed || stream.localEnded || stream.pendingEnd !== undefined) return;
    stream.pendingEnd = end;
    if (stream.pendingBytes === 0 && stream.queued === undefined) this.finishEnd(stream);
  }

  private finishEnd(stream: Http2Stream): void {
    const end = stream.pendingEnd!;
    stream.pendingEnd = undefined;
    if (end === true) {
      const out = this.writer.reserve(FRAME_HEADER_BYTES);
      this.writer.header(out, 0, FrameType.DATA, Flag.END_STREAM, stream.id);
      this.localEnd(stream);
    } else {
      this.writeHeaders(stream, end, true);
    }
  }

  /** Writes as much of `stream`'s queued data as the windows allow. */
  private pump(stream: Http2Stream): void {
    const w = this.writer;
    while (stream.pendingBytes > 0) {
      const room = Math.min(stream.sendWindow, this.sendWindow, this.peerMaxFrame);
      if (room <= 0) {
        this.blocked.add(stream);
        return;
      }
      const chunk = stream.pending[stream.pendingHead]!;
      const n = Math.min(room, chunk.length - stream.pendingOffset);
      w.frame(FrameType.DATA, 0, stream.id, chunk, stream.pendingOffset, stream.pendingOffset + n);
      stream.sendWindow -= n;
      this.sendWindow -= n;
      stream.pendingBytes -= n;
      stream.pendingOffset += n;
      if (stream.pendingOffset === chunk.length) {
        stream.pending[stream.pendingHead++] = EMPTY;
        stream.pendingOffset = 0;
      }
    }
    stream.pending.length = 0;
    stream.pendingHead = 0;
    this.blocked.delete(stream);
    if (stream.pendingEnd !== undefined) this.finishEnd(stream);
    if (stream.needDrain) {
      if (this.congested || this.writer.unflushed >= TICK_BYTES) return void this.flushWaiters.add(stream);
      stream.needDrain = false;
      if (!stream.closed) stream.handler.onDrain(stream);
    }
  }

  /** Resets `stream` (sent to the peer when `send`). */
  resetStream(stream: Http2Stream, code: number, send: boolean): void {
    if (stream.closed) return;
    if (send && !this.dead) this.writer.frame32(FrameType.RST_STREAM, stream.id, code);
    stream.resetCode = code;
    this.close(stream, code);
  }

  resumeStream(stream: Http2Stream): void {
    const held = stream.held;
    if (held !== undefined) {
      stream.held = undefined;
      for (const bytes of held) {
        if (stream.closed || stream.paused) {
          (stream.held ??= []).push(bytes);
          continue;
        }
        stream.heldBytes -= bytes.length;
        this.returnConnection(bytes.length);
        this.deliver(stream, bytes);
      }
    }
    if (!stream.paused && stream.heldEnd && !stream.closed) {
      stream.heldEnd = false;
      stream.handler.onEnd(stream);
      this.maybeClose(stream);
    }
  }

  /** A PING; `done` hears its ACK (or the connection's end: with an error). */
  ping(done: (error?: KitewireError) => void): void {
    if (this.dead) return done(new KitewireError(ErrorCode.CONNECTION, "HTTP/2 connection closed"));
    this.pings.push(done);
    this.writer.frame(FrameType.PING, 0, 0, new Uint8Array(8));
  }

  /**
   * Graceful close: GOAWAY with the last stream the peer opened (streams after it are not
   * served: the peer retries them elsewhere); the connection ends when its streams are done.
   */
  shutdown(code: number = H2Error.NO_ERROR): void {
    if (this.dead) return;
    if (!this.goingAway) {
      this.goingAway = true;
      this.goaway(code, "");
    }
    if (this.streams.size === 0) this.finish();
  }

  /** Ends the connection now: every open stream is closed with `code`. */
  destroy(code: number = H2Error.CANCEL): void {
    if (this.dead) return;
    this.dead = true;
    // No resetCode: the stream was not reset, its connection went (onClose still gets `code`).
    for (const stream of [...this.streams.values()]) this.close(stream, code);
    for (const done of this.pings.splice(0)) done(new KitewireError(ErrorCode.CONNECTION, "HTTP/2 connection closed"));
    this.writer.flush();
    this.finish();
  }

  /** The transport closed under the connection. */
  transportClosed(): void {
    this.ended = true;
    this.destroy(H2Error.CANCEL);
  }

  private finish(): void {
    this.dead = true;
    this.writer.flush();
    if (!this.ended) {
      this.ended = true;
      this.transport.end();
    }
    this.events.onClose?.();
    this.events.onClose = undefined;
  }

  private goaway(code: number, debug: string): void {
    const payload = new Uint8Array(8 + Math.min(debug.length, 256));
    const view = new DataView(payload.buffer);
    view.setUint32(0, this.side === "server" ? this.lastPeerStreamId : 0);
    view.setUint32(4, code);
    for (let i = 8; i < payload.length; i++) payload[i] = debug.charCodeAt(i - 8) & 0x7f;
    this.writer.frame(FrameType.GOAWAY, 0, 0, payload);
  }

  private localEnd(stream: Http2Stream): void {
    stream.localEnded = true;
    if (stream.remoteEnded) return this.close(stream, H2Error.NO_ERROR);
    // A server that has answered asks the client to stop sending (RFC 9113 §8.1).
    if (this.side === "server") this.resetStream(stream, H2Error.NO_ERROR, true);
  }

  private maybeClose(stream: Http2Stream): void {
    if (stream.localEnded && stream.remoteEnded && !stream.closed) this.close(stream, H2Error.NO_ERROR);
  }

  private close(stream: Http2Stream, code: number): void {
    if (stream.closed) return;
    stream.closed = true;
    this.streams.delete(stream.id);
    this.blocked.delete(stream);
    this.flushWaiters.delete(stream);
    stream.pending.length = 0;
    stream.pendingBytes = 0;
    if (stream.heldBytes > 0 && !this.dead) this.returnConnection(stream.heldBytes); // never read: the window comes back
    stream.heldBytes = 0;
    stream.held = undefined;
    const waiting = this.waiting.indexOf(stream);
    if (waiting >= 0) this.waiting.splice(waiting, 1);
    stream.handler.onClose(stream, code);
    if (this.side === "client") this.openWaiting();
    if ((this.goingAway || this.goawayReceived) && this.streams.size === 0 && !this.dead) this.finish();
  }

  private openWaiting(): void {
    while (this.waiting.length > 0 && this.streams.size - this.waiting.length < this.peerMaxStreams) {
      const stream = this.waiting.shift()!;
      const [headers, endStream] = stream.queued!;
      stream.queued = undefined;
      this.writeHeaders(stream, headers, endStream);
      this.pump(stream);
    }
  }

  // ---- input ----

  /** Feeds bytes read from the transport. Views of `bytes` are handed to streams: the caller must not reuse it. */
  receive(bytes: Uint8Array): void {
    if (this.dead) return;
    this.reader.receive(bytes);
  }

  private failed(error: unknown): void {
    let h2: number = H2Error.INTERNAL_ERROR;
    let e: KitewireError;
    if (error instanceof ProtocolError) {
      h2 = error.h2;
      e = new KitewireError(ErrorCode.MALFORMED_FRAME, `HTTP/2: ${error.message}`, { offset: error.offset, details: { detected: "http2", h2 } });
    } else if (error instanceof KitewireError && error.details?.["h2"] !== undefined) {
      h2 = error.details["h2"] as number;
      e = new KitewireError(ErrorCode.MALFORMED_FRAME, `HTTP/2: ${messageWithoutOffset(error)}`, { cause: error, offset: error.offset, details: { detected: "http2", h2 } });
    } else {
      e = KitewireError.from(error, ErrorCode.MALFORMED_FRAME);
    }
    if (!this.dead) this.goaway(h2, e.message);
    this.events.onError?.(e);
    this.destroy(h2);
  }

  private data(buf: Uint8Array, start: number, end: number, flags: number, id: number, offset: number): void {
    const length = end - start;
    if (length > this.recvWindow) throw new ProtocolError(H2Error.FLOW_CONTROL_ERROR, "DATA past the connection's window", offset);
    this.recvWindow -= length;
    let from = start;
    let to = end;
    if (flags & Flag.PADDED) {
      to = unpaddedEnd(buf, from, to, "DATA", offset);
      from++;
    }
    const endStream = (flags & Flag.END_STREAM) !== 0;
    if (to === from && !endStream) this.reader.control(offset);
    const stream = this.streams.get(id);
    // The connection's window comes back for what is read, not for what a paused stream holds:
    // so connectionWindowSize bounds the bytes a connection holds, whatever its streams do.
    const held = stream !== undefined && (stream.paused || stream.held !== undefined) && !stream.remoteEnded && length <= stream.recvWindow ? to - from : 0;
    this.returnConnection(length - held);
    if (stream === undefined) {
      if (this.idle(id)) throw new ProtocolError(H2Error.PROTOCOL_ERROR, `DATA on idle stream ${id}`, offset);
      return; // a stream closed or reset meanwhile
    }
    if (stream.remoteEnded) return this.resetStream(stream, H2Error.STREAM_CLOSED, true);
    if (length > stream.recvWindow) return this.resetStream(stream, H2Error.FLOW_CONTROL_ERROR, true);
    stream.recvWindow -= length;
    const padding = length - (to - from);
    if (padding > 0) this.returnWindow(stream, padding);
    if (to > from) {
      if (held > 0) {
        (stream.held ??= []).push(buf.subarray(from, to));
        stream.heldBytes += held;
      } else {
        this.deliver(stream, buf.subarray(from, to));
      }
    }
    if (endStream) this.remoteEnd(stream);
  }

  private returnConnection(n: number): void {
    this.recvUnacked += n;
    if (this.recvUnacked >= this.options.connectionWindowSize >>> 1) {
      this.writer.frame32(FrameType.WINDOW_UPDATE, 0, this.recvUnacked);
      this.recvWindow += this.recvUnacked;
      this.recvUnacked = 0;
    }
  }

  private deliver(stream: Http2Stream, bytes: Uint8Array): void {
    stream.handler.onData(stream, bytes);
    this.returnWindow(stream, bytes.length);
  }

  private returnWindow(stream: Http2Stream, n: number): void {
    if (stream.closed || stream.remoteEnded) return;
    stream.recvUnacked += n;
    if (stream.recvUnacked >= this.streamRecvWindow >>> 1) {
      this.writer.frame32(FrameType.WINDOW_UPDATE, stream.id, stream.recvUnacked);
      stream.recvWindow += stream.recvUnacked;
      stream.recvUnacked = 0;
    }
  }

  private remoteEnd(stream: Http2Stream): void {
    stream.remoteEnded = true;
    if (stream.paused || stream.held !== undefined) {
      stream.heldEnd = true;
      return;
    }
    stream.handler.onEnd(stream);
    this.maybeClose(stream);
  }

  /** Whether `id` names a stream that was never opened. */
  private idle(id: number): boolean {
    const peerOpens = this.side === "server" ? (id & 1) === 1 : (id & 1) === 0;
    return peerOpens ? id > this.lastPeerStreamId : id >= this.nextStreamId;
  }

  private headerBlock(id: number, endStream: boolean, buf: Uint8Array, start: number, end: number, offset: number): void {
    // Decoded whatever becomes of the stream: the HPACK table must stay in step with the peer's.
    const headers = this.decoder.decode(buf, start, end, offset);
    const oversized = this.decoder.oversized;
    const stream = this.streams.get(id);
    if (stream !== undefined) {
      if (stream.remoteEnded) return this.resetStream(stream, H2Error.STREAM_CLOSED, true);
      if (oversized) return this.resetStream(stream, H2Error.ENHANCE_YOUR_CALM, true);
      stream.handler.onHeaders(stream, headers, endStream);
      if (endStream) this.remoteEnd(stream);
      return;
    }
    if (this.side === "client") {
      if (this.idle(id)) throw new ProtocolError(H2Error.PROTOCOL_ERROR, `HEADERS on stream ${id}, which this side did not open`, offset);
      return;
    }
    if ((id & 1) === 0) throw new ProtocolError(H2Error.PROTOCOL_ERROR, `a client stream with even id ${id}`, offset);
    if (id <= this.lastPeerStreamId) return; // trailers of a stream closed meanwhile
    this.lastPeerStreamId = id;
    if (this.goingAway) return; // after our GOAWAY: not served, the client retries it elsewhere
    const refused = oversized ? H2Error.ENHANCE_YOUR_CALM : this.streams.size >= this.options.maxConcurrentStreams ? H2Error.REFUSED_STREAM : 0;
    if (refused !== 0) return this.writer.frame32(FrameType.RST_STREAM, id, refused);
    const fresh = new Http2Stream(this, id, this.peerInitialWindow, this.streamRecvWindow);
    this.streams.set(id, fresh);
    this.events.onStream!(fresh, headers, endStream);
    if (fresh.handler === undefined) return this.resetStream(fresh, H2Error.REFUSED_STREAM, true);
    if (endStream && !fresh.closed) this.remoteEnd(fresh);
  }

  private rstStream(id: number, code: number, offset: number): void {
    if (this.idle(id)) throw new ProtocolError(H2Error.PROTOCOL_ERROR, `RST_STREAM on idle stream ${id}`, offset);
    this.reader.spendReset(offset);
    const stream = this.streams.get(id);
    if (stream === undefined) return;
    stream.resetCode = code;
    this.close(stream, code);
  }

  private settings(buf: Uint8Array, start: number, end: number, offset: number): void {
    for (let at = start; at < end; at += 6) {
      const key = (buf[at]! << 8) | buf[at + 1]!;
      const value = ((buf[at + 2]! << 24) | (buf[at + 3]! << 16) | (buf[at + 4]! << 8) | buf[at + 5]!) >>> 0;
      switch (key) {
        case Setting.HEADER_TABLE_SIZE: this.encoder.setMaxSize(value); break;
        case Setting.ENABLE_PUSH:
          if (value > 1) throw new ProtocolError(H2Error.PROTOCOL_ERROR, `SETTINGS_ENABLE_PUSH ${value}`, offset);
          break;
        case Setting.MAX_CONCURRENT_STREAMS: this.peerMaxStreams = value; break;
        case Setting.INITIAL_WINDOW_SIZE: {
          if (value > MAX_WINDOW) throw new ProtocolError(H2Error.FLOW_CONTROL_ERROR, `SETTINGS_INITIAL_WINDOW_SIZE ${value}`, offset);
          const delta = value - this.peerInitialWindow;
          this.peerInitialWindow = value;
          for (const stream of this.streams.values()) stream.sendWindow += delta;
          break;
        }
        case Setting.MAX_FRAME_SIZE:
          if (value < DEFAULT_MAX_FRAME || value > 0xffffff) throw new ProtocolError(H2Error.PROTOCOL_ERROR, `SETTINGS_MAX_FRAME_SIZE ${value}`, offset);
          this.peerMaxFrame = value;
          break;
        default: break; // MAX_HEADER_LIST_SIZE is advisory; unknown settings are ignored
      }
    }
    this.writer.frame(FrameType.SETTINGS, Flag.ACK, 0, EMPTY);
    for (const stream of [...this.blocked]) this.pump(stream);
    if (this.side === "client") this.openWaiting();
  }

  private pingIn(buf: Uint8Array, start: number, end: number, ack: boolean): void {
    if (ack) return void this.pings.shift()?.();
    this.writer.frame(FrameType.PING, Flag.ACK, 0, buf, start, end);
  }

  private goawayIn(last: number, code: number): void {
    this.goawayReceived = true;
    this.events.onGoaway?.(last, code);
    for (const stream of [...this.streams.values()]) {
      if (stream.id > last && (stream.id & 1) === (this.side === "client" ? 1 : 0)) {
        stream.resetCode = H2Error.REFUSED_STREAM;
        this.close(stream, H2Error.REFUSED_STREAM);
      }
    }
    if (this.streams.size === 0 && !this.dead) this.finish();
  }

  private windowUpdate(id: number, increment: number, offset: number): void {
    if (id === 0) {
      if (increment === 0) throw new ProtocolError(H2Error.PROTOCOL_ERROR, "WINDOW_UPDATE of 0", offset);
      if (this.sendWindow + increment > MAX_WINDOW) throw new ProtocolError(H2Error.FLOW_CONTROL_ERROR, "connection window over 2^31-1", offset);
      this.sendWindow += increment;
      for (const stream of [...this.blocked]) {
        this.pump(stream);
        if (this.sendWindow <= 0) break;
      }
      return;
    }
    const stream = this.streams.get(id);
    if (stream === undefined) {
      if (this.idle(id)) throw new ProtocolError(H2Error.PROTOCOL_ERROR, `WINDOW_UPDATE on idle stream ${id}`, offset);
      return;
    }
    if (increment === 0) return this.resetStream(stream, H2Error.PROTOCOL_ERROR, true);
    if (stream.sendWindow + increment > MAX_WINDOW) return this.resetStream(stream, H2Error.FLOW_CONTROL_ERROR, true);
    stream.sendWindow += increment;
    if (stream.pendingBytes > 0) this.pump(stream);
  }
}
