/**
 * One client connection over Node `net`/`tls`: requests written as whole frames, replies
 * cut from a buffer chain in engine memory and routed to their callers by sequence id, so
 * many calls can be in flight at once and replies may come in any order.
 */
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls, type ConnectionOptions } from "node:tls";
import { BufferChain } from "../../buffer/chain.js";
import { Outbound, type OutboundFlush } from "../../net/node/outbound.js";
import { ErrorCode, KitewireError } from "../../errors.js";
import { FrameDecoder, type Frame } from "../../remote/frame-decoder.js";
import { frameSeqid, payloadReader, type PayloadReader } from "../../remote/payload.js";
import { StrKey } from "../../remote/ttheader.js";
import { describeTransport, type Transport } from "../../remote/transport.js";
import type { Engine } from "../../wasm/engine.js";
import { PendingReplies, seqidInFlight } from "../pending-replies.js";
import { NOT_SENT, type OutgoingCall } from "../transport.js";

export interface ConnectionOptions_ {
  host: string;
  port: number;
  /** Connect to this Unix domain socket instead (`host` is then `unix:<path>`). */
  path?: string;
  transport: Transport;
  connectTimeoutMs: number;
  maxFrameSize: number;
  /**
   * Pause new writes while this many bytes wait in the socket (a peer that does not read);
   * calls that wait hold a copy of their bytes, up to as many again, and fail OVERLOADED past that.
   */
  maxPendingWriteBytes: number;
  /** A connection whose requests stay unread (queue over maxPendingWriteBytes) this long is closed. */
  writeTimeoutMs: number;
  /**
   * When written requests leave: "turn" for a multiplexed connection, whose calls are often
   * started from separate I/O callbacks (a gateway's HTTP requests) and then share one write;
   * "tick" for a connection with one call at a time, which has nothing to wait for.
   */
  flushOn: OutboundFlush;
  tls?: ConnectionOptions;
}

/** Size of a plain TCP connection's read buffer. */
const READ_BUFFER_BYTES = 64 * 1024;

export class ClientConnection {
  /** Calls waiting for replies, by sequence id. */
  private readonly pending = new PendingReplies(() => (this.lastUsed = Date.now()));
  private readonly chain: BufferChain;
  private readonly decoder: FrameDecoder;
  private readonly reader: PayloadReader;
  private readonly socket: Socket;
  private readonly outbound: Outbound;
  /** False once closed, failed, or asked by the server to stop being reused. */
  usable = true;
  /** Settles when the connection is closed. */
  readonly closed: Promise<void>;
  /** When the connection last finished a call (for idle timeouts). */
  lastUsed = Date.now();
  /** Whether a reply frame came: a close before one means the server refused what was sent. */
  private replied = false;
  /** Bytes of calls waiting for the queue to drain (copies they hold). */
  private waitingBytes = 0;
  /** Armed while the queue is over maxPendingWriteBytes: the server is not reading. */
  private writeTimer: ReturnType<typeof setTimeout> | undefined;

  private constructor(engine: Engine, private readonly options: ConnectionOptions_, socket: Socket) {
    this.socket = socket;
    this.outbound = new Outbound(socket, (delta) => {
      if (delta < 0 && this.writeTimer !== undefined && this.outbound.queued <= options.maxPendingWriteBytes / 2) {
        clearTimeout(this.writeTimer);
        this.writeTimer = undefined;
      }
    }, options.flushOn);
    this.chain = new BufferChain(engine, 64 * 1024);
    this.decoder = new FrameDecoder(engine, { maxFrameSize: options.maxFrameSize, transport: options.transport });
    this.reader = payloadReader(options.transport.protocol, engine);
    socket.setNoDelay(true);
    // Plain TCP sockets deliver through `onread` (see `open`), and then emit no `data`;
    // TLS sockets, and runtimes whose node:net ignores `onread`, emit `data`.
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.usable = false;
        clearTimeout(this.writeTimer);
        this.failAll(new KitewireError(ErrorCode.CONNECTION, this.replied ? `connection to ${this.address} closed`
          : `connection to ${this.address} closed before any reply to this client's ${options.tls ? "TLS" : "plain TCP"} ` +
            `${describeTransport(options.transport)} requests: the server may serve another transport${options.tls ? "" : " or expect TLS"} ` +
            "(its log says what it refused)"));
        this.chain.release();
        resolve();
      });
    });
    socket.on("error", (error) => this.failAll(new KitewireError(ErrorCode.CONNECTION, `connection to ${this.address} failed: ${error.message}`, { cause: error })));
  }

  get address(): string {
    return this.options.path !== undefined ? this.options.host : `${this.options.host}:${this.options.port}`;
  }

  /** Calls in flight. */
  get inflight(): number {
    return this.pending.size;
  }

  /** Connects, failing with CONNECTION or TIMEOUT (after connectTimeoutMs). */
  static open(engine: Engine, options: ConnectionOptions_): Promise<ClientConnection> {
    return new Promise((resolve, reject) => {
      let connection: ClientConnection | undefined;
      // Plain TCP reads into one buffer per connection, reused (copied into the chain at
      // once), instead of a new 64 KiB buffer per read; TLS sockets cannot do this.
      const where = options.path !== undefined ? { path: options.path } : { host: options.host, port: options.port };
      const address = options.path !== undefined ? options.host : `${options.host}:${options.port}`;
      const socket = options.tls
        ? connectTls({ ...where, ...options.tls })
        : connectTcp({
          ...where,
          onread: { buffer: new Uint8Array(READ_BUFFER_BYTES), callback: (n, buffer) => {
            connection!.receive(buffer.subarray(0, n));
            return true;
          } },
        });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new KitewireError(ErrorCode.TIMEOUT, `connect to ${address} took over ${options.connectTimeoutMs} ms`, { details: NOT_SENT }));
      }, options.connectTimeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        // A TLS handshake the server ends or answers with non-TLS bytes: it speaks plain TCP.
        const code = (error as { code?: string }).code;
        const plainServer = options.tls !== undefined && (code === "ECONNRESET" || code === "ERR_SSL_WRONG_VERSION_NUMBER" ||
          /before secure TLS connection|wrong version number|packet length too long/i.test(error.message));
        const hint = plainServer ? " (the TLS handshake failed: the server seems not to speak TLS on this port; connect without the `tls` option)" : "";
        reject(new KitewireError(ErrorCode.CONNECTION, `cannot connect to ${address}: ${error.message}${hint}`, { cause: error, details: NOT_SENT }));
      };
      socket.once("error", fail);
      socket.once(options.tls ? "secureConnect" : "connect", () => {
        clearTimeout(timer);
        socket.off("error", fail);
        resolve((connection = new ClientConnection(engine, options, socket)));
      });
    });
  }

  /** Sends a request; resolves with its reply frame (null for oneway). Copies `call.bytes` before returning. */
  send(call: OutgoingCall): Promise<Frame | null> {
    if (!this.usable) return Promise.reject(new KitewireError(ErrorCode.CONNECTION, `connection to ${this.address} is closed`, { details: NOT_SENT }));
    const max = this.options.maxPendingWriteBytes;
    if (this.outbound.queued > max) {
      if (this.waitingBytes + call.bytes.length > max) {
        return Promise.reject(new KitewireError(ErrorCode.OVERLOADED,
          `${this.address} is not reading: ${this.outbound.queued} bytes queued and ${this.waitingBytes} waiting`));
      }
      this.armWriteTimer();
      const later = { ...call, bytes: call.bytes.slice() };
      this.waitingBytes += later.bytes.length;
      return this.waitDrain(later).finally(() => (this.waitingBytes -= later.bytes.length)).then(() => this.send(later));
    }
    if (call.oneway) {
      return new Promise<null>((resolve, reject) => this.outbound.write(call.bytes, (e) => {
        this.lastUsed = Date.now();
        if (e) reject(connectionError(e));
        else resolve(null);
      }));
    }
    const reply = this.pending.expect(call.seqid, call.deadline, call.signal);
    if (reply === null) return seqidInFlight(call.seqid);
    this.outbound.write(call.bytes);
    return reply;
  }

  /** Closes the connection if its queue is not below half of maxPendingWriteBytes within writeTimeoutMs. */
  private armWriteTimer(): void {
    if (this.writeTimer !== undefined) return;
    const ms = this.options.writeTimeoutMs;
    this.writeTimer = setTimeout(() => {
      this.failAll(new KitewireError(ErrorCode.TIMEOUT, `${this.address} did not read requests for ${ms} ms (${this.outbound.queued} bytes queued)`));
      this.socket.destroy();
    }, ms);
  }

  /** Waits until what is queued has been written, or fails at the call's deadline. */
  private waitDrain(call: OutgoingCall): Promise<void> {
    const written = new Promise<void>((resolve) => this.outbound.whenWritten(resolve));
    if (call.deadline === undefined) return written;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<void>((_, reject) => (timer = setTimeout(
      () => reject(new KitewireError(ErrorCode.TIMEOUT, "the server is not reading: deadline passed waiting to write")),
      Math.max(0, call.deadline! - Date.now()))));
    return Promise.race([written, late]).finally(() => clearTimeout(timer));
  }

  private receive(chunk: Uint8Array): void {
    try {
      this.lastUsed = Date.now();
      this.chain.append(chunk);
      for (let frame = this.decoder.next(this.chain); frame !== null; frame = this.decoder.next(this.chain)) {
        this.replied = true;
        if (frame.error) {
          frame.bytes.release();
          throw frame.error;
        }
        if (frame.header?.strInfo.has(StrKey.CONNECTION_RESET)) this.usable = false;
        if (!this.pending.settle(frameSeqid(frame, this.reader), frame)) frame.bytes.release(); // a late reply to a call that timed out
      }
      if (!this.usable && this.pending.size === 0) this.close();
    } catch (error) {
      this.failAll(error);
      this.socket.destroy();
    }
  }

  private failAll(error: unknown): void {
    this.usable = false;
    this.pending.failAll(error);
  }

  /** Closes once the calls in flight are answered. */
  close(): void {
    this.usable = false;
    if (this.pending.size === 0) {
      this.outbound.flush();
      this.socket.end();
    }
  }

  /** Closes now; calls in flight fail. */
  destroy(): void {
    this.usable = false;
    this.socket.destroy();
  }
}

function connectionError(error: Error): KitewireError {
  return new KitewireError(ErrorCode.CONNECTION, `write failed: ${error.message}`, { cause: error });
}
