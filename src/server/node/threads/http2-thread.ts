/**
 * A server thread's side of the HTTP/2 (gRPC) connections pinned to it (http2-relay.ts):
 * each runs here exactly as on one thread (grpc/node/server.ts: kitewire's HTTP/2 and its
 * limits, the thread's Server's services, middlewares, limits and tracer), on a transport
 * whose bytes the socket thread relays. What a connection writes goes to the socket thread
 * in this thread's reply batches; past `maxUnsentBytes` not yet taken by the socket (the
 * socket thread's credits say what was), the connection holds back its streams as a full
 * socket would make it, until the credits bring it below half.
 */
import { gzip } from "../../../grpc/node/gzip.js";
import { GrpcNodeServer } from "../../../grpc/node/server.js";
import type { GrpcServerOptions } from "../../../grpc/options.js";
import type { Http2Connection, Http2Transport } from "../../../net/http2/connection.js";
import { PartialFrameBudget } from "../../../net/node/budgets.js";
import type { Server } from "../../server.js";
import { RELAY_PIECE } from "./http2-relay.js";
import { H2_BYTES, H2_CLOSED, H2_CREDIT, H2_END, H2_IDLE, H2_OPEN, H2_WRITE, type ThreadHttp2Options } from "./protocol.js";

/** Compressions a threads listener offers, by name (they cross to the threads as names). */
export const BUILTIN_COMPRESSIONS = new Map([[gzip.name, gzip]]);

const EMPTY = new Uint8Array(0);
const textDecoder = new TextDecoder();

type Send = (kind: number, tag: number, bytes: Uint8Array) => void;

/** One relayed connection: the HTTP/2 connection's transport. */
class Relayed implements Http2Transport {
  connection!: Http2Connection;
  /** Bytes sent to the socket thread and not yet credited. */
  private unsent = 0;
  private holding = false;

  constructor(private readonly id: number, private readonly send: Send, private readonly maxUnsent: number) {}

  write(parts: Uint8Array[]): boolean {
    for (const part of parts) {
      for (let at = 0; at < part.length; at += RELAY_PIECE) this.send(H2_WRITE, this.id, part.subarray(at, at + RELAY_PIECE));
      this.unsent += part.length;
    }
    if (this.unsent > this.maxUnsent) this.holding = true;
    return !this.holding;
  }

  end(): void {
    this.send(H2_END, this.id, EMPTY);
  }

  credit(bytes: number): void {
    this.unsent -= bytes;
    if (this.holding && this.unsent <= this.maxUnsent / 2) {
      this.holding = false;
      this.connection.transportDrained();
    }
  }
}

export class ThreadHttp2 {
  private grpc: GrpcNodeServer | undefined;
  private readonly relayed = new Map<number, Relayed>();

  constructor(private readonly server: Server, private readonly options: ThreadHttp2Options, private readonly send: Send) {}

  /** A message from the socket thread about connection `id` (its kind's type, H2_OPEN..H2_IDLE). */
  receive(type: number, id: number, tag: number, bytes: Uint8Array): void {
    if (type === H2_OPEN) {
      const r = new Relayed(id, this.send, this.options.maxUnsentBytes);
      this.relayed.set(id, r);
      r.connection = this.side().serve(r, textDecoder.decode(bytes));
      return;
    }
    const r = this.relayed.get(id);
    if (r === undefined) return;
    if (type === H2_BYTES) {
      r.connection.receive(bytes.slice()); // a copy: streams keep views of what they are given
    } else if (type === H2_CREDIT) {
      r.credit(tag);
    } else if (type === H2_IDLE) {
      r.connection.shutdown();
    } else if (type === H2_CLOSED) {
      this.relayed.delete(id);
      r.connection.transportClosed();
    }
  }

  /** Graceful shutdown (the Server is draining): GOAWAY on every connection (calls in flight finish), and on each new one. */
  drain(): void {
    this.grpc?.shutdown();
  }

  /** The thread's gRPC side, made on its first connection. */
  private side(): GrpcNodeServer {
    if (this.grpc === undefined) {
      const o = this.options;
      const { compressions, ...rest } = o.grpc;
      const grpc: Partial<GrpcServerOptions> = compressions === undefined ? rest
        : { ...rest, compressions: compressions.map((name) => BUILTIN_COMPRESSIONS.get(name)!) };
      this.grpc = new GrpcNodeServer(this.server, grpc, new PartialFrameBudget(o.maxPartialFrameBytes), o.maxConcurrentStreams);
      if (this.server.draining) this.grpc.shutdown();
    }
    return this.grpc;
  }
}
