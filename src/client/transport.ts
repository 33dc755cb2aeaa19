/**
 * What a client needs from the network: send one request frame, get its reply frame. The
 * Node adapter (client/node) implements it over pooled, multiplexed or short connections.
 */
import type { Frame } from "../remote/frame-decoder.js";

export interface OutgoingCall {
  /** The whole request frame. */
  bytes: Uint8Array;
  seqid: number;
  /** No reply will come: resolve once written. */
  oneway: boolean;
  /** When to give up (ms since the epoch). */
  deadline?: number;
  signal?: AbortSignal;
}

export interface ClientTransport {
  /** Sends a request and resolves with its reply frame (the caller releases it), or null when oneway. */
  send(call: OutgoingCall): Promise<Frame | null>;
  /** Closes every connection; calls in flight fail with CONNECTION. */
  close(): Promise<void>;
}
