/**
 * The gRPC method table of a server: `/pkg.Service/Method` paths to the handler functions of
 * its registered Protobuf services, all four call shapes, and of its Thrift services
 * (`application/grpc+thrift`, as Kitex serves them: the request message is the method's
 * args struct, the response its result struct, both Thrift Binary), each inside the
 * server's middleware chain (the same `(next) => endpoint` shape and order as its other calls).
 *
 * What middleware sees as arguments and result: the request message (unary, server
 * streaming) or an `AsyncIterable` of them (client streaming, bidi); the response message
 * or an `AsyncIterable` of them (server streaming, bidi).
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { RpcContext } from "../rpc/context.js";
import { thriftBindings } from "../rpc/method.js";
import type { ThriftBinaryWriter } from "../codec/thrift/binary-writer.js";
import { readStruct } from "../codec/thrift/struct.js";
import type { GrpcCodec } from "./codec.js";
import type { GrpcCompression } from "./message.js";
import { chain, type Middleware } from "../rpc/endpoint.js";
import type { MethodKind, ProtobufMethod, ProtobufService } from "../service/protobuf.js";
import type { ThriftService } from "../service/thrift.js";
import { ReflectionDescriptors } from "./reflection/descriptors.js";
import { REFLECTION_SERVICES, reflectionMethod, serveReflection } from "./reflection/service.js";

export interface GrpcRoute {
  /** `/pkg.Service/Method`. */
  readonly path: string;
  readonly service: string;
  /** The method's name in the IDL. */
  readonly name: string;
  readonly kind: MethodKind;
  /** `application/grpc` (Protobuf), or `application/grpc+thrift`. */
  readonly contentType: string;
  /** Decodes a request message (its bytes without the prefix, inflated). */
  decode(codec: GrpcCodec, bytes: Uint8Array): unknown;
  /** Encodes a response as a Length-Prefixed-Message. */
  encode(codec: GrpcCodec, value: unknown, maxBytes: number, compression?: GrpcCompression): Uint8Array;
  /** Thrift: a declared exception encoded as the result struct (an answer, status OK); undefined when `error` is not one. */
  encodeError?(codec: GrpcCodec, error: unknown, maxBytes: number, compression?: GrpcCompression): Uint8Array | undefined;
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

/** The routes of `services`' methods, by path; with `reflection`, the reflection services' too. */
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
        ...protobufCoding(method), path, service: name, name: method.name, kind: method.kind, clientStreaming: true, serverStreaming: true,
        serve: (_ctx, input) => serveReflection(get, input as AsyncIterable<Uint8Array>),
      });
    }
  }
  for (const { service, handler } of services) {
    if ("idl" in service) {
      thriftRoutes(service, handler, middlewares, routes);
      continue;
    }
    for (const [tsName, method] of Object.entries(service.methods)) {
      const fn = (handler as Record<string, unknown>)[tsName];
      // As grpc-js does: a method the handler lacks answers UNIMPLEMENTED (registration has
      // already refused a handler without a unary method; streaming ones are gRPC's alone).
      if (typeof fn !== "function") continue;
      const call = (ctx: RpcContext, input: unknown): unknown => {
        if (ctx.deadline !== undefined && Date.now() >= ctx.deadline) {
          throw new KitewireError(ErrorCode.TIMEOUT, `${service.name}/${method.name}: the caller's deadline passed before the handler ran`);
        }
        return (fn as (input: unknown, ctx: RpcContext) => unknown).call(handler, input, ctx);
      };
      const path = `/${service.name}/${method.name}`;
      routes.set(path, {
        ...protobufCoding(method), path, service: service.name, name: method.name, kind: method.kind,
        clientStreaming: method.kind === "client_streaming" || method.kind === "bidi_streaming",
        serverStreaming: method.kind === "server_streaming" || method.kind === "bidi_streaming",
        serve: middlewares.length === 0 ? call : chain(middlewares, async (ctx, input) => call(ctx, input)),
      });
    }
  }
  return routes;
}

/** How a Protobuf method's messages are coded. */
function protobufCoding(method: ProtobufMethod): Pick<GrpcRoute, "contentType" | "decode" | "encode"> {
  return {
    contentType: "application/grpc",
    decode: (codec, bytes) => codec.decode(method.input, bytes),
    encode: (codec, value, max, compression) => codec.encode(method.output, value, max, compression),
  };
}

/** A Thrift service's methods over gRPC (unary: Thrift has no streams), handlers called with positional arguments as Routes does. */
function thriftRoutes(service: ThriftService, handler: object, middlewares: readonly Middleware[], routes: Map<string, GrpcRoute>): void {
  for (const binding of thriftBindings(service).values()) {
    if (binding.oneway) continue;
    const fn = (handler as Record<string, unknown>)[binding.name];
    if (typeof fn !== "function") throw new KitewireError(ErrorCode.INVALID_VALUE, `handler for ${service.name} has no method ${binding.name}`);
    const params = binding.params!;
    const method = service.methods[binding.name]!;
    const call = (ctx: RpcContext, input: unknown): unknown => {
      if (ctx.deadline !== undefined && Date.now() >= ctx.deadline) {
        throw new KitewireError(ErrorCode.TIMEOUT, `${service.name}/${binding.name}: the caller's deadline passed before the handler ran`);
      }
      const args = input as Record<string, unknown>;
      const list: unknown[] = new Array(params.length + 1);
      for (let i = 0; i < params.length; i++) list[i] = args[params[i]!];
      list[params.length] = ctx;
      return (fn as (...a: unknown[]) => unknown).apply(handler, list);
    };
    const path = `/${service.name}/${binding.name}`;
    routes.set(path, {
      path, service: service.name, name: binding.name, kind: "unary", clientStreaming: false, serverStreaming: false,
      contentType: "application/grpc+thrift",
      decode: (codec, bytes) => readStruct(method.args, codec.thrift(bytes)),
      encode: (codec, value, max, compression) => codec.encodeThrift((w) => binding.writeResult(w, value), max, compression),
      encodeError(codec, error, max, compression) {
        if (!binding.declares(error)) return undefined;
        return codec.encodeThrift((w: ThriftBinaryWriter) => binding.writeDeclaredError(w, error), max, compression);
      },
      serve: middlewares.length === 0 ? call : chain(middlewares, async (ctx, input) => call(ctx, input)),
    });
  }
}
