/**
 * A server thread of `listen(server, { threads })`: loads the service module, makes its
 * own Server (its own engine, handlers, middlewares, limits), and serves the request
 * frames the socket thread puts in its ring, each reply going back tagged with its call
 * id. Replies that find the ring full wait in order (copied), bounded by the calls in
 * flight, which the socket thread's connections bound.
 */
import { parentPort } from "node:worker_threads";
import { BufferChain } from "../../../buffer/chain.js";
import { ErrorCode, KitewireError } from "../../../errors.js";
import { nextTurn, Ring } from "../../../net/shm/ring.js";
import { FrameDecoder } from "../../../remote/frame-decoder.js";
import type { Engine } from "../../../wasm/engine.js";
import { Server, type ConnectionInfo } from "../../server.js";
import { CLOSE, DONE, FAIL, OPEN, REPLY, type FromThread, type ServerThreadData, type ToThread } from "./protocol.js";

const encoder = new TextEncoder();
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
    if (message.type === "drain") server.draining = true;
  });
  const requests = new Ring(data.requests);
  const replies = new Ring(data.replies);
  const chain = new BufferChain(server.engine, 64 * 1024);
  const decoders = new Map<number, FrameDecoder>();
  const o = server.options;
  /** Replies waiting for room in the ring (copies), in order. */
  const waiting: { kind: number; tag: number; bytes: Uint8Array }[] = [];

  const flush = async () => {
    while (waiting.length > 0) {
      const m = waiting[0]!;
      await replies.write(m.kind, m.tag, m.bytes);
      waiting.shift();
    }
  };
  const send = (kind: number, tag: number, bytes: Uint8Array) => {
    try {
      if (waiting.length === 0 && replies.tryWrite(kind, tag, bytes)) return;
    } catch (error) {
      if (kind === FAIL) throw error;
      return send(FAIL, tag, encoder.encode((error as Error).message)); // a reply over the ring's limit
    }
    waiting.push({ kind, tag, bytes: bytes.slice() });
    if (waiting.length === 1) void flush().catch(() => undefined); // the ring closed: the socket thread is gone
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
    readonly done = (): void => {
      if (!this.replied) send(DONE, this.tag, EMPTY);
    };
    readonly fail = (error: unknown): void => send(FAIL, this.tag, encoder.encode(error instanceof Error ? error.message : String(error)));
  }

  const serve = (kind: number, tag: number, bytes: Uint8Array) => {
    const type = kind & 63;
    const id = kind >>> 6;
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
      else pending.then(call.done, call.fail);
    } catch (error) {
      chain.skip(chain.length);
      call.fail(error);
    }
  };
  post({ type: "ready" });
  for (;;) {
    while (requests.read(serve, 256) === 256) await nextTurn();
    if (requests.closed) break;
    await requests.ready(data.spinMicros);
  }
}

const EMPTY = new Uint8Array(0);
