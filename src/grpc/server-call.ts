/**
 * One call served by a kitewire server's gRPC side, on one HTTP/2 stream (src/net/http2):
 * headers checked (path, content type, `grpc-timeout`, encodings, metadata), request
 * messages cut, inflated within the limit and decoded, the handler run in the server's
 * chain, responses written as fast as the client reads them (the stream's window), and
 * the status sent (in trailers, or trailers-only when nothing else was sent).
 *
 * The stream's handler is one shared object (the call hangs off `stream.owner`), so a call
 * costs its stream, this object and its context. Runtime-free: the socket is the adapter's.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { H2Error } from "../net/http2/constants.js";
import type { HeaderMap } from "../net/http2/hpack.js";
import type { Http2Stream, Http2StreamHandler } from "../net/http2/stream.js";
import type { PartialFrameBudget, PartialFrameHolder } from "../net/node/budgets.js";
import { failureOf } from "../observability/tracer.js";
import type { Server } from "../server/server.js";
import type { GrpcCodec } from "./codec.js";
import { GrpcServerContext } from "./context.js";
import { addMetadata, encodeBase64, encodeGrpcMessage, metadataOf, parseTimeout } from "./headers.js";
import { MessageDeframer, type GrpcCompression, type HoldBudget } from "./message.js";
import type { GrpcServerOptions } from "./options.js";
import { MessageQueue } from "./queue.js";
import type { GrpcRoute } from "./routes.js";
import { grpcDetailsOf, grpcError, GrpcStatus, statusOf } from "./status.js";
import { DeadlineTimer } from "../rpc/deadline-timer.js";

/** What a call needs of the gRPC server that serves it. */
export interface GrpcServerSide {
  readonly server: Server;
  readonly options: Readonly<GrpcServerOptions>;
  readonly codec: GrpcCodec;
  /** `grpc-accept-encoding` of responses. */
  readonly acceptEncoding: string;
  /** The budget of bytes in partial messages, shared with the listener's Thrift connections. */
  readonly partial?: PartialFrameBudget | undefined;
  routes(): Map<string, GrpcRoute>;
}

/** Serves the stream the peer just opened with `headers`. */
export function serveStream(side: GrpcServerSide, peer: string, stream: Http2Stream, headers: HeaderMap): void {
  const call = new ServerCall(side, stream, peer);
  stream.owner = call;
  stream.handler = HANDLER;
  call.begin(headers);
}

const HANDLER: Http2StreamHandler = {
  onHeaders() {
    // Trailers from a client carry nothing gRPC uses; the end of the stream follows.
  },
  onData(stream, bytes) {
    (stream.owner as ServerCall).data(bytes);
  },
  onEnd(stream) {
    (stream.owner as ServerCall).end();
  },
  onClose(stream) {
    (stream.owner as ServerCall).closed();
  },
  onDrain(stream) {
    (stream.owner as ServerCall).drain();
  },
};

class ServerCall implements HoldBudget, PartialFrameHolder {
  /** Bytes of a partial request message held, as charged to the listener's budget. */
  held = 0;
  private route: GrpcRoute | undefined;
  private ctx!: GrpcServerContext;
  private deframer: MessageDeframer | undefined;
  private requests: MessageQueue<unknown> | undefined;
  private request: unknown;
  private count = 0;
  private responded = false;
  private done = false;
  private admitted: string | undefined;
  private requestCompression: GrpcCompression | undefined;
  private responseCompression: GrpcCompression | undefined;
  private deadlineTimer: DeadlineTimer | undefined;
  private drained: (() => void) | undefined;
  /** Trailers added to the status (grpc-accept-encoding of an unsupported encoding). */
  private trailers: Record<string, string> | undefined;

  constructor(private readonly owner: GrpcServerSide, private readonly stream: Http2Stream, private readonly peer: string) {}

  begin(headers: HeaderMap): void {
    const owner = this.owner;
    const path = String(headers[":path"] ?? "");
    const route = (this.route = owner.routes().get(path));
    const slash = path.lastIndexOf("/");
    const ctx = (this.ctx = new GrpcServerContext(route?.service ?? path.slice(1, Math.max(1, slash)), route?.name ?? path.slice(slash + 1)));
    ctx.peer = this.peer;
    const type = headers["content-type"]?.toString();
    if (headers[":method"] !== "POST" || type === undefined || !type.startsWith("application/grpc")) {
      const error = new KitewireError(ErrorCode.MALFORMED_FRAME, `not a gRPC request: ${headers[":method"]} ${path} with content-type ${type}`);
      this.rejected(error, "not-grpc");
      this.done = true;
      this.stream.respond({ ":status": headers[":method"] !== "POST" ? "405" : "415" }, true);
      return;
    }
    const tracer = owner.server.options.tracer;
    tracer?.start?.(ctx);
    if (route === undefined) {
      const error = grpcError(GrpcStatus.UNIMPLEMENTED, `unknown method ${path}`);
      this.rejected(error, "unimplemented");
      return this.fail(error);
    }
    const subtype = type.length > 16 ? type.slice(16).split(";")[0]!.trim() : "";
    if (subtype !== "" && subtype !== (route.contentType === "application/grpc" ? "+proto" : "+thrift")) {
      const error = grpcError(GrpcStatus.UNIMPLEMENTED, `${path} is served as ${route.contentType === "application/grpc" ? "application/grpc+proto" : route.contentType}, not ${type}`);
      this.rejected(error, "content-type");
      return this.fail(error);
    }
    const timeout = headers["grpc-timeout"];
    if (timeout !== undefined) {
      try {
        ctx.deadline = Date.now() + parseTimeout(String(timeout));
      } catch (error) {
        this.rejected(error, "bad-timeout");
        return this.fail(grpcError(GrpcStatus.INTERNAL, (error as Error).message));
      }
    }
    const encoding = headers["grpc-encoding"];
    if (encoding !== undefined && encoding !== "identity") {
      this.requestCompression = owner.options.compressions.find((c) => c.name === encoding);
      if (this.requestCompression === undefined) {
        this.trailers = { "grpc-accept-encoding": owner.acceptEncoding };
        return this.fail(grpcError(GrpcStatus.UNIMPLEMENTED, `grpc-encoding ${encoding} is not supported (${owner.acceptEncoding} are)`));
      }
    }
    const accepted = headers["grpc-accept-encoding"]?.toString();
    if (accepted !== undefined) {
      this.responseCompression = owner.options.compressions.find((c) => accepted.split(",").some((a) => a.trim() === c.name));
    }
    let metadata;
    try {
      metadata = metadataOf(headers);
    } catch (error) {
      this.rejected(error, "bad-metadata");
      return this.fail(grpcError(GrpcStatus.INTERNAL, (error as Error).message));
    }
    ctx.setRequestMetadata(metadata);
    const limits = owner.server.limits;
    if (limits !== undefined) {
      const refused = limits.admit(route.name);
      if (refused !== undefined) return this.fail(refused);
      this.admitted = route.name;
    }
    if (ctx.deadline !== undefined) {
      this.deadlineTimer = new DeadlineTimer(ctx.deadline, () => this.expire());
    }
    this.deframer = new MessageDeframer(owner.options.maxReceiveMessageBytes, this, owner.partial === undefined ? undefined : this);
    const stream = this.stream;
    if (route.clientStreaming) {
      this.requests = new MessageQueue({
        highWater: owner.options.queuedMessages, receiveTimeoutMs: owner.options.receiveTimeoutMs,
        pause: () => stream.pause(), resume: () => stream.resume(),
        cancel: (reason) => this.fail(grpcError(GrpcStatus.DEADLINE_EXCEEDED, reason.message)),
        // A handler done with the requests may still answer: the rest are read and dropped.
        stopped: () => undefined,
        describe: `${route.path} requests`,
      });
      this.run(this.requests);
    }
  }

  data(chunk: Uint8Array): void {
    if (this.done) return;
    this.owner.server.options.tracer?.io?.(this.ctx, "read", chunk.length);
    try {
      this.deframer!.push(chunk);
    } catch (error) {
      this.malformed(error);
    }
  }

  /** One whole request message (a view valid during this call). */
  take(bytes: number): boolean {
    return this.owner.partial!.grow(this, bytes);
  }

  free(): void {
    if (this.held > 0) this.owner.partial!.release(this);
  }

  /** The budget needs this stream's bytes back: the stream is reset. */
  evict(): void {
    const error = new KitewireError(ErrorCode.OVERLOADED, `partial messages over the server's budget of ${this.owner.partial!.limit} bytes: the largest holder is reset`);
    this.rejected(error, "partial-frame-budget");
    this.abandon(error);
    this.stream.reset(H2Error.CANCEL);
  }

  /** One whole message (the deframer's sink; a view valid during this call). */
  message(bytes: Uint8Array, compressed: boolean): void {
    const route = this.route!;
    this.ctx.requestCompressed = compressed;
    if (compressed) {
      if (this.requestCompression === undefined) throw grpcError(GrpcStatus.INTERNAL, "a compressed message without grpc-encoding");
      bytes = this.requestCompression.decompress(bytes, this.owner.options.maxReceiveMessageBytes);
    }
    let value: unknown;
    try {
      value = route.decode(this.owner.codec, bytes);
    } catch (error) {
      throw grpcError(GrpcStatus.INTERNAL, `bad request message: ${(error as Error).message}`, { cause: error });
    }
    if (this.requests !== undefined) return this.requests.push(value);
    if (++this.count > 1) throw grpcError(GrpcStatus.UNIMPLEMENTED, `${route.path} takes one request message, got more`);
    this.request = value;
  }

  /** A request the client got wrong: the stream's status says what, the log says who. */
  private malformed(error: unknown): void {
    const e = error instanceof KitewireError ? error : KitewireError.from(error, ErrorCode.MALFORMED_FRAME);
    const over = e.code === ErrorCode.LENGTH_LIMIT || e.code === ErrorCode.OVERLOADED;
    this.rejected(e, e.code === ErrorCode.LENGTH_LIMIT ? "message-too-large" : over ? "partial-frame-budget" : "malformed-message");
    if (grpcDetailsOf(e) !== undefined) return this.fail(e);
    this.fail(over ? grpcError(GrpcStatus.RESOURCE_EXHAUSTED, e.message, { cause: e })
      : grpcError(GrpcStatus.INTERNAL, `bad request message: ${e.message}`, { cause: e }));
  }

  end(): void {
    if (this.done) return;
    if (this.deframer!.partial) return this.malformed(new KitewireError(ErrorCode.TRUNCATED, "the request stream ended inside a message"));
    if (this.requests !== undefined) return this.requests.end();
    if (this.count !== 1) return this.fail(grpcError(GrpcStatus.UNIMPLEMENTED, `${this.route!.path} takes one request message, got none`));
    this.run(this.request);
    this.request = undefined;
  }

  private run(input: unknown): void {
    const route = this.route!;
    let out: unknown;
    try {
      out = route.serve(this.ctx, input);
    } catch (error) {
      return this.fail(error);
    }
    if (route.serverStreaming) {
      void this.pump(out);
    } else if (isThenable(out)) {
      out.then((value) => this.reply(value), (error: unknown) => this.fail(error));
    } else {
      this.reply(out);
    }
  }

  private reply(value: unknown): void {
    if (this.done) return;
    let bytes: Uint8Array;
    try {
      bytes = this.encode(value);
    } catch (error) {
      return this.fail(error);
    }
    this.respond();
    this.stream.write(bytes);
    this.finish(GrpcStatus.OK, "", undefined);
  }

  /** The `grpc-*` rejection of this call, logged (rate-limited) with the peer. */
  private rejected(error: unknown, kind: string): void {
    this.owner.server.rejected(this.peer, error, `grpc-${kind}`);
  }

  private encode(value: unknown): Uint8Array {
    const o = this.owner.options;
    const compression = this.ctx.compress ? this.responseCompression : undefined;
    const bytes = this.route!.encode(this.owner.codec, value, o.maxSendMessageBytes, compression);
    this.owner.server.options.tracer?.io?.(this.ctx, "write", bytes.length);
    return bytes;
  }

  /** Sends the response headers, once. */
  private respond(): void {
    if (this.responded) return;
    this.responded = true;
    const headers: Record<string, string | string[]> = {
      ":status": "200", "content-type": this.route!.contentType, "grpc-accept-encoding": this.owner.acceptEncoding,
    };
    if (this.ctx.compress && this.responseCompression !== undefined) headers["grpc-encoding"] = this.responseCompression.name;
    addMetadata(headers, this.ctx.responseHeaders);
    this.stream.respond(headers);
  }

  /** Sends the responses of a server-streaming handler as they come, as fast as the client reads them. */
  private async pump(out: unknown): Promise<void> {
    try {
      const source = (isThenable(out) ? await out : out) as AsyncIterable<unknown> | Iterable<unknown>;
      if (source === null || typeof source !== "object" || !(Symbol.asyncIterator in source || Symbol.iterator in source)) {
        throw new KitewireError(ErrorCode.INVALID_STATE, `${this.route!.path}: the handler must return an (async) iterable of responses`);
      }
      for await (const value of source) {
        if (this.done) return; // for-await calls the iterator's return(): the handler's generator ends
        const bytes = this.encode(value);
        this.respond();
        if (!this.stream.write(bytes)) await this.writable();
        if (this.done) return;
      }
      this.respond();
      this.finish(GrpcStatus.OK, "", undefined);
    } catch (error) {
      this.fail(error);
    }
  }

  /** Resolves once the stream takes more (or closes); resets it if that takes writeTimeoutMs. */
  private writable(): Promise<void> {
    const ms = this.owner.options.writeTimeoutMs;
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        const error = new KitewireError(ErrorCode.TIMEOUT, `${this.route!.path}: the client read nothing for ${ms} ms`);
        this.rejected(error, "write-timeout");
        this.abandon(error);
        this.stream.reset(H2Error.CANCEL);
      }, ms);
      this.drained = () => {
        clearTimeout(timer);
        this.drained = undefined;
        resolve();
      };
    });
  }

  /** The stream took what was waiting (or closed). */
  drain(): void {
    this.drained?.();
  }

  /** The deadline passed: DEADLINE_EXCEEDED, and the handler's signal aborts. */
  private expire(): void {
    this.deadlineTimer = undefined;
    if (this.done) return;
    const reason = new KitewireError(ErrorCode.TIMEOUT, "the caller's deadline passed");
    this.ctx.cancel(reason);
    this.requests?.fail(reason);
    this.fail(grpcError(GrpcStatus.DEADLINE_EXCEEDED, "deadline exceeded"));
  }

  /** Ends the call with the status of `error` (a Thrift method's declared exception: as its result, status OK). */
  fail(error: unknown): void {
    if (this.done) return;
    if (this.route?.encodeError !== undefined && !this.responded) {
      let declared: Uint8Array | undefined;
      try {
        declared = this.route.encodeError(this.owner.codec, error, this.owner.options.maxSendMessageBytes);
      } catch {
        declared = undefined; // answered with the error's status instead
      }
      if (declared !== undefined) {
        this.respond();
        this.stream.write(declared);
        return this.finish(GrpcStatus.OK, "", undefined);
      }
    }
    const { status, message } = statusOf(error);
    const details = grpcDetailsOf(error);
    if (details?.metadata !== undefined) Object.assign(this.ctx.trailers, details.metadata);
    this.finish(status, message, details?.statusDetails, error);
  }

  private finish(status: number, message: string, statusDetails: Uint8Array | undefined, error?: unknown): void {
    if (this.done) return;
    this.over(error);
    const stream = this.stream;
    if (stream.closed) return;
    const trailers: Record<string, string | string[]> = { "grpc-status": String(status) };
    if (message !== "") trailers["grpc-message"] = encodeGrpcMessage(message);
    if (statusDetails !== undefined) trailers["grpc-status-details-bin"] = encodeBase64(statusDetails);
    try {
      addMetadata(trailers, this.ctx.trailersToSend());
    } catch (e) {
      this.owner.server.rejected(this.ctx.peer, e, "grpc-bad-trailers");
    }
    if (this.trailers !== undefined) Object.assign(trailers, this.trailers);
    if (this.responded) return stream.end(trailers);
    this.responded = true;
    // Trailers-only: the status goes in the response headers, pseudo header first.
    stream.respond({ ":status": "200", "content-type": this.route?.contentType ?? "application/grpc",
      "grpc-accept-encoding": this.owner.acceptEncoding, ...trailers }, true);
  }

  /** The call is over (answered, failed or abandoned): timers, limits and the tracer are told. */
  private over(error: unknown): void {
    this.done = true;
    this.free();
    this.deadlineTimer?.cancel();
    const ctx = this.ctx;
    ctx.finish();
    if (this.admitted !== undefined) this.owner.server.limits?.release(this.admitted);
    this.owner.server.options.tracer?.finish?.(ctx, error === undefined ? undefined : failureOf(error, undefined));
  }

  /** The call is given up without a status sent (the stream is reset). */
  private abandon(reason: KitewireError): void {
    if (this.done) return;
    this.ctx.cancel(reason);
    this.requests?.fail(reason);
    this.over(reason);
  }

  /** The stream closed: if the call was not over, the client cancelled it (RST_STREAM) or the connection went. */
  closed(): void {
    this.drained?.();
    // No ctx: the connection closed while this call's headers were being read.
    if (this.done || this.ctx === undefined) return;
    const code = this.stream.resetCode;
    this.abandon(new KitewireError(ErrorCode.CANCELLED, `the client cancelled the call (HTTP/2 error ${code ?? "none"})`));
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && typeof value === "object" && typeof (value as { then?: unknown }).then === "function";
}
