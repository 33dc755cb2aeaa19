/**
 * The methods a gateway serves: for each method of each upstream service, how its request
 * and reply are read and written in JSON and in the binary codec, and the upstream call.
 *
 * A Thrift method's request message is its arguments: a JSON object keyed by parameter
 * name (`{"req": {...}}`), or in binary the `<method>_args` struct in Thrift Binary. Its
 * reply is the result value (JSON `null` for void), or in binary the `<method>_result`
 * struct with `success` set. A Protobuf method's request and reply are its messages
 * (ProtoJSON, or the Protobuf bytes). The upstream call is a map-generic client's, so it
 * takes the client's whole path: deadline, framing, connection pool or discovery.
 */
import { stringifyJson } from "../codec/protobuf/json/text.js";
import { fromJson, toJson, type JsonValue } from "../codec/protobuf/json/index.js";
import { decodeProtobuf, encodeProtobuf } from "../codec/protobuf/message.js";
import { decodeThrift, encodeThrift } from "../codec/thrift/struct.js";
import type { KitewireCallOptions } from "../client/client.js";
import { protoRegistry } from "../generic/codec.js";
import { createGenericClient, type GenericClient, type GenericClientOptions } from "../generic/client.js";
import type { Idl, ProtoIdl } from "../generic/idl.js";
import { parseGenericJson } from "../generic/json-text.js";
import { ThriftGenericException } from "../generic/thrift/codec.js";
import type { ThriftMethodDescriptor, ThriftStructDescriptor } from "../generic/thrift/descriptor.js";
import { thriftStructFromJson, thriftStructToJson, thriftValueToJson } from "../generic/thrift/json.js";
import type { ProtobufMethod } from "../service/protobuf.js";
import { GatewayFailure, type DeclaredException } from "./failure.js";

/** What a gateway's upstream for one service is: the options of a generic client, without the IDL, service and kind. */
export type UpstreamOptions = Omit<GenericClientOptions, "idl" | "service" | "kind">;

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
  /** The request message from JSON text or a parsed JSON value. */
  argsFromJson(json: string | JsonValue): unknown;
  argsFromBinary(bytes: Uint8Array): unknown;
  resultToJson(result: unknown): string;
  resultToJsonValue(result: unknown): JsonValue;
  resultToBinary(result: unknown): Uint8Array;
  /** Calls the upstream. Rejects with what the client rejects with, or a GatewayFailure for a declared exception. */
  call(args: unknown, options: KitewireCallOptions): Promise<unknown>;
}

/** The methods of every service in `upstreams`, by `Service/method`, and the clients (to close). */
export function gatewayMethods(idl: Idl, upstreams: Readonly<Record<string, UpstreamOptions>>, limits: CodecLimits):
  { methods: Map<string, GatewayMethod>; clients: GenericClient[] } {
  const methods = new Map<string, GatewayMethod>();
  const clients: GenericClient[] = [];
  for (const [service, upstream] of Object.entries(upstreams)) {
    const client = createGenericClient({ ...upstream, idl, service, kind: "map" });
    clients.push(client);
    if (idl.syntax === "thrift") {
      for (const m of idl.services.get(client.service)!.methods.values()) {
        methods.set(`${client.service}/${m.name}`, thriftMethod(client, m, limits));
      }
    } else {
      const s = idl.services.get(client.service)!;
      for (const m of Object.values(s.methods)) {
        if (m.kind !== "unary") continue; // streaming needs gRPC upstream
        methods.set(`${client.service}/${m.name}`, protoMethod(idl, client, m, limits));
      }
    }
  }
  return { methods, clients };
}

function thriftMethod(client: GenericClient, m: ThriftMethodDescriptor, limits: CodecLimits): GatewayMethod {
  const read = { maxDepth: limits.maxJsonDepth, ignoreUnknownFields: limits.ignoreUnknownFields };
  const exceptionStructs = new Map<string, ThriftStructDescriptor>();
  for (const e of m.exceptions) if (e.type.kind === "struct") exceptionStructs.set(e.type.struct.name, e.type.struct);
  return {
    service: client.service,
    name: m.name,
    binaryCodec: "thrift",
    thrift: m,
    argsFromJson: (json) => thriftStructFromJson(m.argsStruct, typeof json === "string" ? parseGenericJson(json) : json, read),
    argsFromBinary: (bytes) => decodeThrift(m.argsStruct.codec, bytes, "binary"),
    resultToJson: (result) => JSON.stringify(m.result === null || result === undefined ? null : thriftValueToJson(m.result, result)),
    resultToJsonValue: (result) => (m.result === null || result === undefined ? null : thriftValueToJson(m.result, result)),
    resultToBinary: (result) => encodeThrift(m.resultStruct.codec, m.result === null ? {} : { success: result }, "binary"),
    call: (args, options) => client.call(m.name, args, options).catch((error: unknown) => {
      const s = error instanceof ThriftGenericException ? exceptionStructs.get(error.typeName) : undefined;
      if (s === undefined) throw error;
      throw declaredException({ type: s.name, value: thriftStructToJson(s, error), bytes: encodeThrift(s.codec, error, "binary") },
        `${m.name} threw ${s.name}`);
    }),
  };
}

function protoMethod(idl: ProtoIdl, client: GenericClient, m: ProtobufMethod, limits: CodecLimits): GatewayMethod {
  const typeRegistry = protoRegistry(idl);
  const read = { maxDepth: limits.maxJsonDepth, ignoreUnknownFields: limits.ignoreUnknownFields, typeRegistry };
  return {
    service: client.service,
    name: m.name,
    binaryCodec: "proto",
    proto: m,
    argsFromJson: (json) => fromJson(m.input, typeof json === "string" ? parseGenericJson(json) : json, read),
    argsFromBinary: (bytes) => decodeProtobuf(m.input, bytes),
    resultToJson: (result) => stringifyJson(toJson(m.output, result, { typeRegistry })),
    resultToJsonValue: (result) => toJson(m.output, result, { typeRegistry }),
    resultToBinary: (result) => encodeProtobuf(m.output, result),
    call: (args, options) => client.call(m.name, args, options),
  };
}

/** A declared exception as a failure: Connect code `unknown` (HTTP 500), the exception in its details. */
function declaredException(exception: DeclaredException, message: string): GatewayFailure {
  const text = typeof exception.value === "object" && exception.value !== null && !Array.isArray(exception.value)
    && typeof exception.value["message"] === "string" ? `${message}: ${exception.value["message"]}` : message;
  return new GatewayFailure("unknown", text, undefined, exception);
}
