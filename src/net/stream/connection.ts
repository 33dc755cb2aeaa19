/**
 * One client connection over a StreamSocket: request frames written as they come (several
 * written in one tick leave in one write), replies cut from a buffer chain in engine
 * memory and routed to their callers by sequence id, so calls may be in flight together
 * and replies come in any order. The web-streams counterpart of client/node/connection.ts.
 */
import { BufferChain } from "../../buffer/chain.js";
import { ErrorCode, KitewireError } from "../../errors.js";
import { PendingReplies, seqidInFlight } from "../../client/pending-replies.js";
import { NOT_SENT, type OutgoingCall } from "../../client/transport.js";
import { FrameDecoder, type Frame } from "../../remote/frame-decoder.js";
import { frameSeqid, payloadReader, type PayloadReader } from "../../remote/payload.js";
import { StrKey } from "../../remote/ttheader.js";
import type { Transport } from "../../remote/transport.js";
import type { Engine } from "../../wasm/engine.js";
import type { StreamSocket } from "../socket.js";

export interface StreamConnectionOptions {
  /** `host:port`, for messages. */
  address: string;
  transport: Transport;
  maxFrameSize: number;
  /** Calls fail OVERLOADED while this many written bytes are not yet taken by the socket. */
  maxPendingWriteBytes: number;
}

export class StreamConnection {
  private readonly pending = new PendingReplies();
  private readonly chain: BufferChain;
  private readonly decoder: FrameDecoder;
  private readonly reader: PayloadReader;
  private readonly writer: WritableStreamDefaultWriter<Uint8Array>;
  /** Frames of this tick, written together at its end. */
  private staged: Uint8Array[] = [];
  private stagedBytes = 0;
  /** Bytes handed to the socket and not yet taken. */
  private unsent = 0;
  /** False once closed or failed, or asked by the server to stop being reused. */
  usable = true;
  /** Settles when the connection is closed. */
  readonly closed: Promise<void>;

  constructor(engine: Engine, private readonly options: StreamConnectionOptions, private readonly socket: StreamSocket) {
    this.chain = new BufferChain(engine, 64 * 1024);
    this.decoder = new FrameDecoder(engine, { maxFrameSize: options.maxFrameSize, transport: options.transport });
    this.reader = payloadReader(options.transport.protocol, engine);
    this.writer = socket.writable.getWriter();
    this.closed = this.readLoop();
  }

  /** Calls in flight. */
  get inflight(): number {
    return this.pending.size;
  }

  /** Sends a request; resolves with its reply frame (null for oneway). Copies `call.bytes` before returning. */
  send(call: OutgoingCall): Promise<Frame | null> {
    if (!this.usable) return Promise.reject(new KitewireError(ErrorCode.CONNECTION, `connection to ${this.options.address} is closed`, { details: NOT_SENT }));
    if (this.unsent + this.stagedBytes > this.options.maxPendingWriteBytes) {
      return Promise.reject(new KitewireError(ErrorCode.OVERLOADED, `${this.options.address} is not reading: ${this.unsent} bytes unsent`));
    }
    if (call.oneway) {
      this.stage(call.bytes);
      return Promise.resolve(null);
    }
    const reply = this.pending.expect(call.seqid, call.deadline, call.signal);
    if (reply === null) return seqidInFlight(call.seqid);
    this.stage(call.bytes);
    return reply;
  }

  /** Copies `bytes` (a view into engine memory) to be written at the end of this tick. */
  private stage(bytes: Uint8Array): void {
    this.staged.push(bytes.slice());
    this.stagedBytes += bytes.length;
    if (this.staged.length === 1) queueMicrotask(() => this.flush());
  }

  private flush(): void {
    const parts = this.staged;
    const size = this.stagedBytes;
    this.staged = [];
    this.stagedBytes = 0;
    if (parts.length === 0 || !this.usable) return;
    let bytes = parts[0]!;
    if (parts.length > 1) {
      bytes = new Uint8Array(size);
      let at = 0;
      for (const p of parts) {
        bytes.set(p, at);
        at += p.length;
      }
    }
    this.unsent += size;
    this.writer.write(bytes).then(() => (this.unsent -= size), (error: unknown) => {
      this.unsent -= size;
      this.fail(new KitewireError(ErrorCode.CONNECTION, `write to ${this.options.address} failed: ${String(error)}`, { cause: error }));
    });
  }

  private async readLoop(): Promise<void> {
    const reader = this.socket.readable.getReader();
    let replied = false;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        replied ||= value.length > 0;
        this.receive(value);
      }
      this.fail(new KitewireError(ErrorCode.CONNECTION, replied ? `connection to ${this.options.address} closed`
        : `connection to ${this.options.address} closed before any reply: the server may serve another transport`));
    } catch (error) {
      this.fail(error instanceof KitewireError ? error
        : new KitewireError(ErrorCode.CONNECTION, `connection to ${this.options.address} failed: ${String(error)}`, { cause: error }));
    } finally {
      this.usable = false;
      this.chain.release();
    }
  }

  private receive(chunk: Uint8Array): void {
    this.chain.append(chunk);
    for (let frame = this.decoder.next(this.chain); frame !== null; frame = this.decoder.next(this.chain)) {
      if (frame.error) {
        frame.bytes.release();
        throw frame.error;
      }
      if (frame.header?.strInfo.has(StrKey.CONNECTION_RESET)) this.usable = false;
      if (!this.pending.settle(frameSeqid(frame, this.reader), frame)) frame.bytes.release(); // a late reply to a call that gave up
    }
    if (!this.usable && this.pending.size === 0) this.close();
  }

  private fail(error: unknown): void {
    const wasUsable = this.usable;
    this.usable = false;
    this.pending.failAll(error);
    if (wasUsable) this.closeSocket();
  }

  private closeSocket(): void {
    try {
      Promise.resolve(this.socket.close()).catch(() => undefined);
    } catch {
      // already closed
    }
  }

  /** Closes now; calls in flight fail with CONNECTION. */
  close(): void {
    this.fail(new KitewireError(ErrorCode.CONNECTION, `connection to ${this.options.address} closed by the client`));
  }
}
