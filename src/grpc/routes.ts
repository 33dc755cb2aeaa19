/**
 * The gRPC method table of a server: `/pkg.Service/Method` paths to the handler functions of
 * its registered Protobuf services, all four call shapes, each inside the server's
 * middleware chain (the same `(next) => endpoint` shape and order as its other calls).
 *
 * What middleware sees as arguments and result: the request message (unary, server
 * streaming) or an `AsyncIterable` of them (client streaming, bidi); the response message
 * or an `AsyncIterable` of them (server streaming, bidi).
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { RpcContext } from "../rpc/context.js";
import { chain, type Middleware } from "../rpc/endpoint.js";
import type { MethodKind, ProtobufMethod, ProtobufService } from "../service/protobuf.js";
import type { ThriftService } from "../service/thrift.js";
import { ReflectionDescriptors } from "./reflection/descriptors.js";
import { REFLECTION_SERVICES, reflectionMethod, serveReflection } from "./reflection/service.js";

export interface GrpcRoute {
  /** `/pkg.Service/Method`. */
  readonly path: string;
  readonly service: string;
  readonly method: ProtobufMethod;
  readonly kind: MethodKind;
  /** Whether requests arrive as a stream (client streaming, bidi). */
  readonly clientStreaming: boolean;
  /** Whether responses leave as a stream (server streaming, bidi). */
  readonly serverStreaming: boolean;
  /** Calls the handler (inside the middlewares): a value, a promise, or an AsyncIterable of responses. May throw. */
  readonly serve: (ctx: RpcContext, input: unknown) => unknown;
}

/** A registered service and the object serving it. */
export interface Registered {
  readonly service: ThriftService | ProtobufService;
  readonly handler: object;
}

/** The routes of `services`' Protobuf methods, by path; with `reflection`, the reflection services' too. */
export function grpcRoutes(services: readonly Registered[], middlewares: readonly Middleware[], reflection = false): Map<string, GrpcRoute> {
  const routes = new Map<string, GrpcRoute>();
  if (reflection) {
    let descriptors: ReflectionDescriptors | undefined;
    const protobuf = services.map((r) => r.service).filter((s): s is ProtobufService => !("idl" in s));
    const get = () => (descriptors ??= new ReflectionDescriptors(protobuf));
    for (const name of REFLECTION_SERVICES) {
      const method = reflectionMethod(name.slice(0, name.lastIndexOf(".")));
      const path = `/${name}/${method.name}`;
      routes.set(path, {
        path, service: name, method, kind: method.kind, clientStreaming: true, serverStreaming: true,
        serve: (_ctx, input) => serveReflection(get, input as AsyncIterable<Uint8Array>),
      });
    }
  }
  for (const { service, handler } of services) {
    if ("idl" in service) continue;
    for (const [tsName, method] of Object.entries(service.methods)) {
      const fn = (handler as Record<string, unknown>)[tsName];
      if (typeof fn !== "function") throw new KitewireError(ErrorCode.INVALID_VALUE, `handler for ${service.name} has no method ${tsName}`);
      const call = (ctx: RpcContext, input: unknown): unknown => {
        if (ctx.deadline !== undefined && Date.now() >= ctx.deadline) {
          throw new KitewireError(ErrorCode.TIMEOUT, `${service.name}/${method.name}: the caller's deadline passed before the handler ran`);
        }
        return (fn as (input: unknown, ctx: RpcContext) => unknown).call(handler, input, ctx);
      };
      const path = `/${service.name}/${method.name}`;
      routes.set(path, {
        path, service: service.name, method, kind: method.kind,
        clientStreaming: method.kind === "client_streaming" || method.kind === "bidi_streaming",
        serverStreaming: method.kind === "server_streaming" || method.kind === "bidi_streaming",
        serve: middlewares.length === 0 ? call : chain(middlewares, async (ctx, input) => call(ctx, input)),
      });
    }
  }
  return routes;
}
