/**
 * A client transport over a shared-memory channel (the client's side of it): requests
 * written to one ring as whole frames, replies cut from the other and matched to their
 * calls by sequence id, as on a multiplexed connection. Runtime-agnostic.
 */
import { BufferChain } from "../../buffer/chain.js";
import { PendingReplies, seqidInFlight } from "../../client/pending-replies.js";
import type { ClientTransport, OutgoingCall } from "../../client/transport.js";
import { ErrorCode, KitewireError } from "../../errors.js";
import { FrameDecoder, type Frame } from "../../remote/frame-decoder.js";
import { frameSeqid, payloadReader } from "../../remote/payload.js";
import type { Transport } from "../../remote/transport.js";
import type { Engine } from "../../wasm/engine.js";
import { getEngine } from "../../wasm/load.js";
import { FRAME, type ShmChannel } from "./channel.js";
import { Ring } from "./ring.js";

export interface ShmTransportOptions {
  channel: ShmChannel;
  /** Must match the client's `transport`. */
  transport: Transport;
  /** Largest reply accepted (default 16 MiB). */
  maxFrameSize?: number;
  engine?: Engine;
  /** How long the reply ring's reader looks for frames before it waits to be woken (µs; Ring.ready). Default 0. */
  spinMicros?: number;
}

/** A client transport over `channel`. */
export function shmTransport(options: ShmTransportOptions): ClientTransport {
  return new ShmClientTransport(options);
}

class ShmClientTransport implements ClientTransport {
  readonly peer = "shm";
  private readonly requests: Ring;
  private readonly replies: Ring;
  private readonly pending = new PendingReplies();
  private readonly chain: BufferChain;
  private readonly decoder: FrameDecoder;
  private readonly reader;
  private closed = false;
  private readonly reading: Promise<void>;
  /** Requests waiting for room in the ring, in order. */
  private readonly queue: { bytes: Uint8Array; deadline: number | undefined; resolve(): void; reject(error: unknown): void }[] = [];

  constructor(options: ShmTransportOptions) {
    const engine = options.engine ?? getEngine();
    this.requests = new Ring(options.channel.requests);
    this.replies = new Ring(options.channel.replies);
    this.chain = new BufferChain(engine, 64 * 1024);
    this.decoder = new FrameDecoder(engine, { maxFrameSize: options.maxFrameSize ?? 16 << 20, transport: options.transport });
    this.reader = payloadReader(options.transport.protocol, engine);
    this.reading = this.replies.consume(this.receive, 256, options.spinMicros ?? 0).then(
      () => this.failAll(new KitewireError(ErrorCode.CONNECTION, "the shared-memory channel closed")),
      (error: unknown) => this.failAll(error));
  }

  send(call: OutgoingCall): Promise<Frame | null> {
    if (this.closed || this.requests.closed) return Promise.reject(new KitewireError(ErrorCode.CONNECTION, "the shared-memory channel is closed"));
    if (call.oneway) {
      try {
        if (this.queue.length === 0 && this.requests.tryWrite(FRAME, 0, call.bytes)) return Promise.resolve(null);
      } catch (error) {
        return Promise.reject(error);
      }
      return this.enqueue(call.bytes.slice(), call.deadline).then(() => null);
    }
    const { seqid } = call;
    // Registered before anything is written: a seqid already in flight is refused unsent.
    const reply = this.pending.expect(seqid, call.deadline, call.signal);
    if (reply === null) return seqidInFlight(seqid);
    try {
      if (this.queue.length === 0 && this.requests.tryWrite(FRAME, 0, call.bytes)) return reply;
      // A full ring: the request waits (a copy of it) for room, in order, up to the call's deadline.
      this.enqueue(call.bytes.slice(), call.deadline).catch((error: unknown) => this.pending.fail(seqid, error));
    } catch (error) {
      this.pending.fail(seqid, error); // a frame over the ring's limit, or the ring closed: never written
    }
    return reply;
  }

  /** Writes `bytes` once the requests before it are written and there is room. */
  private enqueue(bytes: Uint8Array, deadline: number | undefined): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ bytes, deadline, resolve, reject });
      if (this.queue.length === 1) void this.pump();
    });
  }

  /** One writer for every request waiting for room (rather than each waiting on the ring). */
  private async pump(): Promise<void> {
    while (this.queue.length > 0) {
      const next = this.queue[0]!;
      try {
        if (next.deadline === undefined || next.deadline > Date.now()) {
          await this.requests.write(FRAME, 0, next.bytes, next.deadline);
          next.resolve();
        } else {
          next.reject(new KitewireError(ErrorCode.TIMEOUT, "the shared-memory channel stayed full past the deadline"));
        }
      } catch (error) {
        next.reject(error);
      }
      this.queue.shift();
    }
  }

  private readonly receive = (_kind: number, _tag: number, bytes: Uint8Array): void => {
    const chain = this.chain;
    chain.append(bytes);
    const frame = this.decoder.next(chain);
    if (frame === null || chain.length !== 0) {
      chain.skip(chain.length);
      frame?.bytes.release();
      throw new KitewireError(ErrorCode.MALFORMED_FRAME, `a reply of ${bytes.length} bytes on the shared-memory channel is not one whole frame`);
    }
    if (!this.pending.settle(frameSeqid(frame, this.reader), frame)) frame.bytes.release(); // a late reply to a call that gave up
  };

  private failAll(error: unknown): void {
    this.closed = true;
    this.pending.failAll(error);
  }

  /** Closes the channel (both rings); calls in flight fail with CONNECTION. */
  async close(): Promise<void> {
    this.closed = true;
    this.requests.close();
    this.replies.close();
    await this.reading;
    this.chain.release();
  }
}

