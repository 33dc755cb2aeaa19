/**
 * The methods a gateway serves: for each method of each upstream service, how its request
 * and reply are read and written in JSON and in the binary codec, and the upstream call.
 *
 * A Thrift method's request message is its arguments: a JSON object keyed by parameter
 * name (`{"req": {...}}`), or in binary the `<method>_args` struct in Thrift Binary. Its
 * reply is the result value (JSON `null` for void), or in binary the `<method>_result`
 * struct with `success` set. A Protobuf method's request and reply are its messages
 * (ProtoJSON, or the Protobuf bytes). The upstream call is a client's over the service's
 * method table (map-generic for Protobuf, the engine transcoder's for Thrift JSON:
 * thrift-method.ts), so it takes the client's whole path: deadline, framing, connection
 * pool or discovery. A Protobuf service may instead have a gRPC client as its upstream
 * (`{ grpc: createGrpcClient(...) }`, Node): then its server-streaming methods are served
 * too. Client and bidi streaming are not (a browser's fetch cannot stream a request body
 * over HTTP/1.1).
 */
import { stringifyJson } from "../codec/protobuf/json/text.js";
import { fromJson, toJson, type JsonValue } from "../codec/protobuf/json/index.js";
import { decodeProtobuf, encodeProtobuf } from "../codec/protobuf/message.js";
import type { KitewireCallOptions } from "../client/client.js";
import { protoRegistry } from "../generic/codec.js";
import { ErrorCode, KitewireError } from "../errors.js";
import { createGenericClient, type GenericClientOptions } from "../generic/client.js";
import type { Idl, ProtoIdl } from "../generic/idl.js";
import { parseGenericJson } from "../generic/json-text.js";
import type { ThriftMethodDescriptor } from "../generic/thrift/descriptor.js";
import { serviceTable } from "../generic/service.js";
import type { ProtobufMethod, ProtobufService } from "../service/protobuf.js";
import { jsonBodyText } from "./exchange.js";
import { thriftGatewayMethods } from "./thrift-method.js";

/**
 * What a gateway's upstream for one service is: the options of a generic client, without
 * the IDL, service and kind; or, for a Protobuf service, a gRPC client of it.
 */
export type UpstreamOptions = Omit<GenericClientOptions, "idl" | "service" | "kind"> | GrpcUpstream;

/**
 * A Protobuf service's gRPC client as its upstream, e.g.
 * `{ grpc: createGrpcClient(idl.services.get("pkg.Service")!, { address: "127.0.0.1:50051" }) }`
 * (made by the caller, since gRPC clients are Node's): unary and server-streaming methods.
 */
export interface GrpcUpstream {
  readonly grpc: { close(): Promise<void> };
}

/** How the gateway reads requests and writes replies. */
export interface CodecLimits {
  maxJsonDepth: number;
  ignoreUnknownFields: boolean;
}

/** One method the gateway serves. */
export interface GatewayMethod {
  /** The service's name (a Protobuf service's full name) and the method's. */
  readonly service: string;
  readonly name: string;
  /** The binary codec's name in content types (`thrift` for Thrift Binary, `proto` for Protobuf). */
  readonly binaryCodec: "thrift" | "proto";
  readonly thrift?: ThriftMethodDescriptor;
  readonly proto?: ProtobufMethod;
  /** Unary, or server streaming (served by `stream`). */
  readonly kind: "unary" | "server_streaming";
  /** The request message from JSON text (or its UTF-8) or a parsed JSON value. */
  argsFromJson(json: string | Uint8Array | JsonValue): unknown;
  argsFromBinary(bytes: Uint8Array): unknown;
  /** The reply message as JSON: text, or its UTF-8 (a Thrift reply transcoded in the engine). */
  resultToJson(result: unknown): string | Uint8Array;
  resultToJsonValue(result: unknown): JsonValue;
  resultToBinary(result: unknown): Uint8Array;
  /** Calls the upstream. Rejects with what the client rejects with, or a GatewayFailure for a declared exception. */
  call(args: unknown, options: KitewireCallOptions): Promise<unknown>;
  /** A server-streaming call's replies, as the upstream sends them (the call starts on the first `next()`). */
  stream?(args: unknown, options: KitewireCallOptions): AsyncIterable<unknown>;
}

/** The methods of every service in `upstreams`, by `Service/method`, and the clients (to close). */
export function gatewayMethods(idl: Idl, upstreams: Readonly<Record<string, UpstreamOptions>>, limits: CodecLimits):
  { methods: Map<string, GatewayMethod>; clients: { close(): Promise<void> }[] } {
  const methods = new Map<string, GatewayMethod>();
  const clients: { close(): Promise<void> }[] = [];
  for (const [service, upstream] of Object.entries(upstreams)) {
    if (idl.syntax === "thrift") {
      if ("grpc" in upstream) throw new KitewireError(ErrorCode.INVALID_VALUE, `gateway: ${service} is a Thrift service: its upstream is a generic client's options, not a gRPC client`);
      const thrift = thriftGatewayMethods(idl, service, upstream, limits);
      clients.push(thrift.client);
      for (const m of thrift.methods) methods.set(`${m.service}/${m.name}`, m);
    } else if ("grpc" in upstream) {
      const s = serviceTable(idl, service) as ProtobufService;
      const client = upstream.grpc as unknown as Record<string, (args: unknown, options: KitewireCallOptions) => unknown>;
      clients.push(upstream.grpc);
      for (const m of Object.values(s.methods)) {
        if (m.kind !== "unary" && m.kind !== "server_streaming") continue;
        const call = (args: unknown, options: KitewireCallOptions) => client[m.name]!(args, options);
        methods.set(`${s.name}/${m.name}`, protoMethod(idl, s.name, m, limits, call));
      }
    } else {
      const client = createGenericClient({ ...upstream, idl, service, kind: "map" });
      clients.push(client);
      const s = idl.services.get(client.service)!;
      for (const m of Object.values(s.methods)) {
        if (m.kind !== "unary") continue; // streaming needs a gRPC upstream
        methods.set(`${client.service}/${m.name}`, protoMethod(idl, client.service, m, limits, (args, options) => client.call(m.name, args, options)));
      }
    }
  }
  return { methods, clients };
}

function protoMethod(idl: ProtoIdl, service: string, m: ProtobufMethod, limits: CodecLimits,
  upstream: (args: unknown, options: KitewireCallOptions) => unknown): GatewayMethod {
  const typeRegistry = protoRegistry(idl);
  const read = { maxDepth: limits.maxJsonDepth, ignoreUnknownFields: limits.ignoreUnknownFields, typeRegistry };
  const streaming = m.kind === "server_streaming";
  return {
    service,
    name: m.name,
    binaryCodec: "proto",
    proto: m,
    kind: streaming ? "server_streaming" : "unary",
    argsFromJson: (json) => fromJson(m.input, typeof json === "string" ? parseGenericJson(json)
      : json instanceof Uint8Array ? parseGenericJson(jsonBodyText(json)) : json, read),
    argsFromBinary: (bytes) => decodeProtobuf(m.input, bytes),
    resultToJson: (result) => stringifyJson(toJson(m.output, result, { typeRegistry })),
    resultToJsonValue: (result) => toJson(m.output, result, { typeRegistry }),
    resultToBinary: (result) => encodeProtobuf(m.output, result),
    call: streaming ? () => Promise.reject(new Error(`${m.name} is server streaming`)) : (args, options) => upstream(args, options) as Promise<unknown>,
    ...(streaming && { stream: (args: unknown, options: KitewireCallOptions) => upstream(args, options) as AsyncIterable<unknown> }),
  };
}
