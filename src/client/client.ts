/**
 * Typed clients for generated services. A call passes: generated method → context
 * (deadline, metainfo) → the client chain (chain.ts sets its order: user middlewares,
 * tracer, discovery and load balancing, ...) → I/O endpoint (args encoded by the
 * wasm-backed writer straight into a frame in its arena, sent, reply frame decoded in
 * place) → result, or the declared exception, business status or remote error.
 */
import { MessageType } from "../codec/thrift/types.js";
import { ErrorCode, KitewireError } from "../errors.js";
import type { Frame } from "../remote/frame-decoder.js";
import { beginFrame, endFrame, type FrameHeaderFields } from "../remote/frame-encoder.js";
import { payloadReader, payloadWriter, readEnvelope, writeEnvelope, type PayloadReader, type PayloadWriter } from "../remote/payload.js";
import { transformByName } from "../remote/transform.js";
import { describeTransport, ttheaderPayloadFramed } from "../remote/transport.js";
import { IntKey, StrKey } from "../remote/ttheader.js";
import { applicationErrorToKitewire, readProtobufApplicationError, readThriftApplicationError } from "../rpc/application-error.js";
import { BIZ_EXTRA_KEY, BIZ_MESSAGE_KEY, BIZ_STATUS_KEY, bizStatusError, readBizStatus } from "../rpc/biz-status.js";
import type { RpcContext } from "../rpc/context.js";
import type { Endpoint } from "../rpc/endpoint.js";
import { Metainfo } from "../rpc/metainfo.js";
import { protobufBindings, thriftBindings, type MethodBinding } from "../rpc/method.js";
import type { CallOptions } from "../service/context.js";
import type { ProtobufService } from "../service/protobuf.js";
import type { ThriftService } from "../service/thrift.js";
import type { ProtobufReader } from "../codec/protobuf/reader.js";
import type { ThriftReader } from "../codec/thrift/protocol.js";
import type { Engine } from "../wasm/engine.js";
import { getEngine } from "../wasm/load.js";
import type { Resolver } from "../governance/discovery/resolver.js";
import { resolverForTarget } from "../governance/discovery/target.js";
import { getLogger } from "../observability/log/logger.js";
import { failureOf, type Tracer } from "../observability/tracer.js";
import { ClientCallContext } from "./call-context.js";
import { buildClientChain } from "./chain.js";
import { ServiceInstances } from "./instances.js";
import { ClientGovernance } from "./governance.js";
import { makeClientOptions, type ClientOptions } from "./options.js";
import { getDefaultConnector, type ClientTransport, type Connector } from "./transport.js";

/** Per-call options a kitewire client accepts beyond the generated signature's. */
export interface KitewireCallOptions extends CallOptions {
  /** The context of the call being served, when calling out from a handler: persistent metainfo continues. */
  context?: RpcContext;
  /** Receives the reply's backward metainfo. */
  onBackward?: (values: ReadonlyMap<string, string>) => void;
}

/** A generated client interface plus `close()`. */
export type Client<C> = C & { close(): Promise<void>; readonly context: ClientContext };

/** What a client shares across its calls. */
export interface ClientContext {
  readonly options: Readonly<ClientOptions>;
  readonly service: string;
}

/** Where a client's calls go: one `connection`, or the instances of a `target`. */
export interface CreateClientOptions extends Partial<Omit<ClientOptions, "transport">>, Pick<ClientOptions, "transport"> {
  /** One server (e.g. `nodeTransport({ address })`): every call goes there. */
  connection?: ClientTransport;
  /**
   * A service's instances: `"host:port"` (or several, comma-separated), a URI
   * (`"etcd://127.0.0.1:2379/echo"`, `"dns://echo.internal:8888"`; see `targetForms()`),
   * or a `Resolver`. Each instance gets its own connections, made by `connect`.
   */
  target?: string | Resolver;
  /** Makes each instance's transport (default: the runtime's, `nodeConnector()` in Node). */
  connect?: Connector;
  engine?: Engine;
}

/**
 * Creates a client for `service`. `C` is the generated client interface, e.g.
 * `createClient<UserServiceClient>(UserService, { transport, target: "etcd://127.0.0.1:2379/user" })`.
 */
export function createClient<C>(service: ThriftService | ProtobufService, options: CreateClientOptions): Client<C> {
  const engine = options.engine ?? getEngine();
  const opts = makeClientOptions(options);
  const thrift = "idl" in service;
  if (thrift === (opts.transport.protocol === "protobuf")) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `${service.name} is a ${thrift ? "Thrift" : "Protobuf"} service: its transport's ` +
      `protocol must be ${thrift ? "binary or compact" : "protobuf"}, not ${describeTransport(opts.transport)}`);
  }
  const governance = new ClientGovernance(service.name, opts);
  const instances = discover(service.name, opts, options, governance);
  const caller = new Caller(service.name, opts, options.connection, instances, engine, governance);
  const client: Record<string, unknown> = {
    close: async () => {
      governance.close();
      await (instances?.close() ?? options.connection!.close());
      caller.close();
    },
    context: { options: opts, service: service.name },
  };
  if ("idl" in service) {
    for (const binding of thriftBindings(service).values()) {
      const params = binding.params!;
      const call = caller.method(binding);
      client[binding.name] = (...values: unknown[]) => {
        const args: Record<string, unknown> = {};
        for (let i = 0; i < params.length; i++) args[params[i]!] = values[i];
        return call(args, values[params.length] as KitewireCallOptions | undefined);
      };
    }
  } else {
    const bindings = protobufBindings(service);
    for (const [tsName, method] of Object.entries(service.methods)) {
      const binding = bindings.get(method.name);
      client[tsName] = binding
        ? caller.method(binding)
        : () => failedCall(new KitewireError(ErrorCode.INVALID_STATE,
          `${service.name}.${method.name} is a ${method.kind.replace("_", " ")} method: kitewire's transports ` +
          "(kitex-protobuf, TTHeader) carry unary calls only; call streaming methods over gRPC (createGrpcClient)"));
    }
  }
  return client as Client<C>;
}

/** A call that fails with `error` whether it is awaited (client streaming) or iterated (server streaming, bidi). */
function failedCall(error: KitewireError): Promise<never> & AsyncIterable<never> {
  const call = Promise.reject(error);
  call.catch(() => undefined); // iterated instead of awaited, it must not be an unhandled rejection
  return Object.assign(call, { [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }) });
}

/** The discovery step of a client with a `target` (undefined for one `connection`). */
function discover(service: string, opts: Readonly<ClientOptions>, options: CreateClientOptions,
  governance: ClientGovernance): ServiceInstances | undefined {
  const { target, connection } = options;
  if ((target === undefined) === (connection === undefined)) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `client of ${service}: give either a connection or a target`);
  }
  if (target === undefined) return undefined;
  const connector = options.connect ?? getDefaultConnector();
  if (connector === undefined) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `client of ${service}: no connector for this runtime; pass \`connect\``);
  }
  const logger = () => opts.logger ?? getLogger();
  const resolver = typeof target === "string" ? resolverForTarget(target, { logger: logger() }) : target;
  const instances = new ServiceInstances({
    service, resolver, ownsResolver: typeof target === "string", balancer: opts.loadBalancer, connector,
    transport: opts.transport, filterTags: opts.filterTags, backoff: opts.instanceBackoff, logger,
    instanceAllowed: governance.instanceAllowed(), removed: governance.instanceRemoved(),
  });
  // Resolve now, so that the first call finds the instances known; a failure is the first call's error.
  instances.start().catch(() => undefined);
  return instances;
}

let nextSeqid = 1;

/** Reply keys the framework reads itself: never backward metainfo, even in THeader's plain keys. */
const FRAMEWORK_KEYS: ReadonlySet<string> = new Set([BIZ_STATUS_KEY, BIZ_MESSAGE_KEY, BIZ_EXTRA_KEY, StrKey.CONNECTION_RESET]);

/** A method's request TTHeader or THeader, with maps the client may update. */
interface RequestHeader extends FrameHeaderFields {
  intInfo: Map<number, string>;
  strInfo: Map<string, string>;
  /** The same header for a call with forward metainfo: its `strInfo` is refilled per call (`strInfo` plus the metainfo). */
  withMetainfo: FrameHeaderFields & { strInfo: Map<string, string> };
}

/** A request header whose maps are `intInfo` and `strInfo`. */
function requestHeader(intInfo: Map<number, string>, strInfo: Map<string, string>, transforms?: readonly number[]): RequestHeader {
  const withMetainfo = { flags: 0, intInfo, strInfo: new Map<string, string>(), ...(transforms && { transforms }) };
  return { flags: 0, intInfo, strInfo, ...(transforms && { transforms }), withMetainfo };
}

class Caller {
  private readonly writer: PayloadWriter;
  private readonly reader: PayloadReader;
  private closed = false;

  constructor(
    readonly service: string,
    readonly options: Readonly<ClientOptions>,
    /** The one connection of a client without a target. */
    private readonly connection: ClientTransport | undefined,
    private readonly instances: ServiceInstances | undefined,
    engine: Engine,
    private readonly governance: ClientGovernance,
  ) {
    this.writer = payloadWriter(options.transport.protocol, engine);
    this.reader = payloadReader(options.transport.protocol, engine);
  }

  /** Returns the writer's arena to the engine (a closed client's memory is not kept); later calls fail. */
  close(): void {
    this.closed = true;
    this.writer.dispose();
  }

  /** The function that calls `binding`: its chain is assembled once, by `buildClientChain`. */
  method(binding: MethodBinding): (args: unknown, callOptions?: KitewireCallOptions) => Promise<unknown> {
    const header = this.requestHeader(binding);
    const g = this.governance;
    const tracer = this.options.tracer;
    const endpoint = buildClientChain({
      middlewares: this.options.middlewares,
      tracer,
      ...g.serviceBreakerAndRetry(binding),
      binding,
      discovery: this.instances?.middleware,
      instanceBreaker: g.instanceBreaker(this.instances !== undefined),
      io: (ctx, args) => this.io(ctx, binding, header, args, undefined),
      ioReportsFirstAttempt: true,
      tracedIo: tracer && ((ctx, args) => this.io(ctx, binding, header, args, tracer)),
    });
    return (args, callOptions) => this.call(endpoint, binding, args, callOptions);
  }

  private call(endpoint: Endpoint, binding: MethodBinding, args: unknown, callOptions: KitewireCallOptions | undefined): Promise<unknown> {
    const metainfo = callOptions?.context?.metainfo.forNextHop() ?? new Metainfo();
    const metadata = callOptions?.metadata;
    if (metadata !== undefined) for (const k in metadata) metainfo.transient.set(k, metadata[k]!);
    const ctx = new ClientCallContext(this.service, binding.name, callOptions?.signal, metainfo);
    ctx.connection = this.connection;
    ctx.parent = callOptions?.context;
    ctx.caller = this.options.fromService;
    ctx.peer = this.connection?.peer;
    // The RPC timeout, of each attempt, by Kitex's precedence: the call's, the client's (which locks it), a config document's.
    const configured = this.governance.timeouts?.of(binding.name);
    const timeout = callOptions?.timeoutMs ?? (this.options.timeoutMs > 0 ? this.options.timeoutMs : configured?.rpcTimeoutMs ?? 0);
    if (configured !== undefined && configured.connTimeoutMs > 0) ctx.connectTimeoutMs = configured.connTimeoutMs;
    ctx.rpcTimeoutMs = timeout;
    const inherited = (ctx.callDeadline = callOptions?.context?.deadline);
    // The first attempt's deadline (later attempts get theirs from the retry step).
    if (timeout > 0) ctx.deadline = Date.now() + timeout;
    if (inherited !== undefined && (ctx.deadline === undefined || inherited < ctx.deadline)) ctx.deadline = inherited;
    ctx.transport = this.options.transport;
    const onBackward = callOptions?.onBackward;
    if (onBackward === undefined) return endpoint(ctx, args);
    return endpoint(ctx, args).finally(() => {
      if (ctx.metainfo.backward.size > 0) onBackward(ctx.metainfo.backward);
    });
  }

  /**
   * The TTHeader or THeader of `binding`'s requests (undefined for other framings): built
   * once, with the RPC timeout and forward metainfo added per call. A THeader carries only
   * the metainfo (its peers know no other keys) and the configured transforms.
   */
  private requestHeader(binding: MethodBinding): RequestHeader | undefined {
    const { transport } = this.options;
    const { framing } = transport;
    if (framing === "theader") {
      const transforms = this.options.transforms.map((name) => transformByName(name)!.id);
      return requestHeader(new Map(), new Map(), transforms);
    }
    if (framing !== "ttheader" && framing !== "ttheader-framed") return undefined;
    const intInfo = new Map<number, string>([
      [IntKey.TO_METHOD, binding.name],
      [IntKey.TO_SERVICE, this.service],
      [IntKey.TRANSPORT_TYPE, ttheaderPayloadFramed(transport) ? "framed" : "unframed"],
      [IntKey.MSG_TYPE, String(binding.oneway ? MessageType.ONEWAY : MessageType.CALL)],
    ]);
    if (this.options.fromService) intInfo.set(IntKey.FROM_SERVICE, this.options.fromService);
    return requestHeader(intInfo, new Map([[StrKey.IDL_SERVICE, this.service]]));
  }

  /**
   * The innermost endpoint: encode, send, decode. A retry step right above it leaves a
   * `firstAttempt` report on the call's context: the outcome goes there (a failure's
   * retries become this call's result) instead of through a promise of the retry step's own.
   * With `tracer` (nothing between the tracing step and this one: chain.ts's `tracedIo`), it
   * tells the tracer of the call's start and finish itself.
   */
  private async io(ctx: RpcContext, binding: MethodBinding, header: RequestHeader | undefined, args: unknown, tracer: Tracer | undefined): Promise<unknown> {
    tracer?.start?.(ctx);
    const report = ctx.firstAttempt;
    let result: unknown;
    try {
      const signal = ctx.signal;
      if (signal?.aborted) throw new KitewireError(ErrorCode.CANCELLED, `${binding.name}: cancelled`, { cause: signal.reason });
      const seqid = (nextSeqid = (nextSeqid % 0x7fffffff) + 1);
      ctx.seqid = seqid;
      const bytes = this.encode(ctx, binding, header, args);
      this.options.tracer?.io?.(ctx, "write", bytes.length);
      const connection = (ctx as ClientCallContext).connection;
      if (connection === undefined) throw new KitewireError(ErrorCode.INVALID_STATE, `${binding.name}: no connection chosen (a middleware replaced the call's context?)`);
      const frame = await connection.send({ bytes, seqid, oneway: binding.oneway, deadline: ctx.deadline, signal, connectTimeoutMs: ctx.connectTimeoutMs });
      if (frame !== null) {
        try {
          this.options.tracer?.io?.(ctx, "read", frame.messageOffset + frame.messageLength);
          result = this.decode(ctx, binding, frame);
        } finally {
          frame.bytes.release();
        }
      }
    } catch (error) {
      tracer?.finish?.(ctx, failureOf(error, binding));
      if (report === undefined) throw error;
      ctx.firstAttempt = undefined;
      return report.failed(ctx, args, error);
    }
    if (report !== undefined) {
      ctx.firstAttempt = undefined;
      report.succeeded();
    }
    tracer?.finish?.(ctx);
    return result;
  }

  /** Writes the request frame; returns it as a view into the writer's arena, valid until its next reset. */
  private encode(ctx: RpcContext, binding: MethodBinding, header: RequestHeader | undefined, args: unknown): Uint8Array {
    if (this.closed) throw new KitewireError(ErrorCode.CONNECTION, `${binding.name}: the client is closed`);
    const { transport } = this.options;
    const w = this.writer;
    w.reset();
    let fields: FrameHeaderFields | undefined = header;
    if (header !== undefined) {
      // The header is written before this returns, so the binding's maps can be updated in place.
      if (ctx.deadline !== undefined) header.intInfo.set(IntKey.RPC_TIMEOUT, String(Math.max(1, ctx.deadline - Date.now())));
      else header.intInfo.delete(IntKey.RPC_TIMEOUT);
      if (ctx.metainfo.hasForward) {
        // Written before this returns, so one map per method serves every call.
        const strInfo = header.withMetainfo.strInfo;
        strInfo.clear();
        for (const [k, v] of header.strInfo) strInfo.set(k, v);
        ctx.metainfo.writeForward(strInfo, transport.framing === "theader");
        fields = header.withMetainfo;
      }
    }
    const mark = beginFrame(w, transport, ctx.seqid, fields);
    writeEnvelope(w, transport.protocol, { name: binding.name, type: binding.oneway ? MessageType.ONEWAY : MessageType.CALL, seqid: ctx.seqid });
    binding.writeArgs(w, args);
    endFrame(w, mark, this.options.maxFrameSize);
    return w.view();
  }

  private decode(ctx: RpcContext, binding: MethodBinding, frame: Frame): unknown {
    const protocol = this.options.transport.protocol;
    if (frame.header) {
      ctx.metainfo.readBackward(frame.header.strInfo, frame.transport.framing === "theader", FRAMEWORK_KEYS);
      const biz = readBizStatus(frame.header.strInfo);
      if (biz) {
        ctx.bizStatus = biz;
        throw bizStatusError(biz.status, biz.message, biz.extra);
      }
    }
    const r = this.reader;
    r.attach(frame.bytes.contiguous(frame.messageOffset + frame.messageLength) + frame.messageOffset, frame.messageLength);
    const envelope = readEnvelope(r, protocol);
    if (envelope.type === MessageType.EXCEPTION) {
      const error = protocol === "protobuf" ? readProtobufApplicationError(r as ProtobufReader) : readThriftApplicationError(r as ThriftReader);
      throw applicationErrorToKitewire(error, binding.name);
    }
    if (envelope.type !== MessageType.REPLY) {
      throw new KitewireError(ErrorCode.REMOTE, `${binding.name}: expected a reply, got message type ${envelope.type}`);
    }
    return binding.readResult(r);
  }
}
