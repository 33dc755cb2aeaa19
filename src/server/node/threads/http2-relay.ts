/**
 * The socket thread's side of gRPC on `listen(server, { threads })`: each HTTP/2
 * connection is pinned to one server thread (the one with the fewest, round robin among
 * equals) when its preface is seen, and that thread runs it as one thread would
 * (http2-thread.ts); this side only relays its bytes, in the threads' batches both ways.
 * One connection's calls therefore all run on its thread: HTTP/2 and HPACK state are per
 * connection, and moving them per stream would put the protocol's work back on this thread
 * (README, "Every core", says what that costs).
 *
 * Bounded both ways:
 *  - bytes read: while a thread's ring is full and its batches wait here, the sockets pinned
 *    to it are paused (each holds at most the reads of one turn), resumed once they went;
 *  - bytes written: the thread counts what it sent and this side has not yet seen taken by
 *    the socket (credits, sent when the socket drains or every quarter of the limit); past
 *    the listener's maxQueuedBytesPerConnection the thread's connection holds back, as it
 *    would behind a full socket on one thread (its streams' writeTimeoutMs then applies).
 *
 * A thread that dies takes its connections with it: their sockets are closed (the clients
 * see the connection drop: kitewire's client fails the calls CONNECTION, grpc-js
 * UNAVAILABLE), the thread is replaced, the server goes on.
 */
import type { Socket } from "node:net";
import { ErrorCode, KitewireError } from "../../../errors.js";
import type { Server } from "../../server.js";
import { H2_BYTES, H2_CLOSED, H2_CREDIT, H2_END, H2_IDLE, H2_OPEN, H2_WRITE, toThread } from "./protocol.js";

/** The largest piece of bytes in one ring record, either way (so that every record fits a batch). */
export const RELAY_PIECE = 32 << 10;

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();

/** What the relay needs of the threads (pool.ts). */
export interface RelayThreads<S> {
  /** The threads, live or not (undefined while first starting). */
  readonly slots: readonly (S | undefined)[];
  isLive(slot: S): boolean;
  /** Adds a message to `slot`'s batch of this turn. */
  sendTo(slot: S, kind: number, tag: number, bytes: Uint8Array): void;
  /** A connection id, unique among those the threads know. */
  connectionId(): number;
}

/** One relayed connection. */
class Relayed<S> {
  /** Bytes written to the socket since the last credit. */
  unacked = 0;
  constructor(readonly id: number, readonly socket: Socket, readonly slot: S) {}
}

export class Http2Relay<S extends object> {
  private readonly byId = new Map<number, Relayed<S>>();
  private readonly bySlot = new Map<S, Set<Relayed<S>>>();
  /** Threads whose batches wait for room in their ring: their sockets are paused. */
  private readonly congested = new Set<S>();
  private next = 0;
  private readonly creditEvery: number;

  constructor(private readonly server: Server, private readonly threads: RelayThreads<S>) {
    this.creditEvery = Math.max(1, server.options.maxQueuedBytesPerConnection >>> 2);
  }

  /** Open HTTP/2 connections on each thread. */
  get counts(): number[] {
    return this.threads.slots.map((s) => (s === undefined ? 0 : this.bySlot.get(s)?.size ?? 0));
  }

  /** Pins the connection on `socket` (its preface unshifted, unread) to a thread and relays it. */
  accept(socket: Socket, peer: string): void {
    const slot = this.pick();
    if (slot === undefined) {
      this.server.rejected(peer, new KitewireError(ErrorCode.OVERLOADED, "no server thread is running to serve this HTTP/2 connection"), "internal-error");
      socket.destroy();
      return;
    }
    const r = new Relayed(this.threads.connectionId(), socket, slot);
    this.byId.set(r.id, r);
    let pinned = this.bySlot.get(slot);
    if (pinned === undefined) this.bySlot.set(slot, (pinned = new Set()));
    pinned.add(r);
    this.send(r, H2_OPEN, 0, encoder.encode(peer));
    // As on one thread: GOAWAY after the listener's idle timeout without a byte either way.
    socket.setTimeout(this.server.options.idleTimeoutMs, () => this.send(r, H2_IDLE, 0, EMPTY));
    socket.on("data", (chunk: Buffer) => {
      for (let at = 0; at < chunk.length; at += RELAY_PIECE) this.send(r, H2_BYTES, 0, chunk.subarray(at, at + RELAY_PIECE));
      if (this.congested.has(r.slot)) socket.pause();
    });
    socket.on("drain", () => this.credit(r));
    socket.on("error", () => undefined); // 'close' follows
    socket.once("close", () => {
      this.byId.delete(r.id);
      this.bySlot.get(r.slot)?.delete(r);
      if (this.threads.isLive(r.slot)) this.send(r, H2_CLOSED, 0, EMPTY);
    });
    if (!this.congested.has(slot)) socket.resume();
  }

  /** A message from a thread for a relayed connection (`tag` its id): H2_WRITE or H2_END. */
  fromThread(kind: number, tag: number, bytes: Uint8Array): void {
    const r = this.byId.get(tag);
    if (r === undefined) return; // closed meanwhile
    if (kind === H2_WRITE) {
      // A copy: `bytes` is the ring reader's, reused by the next message.
      const flowing = r.socket.write(bytes.slice());
      r.unacked += bytes.length;
      if (flowing && r.unacked >= this.creditEvery) this.credit(r);
    } else if (kind === H2_END) {
      r.socket.end();
      // A peer that never closes its side does not keep the socket: it goes after a second (as on one thread).
      setTimeout(() => r.socket.destroy(), 1000).unref();
    }
  }

  /** `slot`'s batches wait for room in its ring: stop reading its sockets. */
  congest(slot: S): void {
    if (this.congested.has(slot)) return;
    this.congested.add(slot);
    for (const r of this.bySlot.get(slot) ?? []) r.socket.pause();
  }

  /** `slot`'s ring took what waited: read its sockets again. */
  flow(slot: S): void {
    if (!this.congested.delete(slot)) return;
    for (const r of this.bySlot.get(slot) ?? []) r.socket.resume();
  }

  /** `slot`'s thread died, and with it its connections' HTTP/2 state: their sockets are closed. Returns how many. */
  exited(slot: S): number {
    this.congested.delete(slot);
    const pinned = this.bySlot.get(slot);
    this.bySlot.delete(slot);
    for (const r of pinned ?? []) {
      this.byId.delete(r.id);
      r.socket.destroy();
    }
    return pinned?.size ?? 0;
  }

  private credit(r: Relayed<S>): void {
    if (r.unacked === 0) return;
    this.send(r, H2_CREDIT, r.unacked, EMPTY);
    r.unacked = 0;
  }

  private send(r: Relayed<S>, type: number, tag: number, bytes: Uint8Array): void {
    if (this.threads.isLive(r.slot)) this.threads.sendTo(r.slot, toThread(type, r.id), tag, bytes);
  }

  /** The live thread with the fewest connections pinned to it, round robin among equals. */
  private pick(): S | undefined {
    const slots = this.threads.slots;
    let best: S | undefined;
    let fewest = Infinity;
    for (let n = 0; n < slots.length; n++) {
      const s = slots[(this.next + n) % slots.length];
      if (s === undefined || !this.threads.isLive(s)) continue;
      const count = this.bySlot.get(s)?.size ?? 0;
      if (count < fewest) (best = s), (fewest = count);
    }
    this.next = (this.next + 1) % slots.length;
    return best;
  }
}
