/**
 * The server's method table: every registered service's methods by wire name, each bound
 * to the handler function that serves it.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { chain, type Endpoint, type Middleware } from "../rpc/endpoint.js";
import { protobufBindings, thriftBindings, type MethodBinding } from "../rpc/method.js";
import type { ProtobufService } from "../service/protobuf.js";
import type { ThriftService } from "../service/thrift.js";

export interface Route {
  readonly binding: MethodBinding;
  /** The server's middleware chain around the handler call, taking the decoded arguments. */
  readonly endpoint: Endpoint;
}

type AnyHandler = Record<string, ((...args: never[]) => unknown) | undefined>;

export class Routes {
  private readonly byName = new Map<string, Route[]>();

  /** @param middlewares the server's, first outermost, put around every handler. */
  constructor(private readonly middlewares: readonly Middleware[]) {}

  /** Binds each method of `service` to the same-named method of `handler`. */
  add(service: ThriftService | ProtobufService, handler: object): void {
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
          return invoke(fn, handler, list);
        });
      }
    } else {
      const bindings = protobufBindings(service);
      for (const [tsName, method] of Object.entries(service.methods)) {
        const binding = bindings.get(method.name);
        if (!binding) continue; // streaming methods are served by the gRPC adapter
        const fn = this.handlerFunction(h, tsName, service.name);
        this.put(binding, (ctx, args) => invoke(fn, handler, [args, ctx]));
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

  private put(binding: MethodBinding, invoke: Endpoint): void {
    const list = this.byName.get(binding.name) ?? [];
    if (list.some((r) => r.binding.service === binding.service)) {
      throw new KitewireError(ErrorCode.INVALID_STATE, `${binding.service}.${binding.name} is registered twice`);
    }
    list.push({ binding, endpoint: chain(this.middlewares, invoke) });
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
 * Calls a handler; its outcome as a promise. A handler's own promise is passed on as it is
 * (an async wrapper would add a promise and a suspended frame per call).
 */
function invoke(fn: (...args: never[]) => unknown, self: object, args: unknown[]): Promise<unknown> {
  try {
    const out = (fn as (...x: unknown[]) => unknown).apply(self, args);
    return out instanceof Promise ? out : Promise.resolve(out);
  } catch (error) {
    return Promise.reject(error);
  }
}
