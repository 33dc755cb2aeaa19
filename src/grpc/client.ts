/**
 * gRPC clients of generated services, on kitewire's HTTP/2 (src/net/http2), in any runtime
 * that gives a `GrpcDialer` (node/client.ts: Node's net/tls): the same generated client interface
 * as `createClient`; Protobuf services with all four call shapes, Thrift services' methods
 * as unary calls in `application/grpc+thrift` (args struct in, result struct out, as Kitex
 * sends them), each call through the client chain
 * that `buildClientChain` assembles (user middlewares, tracer, service breaker, retry,
 * discovery + balancing over channels, instance breaker), ending in a gRPC call.
 *
 * Streaming calls go through the chain without retry (a stream half consumed cannot be
 * replayed); what the chain's endpoint returns for them is the AsyncIterable of responses.
 */
import { buildClientChain } from "../client/chain.js";
import { ClientCallContext } from "../client/call-context.js";
import { ClientGovernance } from "../client/governance.js";
import { ServiceInstances } from "../client/instances.js";
import { makeClientOptions, type ClientOptions } from "../client/options.js";
import type { Client, KitewireCallOptions } from "../client/client.js";
import { ErrorCode, KitewireError } from "../errors.js";
import type { Resolver } from "../governance/discovery/resolver.js";
import { resolverForTarget } from "../governance/discovery/target.js";
import { AttemptContext } from "../governance/retry/attempt.js";
import { getLogger } from "../observability/log/logger.js";
import type { RpcContext } from "../rpc/context.js";
import type { Endpoint } from "../rpc/endpoint.js";
import { Metainfo } from "../rpc/metainfo.js";
import type { ProtobufMethod, ProtobufService } from "../service/protobuf.js";
import type { ThriftService } from "../service/thrift.js";
import { thriftBindings, type MethodBinding } from "../rpc/method.js";
import type { Engine } from "../wasm/engine.js";
import { getEngine } from "../wasm/load.js";
import { GrpcCodec } from "./codec.js";
import type { GrpcMetadata } from "./headers.js";
import { makeGrpcClientOptions, type GrpcClientOptions } from "./options.js";
import { ClientCall, DeclaredError, type GrpcClientMethod } from "./client-call.js";
import { GrpcChannel } from "./channel.js";
import type { GrpcDialer } from "./channel.js";
import type { GrpcCompression } from "./message.js";

/** Per-call options of a gRPC client: kitewire's, plus binary metadata and what the server sent back. */
export interface GrpcCallOptions extends Omit<KitewireCallOptions, "metadata"> {
  /** Custom metadata sent with the call (`-bin` keys take bytes). */
  metadata?: GrpcMetadata;
  /** Receives the custom metadata of the response headers and of the trailers. */
  onMetadata?: (headers: GrpcMetadata, trailers: GrpcMetadata) => void;
}

/** Where a gRPC client's calls go, and how. */
export interface CreateGrpcClientOptions extends Partial<Omit<ClientOptions, "transport" | "transforms" | "maxFrameSize">> {
  /** One server, `host:port`. */
  address?: string;
  /** A service's instances (as `createClient`'s `target`): each gets its own channel. */
  target?: string | Resolver;
  /** gRPC options: message size limits, compression, keepalive, stream receive timeout. */
  grpc?: Partial<GrpcClientOptions>;
  engine?: Engine;
}

/** What a runtime gives its gRPC clients: sockets, compressions, the tick of batched writes. */
export interface GrpcClientRuntime {
  dialer: GrpcDialer;
  /** `https` when the dialer speaks TLS. */
  scheme: "http" | "https";
  /** Compressions the runtime has (Node: gzip). */
  compressions: readonly GrpcCompression[];
  schedule?: (fn: () => void) => void;
}

/**
 * Creates a gRPC client for `service` on `runtime`'s sockets (each runtime's
 * `createGrpcClient` passes its own); `C` is its generated client interface.
 */
export function makeGrpcClient<C>(service: ProtobufService | ThriftService, options: CreateGrpcClientOptions, runtime: GrpcClientRuntime): Client<C> {
  const engine = options.engine ?? getEngine();
  const opts = makeClientOptions({ ...options, transport: { framing: "framed", protocol: "binary" } });
  const grpc = makeGrpcClientOptions(options.grpc, runtime.compressions);
  const codec = new GrpcCodec(engine);
  const { address, target } = options;
  if ((address === undefined) === (target === undefined)) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `gRPC client of ${service.name}: give either an address or a target`);
  }
  const governance = new ClientGovernance(service.name, opts);
  const channelOptions = { dialer: runtime.dialer, scheme: runtime.scheme,
    connectTimeoutSet: options.grpc?.connectTimeoutMs !== undefined, ...(runtime.schedule ? { schedule: runtime.schedule } : {}) };
  const channel = address === undefined ? undefined : new GrpcChannel(address, grpc, codec, channelOptions);
  let instances: ServiceInstances | undefined;
  if (target !== undefined) {
    const logger = () => opts.logger ?? getLogger();
    instances = new ServiceInstances({
      service: service.name, resolver: typeof target === "string" ? resolverForTarget(target, { logger: logger() }) : target,
      ownsResolver: typeof target === "string", balancer: opts.loadBalancer,
      connector: (addr, _transport, events) => new GrpcChannel(addr, grpc, codec, { ...channelOptions, events }),
      transport: opts.transport, filterTags: opts.filterTags, backoff: opts.instanceBackoff, logger,
      instanceAllowed: governance.instanceAllowed(), removed: governance.instanceRemoved(),
    });
    instances.start().catch(() => undefined);
  }
  const client: Record<string, unknown> = {
    close: async () => {
      governance.close();
      await (instances?.close() ?? channel!.close());
      codec.dispose();
    },
    context: { options: opts, service: service.name },
  };
  const endpointOf = (method: GrpcClientMethod, binding?: MethodBinding): Endpoint => {
    const breakerAndRetry = governance.serviceBreakerAndRetry({ name: method.name, oneway: false, idempotent: method.idempotent });
    return buildClientChain({
      middlewares: opts.middlewares,
      tracer: opts.tracer,
      binding,
      serviceBreaker: breakerAndRetry.serviceBreaker,
      retry: method.kind === "unary" ? breakerAndRetry.retry : undefined,
      discovery: instances?.middleware,
      instanceBreaker: governance.instanceBreaker(instances !== undefined),
      io: (ctx, input) => io(ctx, service.name, method, input),
    });
  };
  if ("idl" in service) {
    for (const binding of thriftBindings(service).values()) {
      const method = thriftMethod(service, binding);
      const endpoint = endpointOf(method, binding);
      const params = binding.params!;
      client[binding.name] = (...values: unknown[]) => {
        if (binding.oneway) {
          return Promise.reject(new KitewireError(ErrorCode.INVALID_STATE, `${service.name}.${binding.name} is oneway: gRPC has no oneway calls`));
        }
        const args: Record<string, unknown> = {};
        for (let i = 0; i < params.length; i++) args[params[i]!] = values[i];
        return call(endpoint, method, args, values[params.length] as GrpcCallOptions | undefined);
      };
    }
  } else {
    for (const [tsName, m] of Object.entries(service.methods)) {
      const method = protobufMethod(m);
      const endpoint = endpointOf(method);
      client[tsName] = method.kind === "server_streaming" || method.kind === "bidi_streaming"
        ? (input: unknown, callOptions?: GrpcCallOptions) => lazyIterable(() => call(endpoint, method, input, callOptions))
        : (input: unknown, callOptions?: GrpcCallOptions) => call(endpoint, method, input, callOptions);
    }
  }

  function call(endpoint: Endpoint, method: GrpcClientMethod, input: unknown, callOptions: GrpcCallOptions | undefined): Promise<unknown> {
    const metainfo = callOptions?.context?.metainfo.forNextHop() ?? new Metainfo();
    const ctx = new GrpcClientContext(service.name, method.name, callOptions?.signal, metainfo);
    ctx.connection = channel;
    ctx.peer = channel?.peer;
    ctx.parent = callOptions?.context;
    ctx.caller = opts.fromService;
    ctx.extras = callOptions;
    // The RPC timeout, of each attempt, by Kitex's precedence: the call's, the client's (which locks it), a config document's.
    const configured = governance.timeouts?.of(method.name);
    const timeout = callOptions?.timeoutMs ?? (opts.timeoutMs > 0 ? opts.timeoutMs : configured?.rpcTimeoutMs ?? 0);
    ctx.rpcTimeoutMs = timeout;
    const inherited = (ctx.callDeadline = callOptions?.context?.deadline);
    // The first attempt's deadline (later attempts get theirs from the retry step).
    if (timeout > 0) ctx.deadline = Date.now() + timeout;
    if (inherited !== undefined && (ctx.deadline === undefined || inherited < ctx.deadline)) ctx.deadline = inherited;
    const onBackward = callOptions?.onBackward;
    if (onBackward === undefined) return endpoint(ctx, input);
    return endpoint(ctx, input).finally(() => {
      if (ctx.metainfo.backward.size > 0) onBackward(ctx.metainfo.backward);
    });
  }

  return client as Client<C>;
}

/** The context of a gRPC client call: the call's extras ride along to the I/O step. */
class GrpcClientContext extends ClientCallContext {
  extras: GrpcCallOptions | undefined;
}

/** How a Protobuf method's messages are coded. */
function protobufMethod(m: ProtobufMethod): GrpcClientMethod {
  return {
    name: m.name, kind: m.kind, idempotent: m.idempotent === true, contentType: "application/grpc",
    encode: (codec, value, max, compression) => codec.encode(m.input, value, max, compression),
    decode: (codec, bytes) => codec.decode(m.output, bytes),
  };
}

/** A Thrift method over gRPC: its args struct out, its result struct back (a declared exception in it is thrown). */
function thriftMethod(service: ThriftService, binding: MethodBinding): GrpcClientMethod {
  const args = service.methods[binding.name]!.args;
  return {
    name: binding.name, kind: "unary", idempotent: binding.idempotent, contentType: "application/grpc+thrift",
    encode: (codec, value, max, compression) => codec.encodeThrift((w) => args.write(w, value as never), max, compression),
    decode(codec, bytes) {
      try {
        return binding.readResult(codec.thrift(bytes));
      } catch (error) {
        if (binding.declares(error)) return new DeclaredError(error);
        throw error;
      }
    },
  };
}

/** The chain's innermost step: the call on the channel the chain chose. */
function io(ctx: RpcContext, service: string, method: GrpcClientMethod, input: unknown): Promise<unknown> {
  const channel = (ctx as ClientCallContext).connection;
  if (!(channel instanceof GrpcChannel)) {
    return Promise.reject(new KitewireError(ErrorCode.INVALID_STATE, `${service}/${method.name}: no gRPC channel chosen`));
  }
  const call = ctx instanceof AttemptContext ? ctx.call : ctx; // a retry's attempt: the extras are the call's
  return new ClientCall(channel, method, service, ctx, (call as GrpcClientContext).extras).start(input);
}

/** An AsyncIterable over the responses a call will give: the call starts on the first `next()`. */
function lazyIterable(start: () => Promise<unknown>): AsyncIterable<unknown> {
  return {
    [Symbol.asyncIterator]() {
      let inner: AsyncIterator<unknown> | undefined;
      let starting: Promise<AsyncIterator<unknown>> | undefined;
      const get = () => (starting ??= start().then((it) => {
        inner = (it as AsyncIterable<unknown>)[Symbol.asyncIterator]();
        return inner;
      }));
      return {
        next: () => get().then((it) => it.next()),
        return: async () => {
          if (starting === undefined) return { value: undefined, done: true };
          const it = await get().catch(() => undefined);
          return (await it?.return?.()) ?? { value: undefined, done: true };
        },
      };
    },
  };
}
