/**
 * A Thrift method as the gateway serves it, with JSON on the engine transcoder
 * (src/generic/transcode): a JSON request body becomes the `<method>_args` struct's bytes
 * in the upstream's protocol in one engine call, written into the request frame as they
 * are; the reply's `<method>_result` struct is kept as bytes and becomes the JSON reply
 * body's UTF-8 in one engine call (or, for a binary request on a Thrift Binary upstream, is the
 * binary reply as it is). Whatever the engine leaves (and every error) takes the
 * map-generic path, so replies and error texts (JSON path, expected type) are that path's.
 */
import type { KitewireCallOptions } from "../client/client.js";
import { createClient } from "../client/client.js";
import type { JsonValue } from "../codec/protobuf/json/types.js";
import type { ThriftProtocol, ThriftReader } from "../codec/thrift/protocol.js";
import { decodeThrift, encodeThrift, type ThriftStructCodec } from "../codec/thrift/struct.js";
import { thriftProtocolOf } from "../generic/binary.js";
import type { GenericClientOptions } from "../generic/client.js";
import type { ThriftIdl } from "../generic/idl.js";
import { parseGenericJson } from "../generic/json-text.js";
import { serviceTable } from "../generic/service.js";
import { ThriftGenericException } from "../generic/thrift/codec.js";
import type { ThriftMethodDescriptor, ThriftServiceDescriptor, ThriftStructDescriptor } from "../generic/thrift/descriptor.js";
import { thriftStructFromJson, thriftStructToJson, thriftValueToJson } from "../generic/thrift/json.js";
import { argsCodec, structBytes, TranscodedStruct } from "../generic/transcode/calls.js";
import { jsonToThriftInEngine, onlyFieldToJsonBytesInEngine } from "../generic/transcode/transcode.js";
import type { ThriftMethod, ThriftService } from "../service/thrift.js";
import { getEngine } from "../wasm/load.js";
import { jsonBodyText } from "./exchange.js";
import { GatewayFailure, type DeclaredException } from "./failure.js";
import type { CodecLimits, GatewayMethod } from "./methods.js";

/** A `<method>_result` struct whose first field is `success`, kept as the upstream's bytes (exported for tests). */
export class ResultBytes {
  constructor(readonly bytes: Uint8Array, readonly protocol: ThriftProtocol) {}
}

/** The upstream client of one Thrift service, and its methods as the gateway serves them. */
export function thriftGatewayMethods(idl: ThriftIdl, service: string, upstream: Omit<GenericClientOptions, "idl" | "service" | "kind">,
  limits: CodecLimits): { methods: GatewayMethod[]; client: { close(): Promise<void> } } {
  const table = serviceTable(idl, service) as ThriftService;
  const desc = idl.services.get(table.name)!;
  const protocol = thriftProtocolOf(upstream.transport.protocol);
  const client = createClient<Record<string, (...args: unknown[]) => Promise<unknown>>>(gatewayTable(desc, table), upstream);
  const methods = [...desc.methods.values()].map((m) => thriftMethod(table.name, m, protocol, limits,
    (args, options) => client[m.name]!(...m.params.map((p) => (args as Record<string, unknown>)[p.name]), options)));
  return { methods, client };
}

function thriftMethod(service: string, m: ThriftMethodDescriptor, protocol: ThriftProtocol, limits: CodecLimits,
  upstream: (args: unknown, options: KitewireCallOptions) => Promise<unknown>): GatewayMethod {
  const read = { maxDepth: limits.maxJsonDepth, ignoreUnknownFields: limits.ignoreUnknownFields };
  const first = m.params[0]?.name;
  const exceptionStructs = new Map<string, ThriftStructDescriptor>();
  for (const e of m.exceptions) if (e.type.kind === "struct") exceptionStructs.set(e.type.struct.name, e.type.struct);
  /** The map-generic result (what the JS path works on). */
  const resultValue = (result: unknown): unknown =>
    result instanceof ResultBytes ? (decodeThrift(m.resultStruct.codec, result.bytes, result.protocol, {}) as { success?: unknown }).success : result;
  const resultToJsonValue = (result: unknown): JsonValue => {
    const value = resultValue(result);
    return m.result === null || value === undefined ? null : thriftValueToJson(m.result, value);
  };
  return {
    service,
    name: m.name,
    binaryCodec: "thrift",
    thrift: m,
    kind: "unary",
    argsFromJson(json) {
      if (first !== undefined && (typeof json === "string" || json instanceof Uint8Array)) {
        const bytes = jsonToThriftInEngine(getEngine(), m.argsStruct, json, protocol, read);
        if (bytes !== undefined) return { [first]: new TranscodedStruct(bytes, protocol) };
      }
      const value = json instanceof Uint8Array ? parseGenericJson(jsonBodyText(json)) : typeof json === "string" ? parseGenericJson(json) : json;
      return thriftStructFromJson(m.argsStruct, value, read);
    },
    argsFromBinary: (bytes) => decodeThrift(m.argsStruct.codec, bytes, "binary"),
    resultToJson(result) {
      if (result instanceof ResultBytes) {
        // The reply body's UTF-8 as the engine wrote it: no string is made (TextDecoder would be most of the cost).
        const got = onlyFieldToJsonBytesInEngine(getEngine(), m.resultStruct, result.bytes, result.protocol);
        if (got?.field?.id === 0) return got.utf8.slice();
      }
      return JSON.stringify(resultToJsonValue(result));
    },
    resultToJsonValue,
    resultToBinary(result) {
      if (result instanceof ResultBytes && result.protocol === "binary") return result.bytes;
      return encodeThrift(m.resultStruct.codec, m.result === null ? {} : { success: resultValue(result) }, "binary");
    },
    call: (args, options) => upstream(args, options).catch((error: unknown) => {
      const s = error instanceof ThriftGenericException ? exceptionStructs.get(error.typeName) : undefined;
      if (s === undefined) throw error;
      throw declaredException({ type: s.name, value: thriftStructToJson(s, error), bytes: encodeThrift(s.codec, error, "binary") },
        `${m.name} threw ${s.name}`);
    }),
  };
}

/**
 * `table` (the service's map-generic method table) with the gateway's codecs: arguments
 * the engine transcoded are written as they are; a result whose first field is `success`
 * is kept as bytes (ResultBytes), any other (a declared exception) decoded as before.
 */
function gatewayTable(service: ThriftServiceDescriptor, table: ThriftService): ThriftService {
  const methods: Record<string, ThriftMethod> = {};
  for (const m of service.methods.values()) {
    methods[m.name] = { ...table.methods[m.name]!, args: argsCodec(m), result: resultCodec(m.resultStruct) };
  }
  return { ...table, methods };
}

function resultCodec(s: ThriftStructDescriptor): ThriftStructCodec<unknown> {
  return {
    get typeName() {
      return s.name;
    },
    write: (w, v) => s.codec.write(w, v),
    read(r: ThriftReader) {
      const bytes = structBytes(r);
      if (firstFieldIsSuccess(bytes, r.protocol)) return { success: new ResultBytes(bytes, r.protocol) };
      return decodeThrift(s.codec, bytes, r.protocol, {});
    },
  };
}

/** Whether a struct's first field has id 0 (a result's `success`), from its first field header. */
function firstFieldIsSuccess(bytes: Uint8Array, protocol: ThriftProtocol): boolean {
  if (bytes.length < 3) return false;
  if (protocol === "binary") return bytes[0] !== 0 && bytes[1] === 0 && bytes[2] === 0;
  // Compact: a zero delta means the id follows as a zigzag varint (0 for id 0).
  return (bytes[0]! & 0x0f) !== 0 && (bytes[0]! & 0xf0) === 0 && bytes[1] === 0;
}

/** A declared exception as a failure: Connect code `unknown` (HTTP 500), the exception in its details. */
function declaredException(exception: DeclaredException, message: string): GatewayFailure {
  const text = typeof exception.value === "object" && exception.value !== null && !Array.isArray(exception.value)
    && typeof exception.value["message"] === "string" ? `${message}: ${exception.value["message"]}` : message;
  return new GatewayFailure("unknown", text, undefined, exception);
}
