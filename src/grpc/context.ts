/**
 * What a gRPC handler sees of its call, beyond `CallContext`: the request's custom
 * metadata (binary `-bin` values included), and the response headers and trailers it may
 * set. Received text metadata is also the call's transient metainfo (`ctx.metadata`), and
 * Kitex's `rpc-transit-` / `rpc-persist-` / `rpc-backward-` keys carry metainfo as Kitex
 * sends it over HTTP/2.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { RpcContext } from "../rpc/context.js";
import type { GrpcMetadata } from "./headers.js";
import { DeadlineTimer } from "../rpc/deadline-timer.js";

const TRANSIT = "rpc-transit-";
const PERSIST = "rpc-persist-";
const BACKWARD = "rpc-backward-";

export class GrpcServerContext extends RpcContext {
  /** Custom metadata of the request. */
  requestMetadata: GrpcMetadata = {};
  /** Sent with the response headers (set before the first response message). */
  readonly responseHeaders: GrpcMetadata = {};
  /** Sent with the status, in the trailers. */
  readonly trailers: GrpcMetadata = {};
  /** Compress the responses (when the client accepts the server's compression). */
  compress = false;
  /** Whether the last request message received came compressed (the interop suite's `expect_compressed` checks it). */
  requestCompressed = false;
  private controller: AbortController | undefined;
  private timer: DeadlineTimer | undefined;
  /** Why the call was cancelled (by the client, the deadline, the connection), if it was. */
  private ended: KitewireError | undefined;
  private finished = false;

  /** Takes the request's metadata: all of it as `requestMetadata`, its text values as metainfo. */
  setRequestMetadata(metadata: GrpcMetadata): void {
    this.requestMetadata = metadata;
    for (const key in metadata) {
      const value = metadata[key]!;
      if (typeof value !== "string") continue;
      if (key.startsWith(PERSIST)) this.metainfo.persistent.set(key.slice(PERSIST.length), value);
      else if (key.startsWith(TRANSIT)) this.metainfo.transient.set(key.slice(TRANSIT.length), value);
      else this.metainfo.transient.set(key, value);
    }
  }

  /** The trailers to send: the handler's, and backward metainfo as `rpc-backward-` keys. */
  trailersToSend(): GrpcMetadata {
    if (!this.metainfo.hasBackward) return this.trailers;
    const out = { ...this.trailers };
    for (const [k, v] of this.metainfo.backward) out[BACKWARD + k.toLowerCase()] = v;
    return out;
  }

  protected override makeSignal(): AbortSignal {
    if (this.ended !== undefined) return AbortSignal.abort(this.ended);
    if (this.finished) return AbortSignal.abort(new KitewireError(ErrorCode.CANCELLED, "the call is over"));
    const controller = (this.controller = new AbortController());
    if (this.deadline !== undefined) {
      this.timer = new DeadlineTimer(this.deadline, () => this.cancel(new KitewireError(ErrorCode.TIMEOUT, "the caller's deadline passed")));
    }
    return controller.signal;
  }

  /** The call was given up (client cancel, deadline, connection closed): aborts the signal. */
  cancel(reason: KitewireError): void {
    if (this.ended !== undefined || this.finished) return;
    this.ended = reason;
    this.timer?.cancel();
    this.controller?.abort(reason);
  }

  /** The call is over: no timer left behind. */
  finish(): void {
    this.finished = true;
    this.timer?.cancel();
  }
}

/**
 * The metainfo of a client call as request headers: transient values as plain custom
 * metadata (what any gRPC peer reads), persistent ones under Kitex's `rpc-persist-`.
 */
export function metainfoHeaders(ctx: RpcContext, out: Record<string, string | string[]>): void {
  const m = ctx.metainfo;
  if (!m.hasForward) return;
  for (const [k, v] of m.transient) out[k.toLowerCase()] = v;
  for (const [k, v] of m.persistent) out[PERSIST + k.toLowerCase()] = v;
}

/** Reads backward metainfo from received trailers. */
export function readBackward(ctx: RpcContext, metadata: GrpcMetadata): void {
  for (const key in metadata) {
    const v = metadata[key];
    if (key.startsWith(BACKWARD) && typeof v === "string") ctx.metainfo.backward.set(key.slice(BACKWARD.length), v);
  }
}
