/**
 * One client connection over Node `net`/`tls`: requests written as whole frames, replies
 * cut from a buffer chain in engine memory and routed to their callers by sequence id, so
 * many calls can be in flight at once and replies may come in any order.
 */
import { connect as connectTcp, type Socket } from "node:net";
import { connect as connectTls, type ConnectionOptions } from "node:tls";
import { BufferChain } from "../../buffer/chain.js";
import { corkForTick } from "../../net/node/cork.js";
import { ErrorCode, KitewireError } from "../../errors.js";
import { FrameDecoder, type Frame } from "../../remote/frame-decoder.js";
import { frameSeqid, payloadReader, type PayloadReader } from "../../remote/payload.js";
import type { Transport } from "../../remote/transport.js";
import { CONNECTION_RESET_KEY } from "../../server/server.js";
import type { Engine } from "../../wasm/engine.js";
import type { OutgoingCall } from "../transport.js";

export interface ConnectionOptions_ {
  host: string;
  port: number;
  transport: Transport;
  connectTimeoutMs: number;
  maxFrameSize: number;
  /** Pause new writes while this many bytes wait in the socket (a peer that does not read). */
  maxPendingWriteBytes: number;
  tls?: ConnectionOptions;
}

interface Pending {
  resolve: (frame: Frame) => void;
  reject: (error: unknown) => void;
  cleanup: () => void;
}

export class ClientConnection {
  /** Calls waiting for replies. */
  private readonly pending = new Map<number, Pending>();
  private readonly chain: BufferChain;
  private readonly decoder: FrameDecoder;
  private readonly reader: PayloadReader;
  private readonly socket: Socket;
  private drained: Promise<void> | null = null;
  /** False once closed, failed, or asked by the server to stop being reused. */
  usable = true;
  /** Settles when the connection is closed. */
  readonly closed: Promise<void>;
  /** When the connection last finished a call (for idle timeouts). */
  lastUsed = Date.now();

  private constructor(engine: Engine, private readonly options: ConnectionOptions_, socket: Socket) {
    this.socket = socket;
    this.chain = new BufferChain(engine, 64 * 1024);
    this.decoder = new FrameDecoder(engine, { maxFrameSize: options.maxFrameSize, transport: options.transport });
    this.reader = payloadReader(options.transport.protocol, engine);
    socket.setNoDelay(true);
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.usable = false;
        this.failAll(new KitewireError(ErrorCode.CONNECTION, `connection to ${this.address} closed`));
        this.chain.release();
        resolve();
      });
    });
    socket.on("error", (error) => this.failAll(new KitewireError(ErrorCode.CONNECTION, `connection to ${this.address} failed: ${error.message}`, { cause: error })));
  }

  get address(): string {
    return `${this.options.host}:${this.options.port}`;
  }

  /** Calls in flight. */
  get inflight(): number {
    return this.pending.size;
  }

  /** Connects, failing with CONNECTION or TIMEOUT (after connectTimeoutMs). */
  static open(engine: Engine, options: ConnectionOptions_): Promise<ClientConnection> {
    return new Promise((resolve, reject) => {
      const socket = options.tls
        ? connectTls({ host: options.host, port: options.port, ...options.tls })
        : connectTcp({ host: options.host, port: options.port });
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new KitewireError(ErrorCode.TIMEOUT, `connect to ${options.host}:${options.port} took over ${options.connectTimeoutMs} ms`));
      }, options.connectTimeoutMs);
      const fail = (error: Error) => {
        clearTimeout(timer);
        reject(new KitewireError(ErrorCode.CONNECTION, `cannot connect to ${options.host}:${options.port}: ${error.message}`, { cause: error }));
      };
      socket.once("error", fail);
      socket.once(options.tls ? "secureConnect" : "connect", () => {
        clearTimeout(timer);
        socket.off("error", fail);
        resolve(new ClientConnection(engine, options, socket));
      });
    });
  }

  /** Sends a request; resolves with its reply frame (null for oneway). */
  async send(call: OutgoingCall): Promise<Frame | null> {
    if (!this.usable) throw new KitewireError(ErrorCode.CONNECTION, `connection to ${this.address} is closed`);
    if (this.socket.writableLength > this.options.maxPendingWriteBytes) await this.waitDrain(call);
    if (call.oneway) {
      await new Promise<void>((resolve, reject) => this.socket.write(call.bytes, (e) => (e ? reject(connectionError(e)) : resolve())));
      this.lastUsed = Date.now();
      return null;
    }
    if (this.pending.has(call.seqid)) throw new KitewireError(ErrorCode.INVALID_STATE, `seqid ${call.seqid} is already in flight`);
    return new Promise<Frame>((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const onAbort = () => settle(new KitewireError(ErrorCode.CANCELLED, "call cancelled", { cause: call.signal?.reason }));
      const cleanup = () => {
        clearTimeout(timer);
        call.signal?.removeEventListener("abort", onAbort);
        this.pending.delete(call.seqid);
        this.lastUsed = Date.now();
      };
      const settle = (error: unknown) => {
        cleanup();
        reject(error);
      };
      this.pending.set(call.seqid, { resolve: (f) => (cleanup(), resolve(f)), reject: settle, cleanup });
      if (call.deadline !== undefined) {
        timer = setTimeout(() => settle(new KitewireError(ErrorCode.TIMEOUT, `no reply within the deadline`)),
          Math.max(0, call.deadline - Date.now()));
      }
      call.signal?.addEventListener("abort", onAbort, { once: true });
      corkForTick(this.socket);
      this.socket.write(call.bytes);
    });
  }


  private waitDrain(call: OutgoingCall): Promise<void> {
    this.drained ??= new Promise<void>((resolve) => this.socket.once("drain", () => {
      this.drained = null;
      resolve();
    }));
    const limit = call.deadline === undefined ? undefined : Math.max(0, call.deadline - Date.now());
    if (limit === undefined) return this.drained;
    return Promise.race([this.drained, new Promise<void>((_, reject) => setTimeout(
      () => reject(new KitewireError(ErrorCode.TIMEOUT, "the server is not reading: deadline passed waiting to write")), limit))]);
  }

  private receive(chunk: Buffer): void {
    try {
      this.chain.append(chunk);
      for (let frame = this.decoder.next(this.chain); frame !== null; frame = this.decoder.next(this.chain)) {
        if (frame.header?.strInfo.has(CONNECTION_RESET_KEY)) this.usable = false;
        const seqid = frameSeqid(frame, this.reader);
        const waiting = this.pending.get(seqid);
        if (waiting) waiting.resolve(frame);
        else frame.bytes.release(); // a late reply to a call that timed out
      }
      if (!this.usable && this.pending.size === 0) this.close();
    } catch (error) {
      this.failAll(error);
      this.socket.destroy();
    }
  }

  private failAll(error: unknown): void {
    this.usable = false;
    for (const p of [...this.pending.values()]) p.reject(error);
  }

  /** Closes once the calls in flight are answered. */
  close(): void {
    this.usable = false;
    if (this.pending.size === 0) this.socket.end();
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
