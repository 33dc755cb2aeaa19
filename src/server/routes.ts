/**
 * The server's method table: every registered service's methods by wire name, each bound
 * to the handler function that serves it.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { getLogger, type Logger } from "../observability/log/logger.js";
import type { RpcContext } from "../rpc/context.js";
import { chain, type Middleware } from "../rpc/endpoint.js";
import { protobufBindings, thriftBindings, type MethodBinding } from "../rpc/method.js";
import type { ProtobufService } from "../service/protobuf.js";
import type { ThriftService } from "../service/thrift.js";

export interface Route {
  readonly binding: MethodBinding;
  /**
   * Serves a call, given its decoded arguments: the handler, inside the server's middleware
   * chain if it has one. Returns the result or a promise of it, or throws. Without
   * middlewares a synchronous handler's result comes back at once: no promise per call.
   */
  readonly serve: (ctx: RpcContext, args: unknown) => unknown;
}

/** A handler call: the result, or a promise of it; may throw. */
type HandlerCall = (ctx: RpcContext, args: unknown) => unknown;

type AnyHandler = Record<string, ((...args: never[]) => unknown) | undefined>;

export class Routes {
  private readonly byName = new Map<string, Route[]>();

  /** @param middlewares the server's, first outermost, put around every handler. */
  constructor(private readonly middlewares: readonly Middleware[]) {}

  /**
   * Binds each method of `service` to the same-named method of `handler`. Streaming
   * Protobuf methods are served over gRPC only (src/grpc): `logger` is told which.
   */
  add(service: ThriftService | ProtobufService, handler: object, logger: Logger = getLogger()): void {
    const h = handler as AnyHandler;
    if ("idl" in service) {
      for (const binding of thriftBindings(service).values()) {
        const fn = this.handlerFunction(h, binding.name, service.name);
        const params = binding.params!;
        this.put(binding, (ctx, args) => {
          const a = args as Record<string, unknown>;
          const list: unknown[] = new Array(params.length + 1);
          for (let i = 0; i < params.length; i++) list[i] = a[params[i]!];
          list[params.length] = ctx;
          return (fn as (...x: unknown[]) => unknown).apply(handler, list);
        });
      }
    } else {
      const bindings = protobufBindings(service);
      const streaming = Object.values(service.methods).filter((m) => !bindings.has(m.name)).map((m) => m.name);
      if (streaming.length > 0) {
        logger.debug(`${service.name}: streaming methods are served over gRPC only; ` +
          "calls to them in other transports are answered as unknown methods", { service: service.name, methods: streaming.join(",") });
      }
      for (const [tsName, method] of Object.entries(service.methods)) {
        const binding = bindings.get(method.name);
        if (!binding) continue;
        const fn = this.handlerFunction(h, tsName, service.name);
        this.put(binding, (ctx, args) => (fn as (...x: unknown[]) => unknown).call(handler, args, ctx));
      }
    }
  }

  private handlerFunction(h: AnyHandler, name: string, service: string): (...args: never[]) => unknown {
    const fn = h[name];
    if (typeof fn !== "function") {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `handler for ${service} has no method ${name}`);
    }
    return fn;
  }

  private put(binding: MethodBinding, call: HandlerCall): void {
    const list = this.byName.get(binding.name) ?? [];
    if (list.some((r) => r.binding.service === binding.service)) {
      throw new KitewireError(ErrorCode.INVALID_STATE, `${binding.service}.${binding.name} is registered twice`);
    }
    const guarded = withinDeadline(call);
    const serve = this.middlewares.length === 0 ? guarded : chain(this.middlewares, (ctx, args) => promiseOf(guarded, ctx, args));
    list.push({ binding, serve });
    this.byName.set(binding.name, list);
  }

  /**
   * The route for a method name. Several services may share a name: `service` (the
   * TTHeader IDL service name, or the prefix of a multiplexed `Service:method` name)
   * chooses among them.
   */
  find(name: string, service?: string): Route | undefined {
    let method = name;
    const colon = name.indexOf(":");
    if (colon > 0) {
      service = name.slice(0, colon);
      method = name.slice(colon + 1);
    }
    const list = this.byName.get(method);
    if (!list) return undefined;
    if (list.length === 1 && service === undefined) return list[0];
    return list.find((r) => r.binding.service === service || r.binding.service.endsWith(`.${service}`)) ??
      (service === undefined ? list[0] : undefined);
  }
}

/**
 * The handler runs only if the caller's deadline (TTHeader RPC timeout) has not passed by
 * the time it would start: a late call is answered with TIMEOUT and costs no handler work.
 */
function withinDeadline(call: HandlerCall): HandlerCall {
  return (ctx, args) => {
    if (ctx.deadline !== undefined && Date.now() >= ctx.deadline) {
      throw new KitewireError(ErrorCode.TIMEOUT, `${ctx.service}.${ctx.method}: the caller's deadline passed before the handler ran`);
    }
    return call(ctx, args);
  };
}

/** A handler call's outcome as a promise, for middlewares (a handler's own promise is passed on as it is). */
function promiseOf(call: HandlerCall, ctx: RpcContext, args: unknown): Promise<unknown> {
  try {
    return Promise.resolve(call(ctx, args));
  } catch (error) {
    return Promise.reject(error);
  }
}
