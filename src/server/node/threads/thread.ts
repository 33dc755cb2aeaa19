/**
 * A server thread of `listen(server, { threads })`: loads the service module, makes its
 * own Server (its own engine, handlers, middlewares, limits), and serves the request
 * frames the socket thread puts in its ring (in batches, batch.ts), each reply going back
 * tagged with its call id. Replies are gathered into a batch too: those made while
 * serving one batch of requests leave as one ring message when it is done, later ones
 * (async handlers) at the end of their turn. Replies that find the ring full wait in
 * order (copied), bounded by the calls in flight, which the socket thread's connections bound.
 * The HTTP/2 (gRPC) connections pinned to the thread run here whole (http2-thread.ts).
 */
import { parentPort } from "node:worker_threads";
import { BufferChain } from "../../../buffer/chain.js";
import { ErrorCode, KitewireError } from "../../../errors.js";
import { nextTurn, Ring } from "../../../net/shm/ring.js";
import { FrameDecoder } from "../../../remote/frame-decoder.js";
import type { Engine } from "../../../wasm/engine.js";
import { Server, type ConnectionInfo } from "../../server.js";
import { BATCH, BatchWriter, forEachRecord } from "./batch.js";
import { ThreadHttp2 } from "./http2-thread.js";
import {
  CLOSE, DONE, FAIL, H2_IDLE, H2_OPEN, OPEN, REJECTED, REPLY, failureBytes, rejectionBytes, type FromThread, type ServerThreadData, type ToThread,
} from "./protocol.js";

const textDecoder = new TextDecoder();

/** Runs a server thread (called by the Node entry in a worker started by the pool). */
export async function runServerThread(data: ServerThreadData, init: () => Promise<Engine>): Promise<void> {
  const port = parentPort!;
  const post = (message: FromThread) => port.postMessage(message);
  let server: Server;
  try {
    const engine = await init();
    const factory: unknown = ((await import(data.module)) as { default?: unknown }).default;
    const made: unknown = typeof factory === "function" ? await (factory as () => unknown)() : factory;
    if (!(made instanceof Server)) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `server module ${data.module}: its default export must be a function returning a Server (got ${typeof made})`);
    }
    if (made.engine !== engine) throw new KitewireError(ErrorCode.INVALID_STATE, `server module ${data.module} uses another copy of kitewire than the server thread`);
    server = made;
  } catch (error) {
    post({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    return;
  }
  port.on("message", (message: ToThread) => {
    if (message.type === "drain") {
      server.draining = true;
      http2.drain();
    }
  });
  const requests = new Ring(data.requests);
  const replies = new Ring(data.replies);
  const chain = new BufferChain(server.engine, 64 * 1024);
  const decoders = new Map<number, FrameDecoder>();
  const o = server.options;
  /** Ring messages waiting for room in the ring (copies), in order. */
  const waiting: { kind: number; tag: number; bytes: Uint8Array }[] = [];
  const batch = new BatchWriter(BATCH_BYTES);
  let flushScheduled = false;

  const drain = async () => {
    while (waiting.length > 0) {
      const m = waiting[0]!;
      await replies.write(m.kind, m.tag, m.bytes);
      waiting.shift();
    }
  };
  /** Writes one ring message now if nothing waits before it and there is room; otherwise queues it (`bytes` are then the queue's). */
  const write = (kind: number, tag: number, bytes: Uint8Array, copy: boolean) => {
    if (waiting.length === 0 && replies.tryWrite(kind, tag, bytes, true)) return;
    waiting.push({ kind, tag, bytes: copy ? bytes.slice() : bytes });
    if (waiting.length === 1) void drain().catch(() => undefined); // the ring closed: the socket thread is gone
  };
  /** The batch of replies to the ring. */
  const flush = () => {
    flushScheduled = false;
    if (batch.count === 0) return;
    try {
      if (waiting.length === 0 && replies.tryWrite(BATCH, batch.count, batch.bytes(), true)) batch.clear();
      else write(BATCH, batch.count, batch.detach(), false);
    } catch {
      batch.clear(); // the ring closed: the socket thread is gone, and with it whom the replies were for
    }
  };
  const send = (kind: number, tag: number, bytes: Uint8Array) => {
    if (!batch.accepts(bytes.length)) {
      // Too large for a batch: on its own, after the batch.
      flush();
      try {
        write(kind, tag, bytes, true);
      } catch (error) {
        if (kind === FAIL) throw error;
        send(FAIL, tag, failureBytes(error)); // a reply over the ring's limit
      }
      return;
    }
    if (!batch.fits(bytes.length)) flush();
    batch.add(kind, tag, bytes);
    if (!flushScheduled) {
      flushScheduled = true;
      setImmediate(flush);
    }
  };

  const http2 = new ThreadHttp2(server, data.http2, send);
  // Rejections are logged on the socket thread, by the listener's Server (its logger, its rate
  // limit, its tracer), as on one thread. Dropped while replies wait for room: the socket
  // thread is behind, and would only count them as suppressed.
  server.rejected = (peer, error, reason, offset) => {
    if (waiting.length === 0) send(REJECTED, 0, rejectionBytes(peer, error, reason, offset));
  };

  /** The connections calls come from (the socket thread says when each opens and closes). */
  class Connection {
    readonly abort = new AbortController();
    constructor(readonly peer: string) {}
  }
  const connections = new Map<number, Connection>();
  const unknown = new Connection("");

  class Call implements ConnectionInfo {
    replied = false;
    readonly peer: string | undefined;
    readonly signal: AbortSignal;
    constructor(readonly tag: number, connection: Connection) {
      this.peer = connection.peer === "" ? undefined : connection.peer;
      this.signal = connection.abort.signal;
    }
    write(reply: Uint8Array): void {
      this.replied = true;
      send(REPLY, this.tag, reply);
    }
    done(): void {
      if (!this.replied) send(DONE, this.tag, EMPTY);
    }
    fail(error: unknown): void {
      send(FAIL, this.tag, failureBytes(error));
    }
  }

  /** A ring message: a batch of requests and news of connections (the replies made serving it then leave together), or one. */
  const receive = (kind: number, tag: number, bytes: Uint8Array) => {
    if (kind !== BATCH) return serve(kind, tag, bytes);
    forEachRecord(bytes, tag, serve);
    flush();
  };

  const serve = (kind: number, tag: number, bytes: Uint8Array) => {
    const type = kind & 63;
    const id = kind >>> 6;
    if (type >= H2_OPEN && type <= H2_IDLE) return http2.receive(type, id, tag, bytes);
    if (type === OPEN) {
      connections.set(id, new Connection(textDecoder.decode(bytes)));
      return;
    }
    if (type === CLOSE) {
      connections.get(id)?.abort.abort();
      connections.delete(id);
      return;
    }
    const call = new Call(tag, connections.get(id) ?? unknown);
    try {
      let decoder = decoders.get(type);
      if (decoder === undefined) {
        // One decoder per transport: it detects the transport on its first frame, as the socket thread did.
        decoder = new FrameDecoder(server.engine, { maxFrameSize: o.maxFrameSize, maxDepth: o.maxDepth });
        decoders.set(type, decoder);
      }
      chain.append(bytes);
      const frame = decoder.next(chain);
      if (frame === null || chain.length !== 0) {
        frame?.bytes.release();
        throw new KitewireError(ErrorCode.MALFORMED_FRAME, `a ring message of ${bytes.length} bytes is not one whole frame`);
      }
      const pending = server.handle(frame, call);
      if (pending === undefined) call.done();
      else pending.then(() => call.done(), (error: unknown) => call.fail(error));
    } catch (error) {
      chain.skip(chain.length);
      call.fail(error);
    }
  };
  post({ type: "ready" });
  for (;;) {
    while (requests.read(receive, 256) === 256) {
      flush();
      await nextTurn();
    }
    flush(); // replies to lone messages
    if (requests.closed) break;
    await requests.ready(data.spinMicros);
  }
}

const EMPTY = new Uint8Array(0);
/** Bytes of a batch of replies (a larger reply goes on its own). */
const BATCH_BYTES = 64 << 10;
