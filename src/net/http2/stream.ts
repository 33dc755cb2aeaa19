/**
 * One HTTP/2 stream of an `Http2Connection`, as its user sees it: headers, data and
 * trailers out (`respond`/`request`, `write`, `end`), data in through its handler, with
 * flow control both ways — `write` says false once the peer's window is used up (wait for
 * `onDrain`), and `pause` stops returning window to the peer, so it stops sending.
 */
import type { Http2Connection } from "./connection.js";
import type { HeaderMap } from "./hpack.js";

/** What a stream tells its user. Called synchronously from the connection's input. */
export interface Http2StreamHandler {
  /** Response headers or trailers (`endStream`: the peer is done sending). */
  onHeaders(stream: Http2Stream, headers: HeaderMap, endStream: boolean): void;
  /** Data, a view valid until the handler returns (copy what is kept). */
  onData(stream: Http2Stream, bytes: Uint8Array): void;
  /** The peer ended its side (END_STREAM). */
  onEnd(stream: Http2Stream): void;
  /** The stream is over: `code` is NO_ERROR after a clean end both ways, else the RST_STREAM or connection error code. */
  onClose(stream: Http2Stream, code: number): void;
  /** What `write` held back has been sent. */
  onDrain(stream: Http2Stream): void;
}

/** Outgoing headers: values as latin1 strings (or several for a repeated name). */
export type OutgoingHeaders = Readonly<Record<string, string | readonly string[]>>;

export class Http2Stream {
  handler!: Http2StreamHandler;
  /** What the user hangs on the stream (a call). */
  owner: unknown;
  /** Bytes the peer lets this side send. */
  sendWindow: number;
  /** Bytes the peer may still send before this side returns window. */
  recvWindow: number;
  /** Bytes read and delivered but not yet returned to the peer. */
  recvUnacked = 0;
  headersSent = false;
  localEnded = false;
  remoteEnded = false;
  closed = false;
  /** RST_STREAM code that closed it, when one did. */
  resetCode: number | undefined;
  paused = false;
  /** Data held while paused (views of received chunks), then the end if it came. */
  held: Uint8Array[] | undefined;
  heldBytes = 0;
  heldEnd = false;
  /** Data waiting for window, and what ends the stream after it. */
  readonly pending: Uint8Array[] = [];
  pendingHead = 0;
  pendingOffset = 0;
  pendingBytes = 0;
  pendingEnd: OutgoingHeaders | true | undefined;
  /** Client: the request headers, while the stream waits for the peer's concurrency limit. */
  queued: [OutgoingHeaders, boolean] | undefined;
  /** Whether the user waits for `onDrain`. */
  needDrain = false;

  constructor(readonly connection: Http2Connection, readonly id: number, sendWindow: number, recvWindow: number) {
    this.sendWindow = sendWindow;
    this.recvWindow = recvWindow;
  }

  /** Sends the response headers (server) — `endStream` makes them trailers-only. */
  respond(headers: OutgoingHeaders, endStream = false): void {
    this.connection.sendHeaders(this, headers, endStream);
  }

  /** Queues `bytes` (kept by reference until sent); false when they wait for the peer's window: wait for `onDrain`. */
  write(bytes: Uint8Array): boolean {
    return this.connection.sendData(this, bytes);
  }

  /** Ends this side, after what is queued: with trailers, or an empty END_STREAM DATA frame. */
  end(trailers?: OutgoingHeaders): void {
    this.connection.endStream(this, trailers ?? true);
  }

  /** Resets the stream (RST_STREAM `code`, default CANCEL). */
  reset(code = 0x8): void {
    this.connection.resetStream(this, code, true);
  }

  /** Stops delivering data and returning window, so the peer stops once the window is used. */
  pause(): void {
    this.paused = true;
  }

  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.connection.resumeStream(this);
  }
}
