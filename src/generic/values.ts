/**
 * How a generic call's values look to its caller or handler, per kind: `map` passes the
 * map-generic values through (for Thrift, arguments as one object keyed by parameter
 * name); `json` turns arguments, results and declared exceptions' fields into JSON text
 * and back, checked against the IDL (JSON paths in errors).
 */
import { fromJson, toJson } from "../codec/protobuf/json/index.js";
import { stringifyJson } from "../codec/protobuf/json/text.js";
import type { JsonValue } from "../codec/protobuf/json/types.js";
import type { ProtobufMethod } from "../service/protobuf.js";
import { protoRegistry } from "./codec.js";
import type { Idl, ProtoIdl } from "./idl.js";
import { parseGenericJson } from "./json-text.js";
import { ThriftGenericException } from "./thrift/codec.js";
import type { ThriftMethodDescriptor, ThriftStructDescriptor } from "./thrift/descriptor.js";
import { thriftStructFromJson, thriftStructToJson, thriftValueFromJson, thriftValueToJson } from "./thrift/json.js";
import type { ThriftProtocol } from "../codec/thrift/protocol.js";
import { getEngine } from "../wasm/load.js";
import { JsonText, TranscodedStruct } from "./transcode/calls.js";
import { jsonToThriftInEngine } from "./transcode/transcode.js";

/** What a generic client or handler takes and gives. */
export type GenericKind = "map" | "json";

/** Options of the JSON kind. */
export interface GenericJsonOptions {
  /** Skip JSON keys that name no field instead of failing (default false). */
  ignoreUnknownFields?: boolean;
}

/** One method's conversions between the caller's (or handler's) values and map-generic ones. */
export interface MethodValues {
  /** Arguments given by a caller, or returned to a handler's caller: to the map-generic arguments. */
  argsIn(args: unknown): unknown;
  /** Map-generic arguments to what a handler receives. */
  argsOut(args: unknown): unknown;
  /**
   * A handler's result to the map-generic result (JSON kind on Thrift, given the reply's
   * protocol: to the result struct transcoded in the engine, when it takes it).
   */
  resultIn(result: unknown, protocol?: ThriftProtocol): unknown;
  /** A map-generic result to what a caller receives. */
  resultOut(result: unknown): unknown;
  /** A declared exception a handler threw (fields in the kind's form) to its map-generic form. */
  errorIn(error: unknown): unknown;
  /** A declared exception from the server to what a caller sees. */
  errorOut(error: unknown): unknown;
}

const identity = <T>(x: T): T => x;
const MAP: MethodValues = { argsIn: identity, argsOut: identity, resultIn: identity, resultOut: identity, errorIn: identity, errorOut: identity };

/** The conversions of Thrift method `m` for `kind`. */
export function thriftValues(m: ThriftMethodDescriptor, kind: GenericKind, options: GenericJsonOptions = {}): MethodValues {
  if (kind === "map") return MAP;
  const exceptionStruct = (e: ThriftGenericException): ThriftStructDescriptor | undefined =>
    m.exceptions.map((f) => (f.type.kind === "struct" ? f.type.struct : undefined)).find((s) => s?.name === e.typeName);
  const first = m.params[0]?.name;
  return {
    argsIn: (args) => thriftStructFromJson(m.argsStruct, jsonOf(args), options),
    argsOut(args) {
      // Arguments the engine transcoded (calls.ts) come as the JSON text of the whole struct.
      const text = first === undefined ? undefined : (args as Record<string, unknown>)[first];
      return text instanceof JsonText ? text.text : JSON.stringify(thriftStructToJson(m.argsStruct, args));
    },
    resultIn(result, protocol) {
      if (m.result === null) return undefined;
      if (protocol !== undefined && typeof result === "string") {
        const bytes = jsonToThriftInEngine(getEngine(), m.resultStruct, result, protocol, options, true);
        if (bytes !== undefined) return new TranscodedStruct(bytes, protocol);
      }
      return thriftValueFromJson(m.result, jsonOf(result), options);
    },
    resultOut(result) {
      if (result instanceof JsonText) return result.text;
      return JSON.stringify(m.result === null || result === undefined ? null : thriftValueToJson(m.result, result));
    },
    errorIn(error) {
      const s = error instanceof ThriftGenericException ? exceptionStruct(error) : undefined;
      if (s === undefined) return error;
      const fields: Record<string, JsonValue> = {};
      const e = error as ThriftGenericException;
      for (const f of s.fields) if (e[f.name] !== undefined) fields[f.name] = e[f.name] as JsonValue;
      return new ThriftGenericException(s.name, thriftStructFromJson(s, fields, options));
    },
    errorOut(error) {
      const s = error instanceof ThriftGenericException ? exceptionStruct(error) : undefined;
      if (s === undefined) return error;
      return new ThriftGenericException(s.name, thriftStructToJson(s, error));
    },
  };
}

/** The conversions of Protobuf method `m` for `kind`. */
export function protobufValues(idl: ProtoIdl, m: ProtobufMethod, kind: GenericKind, options: GenericJsonOptions = {}): MethodValues {
  if (kind === "map") {
    return { ...MAP, argsIn: (args) => m.input.create(args as never), resultIn: (result) => m.output.create(result as never) };
  }
  const typeRegistry = protoRegistry(idl);
  const read = { ignoreUnknownFields: options.ignoreUnknownFields, typeRegistry };
  return {
    ...MAP,
    argsIn: (args) => fromJson(m.input, jsonOf(args), read),
    argsOut: (args) => stringifyJson(toJson(m.input, args, { typeRegistry })),
    resultIn: (result) => fromJson(m.output, jsonOf(result), read),
    resultOut: (result) => stringifyJson(toJson(m.output, result, { typeRegistry })),
  };
}

/** The values of a loaded IDL's method, whichever its syntax. */
export function methodValues(idl: Idl, service: string, method: string, kind: GenericKind, options?: GenericJsonOptions): MethodValues {
  if (idl.syntax === "proto") return protobufValues(idl, idl.services.get(service)!.methods[method]!, kind, options);
  return thriftValues(idl.services.get(service)!.methods.get(method)!, kind, options);
}

/** JSON text (or its UTF-8 bytes) parsed, or a JSON value as it is. */
function jsonOf(x: unknown): JsonValue {
  if (x instanceof Uint8Array) return parseGenericJson(utf8.decode(x));
  return typeof x === "string" ? parseGenericJson(x) : (x ?? null) as JsonValue;
}

const utf8 = new TextDecoder();
