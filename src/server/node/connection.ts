/**
 * One server connection over a Node socket, and the limits that keep it from hurting the
 * rest: frame size (checked on the first bytes), a first-frame, a read, an idle and a
 * write timeout, calls in flight, and bounded memory whatever the peer does:
 *
 *  - received bytes pass through the listener's one engine chain, which is empty between
 *    reads; what is left over (a partial frame, or frames not yet served) is kept in a JS
 *    buffer charged to the server's PartialFrameBudget (net/node/inbound.ts says why);
 *  - replies queue in an Outbound; past maxQueuedBytesPerConnection (or the server-wide
 *    maxQueuedBytes) the connection stops reading AND stops serving the frames it already
 *    read, until the queue is below half; if it stays stopped for writeTimeoutMs, it closes.
 *
 * Every close the server decides (a rejection) is logged once (`Server.rejected`, rate-limited)
 * with the peer, the reason and, for bad bytes, the offset of their frame in the stream.
 */
import { setMaxListeners } from "node:events";
import type { Socket } from "node:net";
import type { BufferChain } from "../../buffer/chain.js";
import { ErrorCode, KitewireError } from "../../errors.js";
import type { PartialFrameBudget, WriteQueueBudget } from "../../net/node/budgets.js";
import { Inbound } from "../../net/node/inbound.js";
import { Outbound } from "../../net/node/outbound.js";
import { FrameDecoder, type Frame } from "../../remote/frame-decoder.js";
import { looksLikeHttp2 } from "../../remote/detect.js";
import type { Transport } from "../../remote/transport.js";
import type { ConnectionInfo, Server } from "../server.js";

/** What all connections of a server share. */
export interface SharedState {
  readonly server: Server;
  /** Serves a frame: `server.handle`, or the hand-off to a server thread (threads/pool.ts); what it returns gets one `then` call and is not chained. */
  readonly handle: (frame: Frame, info: ConnectionInfo) => PromiseLike<void> | undefined;
  /** Frames are handed on whole as received (THeader transforms left to the server thread). */
  readonly keepTransforms?: boolean;
  /**
   * With server threads: takes whole frames straight from the socket's bytes, without the
   * engine or the decoder, once a connection's transport is known and `accepts` it (the
   * connection still cuts the frames and applies every limit). `frame` is valid only during
   * the call; null: not this one (it then takes the decoder's path, and `handle`). What it
   * returns gets one `then` call, as `handle`'s.
   */
  readonly handOver?: HandOver;
  /** The engine chain every connection's bytes pass through; empty between reads. */
  readonly chain: BufferChain;
  readonly partial: PartialFrameBudget;
  readonly queued: WriteQueueBudget;
  /** Takes a connection that opened with the HTTP/2 preface (gRPC), its first bytes unshifted back; absent: HTTP/2 is refused. */
  readonly http2?: ((socket: Socket) => void) | undefined;
}

/** See SharedState.handOver. */
export interface HandOver {
  accepts(transport: Transport): boolean;
  frame(frame: Uint8Array, transport: Transport, info: ConnectionInfo): PromiseLike<void> | undefined | null;
}

/**
 * Why the server closed a connection, as logged (`Server.rejected`); `internal-error`: it
 * could not serve a frame (engine memory exhausted, say).
 */
export type RejectionReason = "unknown-protocol" | "oversized-frame" | "malformed-frame" | "read-timeout" |
  "first-frame-timeout" | "write-timeout" | "connection-limit" | "partial-frame-budget" | "internal-error";

/** The big-endian u32 at `at`. */
const u32 = (b: Uint8Array, at: number) => ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;

/** What detection names when the bytes are of no framing this server knows. */
const FOREIGN = new Set(["tls", "http1", "http2", "meshheader", "unknown"]);

/**
 * Who is at the other end of `socket`, for logs and `ctx.peer`: `host:port`; on a Unix
 * socket, whose peers have no address, `unix:/path` of the socket they connected to.
 */
export function peerOf(socket: Socket, unixPath?: string): string {
  if (unixPath !== undefined) return `unix:${unixPath}`;
  return `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
}

export class Connection {
  readonly closed: Promise<void>;
  private readonly decoder: FrameDecoder;
  private readonly peer: string;
  private readonly abort = new AbortController();
  private readonly outbound: Outbound;
  private readonly inbound: Inbound;
  /** What each call is told of this connection; replies go to the outbound buffer. */
  private readonly info: ConnectionInfo;
  private inflight = 0;
  /** Reply bytes queued (this connection's share of shared.queued). */
  private queued = 0;
  /** Bytes received, and bytes of whole frames taken off the stream (the offset of a bad frame, for the log). */
  private received = 0;
  private consumed = 0;
  private draining = false;
  private dead = false;
  /** Given to the gRPC side (HTTP/2): the socket is its, this object only counts it. */
  private handedOff = false;
  /** Not serving frames and not reading (the socket is paused): see canServe. */
  private blocked = false;
  /** Inside serve(): a resume then only unblocks, and serve() goes on by itself. */
  private serving = false;
  /** Inside the frame decoder: what it throws is about the framing. */
  private decoding = false;
  private firstFrameTimer: ReturnType<typeof setTimeout> | undefined;
  private readTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  private writeTimer: ReturnType<typeof setTimeout> | undefined;
  /** Whether frames go to `shared.handOver` (known once the transport is). */
  private handsOver: boolean | undefined;
  /** When the last frame arrived (ms): the idle timer checks it rather than being re-armed per frame. */
  private lastFrameAt = Date.now();

  /** `peer`: as `peerOf` says. */
  constructor(private readonly shared: SharedState, private readonly socket: Socket, onClose: () => void, peer: string) {
    const { server } = shared;
    const o = server.options;
    this.peer = peer;
    // Every call in flight listens for the connection closing.
    setMaxListeners(0, this.abort.signal);
    this.outbound = new Outbound(socket, this.onQueued);
    this.inbound = new Inbound(shared.partial, o.maxFrameSize, () => this.reject("partial-frame-budget", new KitewireError(ErrorCode.OVERLOADED,
      `partial frames over the server's budget of ${shared.partial.limit} bytes: the largest holder is closed`)));
    this.info = { peer: this.peer, signal: this.abort.signal, write: (reply) => this.outbound.write(reply) };
    this.decoder = new FrameDecoder(server.engine, { maxFrameSize: o.maxFrameSize, maxDepth: o.maxDepth, keepTransforms: shared.keepTransforms });
    socket.setNoDelay(true);
    o.tracer?.connection?.("open", this.peer);
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.dead = true;
        this.clearTimers();
        this.abort.abort();
        this.inbound.clear();
        shared.queued.add(-this.queued);
        shared.queued.cancel(this.wake);
        this.queued = 0;
        onClose();
        o.tracer?.connection?.("close", this.peer);
        resolve();
      });
    });
    socket.on("error", (error) => o.tracer?.connection?.("error", this.peer, error));
    socket.on("data", this.onData);
    this.firstFrameTimer = setTimeout(() => this.reject("first-frame-timeout", new KitewireError(ErrorCode.TIMEOUT,
      `no whole frame within ${o.firstFrameTimeoutMs} ms of connecting (${this.received} bytes received)`)), o.firstFrameTimeoutMs);
    this.armIdle();
  }

  private readonly onData = (chunk: Buffer): void => this.receive(chunk);

  private receive(chunk: Uint8Array): void {
    if (this.dead) return;
    if (this.received === 0 && this.shared.http2 !== undefined && looksLikeHttp2(chunk)) return this.handOff(chunk);
    this.received += chunk.length;
    try {
      if (this.blocked) {
        if (!this.inbound.keep(chunk, this.heldFrameSize())) this.overBudget();
      } else if (this.inbound.length === 0) {
        this.serve(chunk);
      } else {
        // A large frame still incomplete stays out of the engine; otherwise what is held and
        // the chunk go to the engine together.
        const size = this.heldFrameSize();
        if (size === 0 || this.inbound.length + chunk.length >= size) this.inbound.take((held) => this.serve(held, chunk));
        else if (!this.inbound.keep(chunk, size)) this.overBudget();
        else this.armRead();
      }
    } catch (error) {
      this.fail(error);
    }
  }

  /**
   * Cuts and serves the frames in `bytes` (and `more` after them) while the connection may
   * serve; keeps the rest.
   */
  private serve(bytes: Uint8Array, more?: Uint8Array): void {
    if (this.handsOver ??= this.decoder.transport === undefined ? undefined : this.shared.handOver?.accepts(this.decoder.transport) ?? false) {
      return this.handOver(bytes, more);
    }
    const chain = this.shared.chain;
    let served = false;
    let stopped = false;
    this.serving = true;
    try {
      chain.append(bytes);
      if (more !== undefined) chain.append(more);
      while (!this.blocked && !this.dead) {
        this.decoding = true;
        const frame = this.decoder.next(chain);
        this.decoding = false;
        if (frame === null) break;
        this.frameArrived();
        const length = frame.messageOffset + frame.messageLength;
        this.inflight++;
        const pending = this.shared.handle(frame, this.info);
        this.consumed += length; // after: a frame that cannot be served is logged at its start
        if (this.track(pending)) served = true;
      }
      stopped = this.blocked;
      const left = chain.length;
      if (left > 0 && !this.dead) {
        const size = left >= 4 ? this.frameSize(chain.peekU32(0)) : 0;
        for (const part of chain.chunks()) if (!this.inbound.keep(part, size)) return this.overBudget();
      }
    } finally {
      chain.skip(chain.length);
      this.serving = false;
    }
    this.served(served, stopped);
  }

  /** Follows a call handed on (`inflight` counted it): true if it was over at once. Blocks the connection at its caps. */
  private track(pending: PromiseLike<void> | undefined): boolean {
    let over = false;
    if (pending === undefined) {
      this.inflight--;
      over = true;
    } else {
      pending.then(this.replied, this.failed);
    }
    if (!this.blocked && !this.canServe()) this.block();
    return over;
  }

  /** After serving what was read: `served`, calls over at once; `stopped`, blocked meanwhile. */
  private served(served: boolean, stopped: boolean): void {
    if (served) this.settled();
    // Unblocked while serving (a call settled at once): serve what was kept meanwhile.
    if (stopped && !this.blocked && !this.dead && this.inbound.length > 0 && this.wholeFrameHeld()) this.inbound.take((held) => this.serve(held));
    else if (this.inbound.length > 0 && !this.blocked) this.armRead();
    else this.clearRead();
  }

  /**
   * `serve` when frames go to server threads (`shared.handOver`): cuts the whole frames of
   * `bytes` (and `more` after them) where they are, checking each one's size first, and
   * hands each on as received; keeps the rest. Nothing goes through the engine.
   */
  private handOver(bytes: Uint8Array, more?: Uint8Array): void {
    const max = this.shared.server.options.maxFrameSize;
    let served = false;
    this.serving = true;
    try {
      let at = 0;
      if (more !== undefined) {
        // What was kept is the start of a frame: complete it from `more` (a copy of that frame only).
        const size = bytes.length >= 4 ? this.checkedSize(u32(bytes, 0), max) : 0;
        if (size > 0 && bytes.length < size && bytes.length + more.length >= size) {
          const first = new Uint8Array(size);
          first.set(bytes);
          first.set(more.subarray(0, size - bytes.length), bytes.length);
          if (this.handOne(first)) served = true;
          at = size - bytes.length;
          bytes = more;
        } else {
          const joined = new Uint8Array(bytes.length + more.length);
          joined.set(bytes);
          joined.set(more, bytes.length);
          bytes = joined;
        }
      }
      while (!this.blocked && !this.dead && at + 4 <= bytes.length) {
        const size = this.checkedSize(u32(bytes, at), max);
        if (at + size > bytes.length) break;
        if (this.handOne(bytes.subarray(at, at + size))) served = true;
        at += size;
      }
      if (at < bytes.length && !this.dead) {
        const left = bytes.subarray(at);
        if (!this.inbound.keep(left, left.length >= 4 ? this.frameSize(u32(left, 0)) : 0)) return this.overBudget();
      }
    } finally {
      this.serving = false;
    }
    this.served(served, this.blocked);
  }

  /** The size of a length-prefixed frame from its prefix; LENGTH_LIMIT (as the decoder says it) past `max`. */
  private checkedSize(prefix: number, max: number): number {
    if (prefix > max - 4) {
      this.decoding = true; // what follows is about the framing
      throw new KitewireError(ErrorCode.LENGTH_LIMIT, `frame of ${prefix + 4} bytes exceeds the maximum ${max}`, { offset: 0, stack: false });
    }
    return prefix + 4;
  }

  /** Hands one whole frame on (through the decoder if handOver declines it); true if its call was over at once. */
  private handOne(frame: Uint8Array): boolean {
    this.frameArrived();
    this.inflight++;
    let pending = this.shared.handOver!.frame(frame, this.decoder.transport!, this.info);
    if (pending === null) {
      const chain = this.shared.chain;
      try {
        chain.append(frame);
        this.decoding = true;
        const decoded = this.decoder.next(chain)!;
        this.decoding = false;
        pending = this.shared.handle(decoded, this.info);
      } finally {
        chain.skip(chain.length);
      }
    }
    this.consumed += frame.length;
    return this.track(pending);
  }

  /** The size a length-prefixed frame announces by `prefix`, if within the limit (0: unknown, or not length-prefixed). */
  private frameSize(prefix: number): number {
    const t = this.decoder.transport;
    if (t === undefined || t.framing === "buffered") return 0;
    const size = prefix + 4;
    return size <= this.shared.server.options.maxFrameSize ? size : 0;
  }

  private heldFrameSize(): number {
    return this.inbound.length >= 4 ? this.frameSize(this.inbound.peekU32()) : 0;
  }

  /**
   * Whether the kept bytes should go to the decoder now: they hold a whole frame, or one
   * whose size only the decoder can judge (unknown framing, buffered, over the limit).
   */
  private wholeFrameHeld(): boolean {
    const t = this.decoder.transport;
    if (t === undefined || t.framing === "buffered") return true;
    if (this.inbound.length < 4) return false;
    const size = this.heldFrameSize();
    return size === 0 || this.inbound.length >= size;
  }

  private frameArrived(): void {
    this.lastFrameAt = Date.now();
    clearTimeout(this.firstFrameTimer);
    this.clearRead(); // what remains is a new frame: its clock starts now
  }

  /** Whether another frame may be served: calls in flight and queued reply bytes under their caps. */
  private canServe(): boolean {
    const o = this.shared.server.options;
    return this.inflight < o.maxInflightPerConnection && this.queued < o.maxQueuedBytesPerConnection &&
      (this.queued === 0 || !this.shared.queued.full);
  }

  /** Whether the queued replies are below their low-water marks (half the caps). */
  private writesFlowing(): boolean {
    return this.queued <= this.shared.server.options.maxQueuedBytesPerConnection / 2 && (this.queued === 0 || this.shared.queued.low);
  }

  private block(): void {
    this.blocked = true;
    this.socket.pause();
    this.clearRead(); // frames kept while blocked wait for the peer, not for the network
    this.armWrite();
  }

  /** While blocked with replies over their low-water marks: closes the connection if that lasts writeTimeoutMs. */
  private armWrite(): void {
    if (!this.writesFlowing() && this.writeTimer === undefined) {
      const ms = this.shared.server.options.writeTimeoutMs;
      this.writeTimer = setTimeout(() => {
        this.writeTimer = undefined;
        if (this.blocked && !this.writesFlowing()) {
          this.reject("write-timeout", new KitewireError(ErrorCode.TIMEOUT,
            `replies not read for ${ms} ms (${this.queued} bytes queued)`));
        }
      }, ms);
    }
  }

  private readonly wake = (): void => this.maybeResume();

  /** Serves again once calls in flight and queued replies are below their low-water marks. */
  private maybeResume(): void {
    if (!this.blocked || this.dead) return;
    if (this.inflight >= this.shared.server.options.maxInflightPerConnection) return;
    if (!this.writesFlowing()) {
      if (this.queued > 0 && !this.shared.queued.low) this.shared.queued.wait(this.wake);
      return;
    }
    this.blocked = false;
    clearTimeout(this.writeTimer);
    this.writeTimer = undefined;
    this.socket.resume();
    if (this.serving || this.inbound.length === 0) return;
    if (!this.wholeFrameHeld()) return this.armRead();
    try {
      this.inbound.take((held) => this.serve(held));
    } catch (error) {
      this.fail(error);
    }
  }

  private readonly onQueued = (delta: number): void => {
    if (this.dead) return;
    this.queued += delta;
    this.shared.queued.add(delta);
    if (delta > 0) {
      if (!this.blocked && !this.canServe()) this.block();
      else if (this.blocked) this.armWrite(); // blocked for calls in flight, now for their replies too
    } else if (this.blocked) {
      this.maybeResume();
    }
  };

  /** A call was served later (its reply, if any, is in the outbound buffer). */
  private readonly replied = (): void => {
    this.inflight--;
    this.settled();
  };

  /** After calls were served: a draining connection with none left ends; a blocked one may serve again. */
  private settled(): void {
    if (this.dead) return;
    if (this.draining && this.inflight === 0) {
      this.outbound.flush();
      this.socket.end();
    } else {
      this.maybeResume();
    }
  }

  private readonly failed = (error: unknown): void => this.fail(error);

  /** Closes the connection for `error` thrown while reading or serving it. */
  private fail(error: unknown): void {
    const code = (error as { code?: unknown }).code;
    const framing = this.decoding;
    this.decoding = false;
    if (code === ErrorCode.OUT_OF_MEMORY || code === ErrorCode.INVALID_STATE || !(error instanceof KitewireError)) this.reject("internal-error", error);
    else if (framing && code === ErrorCode.LENGTH_LIMIT) this.reject("oversized-frame", error);
    else if (framing && FOREIGN.has(String(error.details?.["detected"]))) this.reject("unknown-protocol", error);
    else this.reject("malformed-frame", error);
  }

  private overBudget(): void {
    this.reject("partial-frame-budget", new KitewireError(ErrorCode.OVERLOADED,
      `a partial frame of ${this.inbound.length}+ bytes would take the server past its budget of ${this.shared.partial.limit} bytes`));
  }

  /** Closes the connection for a reason of the server's: logged (rate-limited) and told to the tracer. */
  private reject(reason: RejectionReason, error: unknown): void {
    if (this.dead) return;
    this.shared.server.rejected(this.peer, error, reason, reason.endsWith("frame") || reason === "unknown-protocol" ? this.consumed : undefined);
    this.destroy(error);
  }

  /** Gives the socket to the gRPC side, its first bytes put back to be read again. */
  private handOff(first: Buffer | Uint8Array): void {
    this.handedOff = true;
    this.clearTimers();
    this.socket.off("data", this.onData);
    this.socket.pause();
    this.socket.unshift(first);
    this.shared.http2!(this.socket);
  }

  /** Graceful shutdown: finish what is in flight, then close (an HTTP/2 connection: its GOAWAY is the gRPC side's). */
  drain(): void {
    if (this.handedOff) return;
    this.draining = true;
    if (this.inflight === 0) {
      this.outbound.flush();
      this.socket.end();
    }
  }

  destroy(error?: unknown): void {
    if (this.dead) return;
    this.shared.server.options.tracer?.connection?.("error", this.peer, error);
    this.dead = true;
    this.socket.destroy();
  }

  private armRead(): void {
    if (this.readTimer !== undefined) return;
    const ms = this.shared.server.options.readTimeoutMs;
    this.readTimer = setTimeout(() => {
      this.reject("read-timeout", new KitewireError(ErrorCode.TIMEOUT,
        `a frame did not arrive whole within ${ms} ms (${this.inbound.length} bytes of it received)`));
    }, ms);
  }

  private clearRead(): void {
    clearTimeout(this.readTimer);
    this.readTimer = undefined;
  }

  /** Closes the connection once no frame arrived for idleTimeoutMs and nothing is in flight. */
  private armIdle(delay = this.shared.server.options.idleTimeoutMs): void {
    const idleTimeoutMs = this.shared.server.options.idleTimeoutMs;
    this.idleTimer = setTimeout(() => {
      const idleFor = Date.now() - this.lastFrameAt;
      if (this.inflight > 0) this.armIdle();
      else if (idleFor >= idleTimeoutMs) this.destroy(new KitewireError(ErrorCode.TIMEOUT, "idle connection closed"));
      else this.armIdle(idleTimeoutMs - idleFor);
    }, delay);
  }

  private clearTimers(): void {
    clearTimeout(this.firstFrameTimer);
    this.clearRead();
    clearTimeout(this.idleTimer);
    clearTimeout(this.writeTimer);
  }
}
