/**
 * Serves a Server on a shared-memory channel: each request frame read from the ring
 * (detected and cut as on a socket), each reply written to the other ring. A frame over
 * the server's maxFrameSize is refused by the decoder and closes the channel. While the
 * reply ring is full, replies wait in order (copied out of engine memory) and no request
 * is read; calls in flight are capped by the server's maxInflightPerConnection, so what
 * waits is bounded.
 */
import { BufferChain } from "../../buffer/chain.js";
import { ErrorCode, KitewireError } from "../../errors.js";
import { FrameDecoder } from "../../remote/frame-decoder.js";
import type { ConnectionInfo, Server } from "../../server/server.js";
import { FRAME, type ShmChannel } from "./channel.js";
import { nextTurn, Ring } from "./ring.js";

export interface ShmServing {
  /** Settles when the channel closed or failed (a malformed frame closes it: logged as on a socket). */
  readonly closed: Promise<void>;
  /** Graceful: stops reading requests, waits for the calls in flight (up to `timeoutMs`), then closes both rings. */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

export interface ShmServeOptions {
  /** How long the request ring's reader looks for frames before it waits to be woken (µs; Ring.ready). Default 0. */
  spinMicros?: number;
}

/** Serves `server` on `channel` (the server's side of it). */
export function serveShm(server: Server, channel: ShmChannel, options: ShmServeOptions = {}): ShmServing {
  const requests = new Ring(channel.requests);
  const replies = new Ring(channel.replies);
  const chain = new BufferChain(server.engine, 64 * 1024);
  const decoder = new FrameDecoder(server.engine, { maxFrameSize: server.options.maxFrameSize, maxDepth: server.options.maxDepth });
  const abort = new AbortController();
  const waiting: Uint8Array[] = [];
  let inflight = 0;
  let stopping = false;
  let wake: (() => void) | undefined;
  const resume = () => {
    const w = wake;
    wake = undefined;
    w?.();
  };

  const flush = async (): Promise<void> => {
    while (waiting.length > 0) {
      await replies.write(FRAME, 0, waiting[0]!);
      waiting.shift();
    }
    resume();
  };
  const info: ConnectionInfo = {
    peer: "shm",
    signal: abort.signal,
    write(reply) {
      if (waiting.length === 0 && replies.tryWrite(FRAME, 0, reply)) return;
      waiting.push(reply.slice());
      if (waiting.length === 1) flush().catch(fail);
    },
  };
  const settled = () => {
    inflight--;
    resume();
  };
  let failure: unknown;
  const fail = (error: unknown) => {
    failure ??= error;
    stopping = true;
    resume();
  };
  const serve = (_kind: number, _tag: number, bytes: Uint8Array) => {
    if (failure !== undefined) return;
    try {
      chain.append(bytes);
      const frame = decoder.next(chain);
      if (frame === null || chain.length !== 0) {
        throw new KitewireError(ErrorCode.MALFORMED_FRAME, `a ring message of ${bytes.length} bytes is not one whole frame`);
      }
      inflight++;
      const pending = server.handle(frame, info);
      if (pending === undefined) inflight--;
      else pending.then(settled, fail);
    } catch (error) {
      chain.skip(chain.length);
      fail(error);
    }
  };
  const canRead = () => !stopping && waiting.length === 0 && inflight < server.options.maxInflightPerConnection;

  const closed = (async () => {
    try {
      while (!stopping) {
        if (!canRead()) {
          await new Promise<void>((r) => (wake = r));
          continue;
        }
        const n = requests.read(serve, 64);
        if (n === 64) await nextTurn();
        else if (n === 0) {
          if (requests.closed) break;
          await requests.ready(options.spinMicros ?? 0);
        }
      }
      while (inflight > 0 && failure === undefined) await new Promise<void>((r) => (wake = r));
      if (waiting.length > 0 && failure === undefined) await flush();
    } finally {
      if (failure !== undefined) server.rejected("shm", failure, "malformed-frame");
      abort.abort();
      requests.close();
      replies.close();
      chain.release();
    }
  })();

  return {
    closed,
    async close(options = {}) {
      stopping = true;
      requests.close(); // wakes the reader; the client's next writes fail
      resume();
      let timer: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([closed, new Promise<void>((r) => (timer = setTimeout(r, options.timeoutMs ?? server.options.shutdownTimeoutMs)))]);
      clearTimeout(timer);
      if (inflight > 0) fail(new KitewireError(ErrorCode.SHUTTING_DOWN, "shutdown deadline passed"));
      await closed;
    },
  };
}
