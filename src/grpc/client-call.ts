/**
 * One gRPC call from a client on a `GrpcChannel` (kitewire's HTTP/2, any runtime): request headers (path, deadline as
 * `grpc-timeout`, compression, metadata), request messages written as HTTP/2 lets them
 * (a stream that stops taking them stops the sender), responses cut, inflated within the
 * limit and decoded, and the status from the trailers (or a trailers-only response) turned
 * into the result or a KitewireError. The call's deadline and signal reset the stream
 * (RST_STREAM CANCEL), as does a caller that stops iterating the responses.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { H2Error } from "../net/http2/constants.js";
import type { Http2Connection } from "../net/http2/connection.js";
import type { HeaderMap } from "../net/http2/hpack.js";
import type { Http2Stream, Http2StreamHandler } from "../net/http2/stream.js";
import type { RpcContext } from "../rpc/context.js";
import type { MethodKind } from "../service/protobuf.js";
import type { GrpcChannel } from "./channel.js";
import type { GrpcCodec } from "./codec.js";
import { metainfoHeaders, readBackward } from "./context.js";
import { addMetadata, decodeBase64, decodeGrpcMessage, formatTimeout, metadataOf, type GrpcMetadata } from "./headers.js";
import { MessageDeframer, type GrpcCompression } from "./message.js";
import { MessageQueue } from "./queue.js";
import { errorOfStatus, GrpcStatus } from "./status.js";
import { DeadlineTimer } from "../rpc/deadline-timer.js";

type IncomingHttpHeaders = HeaderMap;

/** How a client codes one method's messages: Protobuf, or Thrift Binary (`application/grpc+thrift`). */
export interface GrpcClientMethod {
  /** The method's name in the IDL (the last part of the path). */
  readonly name: string;
  readonly kind: MethodKind;
  /** Marked idempotent in the IDL: a `*` retry policy may retry it (see `RetryOptions.policies`). */
  readonly idempotent: boolean;
  readonly contentType: string;
  /** A request as one Length-Prefixed-Message. */
  encode(codec: GrpcCodec, value: unknown, maxBytes: number, compression?: GrpcCompression): Uint8Array;
  /** A response; a Thrift method's declared exception comes back as a `DeclaredError`. */
  decode(codec: GrpcCodec, bytes: Uint8Array): unknown;
}

/** A declared exception a Thrift result carried: the call throws `error`, an answer rather than a failure. */
export class DeclaredError {
  constructor(readonly error: unknown) {}
}

/** What a call may carry beyond its context: custom metadata, and a hook for what the server sent. */
export interface GrpcCallExtras {
  metadata?: GrpcMetadata | undefined;
  /** Receives the response headers' and the trailers' custom metadata. */
  onMetadata?: ((headers: GrpcMetadata, trailers: GrpcMetadata) => void) | undefined;
}

export class ClientCall {
  private stream: Http2Stream | undefined;
  private headersSeen = false;
  private drained: (() => void) | undefined;
  private deframer: MessageDeframer;
  private compression: GrpcCompression | undefined;
  /** Unary and client streaming: the one response. */
  private response: unknown;
  private count = 0;
  /** Server streaming and bidi: the responses as they come. */
  readonly responses: MessageQueue<unknown> | undefined;
  private settle: { resolve: (v: unknown) => void; reject: (e: unknown) => void } | undefined;
  private done = false;
  private timer: DeadlineTimer | undefined;
  private headers: GrpcMetadata = {};
  private readonly path: string;
  /** Listens to the caller's signal (made only for calls that have one). */
  private onAbort: (() => void) | undefined;

  constructor(private readonly channel: GrpcChannel, private readonly method: GrpcClientMethod, service: string,
    private readonly ctx: RpcContext, private readonly extras: GrpcCallExtras | undefined) {
    this.path = `/${service}/${method.name}`;
    const o = channel.options;
    this.deframer = new MessageDeframer(o.maxReceiveMessageBytes, this);
    if (method.kind === "server_streaming" || method.kind === "bidi_streaming") {
      this.responses = new MessageQueue({
        highWater: o.queuedMessages, receiveTimeoutMs: o.receiveTimeoutMs, describe: `${this.path} responses`,
        pause: () => this.stream?.pause(), resume: () => this.stream?.resume(),
        cancel: (reason) => this.cancel(reason),
        stopped: (reason) => this.cancel(reason),
      });
    }
  }

  /** Starts the call. Resolves with the response (unary, client streaming) or once the response headers came (streaming responses). */
  start(input: unknown): Promise<unknown> {
    const result = new Promise<unknown>((resolve, reject) => (this.settle = { resolve, reject }));
    const signal = this.ctx.signal;
    if (signal !== undefined) {
      this.onAbort = () => this.cancel(new KitewireError(ErrorCode.CANCELLED, `${this.path}: cancelled by the caller`, { cause: signal.reason }));
      if (signal.aborted) {
        this.onAbort();
        return result;
      }
    }
    const session = this.channel.ready(this.ctx.connectTimeoutMs);
    if (session instanceof Promise) session.then((s) => this.open(s, input), (error: unknown) => this.fail(error));
    else this.open(session, input);
    return result;
  }

  private open(session: Http2Connection, input: unknown): void {
    if (this.done) return;
    const ctx = this.ctx;
    const o = this.channel.options;
    const headers: Record<string, string> = {
      ":method": "POST", ":scheme": this.channel.scheme, ":path": this.path, ":authority": this.channel.authority,
      "content-type": this.method.contentType, te: "trailers", "user-agent": "kitewire-grpc",
    };
    if (o.compressions.length > 0) headers["grpc-accept-encoding"] = ["identity", ...o.compressions.map((c) => c.name)].join(",");
    if (o.compression !== undefined) headers["grpc-encoding"] = o.compression.name;
    let stream: Http2Stream;
    try {
      if (ctx.deadline !== undefined) {
        const left = ctx.deadline - Date.now();
        if (left <= 0) throw new KitewireError(ErrorCode.TIMEOUT, `${this.path}: the deadline passed before the call was sent`);
        headers["grpc-timeout"] = formatTimeout(left);
        this.timer = new DeadlineTimer(ctx.deadline, () => this.cancel(new KitewireError(ErrorCode.TIMEOUT, `${this.path}: DEADLINE_EXCEEDED (no status within the deadline)`,
          { details: { grpcStatus: GrpcStatus.DEADLINE_EXCEEDED, grpcMessage: "deadline exceeded" } })));
      }
      metainfoHeaders(ctx, headers);
      if (this.extras?.metadata !== undefined) addMetadata(headers, this.extras.metadata);
      stream = this.channel.open(session, headers, HANDLER);
    } catch (error) {
      return this.fail(error);
    }
    this.stream = stream;
    stream.owner = this;
    if (this.onAbort !== undefined) ctx.signal!.addEventListener("abort", this.onAbort, { once: true });
    if (this.responses !== undefined) this.settle!.resolve(this.responses);
    if (this.method.kind === "unary" || this.method.kind === "server_streaming") {
      try {
        stream.write(this.encode(input));
        stream.end();
      } catch (error) {
        this.cancel(error);
      }
    } else {
      void this.sendAll(input as AsyncIterable<unknown> | Iterable<unknown>);
    }
  }

  private encode(value: unknown): Uint8Array {
    const o = this.channel.options;
    return this.method.encode(this.channel.codec, value, o.maxSendMessageBytes, o.compression);
  }

  /** Writes the caller's request messages as fast as the stream takes them; ends the request side after the last. */
  private async sendAll(requests: AsyncIterable<unknown> | Iterable<unknown>): Promise<void> {
    const stream = this.stream!;
    try {
      for await (const value of requests) {
        if (this.done || stream.closed) return;
        if (!stream.write(this.encode(value))) await new Promise<void>((resolve) => (this.drained = resolve));
      }
      if (!this.done && !stream.closed) stream.end();
    } catch (error) {
      this.cancel(error);
    }
  }

  /** Headers from the server: the response's, then the trailers. */
  received(headers: HeaderMap): void {
    if (this.headersSeen) return this.status(headers);
    this.headersSeen = true;
    this.responded(headers);
  }

  /** The stream took what was waiting (or closed). */
  drain(): void {
    const drained = this.drained;
    this.drained = undefined;
    drained?.();
  }

  /** The response headers (or a trailers-only response). */
  private responded(headers: IncomingHttpHeaders): void {
    const status = Number(headers[":status"]);
    const type = headers["content-type"]?.toString();
    if (status !== 200 || type === undefined || !type.startsWith("application/grpc")) {
      if (headers["grpc-status"] !== undefined) return this.status(headers);
      return this.cancel(errorOfStatus(this.path, httpStatusToGrpc(status), `HTTP status ${status}, content-type ${type ?? "none"}: not a gRPC response`));
    }
    if (headers["grpc-status"] !== undefined) return this.status(headers);
    const encoding = headers["grpc-encoding"]?.toString();
    if (encoding !== undefined && encoding !== "identity") {
      this.compression = this.channel.options.compressions.find((c) => c.name === encoding);
      if (this.compression === undefined) return this.cancel(errorOfStatus(this.path, GrpcStatus.INTERNAL, `response grpc-encoding ${encoding} is not accepted`));
    }
    try {
      this.headers = metadataOf(headers);
    } catch (error) {
      this.cancel(error);
    }
  }

  data(chunk: Uint8Array): void {
    if (this.done) return;
    try {
      this.deframer.push(chunk);
    } catch (error) {
      const e = KitewireError.from(error, ErrorCode.MALFORMED_FRAME);
      this.cancel(errorOfStatus(this.path, e.code === ErrorCode.LENGTH_LIMIT ? GrpcStatus.RESOURCE_EXHAUSTED : GrpcStatus.INTERNAL, e.message));
    }
  }

  /** One whole message (the deframer's sink; a view valid during this call). */
  message(bytes: Uint8Array, compressed: boolean): void {
    if (compressed) {
      if (this.compression === undefined) throw new KitewireError(ErrorCode.MALFORMED_FRAME, "a compressed response without grpc-encoding");
      bytes = this.compression.decompress(bytes, this.channel.options.maxReceiveMessageBytes);
    }
    const value = this.method.decode(this.channel.codec, bytes);
    if (this.responses !== undefined) return this.responses.push(value);
    if (++this.count > 1) throw new KitewireError(ErrorCode.MALFORMED_FRAME, `${this.path}: more than one response message`);
    this.response = value;
  }

  /** The status: in the trailers, or in a trailers-only response's headers. */
  private status(trailers: IncomingHttpHeaders): void {
    if (this.done) return;
    const code = Number(trailers["grpc-status"]);
    const message = decodeGrpcMessage(String(trailers["grpc-message"] ?? ""));
    let metadata: GrpcMetadata;
    try {
      metadata = metadataOf(trailers);
    } catch {
      metadata = {};
    }
    readBackward(this.ctx, metadata);
    this.extras?.onMetadata?.(this.headers, metadata);
    if (!Number.isInteger(code) || code < 0) return this.cancel(errorOfStatus(this.path, GrpcStatus.INTERNAL, `bad grpc-status ${trailers["grpc-status"]}`));
    if (code !== GrpcStatus.OK) {
      const bin = trailers["grpc-status-details-bin"];
      let details: Uint8Array | undefined;
      try {
        details = bin === undefined ? undefined : decodeBase64(String(bin));
      } catch {
        details = undefined;
      }
      return this.finish(errorOfStatus(this.path, code, message, details, metadata));
    }
    if (this.deframer.partial) return this.finish(errorOfStatus(this.path, GrpcStatus.INTERNAL, "the response ended inside a message"));
    if (this.responses === undefined && this.count !== 1) {
      return this.finish(errorOfStatus(this.path, GrpcStatus.UNIMPLEMENTED, `expected one response message, got ${this.count}`));
    }
    this.finish(undefined);
  }

  /** The stream closed: without a status, the call failed (reset by the server, or the connection went). */
  closed(): void {
    this.drain();
    if (this.done) return;
    const code = this.stream?.resetCode;
    this.finish(code === H2Error.CANCEL ? errorOfStatus(this.path, GrpcStatus.CANCELLED, "the server cancelled the stream")
      : new KitewireError(ErrorCode.CONNECTION, `${this.path}: the stream closed without a status (HTTP/2 error ${code ?? "none"})`,
        { details: { grpcStatus: GrpcStatus.UNAVAILABLE, grpcMessage: "stream closed without a status" } }));
  }

  /** Gives up the call with `error` (deadline, caller's signal, a bad response): resets the stream. */
  cancel(error: unknown): void {
    if (this.done) return;
    this.finish(error);
    const stream = this.stream;
    if (stream !== undefined && !stream.closed) stream.reset(H2Error.CANCEL);
  }

  private fail(error: unknown): void {
    this.finish(error);
  }

  private finish(error: unknown): void {
    if (this.done) return;
    this.done = true;
    this.timer?.cancel();
    if (this.onAbort !== undefined) this.ctx.signal!.removeEventListener("abort", this.onAbort);
    const settle = this.settle!;
    if (this.responses !== undefined) {
      if (error === undefined) this.responses.end();
      else this.responses.fail(error);
      if (error !== undefined) settle.reject(error); // no-op once resolved with the responses
      return;
    }
    if (error !== undefined) settle.reject(error);
    else if (this.response instanceof DeclaredError) settle.reject(this.response.error);
    else settle.resolve(this.response);
    this.response = undefined;
  }
}

function httpStatusToGrpc(status: number | undefined): number {
  switch (status) {
    case 400: return GrpcStatus.INTERNAL;
    case 401: return GrpcStatus.UNAUTHENTICATED;
    case 403: return GrpcStatus.PERMISSION_DENIED;
    case 404: return GrpcStatus.UNIMPLEMENTED;
    case 429: case 502: case 503: case 504: return GrpcStatus.UNAVAILABLE;
    default: return GrpcStatus.UNKNOWN;
  }
}

const HANDLER: Http2StreamHandler = {
  onHeaders(stream, headers) {
    (stream.owner as ClientCall).received(headers);
  },
  onData(stream, bytes) {
    (stream.owner as ClientCall).data(bytes);
  },
  onEnd() {
    // The status came in the trailers (or the close that follows says there was none).
  },
  onClose(stream) {
    (stream.owner as ClientCall).closed();
  },
  onDrain(stream) {
    (stream.owner as ClientCall).drain();
  },
};
