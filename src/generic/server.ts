/**
 * Serving any method of a loaded IDL with one function: `registerGeneric` puts the
 * service's method table on a `Server` with a handler per method that hands the call to
 * `handle(method, args, ctx)`, converting values for the chosen kind.
 *
 * @example
 * registerGeneric(server, { idl, service: "UserService", kind: "json",
 *   handle: (method, args) => method === "getUser" ? '{"id": 1, "name": "ada"}' : "null" });
 */
import type { RpcContext } from "../rpc/context.js";
import type { Server } from "../server/server.js";
import type { Idl } from "./idl.js";
import { serviceTable } from "./service.js";
import { methodValues, type GenericJsonOptions, type GenericKind } from "./values.js";

/** Serves one call: the method's name, its arguments in the kind's form, the call's context. */
export type GenericHandle = (method: string, args: unknown, ctx: RpcContext) => unknown;

export interface GenericServiceOptions extends GenericJsonOptions {
  idl: Idl;
  service: string;
  /**
   * `map`: `args` is the map-generic arguments object (Thrift: keyed by parameter name) or
   * request message; return the result the same way. `json`: `args` is JSON text; return
   * JSON text or a JSON value. Either way, throw a `ThriftGenericException` (fields in the
   * kind's form) to answer with a declared exception.
   */
  kind: GenericKind;
  handle: GenericHandle;
}

/** Registers every method of `options.service` on `server`, served by `options.handle`. */
export function registerGeneric(server: Server, options: GenericServiceOptions): Server {
  const { idl, kind, handle } = options;
  const table = serviceTable(idl, options.service);
  const handler: Record<string, (...args: unknown[]) => unknown> = {};
  for (const method of Object.keys(table.methods)) {
    const v = methodValues(idl, table.name, method, kind, options);
    const serve = (args: unknown, ctx: RpcContext): unknown => {
      let out: unknown;
      try {
        out = handle(method, v.argsOut(args), ctx);
      } catch (error) {
        throw v.errorIn(error);
      }
      if (out instanceof Promise) return out.then((r) => v.resultIn(r), (error) => Promise.reject(v.errorIn(error)));
      return v.resultIn(out);
    };
    if (idl.syntax === "thrift") {
      const params = idl.services.get(table.name)!.methods.get(method)!.params.map((p) => p.name);
      handler[method] = (...values) => {
        const args: Record<string, unknown> = {};
        for (let i = 0; i < params.length; i++) args[params[i]!] = values[i];
        return serve(args, values[params.length] as RpcContext);
      };
    } else {
      handler[method] = (args, ctx) => serve(args, ctx as RpcContext);
    }
  }
  return server.register(table, handler);
}
