/**
 * The socket thread's side of `listen(server, { threads: N })`: N server threads (Node
 * worker threads), each with its own engine and Server made by the service module, fed
 * over two shared-memory rings (net/shm) per thread. The socket thread's connections cut
 * frames as on one thread (every limit, timeout and budget applies there); once a
 * connection's transport is known its frames are handed over as they sit in the socket's
 * bytes (`frame`: only the seqid and flags are read, envelope.ts), otherwise as the decoder
 * cut them (`handle`). Each is copied into its thread's batch (batch.ts), and a turn's batch
 * goes to the ring as one message; replies come back in batches too, out of the ring (to a
 * plain buffer, net/shm/ring.ts says why) into each connection's write buffer.
 *
 * - A call goes to the next thread with room, round robin; if every ring is full its batch
 *   waits (in order) for room, and the call fails TIMEOUT at its deadline (TTHeader's RPC
 *   timeout) rather than blocking the rest.
 * - A thread is told of a connection (its id and peer) before its first call from it, and
 *   when it closes, in the same ring as the calls: handlers there see `ctx.peer`, and their
 *   `ctx.signal` aborts when the connection closes, as on one thread.
 * - A call's completion is a plain thenable settled from the ring's reader: no promise and
 *   no microtask per call (the connection only calls `then` on it).
 * - A thread that dies (an uncaught exception, `process.exit` in a handler, out of
 *   memory): its calls in flight are answered with an exception saying so, it is
 *   replaced, and the server goes on.
 * - A frame over maxFrameSize never gets here (the connection refuses it first); the rings
 *   take any frame up to that size (larger ones spill to their block pools).
 * - An HTTP/2 (gRPC) connection goes whole to one thread, which runs it; its bytes travel
 *   in the same batches (http2-relay.ts). Rejections a thread makes are logged here, by
 *   the listener's Server.
 */
import type { Socket } from "node:net";
import { Worker } from "node:worker_threads";
import { PendingCalls } from "../../../client/pending-calls.js";
import { ErrorCode, KitewireError } from "../../../errors.js";
import { makeGrpcServerOptions, type GrpcServerOptions } from "../../../grpc/options.js";
import { createRing, Ring } from "../../../net/shm/ring.js";
import { getLogger } from "../../../observability/log/logger.js";
import type { Frame } from "../../../remote/frame-decoder.js";
import { frameSeqid, payloadReader, type PayloadReader } from "../../../remote/payload.js";
import type { PayloadProtocol, Transport } from "../../../remote/transport.js";
import { decodeTTHeader, IntKey } from "../../../remote/ttheader.js";
import type { ConnectionInfo, Server } from "../../server.js";
import { BATCH, BatchWriter, forEachRecord } from "./batch.js";
import { envelopeReadable, readEnvelope, type Envelope } from "./envelope.js";
import { Http2Relay } from "./http2-relay.js";
import { BUILTIN_COMPRESSIONS } from "./http2-thread.js";
import {
  CLOSE, DONE, FAIL, H2_WRITE, OPEN, REJECTED, REPLY, failureOf, rejectionOf, toThread, transportCode,
  type FromThread, type ServerThreadData, type ThreadHttp2Options, type ToThread,
} from "./protocol.js";

let entry: string | undefined;

/** The script server threads run: kitewire's Node entry (it sets this when loaded). */
export function setServerThreadEntry(url: string): void {
  entry = url;
}

const encoder = new TextEncoder();
const EMPTY = new Uint8Array(0);

/**
 * A call handed to a server thread, and the thenable its connection waits on (settled once,
 * by the reply's reader, a failure or the thread's exit). One `then` only, not chained: the
 * connection's.
 */
class Call implements PromiseLike<void> {
  timer: ReturnType<typeof setTimeout> | undefined;
  over = false;
  /** 0 pending, 1 done, 2 failed (with `failure`). */
  private state = 0;
  private failure: unknown;
  private onDone: (() => void) | undefined;
  private onFail: ((error: unknown) => void) | undefined;

  constructor(readonly id: number, readonly info: ConnectionInfo, readonly transport: Transport,
    readonly seqid: number, readonly flags: number) {}

  then<A = void, B = never>(onDone?: (() => A | PromiseLike<A>) | null, onFail?: ((error: unknown) => B | PromiseLike<B>) | null): PromiseLike<A | B> {
    if (this.state === 0) {
      this.onDone = onDone ?? undefined;
      this.onFail = onFail ?? undefined;
    } else if (this.state === 1) {
      onDone?.();
    } else {
      onFail?.(this.failure);
    }
    return this as unknown as PromiseLike<A | B>; // chaining is not supported (the connection never chains)
  }

  resolve(): void {
    if (this.state !== 0) return;
    this.state = 1;
    if (this.onDone !== undefined) report(this.onDone);
  }

  reject(error: unknown): void {
    if (this.state !== 0) return;
    this.state = 2;
    this.failure = error;
    const onFail = this.onFail;
    if (onFail !== undefined) report(() => onFail(error));
  }
}

/** Runs a completion callback; what it throws is thrown on its own (as from a promise's), not into the ring's reader. */
function report(f: () => void): void {
  try {
    f();
  } catch (error) {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/** A ring message waiting for room (a copy of its bytes): a batch, or a frame too large for one; the calls in it. */
interface Queued {
  kind: number;
  tag: number;
  bytes: Uint8Array;
  calls: Call[];
}

/** A call's timeout, still in its TTHeader (read only if the call must wait). */
const DEADLINE_IN_HEADER = -1;

/** The timeouts of the calls in `bytes` (a batch, or one frame) still in their TTHeaders (`timeouts[i]` of `calls[i]`). */
function readDeadlines(kind: number, tag: number, bytes: Uint8Array, calls: Call[], timeouts: number[]): void {
  const read = (frame: Uint8Array): number => {
    try {
      return Number(decodeTTHeader(frame).info.intInfo.get(IntKey.RPC_TIMEOUT)) || 0;
    } catch {
      return 0; // the thread will say what is wrong with it
    }
  };
  if (kind !== BATCH) {
    timeouts[0] = read(bytes);
    return;
  }
  const index = new Map(calls.map((c, i) => [c.id, i]));
  forEachRecord(bytes, tag, (_, id, frame) => {
    const i = index.get(id);
    if (i !== undefined && timeouts[i] === DEADLINE_IN_HEADER) timeouts[i] = read(frame);
  });
}

/** Bytes of a batch of messages to a server thread (a frame larger than a batch goes on its own). */
const BATCH_BYTES = 64 << 10;

/** A connection as the server threads know it: an id, its peer, and which threads were told of it. */
class Peer {
  readonly told: Slot[] = [];
  readonly peer: Uint8Array;
  constructor(readonly id: number, peer: string | undefined) {
    this.peer = peer === undefined ? EMPTY : encoder.encode(peer);
  }
}

/** One server thread and its rings (a new slot object each time it is replaced). */
class Slot {
  readonly calls = new PendingCalls<Call>();
  /** The messages of this turn of the event loop, sent as one ring message at its end (`flush`). */
  readonly batch = new BatchWriter(BATCH_BYTES);
  /** The calls in `batch`, and their timeouts (ms, 0: none) should the batch have to wait for room. */
  readonly batchCalls: Call[] = [];
  readonly batchTimeouts: number[] = [];
  readonly queue: Queued[] = [];
  live = false;
  pumping = false;
  /** Calls sent to it (for tests and benchmarks: how calls spread). */
  served = 0;
  constructor(readonly index: number, readonly worker: Worker, readonly requests: Ring, readonly replies: Ring) {}
}

export interface ServerThreadsOptions {
  /** Server threads (>= 1). */
  threads: number;
  /** The module each thread imports: its default export returns the thread's Server (a function, maybe async). */
  module: string;
  /** How long each ring's reader looks for frames before it waits for a wake-up (µs; Ring.ready). Default 0. */
  spinMicros?: number;
  /** listen's gRPC options: the threads serve the HTTP/2 connections pinned to them with these. */
  grpc?: Partial<GrpcServerOptions>;
}

/** N server threads, ready to serve. */
export class ServerThreads {
  private readonly slots: (Slot | undefined)[];
  private next = 0;
  private nextId = 0;
  private nextPeer = 0;
  private readonly peers = new WeakMap<ConnectionInfo, Peer>();
  private closing = false;
  private readonly readers = new Map<PayloadProtocol, PayloadReader>();
  private readonly ringBytes: number;
  private flushScheduled = false;
  private readonly envelope: Envelope = { seqid: 0, flags: 0 };
  /** Calls answered TIMEOUT because their deadline passed while every ring was full. */
  timedOut = 0;
  private readonly http2: Http2Relay<Slot>;
  private readonly http2Options: ThreadHttp2Options;

  private constructor(private readonly server: Server, private readonly options: ServerThreadsOptions) {
    this.slots = new Array<Slot | undefined>(options.threads).fill(undefined);
    this.ringBytes = Math.max(1 << 20, server.options.maxFrameSize);
    this.http2Options = threadHttp2Options(server, options.grpc ?? {});
    this.http2 = new Http2Relay<Slot>(server, {
      slots: this.slots,
      isLive: (slot) => slot.live,
      sendTo: (slot, kind, tag, bytes) => this.send(slot, kind, tag, bytes, undefined, 0),
      connectionId: () => (this.nextPeer = (this.nextPeer + 1) & 0xffffff),
    });
  }

  /** Starts the threads; resolves once every one has made its Server, rejects if one cannot. */
  static async start(server: Server, options: ServerThreadsOptions): Promise<ServerThreads> {
    if (!Number.isInteger(options.threads) || options.threads < 1) throw new KitewireError(ErrorCode.INVALID_VALUE, `listen: threads must be an integer >= 1 (got ${options.threads})`);
    if (typeof options.module !== "string" || options.module === "") {
      throw new KitewireError(ErrorCode.INVALID_VALUE, "listen: threads need serverModule, the URL of a module whose default export returns the thread's Server");
    }
    const pool = new ServerThreads(server, options);
    try {
      await Promise.all(pool.slots.map((_, i) => pool.spawn(i)));
    } catch (error) {
      await pool.close();
      throw error;
    }
    return pool;
  }

  /** Calls handed to each thread so far (its current incarnation). */
  get served(): number[] {
    return this.slots.map((s) => s?.served ?? 0);
  }

  /** HTTP/2 (gRPC) connections pinned to each thread now. */
  get http2Connections(): number[] {
    return this.http2.counts;
  }

  /** Serves the HTTP/2 connection on `socket` (its preface unshifted, unread) on a server thread (http2-relay.ts). */
  acceptHttp2(socket: Socket, peer: string): void {
    this.http2.accept(socket, peer);
  }

  /** Each thread's id while it serves; -1 while it is (re)starting. */
  get threadIds(): number[] {
    return this.slots.map((s) => (s?.live ? s.worker.threadId : -1));
  }

  /** Hands `frame` to a server thread (releasing it); settles when the call is over. As Server.handle. */
  readonly handle = (frame: Frame, info: ConnectionInfo): PromiseLike<void> | undefined => {
    if (frame.error) return this.server.handle(frame, info); // answered here: no handler is needed
    const slot = this.pick();
    const header = frame.header;
    let call: Call;
    try {
      const seqid = header !== undefined ? header.seqid : frameSeqid(frame, this.reader(frame.transport.protocol));
      call = new Call(this.nextId = (this.nextId + 1) | 0, info, frame.transport, seqid, header?.flags ?? 0);
      if (slot === undefined) {
        this.fail(call, new KitewireError(ErrorCode.OVERLOADED, "no server thread is running"));
        return undefined;
      }
      const size = frame.bytes.length;
      const at = frame.bytes.contiguous(size);
      this.dispatch(slot, call, this.server.engine.u8.subarray(at, at + size), Number(header?.intInfo.get(IntKey.RPC_TIMEOUT)));
    } finally {
      frame.bytes.release();
    }
    return call;
  };

  /** HandOver (connection.ts): the framings whose frames go on as received, their envelope read where it sits. */
  accepts(transport: Transport): boolean {
    return envelopeReadable(transport);
  }

  /** HandOver: hands a whole frame, as received, to a server thread; settles when the call is over. */
  frame(bytes: Uint8Array, transport: Transport, info: ConnectionInfo): PromiseLike<void> | undefined | null {
    const envelope = this.envelope;
    if (!readEnvelope(transport, bytes, envelope)) return null;
    const call = new Call(this.nextId = (this.nextId + 1) | 0, info, transport, envelope.seqid, envelope.flags);
    const slot = this.pick();
    if (slot === undefined) {
      this.fail(call, new KitewireError(ErrorCode.OVERLOADED, "no server thread is running"));
      return undefined;
    }
    // A TTHeader deadline is only read should the call have to wait for room (`queue`).
    this.dispatch(slot, call, bytes, transport.framing === "ttheader" || transport.framing === "ttheader-framed" ? DEADLINE_IN_HEADER : 0);
    return call;
  }

  /** Sends `call`'s frame to `slot`, after news of its connection if the thread has none. */
  private dispatch(slot: Slot, call: Call, bytes: Uint8Array, timeoutMs: number): void {
    slot.served++;
    const peer = this.peerOf(call.info);
    if (!peer.told.includes(slot)) {
      peer.told.push(slot);
      this.send(slot, toThread(OPEN, peer.id), 0, peer.peer, undefined, 0);
    }
    this.send(slot, toThread(transportCode(call.transport), peer.id), call.id, bytes, call, timeoutMs);
  }

  /** The threads' record of `info`'s connection, made on its first call; its threads are told when it closes. */
  private peerOf(info: ConnectionInfo): Peer {
    let peer = this.peers.get(info);
    if (peer === undefined) {
      const p = (peer = new Peer(this.nextPeer = (this.nextPeer + 1) & 0xffffff, info.peer));
      this.peers.set(info, p);
      info.signal?.addEventListener("abort", () => {
        for (const slot of p.told) {
          try {
            if (slot.live) this.send(slot, toThread(CLOSE, p.id), 0, EMPTY, undefined, 0);
          } catch {
            // Its ring closed: the thread is gone, and so is what it knew of the connection.
          }
        }
      }, { once: true });
    }
    return peer;
  }

  /**
   * Adds a message to `slot`'s batch of this turn (a frame too large for a batch is sent
   * on its own, after the batch). `call`'s timeout (ms, if > 0) bounds how long it may
   * wait on this thread should the ring be full.
   */
  private send(slot: Slot, kind: number, tag: number, bytes: Uint8Array, call: Call | undefined, timeoutMs: number): void {
    if (call !== undefined) slot.calls.add(call.id, call);
    const batch = slot.batch;
    if (!batch.accepts(bytes.length)) {
      this.flush(slot);
      this.write(slot, kind, tag, bytes, call === undefined ? [] : [call], call === undefined ? [] : [timeoutMs]);
      return;
    }
    if (!batch.fits(bytes.length)) this.flush(slot);
    batch.add(kind, tag, bytes);
    if (call !== undefined) {
      slot.batchCalls.push(call);
      slot.batchTimeouts.push(timeoutMs);
    }
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(this.flushAll);
    }
  }

  /** At the end of a turn: every thread's batch to its ring. */
  private readonly flushAll = (): void => {
    this.flushScheduled = false;
    for (const slot of this.slots) if (slot !== undefined && slot.batch.count > 0) this.flush(slot);
  };

  /** Sends `slot`'s batch as one ring message. */
  private flush(slot: Slot): void {
    const batch = slot.batch;
    if (batch.count === 0) return;
    const calls = slot.batchCalls.splice(0);
    const timeouts = slot.batchTimeouts.splice(0);
    if (slot.queue.length === 0 && slot.live && this.tryWrite(slot, BATCH, batch.count, batch.bytes())) {
      batch.clear();
      return;
    }
    const count = batch.count;
    this.queue(slot, BATCH, count, batch.detach(), calls, timeouts);
  }

  /** Writes one message to `slot`'s ring now if nothing waits before it and there is room; otherwise queues a copy. */
  private write(slot: Slot, kind: number, tag: number, bytes: Uint8Array, calls: Call[], timeouts: number[]): void {
    if (slot.queue.length === 0 && slot.live && this.tryWrite(slot, kind, tag, bytes)) return;
    this.queue(slot, kind, tag, bytes.slice(), calls, timeouts);
  }

  /** A write to a ring that is closed (its thread died: its exit answers the calls) counts as done. */
  private tryWrite(slot: Slot, kind: number, tag: number, bytes: Uint8Array): boolean {
    try {
      return slot.requests.tryWrite(kind, tag, bytes, true);
    } catch (error) {
      if (slot.requests.closed) return true;
      throw error;
    }
  }

  /** Queues `bytes` (the caller's to give) until the ring has room; each call waits until its timeout, if any, then fails TIMEOUT. */
  private queue(slot: Slot, kind: number, tag: number, bytes: Uint8Array, calls: Call[], timeouts: number[]): void {
    slot.queue.push({ kind, tag, bytes, calls });
    this.http2.congest(slot);
    if (timeouts.includes(DEADLINE_IN_HEADER)) readDeadlines(kind, tag, bytes, calls, timeouts);
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i]!;
      const timeoutMs = timeouts[i]!;
      if (!(timeoutMs > 0)) continue;
      call.timer = setTimeout(() => {
        if (!call.over) this.timedOut++;
        // Its frame still goes to the thread (with the others of its batch); the reply is then dropped.
        this.fail(call, new KitewireError(ErrorCode.TIMEOUT, `the server's threads stayed busy past the call's deadline (${timeoutMs} ms)`));
      }, timeoutMs);
    }
    if (!slot.pumping) void this.pump(slot);
  }

  /** Tells every thread the server is draining (replies then tell clients to reconnect elsewhere). */
  drain(): void {
    for (const s of this.slots) s?.worker.postMessage({ type: "drain" } satisfies ToThread);
  }

  /** Stops every thread (after the connections closed: no call is in flight). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map(async (s) => {
      if (s === undefined) return;
      s.requests.close();
      await s.worker.terminate();
    }));
  }

  private reader(protocol: PayloadProtocol): PayloadReader {
    let r = this.readers.get(protocol);
    if (r === undefined) this.readers.set(protocol, (r = payloadReader(protocol, this.server.engine)));
    return r;
  }

  /** The next running thread, round robin, preferring one whose ring is not backed up. */
  private pick(): Slot | undefined {
    let fallback: Slot | undefined;
    for (let n = 0; n < this.slots.length; n++) {
      const s = this.slots[this.next];
      this.next = (this.next + 1) % this.slots.length;
      if (s === undefined || !s.live) continue;
      if (s.queue.length === 0) return s;
      if (fallback === undefined || s.queue.length < fallback.queue.length) fallback = s;
    }
    return fallback;
  }

  private async pump(slot: Slot): Promise<void> {
    slot.pumping = true;
    try {
      while (slot.queue.length > 0 && slot.live) {
        const { kind, tag, bytes, calls } = slot.queue[0]!;
        // A lone frame whose call timed out meanwhile is dropped; a batch goes whole (it may tell of connections).
        if (kind === BATCH || calls.length === 0 || !calls[0]!.over) await slot.requests.write(kind, tag, bytes);
        else slot.calls.take(calls[0]!.id);
        slot.queue.shift();
        for (const call of calls) clearTimeout(call.timer);
      }
      if (slot.queue.length === 0) this.http2.flow(slot);
    } catch {
      // The ring closed: the thread died, and its exit answers what is queued.
    } finally {
      slot.pumping = false;
    }
  }

  /** Answers `call` with `error` (an exception reply in its transport) and ends it. */
  private fail(call: Call, error: KitewireError): void {
    if (call.over) return;
    call.over = true;
    clearTimeout(call.timer);
    try {
      this.server.writeError(call.info, call.transport, call.seqid, call.flags, error);
      call.resolve();
    } catch (e) {
      call.reject(e);
    }
  }

  /** Reads a ring message from `slot`'s thread: a batch of replies, or one. */
  private readonly receive = (slot: Slot) => {
    const settle = this.settle(slot);
    return (kind: number, tag: number, bytes: Uint8Array): void => (kind === BATCH ? forEachRecord(bytes, tag, settle) : settle(kind, tag, bytes));
  };

  private readonly settle = (slot: Slot) => (kind: number, tag: number, bytes: Uint8Array): void => {
    if (kind >= H2_WRITE) return kind === REJECTED ? this.server.rejected(...rejectionOf(bytes)) : this.http2.fromThread(kind, tag, bytes);
    const call = slot.calls.take(tag);
    if (call === undefined || call.over) return;
    call.over = true;
    if (kind === REPLY) {
      try {
        call.info.write(bytes);
      } catch (error) {
        return call.reject(error);
      }
      call.resolve();
    } else if (kind === DONE) {
      call.resolve();
    } else if (kind === FAIL) {
      call.reject(failureOf(bytes, slot.index));
    }
  };

  /** Starts thread `index` (again); resolves once it is serving. */
  private spawn(index: number): Promise<void> {
    if (entry === undefined) throw new KitewireError(ErrorCode.INVALID_STATE, "server threads need kitewire's Node entry");
    const ring = { slots: 256, slotBytes: 2048, spillBytes: this.ringBytes, blockBytes: 16 << 10 };
    const data: ServerThreadData = {
      kitewireServerThread: true, module: this.options.module, index, requests: createRing(ring), replies: createRing(ring),
      spinMicros: this.options.spinMicros ?? 0, http2: this.http2Options,
    };
    const worker = new Worker(new URL(entry), { workerData: data });
    const slot = new Slot(index, worker, new Ring(data.requests), new Ring(data.replies));
    this.slots[index] = slot;
    const logger = this.server.options.logger ?? getLogger();
    return new Promise<void>((resolve, reject) => {
      worker.on("message", (m: FromThread) => {
        if (m.type === "ready") {
          slot.live = true;
          resolve();
          slot.replies.consume(this.receive(slot), 256, this.options.spinMicros ?? 0).catch((error: unknown) => logger.error("server thread replies failed", { thread: index, error }));
        } else if (m.type === "failed") {
          reject(new KitewireError(ErrorCode.INVALID_STATE, `server thread ${index} could not start: ${m.message}`));
        }
      });
      worker.on("error", (error) => logger.error("server thread failed", { thread: index, error }));
      worker.once("exit", (code) => {
        const wasLive = slot.live;
        slot.live = false;
        reject(new KitewireError(ErrorCode.INVALID_STATE, `server thread ${index} exited (code ${code}) before serving`));
        slot.replies.read(this.receive(slot)); // replies it wrote before it died
        slot.requests.close();
        slot.replies.close();
        const error = new KitewireError(ErrorCode.CONNECTION, `the server thread serving this call exited (code ${code})`);
        // Every call handed to it (in its ring, in a batch not yet sent, or waiting for room) is in `calls`.
        for (const id of slot.calls.seqidList()) this.fail(slot.calls.take(id)!, error);
        slot.queue.length = 0;
        slot.batch.clear();
        slot.batchCalls.length = 0;
        slot.batchTimeouts.length = 0;
        const http2Connections = this.http2.exited(slot);
        if (this.closing || !wasLive) return;
        logger.error("server thread exited: replacing it", { thread: index, code, http2Connections });
        this.respawn(index);
      });
    });
  }

  /** Replaces a dead thread, retrying every second while the module cannot start. */
  private respawn(index: number): void {
    this.spawn(index).catch((error: unknown) => {
      if (this.closing) return;
      (this.server.options.logger ?? getLogger()).error("server thread could not be replaced: retrying in 1 s", { thread: index, error });
      setTimeout(() => this.closing || this.respawn(index), 1_000).unref();
    });
  }
}

/** What the threads need to serve the HTTP/2 connections pinned to them: listen's gRPC options (checked here), and `server`'s limits. */
function threadHttp2Options(server: Server, grpc: Partial<GrpcServerOptions>): ThreadHttp2Options {
  makeGrpcServerOptions(grpc); // what is wrong with them fails listen, not a thread
  const { compressions, ...rest } = grpc;
  const names = compressions?.map((c) => {
    if (BUILTIN_COMPRESSIONS.get(c.name) !== c) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `listen: with threads, gRPC compressions can only be kitewire's own (${[...BUILTIN_COMPRESSIONS.keys()].join(", ")}): ${c.name} cannot cross to the server threads`);
    }
    return c.name;
  });
  const o = server.options;
  return {
    grpc: { ...rest, ...(names !== undefined ? { compressions: names } : {}) },
    maxConcurrentStreams: o.maxInflightPerConnection, maxPartialFrameBytes: o.maxPartialFrameBytes, maxUnsentBytes: o.maxQueuedBytesPerConnection,
  };
}
