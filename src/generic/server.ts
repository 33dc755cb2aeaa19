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
import { ErrorCode, KitewireError } from "../errors.js";
import { joinMessage, MessageType, rawService, splitMessage, thriftProtocolOf } from "./binary.js";
import type { Idl } from "./idl.js";
import { serviceTable } from "./service.js";
import type { ThriftService } from "../service/thrift.js";
import { jsonServiceTable } from "./transcode/calls.js";
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
   * kind's form) to answer with a declared exception. `binary` (Thrift): `args` is the
   * whole call message as it came (envelope with the caller's seqid, then the arguments
   * struct); return the whole reply message, whose arguments struct is sent on untouched.
   */
  kind: GenericKind | "binary";
  handle: GenericHandle;
}

/** Registers every method of `options.service` on `server`, served by `options.handle`. */
export function registerGeneric(server: Server, options: GenericServiceOptions): Server {
  const { idl, kind, handle } = options;
  if (kind === "binary") return registerBinary(server, options);
  const table = serviceTable(idl, options.service);
  // JSON on Thrift: structs are transcoded in the engine (transcode/calls.ts).
  const thriftJson = kind === "json" && idl.syntax === "thrift";
  const served = thriftJson ? jsonServiceTable(idl.services.get(table.name)!, table as ThriftService) : table;
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
      const protocol = thriftJson ? thriftProtocolOf(ctx.transport?.protocol ?? "binary") : undefined;
      if (out instanceof Promise) return out.then((r) => v.resultIn(r, protocol), (error) => Promise.reject(v.errorIn(error)));
      return v.resultIn(out, protocol);
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
  return server.register(served, handler);
}

/** The binary kind: the IDL's method names, each served with whole messages. */
function registerBinary(server: Server, options: GenericServiceOptions): Server {
  const { idl, handle } = options;
  if (idl.syntax !== "thrift") throw new KitewireError(ErrorCode.INVALID_VALUE, "binary generic serves Thrift services only");
  serviceTable(idl, options.service); // throws, naming the services, if there is no such service
  const service = idl.services.get(options.service)!;
  const handler: Record<string, (payload: Uint8Array, ctx: RpcContext) => unknown> = {};
  for (const m of service.methods.values()) {
    handler[m.name] = (payload, ctx) => {
      const protocol = thriftProtocolOf(ctx.transport?.protocol ?? "binary");
      const call = joinMessage({ name: m.name, type: m.oneway ? MessageType.ONEWAY : MessageType.CALL, seqid: ctx.seqid }, payload, protocol);
      const reply = (message: unknown): Uint8Array | undefined => {
        if (m.oneway) return undefined;
        const { header, body } = splitMessage(message as Uint8Array, protocol);
        if (header.type !== MessageType.REPLY) {
          throw new KitewireError(ErrorCode.INVALID_VALUE, `${m.name}: the handler's reply has message type ${header.type}, not REPLY`);
        }
        return body;
      };
      const out = handle(m.name, call, ctx);
      return out instanceof Promise ? out.then(reply) : reply(out);
    };
  }
  return server.register(rawService(service.name, service.methods.values()), handler);
}
