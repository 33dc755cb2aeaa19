/**
 * What a client needs from the network: send one request frame, get its reply frame. The
 * Node adapter (client/node) implements it over pooled, multiplexed or short connections.
 */
import type { Frame } from "../remote/frame-decoder.js";

export interface OutgoingCall {
  /**
   * The whole request frame: a view into engine memory, valid only until `send` returns
   * (the next call reuses it), so `send` copies or writes it before returning.
   */
  bytes: Uint8Array;
  seqid: number;
  /** No reply will come: resolve once written. */
  oneway: boolean;
  /** When to give up (ms since the epoch). */
  deadline: number | undefined;
  signal: AbortSignal | undefined;
}

export interface ClientTransport {
  /**
   * Sends a request and resolves with its reply frame (the caller releases it), or null
   * when oneway. Takes what it needs of `call.bytes` before returning.
   */
  send(call: OutgoingCall): Promise<Frame | null>;
  /** Closes every connection; calls in flight fail with CONNECTION. */
  close(): Promise<void>;
}
