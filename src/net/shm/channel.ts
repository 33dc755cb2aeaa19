/**
 * A shared-memory channel: two rings, requests one way and replies the other, carrying
 * whole frames of any framing the socket transports use (Framed, Buffered, TTHeader,
 * THeader, Kitex Protobuf). `shmTransport` (client) and `serveShm` (server) put a client
 * and a server in two threads on one channel, as a TCP connection would.
 */
import { createRing, type RingOptions } from "./ring.js";

/** The shared memory of a channel: post it to the other thread (postMessage clones SharedArrayBuffers by reference). */
export interface ShmChannel {
  readonly requests: SharedArrayBuffer;
  readonly replies: SharedArrayBuffer;
}

/** Makes a channel; both rings get `options` (RingOptions: slots, slot and pool sizes). */
export function createShmChannel(options: Partial<RingOptions> = {}): ShmChannel {
  return { requests: createRing(options), replies: createRing(options) };
}

/** Ring message kinds on a channel. */
export const FRAME = 1;
