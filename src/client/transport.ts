/**
 * What a client needs from the network: send one request frame, get its reply frame. The
 * Node adapter (client/node) implements it over pooled, multiplexed or short connections.
 */
import type { Frame } from "../remote/frame-decoder.js";
import type { Transport } from "../remote/transport.js";

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
  /**
   * Connect timeout for a connection this call has to open (a config document's
   * `conn_timeout_ms`); a transport given its own `connectTimeoutMs` keeps that (as a Kitex
   * client's `WithConnectTimeout` locks it).
   */
  connectTimeoutMs?: number | undefined;
}

/**
 * The `details` of an error whose request was never sent (no connection could be made, or
 * the one chosen was closed before a byte was written): a retry policy may retry it whatever
 * the method (`requestNotSent`).
 */
export const NOT_SENT: Readonly<Record<string, unknown>> = Object.freeze({ sent: false });

export interface ClientTransport {
  /** Where calls go (`host:port`), when that is one fixed address: tracers report it. */
  readonly peer?: string;
  /**
   * Sends a request and resolves with its reply frame (the caller releases it), or null
   * when oneway. Takes what it needs of `call.bytes` before returning.
   */
  send(call: OutgoingCall): Promise<Frame | null>;
  /** Closes every connection; calls in flight fail with CONNECTION. */
  close(): Promise<void>;
  /**
   * Opens one connection now, ready for the next call (a probe of an instance that was
   * refusing connections). Rejects as a connect would.
   */
  warm?(): Promise<void>;
}

/** What a connector's transports tell the client about connecting (per instance). */
export interface ConnectEvents {
  /** A connection could not be made (refused, unreachable, connect timeout). */
  connectFailed(error: unknown): void;
  /** A connection was made. */
  connected(): void;
}

/**
 * Makes the transport of one instance of a discovered service: each instance gets its
 * own connections. kitewire for Node uses `nodeConnector()` unless told otherwise.
 */
export type Connector = (address: string, transport: Transport, events: ConnectEvents) => ClientTransport;

let defaultConnector: Connector | undefined;

/** The connector clients with a `target` use when given none (set by the runtime entry). */
export function getDefaultConnector(): Connector | undefined {
  return defaultConnector;
}

/** Sets the default connector (kitewire for Node sets `nodeConnector()`). */
export function setDefaultConnector(connector: Connector | undefined): void {
  defaultConnector = connector;
}
