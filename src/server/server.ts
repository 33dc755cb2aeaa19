/**
 * A kitewire server: the services it hosts, and how one request frame becomes a reply
 * frame. Runtime-agnostic; `server/node` puts it on sockets.
 *
 * A request passes: frame (detected and cut by the remote layer) → envelope → route →
 * arguments decoded (wasm-backed reader, in place) → middleware chain → handler →
 * result, declared exception, business status or application error → reply frame in the
 * request's own framing and protocol.
 */
import { MessageType } from "../codec/thrift/types.js";
import { ErrorCode, KitewireError } from "../errors.js";
import type { Frame } from "../remote/frame-decoder.js";
import { beginFrame, endFrame, type FrameHeaderFields } from "../remote/frame-encoder.js";
import { payloadReader, payloadWriter, readEnvelope, writeEnvelope, type PayloadReader, type PayloadWriter } from "../remote/payload.js";
import type { PayloadProtocol, Transport } from "../remote/transport.js";
import { IntKey, NO_INT_INFO, NO_STR_INFO, StrKey } from "../remote/ttheader.js";
import {
  kitewireToApplicationError, writeProtobufApplicationError, writeThriftApplicationError, type ApplicationError,
} from "../rpc/application-error.js";
import { bizStatusOf, writeBizStatus } from "../rpc/biz-status.js";
import { RpcContext } from "../rpc/context.js";
import { ServerLimits } from "../governance/limit/limits.js";
import type { ConfigSource } from "../governance/config/source.js";
import { watchServerConfig, type ConfigNames } from "../governance/config/watch.js";
import { failureOf } from "../observability/tracer.js";
import type { ProtobufService } from "../service/protobuf.js";
import type { ThriftService } from "../service/thrift.js";
import type { ProtobufWriter } from "../codec/protobuf/writer.js";
import type { ThriftWriter } from "../codec/thrift/protocol.js";
import type { Engine } from "../wasm/engine.js";
import { getEngine } from "../wasm/load.js";
import { getLogger } from "../observability/log/logger.js";
import { RateLimitedLog } from "../observability/log/rate-limit.js";
import { makeServerOptions, type ServerOptions } from "./options.js";
import { Routes, type Route } from "./routes.js";
import { DeadlineTimer } from "../rpc/deadline-timer.js";


/** The connection a frame came on: what the server knows of it, and where replies go. */
export interface ConnectionInfo {
  peer?: string;
  /** Aborted when the connection closes. */
  signal?: AbortSignal;
  /**
   * Takes a reply frame. `reply` is a view into engine memory, valid only during this
   * call: copy or send it before returning.
   */
  write(reply: Uint8Array): void;
}

export class Server {
  readonly options: Readonly<ServerOptions>;
  readonly engine: Engine;
  private readonly routes: Routes;
  private readonly readers = new Map<PayloadProtocol, PayloadReader>();
  private readonly writers = new Map<PayloadProtocol, PayloadWriter>();
  /** Set during graceful shutdown: replies tell clients to drop the connection. */
  draining = false;
  private readonly rejections = new RateLimitedLog(() => this.options.logger ?? getLogger());
  /** The call limits, when configured (in options or by `limits/config`). */
  limits: ServerLimits | undefined;

  constructor(options: Partial<ServerOptions> = {}, engine: Engine = getEngine()) {
    this.options = makeServerOptions(options, engine.memoryLimit);
    this.engine = engine;
    this.routes = new Routes(this.options.middlewares);
    if (this.options.limits !== undefined) this.limits = new ServerLimits(this.options.limits);
    this.connectionLimit = this.options.maxConnections;
  }

  /** Connections kept open at most: `maxConnections`, or the `limit` document's `connection_limit`. */
  connectionLimit: number;

  /**
   * Follows this server's `limit` document in `source` (kitex-contrib/config-etcd's
   * `/KitexConfig/<server>/limit`, `{connection_limit, qps_limit}`): a change applies to the
   * next call or connection; deleted, the options' limits are back. Returns a function that stops.
   */
  watchConfig(source: ConfigSource, names: ConfigNames): () => void {
    const code = this.options.limits ?? {};
    return watchServerConfig(source, { logger: this.options.logger, ...names }, (doc) => {
      const qps = doc?.qpsLimit || code.qps || 0;
      const limits = { ...code, qps, burst: doc?.qpsLimit ? doc.qpsLimit : code.burst };
      if (this.limits === undefined) this.limits = new ServerLimits(limits);
      else this.limits.update(limits);
      this.connectionLimit = doc?.connectionLimit || this.options.maxConnections;
    });
  }

  /** The services registered, in order, with their handlers (gRPC builds its routes from them). */
  readonly registered: { readonly service: ThriftService | ProtobufService; readonly handler: object }[] = [];

  /** Hosts `service`, served by the same-named methods of `handler`. */
  register(service: ThriftService | ProtobufService, handler: object): this {
    this.routes.add(service, handler, this.options.logger);
    this.registered.push({ service, handler });
    return this;
  }

  /**
   * Serves one request frame (and releases it), handing the reply frame (none for a oneway
   * call) to `conn.write`. Returns undefined when the call was served at once (a synchronous
   * handler), else a promise that resolves once it is. Throws (or rejects) only when the
   * frame's envelope cannot be read or the reply cannot be written: the connection is then
   * unusable and should be closed.
   */
  handle(frame: Frame, conn: ConnectionInfo): Promise<void> | undefined {
    if (frame.error) return this.refuse(frame, conn);
    const { transport } = frame;
    const protocol = transport.protocol;
    let route: Route | undefined;
    let args: unknown;
    let ctx: ServedCallContext;
    let failure: unknown;
    try {
      const r = this.reader(protocol);
      const start = frame.bytes.contiguous(frame.messageOffset + frame.messageLength) + frame.messageOffset;
      r.attach(start, frame.messageLength);
      const envelope = readEnvelope(r, protocol);
      const header = frame.header;
      route = this.routes.find(envelope.name, header?.strInfo.get(StrKey.IDL_SERVICE) ?? header?.intInfo.get(IntKey.TO_SERVICE));
      ctx = new ServedCallContext(route?.binding.service ?? "", envelope.name, conn, this.limits);
      if (header) {
        ctx.metainfo.readForward(header.strInfo, transport.framing === "theader");
        ctx.caller = header.intInfo.get(IntKey.FROM_SERVICE);
      }
      ctx.seqid = envelope.seqid;
      ctx.transport = transport;
      if (conn.peer !== undefined) ctx.peer = conn.peer;
      const timeout = Number(header?.intInfo.get(IntKey.RPC_TIMEOUT));
      if (timeout > 0) ctx.deadline = Date.now() + timeout;
      if (!route) failure = new KitewireError(ErrorCode.UNKNOWN_METHOD, `unknown method ${envelope.name}`);
      else if (envelope.type !== MessageType.CALL && envelope.type !== MessageType.ONEWAY) {
        failure = new KitewireError(ErrorCode.REMOTE, `${envelope.name}: expected a call, got message type ${envelope.type}`,
          { details: { type: 2 } });
      } else {
        try {
          args = route.binding.readArgs(r);
        } catch (error) {
          failure = error;
        }
      }
    } finally {
      frame.bytes.release();
    }
    const limits = this.limits;
    if (limits !== undefined && failure === undefined) {
      const name = route!.binding.name;
      failure = limits.admit(name);
      if (failure === undefined) ctx.limited = name;
    }
    const tracer = this.options.tracer;
    if (tracer !== undefined) {
      tracer.start?.(ctx);
      tracer.io?.(ctx, "read", frame.messageOffset + frame.messageLength);
    }
    if (failure !== undefined) return this.finish(frame, conn, ctx, route, undefined, failure);
    let out: unknown;
    try {
      out = route!.serve(ctx, args);
    } catch (error) {
      ctx.dispose();
      return this.finish(frame, conn, ctx, route, undefined, error);
    }
    if (isThenable(out)) return this.settle(out, frame, conn, ctx, route!);
    ctx.dispose();
    return this.finish(frame, conn, ctx, route, out, undefined);
  }

  /** The rest of a call whose handler returned a promise. */
  private async settle(pending: PromiseLike<unknown>, frame: Frame, conn: ConnectionInfo, ctx: ServedCallContext, route: Route): Promise<void> {
    let result: unknown;
    let failure: unknown;
    try {
      result = await pending;
    } catch (error) {
      failure = error;
    } finally {
      ctx.dispose();
    }
    this.finish(frame, conn, ctx, route, result, failure);
  }

  /** Writes the call's reply (none for a oneway call) and tells the tracer the call is over. */
  private finish(frame: Frame, conn: ConnectionInfo, ctx: RpcContext, route: Route | undefined, result: unknown, failure: unknown): undefined {
    try {
      if (!route?.binding.oneway) conn.write(this.reply(frame, ctx, route, failure === undefined ? { result } : { failure }));
    } finally {
      this.options.tracer?.finish?.(ctx, failureOf(failure, route?.binding));
    }
    return undefined;
  }

  /** Writes the reply frame; returns it as a view into the writer's arena, valid until its next reset. */
  private reply(frame: Frame, ctx: RpcContext, route: Route | undefined,
    outcome: { result: unknown } | { failure: unknown }): Uint8Array {
    const { transport } = frame;
    const protocol = transport.protocol;
    const w = this.writer(protocol);
    w.reset();
    const biz = "failure" in outcome ? bizStatusOf(outcome.failure) ?? ctx.bizStatus : ctx.bizStatus;
    let header: FrameHeaderFields | undefined;
    if (frame.header) {
      let strInfo = NO_STR_INFO;
      if (biz || this.draining || ctx.metainfo.hasBackward) {
        const info = new Map<string, string>();
        ctx.metainfo.writeBackward(info, transport.framing === "theader");
        if (biz) writeBizStatus(info, biz);
        if (this.draining) info.set(StrKey.CONNECTION_RESET, "1");
        strInfo = info;
      }
      // A THeader reply goes back through the request's transforms (zlib in, zlib out).
      header = { flags: frame.header.flags, intInfo: NO_INT_INFO, strInfo, transforms: frame.header.transforms };
    }
    const mark = beginFrame(w, transport, ctx.seqid, header);
    const name = ctx.method;
    if ("result" in outcome && route) {
      writeEnvelope(w, protocol, { name, type: MessageType.REPLY, seqid: ctx.seqid });
      route.binding.writeResult(w, outcome.result);
    } else {
      const failure = "failure" in outcome ? outcome.failure : undefined;
      if (route && biz && frame.header && bizStatusOf(failure)) {
        writeEnvelope(w, protocol, { name, type: MessageType.REPLY, seqid: ctx.seqid });
        route.binding.writeEmptyResult(w);
      } else if (route && "failure" in outcome && this.declared(w, protocol, name, ctx.seqid, route, failure)) {
        // written as the result struct's exception field
      } else {
        const error = kitewireToApplicationError(failure);
        writeEnvelope(w, protocol, { name, type: MessageType.EXCEPTION, seqid: ctx.seqid });
        if (protocol === "protobuf") writeProtobufApplicationError(w as ProtobufWriter, error);
        else writeThriftApplicationError(w as ThriftWriter, error);
      }
    }
    endFrame(w, mark);
    const bytes = w.view();
    this.options.tracer?.io?.(ctx, "write", bytes.length);
    return bytes;
  }

  /**
   * Answers a frame the remote layer could not open (Frame.error: a THeader transform or
   * protocol this server lacks) with a TApplicationException, in the frame's framing and
   * untransformed, as HeaderFormat.md asks; the connection stays usable.
   */
  private refuse(frame: Frame, conn: ConnectionInfo): undefined {
    frame.bytes.release();
    const error = frame.error!;
    this.rejected(conn.peer, error);
    this.writeError(conn, frame.transport, frame.header?.seqid ?? 0, frame.header?.flags ?? 0,
      { message: error.message, type: Number(error.details?.["type"] ?? 0) });
    return undefined;
  }

  /**
   * Answers the call `seqid` with an exception (`error`: a KitewireError, sent as the
   * TApplicationException its code maps to, or an ApplicationError) in `transport`, with
   * a header of `flags` for the header framings: for a call the server took but cannot
   * serve (its server thread died, say).
   */
  writeError(conn: ConnectionInfo, transport: Transport, seqid: number, flags: number, error: KitewireError | ApplicationError): void {
    const w = this.writer(transport.protocol);
    w.reset();
    const mark = beginFrame(w, transport, seqid, { flags, intInfo: NO_INT_INFO, strInfo: NO_STR_INFO });
    writeEnvelope(w, transport.protocol, { name: "", type: MessageType.EXCEPTION, seqid });
    const e = error instanceof KitewireError ? kitewireToApplicationError(error) : error;
    if (transport.protocol === "protobuf") writeProtobufApplicationError(w as ProtobufWriter, e);
    else writeThriftApplicationError(w as ThriftWriter, e);
    endFrame(w, mark);
    conn.write(w.view());
  }

  /**
   * Logs, rate-limited, a request or connection this server refused (the peer can cause
   * these at will): one line per kind of refusal (`reason`, e.g. "write-timeout" from the
   * Node listener; else what was detected, or the error code), with `offset` (of the bad
   * frame in the connection's stream) when given.
   */
  rejected(peer: string | undefined, error: unknown, reason?: string, offset?: number): void {
    const e = error instanceof KitewireError ? error : KitewireError.from(error, ErrorCode.CONNECTION);
    const detected = e.details?.["detected"];
    const kind = reason ?? String(detected ?? e.code);
    this.options.tracer?.rejected?.(kind, peer ?? "", e);
    this.rejections.log(kind === "internal-error" ? "error" : "warn", kind, `kitewire server refused ${peer ?? "a peer"}: ${e.message}`,
      { peer, code: e.code, reason: kind, detected, offset });
  }

  /** Writes a declared exception as a REPLY; false when `failure` is not one (nothing written). */
  private declared(w: PayloadWriter, protocol: PayloadProtocol, name: string, seqid: number, route: Route, failure: unknown): boolean {
    if (protocol === "protobuf" || failure instanceof KitewireError) return false;
    const mark = w.length;
    writeEnvelope(w, protocol, { name, type: MessageType.REPLY, seqid });
    if (route.binding.writeDeclaredError(w, failure)) return true;
    w.pos = w.start + mark; // not declared: take the envelope back
    return false;
  }

  private reader(protocol: PayloadProtocol): PayloadReader {
    let r = this.readers.get(protocol);
    if (!r) this.readers.set(protocol, (r = payloadReader(protocol, this.engine, { maxDepth: this.options.maxDepth })));
    return r;
  }

  private writer(protocol: PayloadProtocol): PayloadWriter {
    let w = this.writers.get(protocol);
    if (!w) this.writers.set(protocol, (w = payloadWriter(protocol, this.engine)));
    return w;
  }
}

/**
 * The context of a call being served. Its abort signal is made only if someone asks for it
 * (most handlers never do): aborted when the connection closes or the caller's deadline passes.
 */
class ServedCallContext extends RpcContext {
  private controller: AbortController | undefined;
  private timer: DeadlineTimer | undefined;
  private onClose: (() => void) | undefined;
  private over = false;
  /** The method whose place under the server's limits this call holds, if it took one. */
  limited: string | undefined;

  constructor(service: string, method: string, private readonly conn: ConnectionInfo, private readonly limits: ServerLimits | undefined) {
    super(service, method);
  }

  protected override makeSignal(): AbortSignal {
    // Asked for only after the call is over (by code the handler left running): nothing to
    // watch any more, and a timer or listener made now would never be removed.
    if (this.over) return AbortSignal.abort(new KitewireError(ErrorCode.CANCELLED, "the call is over"));
    const controller = (this.controller = new AbortController());
    this.onClose = () => controller.abort(new KitewireError(ErrorCode.CANCELLED, "the connection closed"));
    this.conn.signal?.addEventListener("abort", this.onClose, { once: true });
    if (this.deadline !== undefined) {
      this.timer = new DeadlineTimer(this.deadline, () => controller.abort(new KitewireError(ErrorCode.TIMEOUT, "the caller's deadline passed")));
    }
    return controller.signal;
  }

  /** Stops watching the connection and the deadline (the call is over). */
  dispose(): void {
    this.over = true;
    if (this.limited !== undefined) this.limits!.release(this.limited);
    if (!this.controller) return;
    this.timer?.cancel();
    this.conn.signal?.removeEventListener("abort", this.onClose!);
  }
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return value !== null && (typeof value === "object" || typeof value === "function") &&
    typeof (value as { then?: unknown }).then === "function";
}
