/**
 * One-call generic codecs on a loaded IDL: a named struct (Thrift) or message (Protobuf)
 * between bytes and either plain JS values (map generic) or JSON text (JSON generic).
 *
 * @example
 * const idl = loadIdl(["api.thrift"], { readFile });
 * const bytes = jsonToBytes(idl, "User", '{"id": 1, "name": "ada"}', { protocol: "compact" });
 * bytesToJson(idl, "User", bytes, { protocol: "compact" }); // '{"id":1,"name":"ada",...}'
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { createTypeRegistry, fromJson, toJson, type TypeRegistry } from "../codec/protobuf/json/index.js";
import { stringifyJson } from "../codec/protobuf/json/text.js";
import type { JsonValue } from "../codec/protobuf/json/types.js";
import { decodeProtobuf, encodeProtobuf, type ProtobufMessageCodec } from "../codec/protobuf/message.js";
import type { ThriftProtocol } from "../codec/thrift/protocol.js";
import { decodeThrift, encodeThrift } from "../codec/thrift/struct.js";
import type { Idl, ProtoIdl, ThriftIdl, ThriftStructDescriptor } from "./idl.js";
import { getEngine } from "../wasm/load.js";
import { parseGenericJson } from "./json-text.js";
import { thriftStructFromJson, thriftStructToJson } from "./thrift/json.js";
import { jsonToThriftInEngine, thriftToJsonInEngine } from "./transcode/transcode.js";

/** Options of the generic codecs. */
export interface GenericCodecOptions {
  /** Thrift protocol (default binary); ignored for Protobuf. */
  protocol?: ThriftProtocol;
  /** JSON in: skip keys that name no field instead of failing (default false). */
  ignoreUnknownFields?: boolean;
  /** JSON in: deepest nesting of structs or messages accepted (default 100). */
  maxDepth?: number;
  /** JSON out: indent nested lines by this many spaces (default 0: one line). */
  indent?: number;
}

/**
 * The descriptor of struct `name` of a Thrift IDL, or of a method's `Service$method$args`
 * or `Service$method$result` struct; throws INVALID_VALUE naming what exists.
 */
export function thriftStruct(idl: ThriftIdl, name: string): ThriftStructDescriptor {
  const s = idl.structs.get(name);
  if (s !== undefined) return s;
  const [service, method, part] = name.split("$");
  const m = idl.services.get(service!)?.methods.get(method!);
  if (m !== undefined && part === "args") return m.argsStruct;
  if (m !== undefined && part === "result") return m.resultStruct;
  throw unknownType(name, idl.structs.keys());
}

/** The codec of message `name` (full name) of a Protobuf IDL; throws INVALID_VALUE naming what exists. */
export function protoMessage(idl: ProtoIdl, name: string): ProtobufMessageCodec<unknown> {
  const m = idl.messages.get(name);
  if (m === undefined) throw unknownType(name, idl.messages.keys());
  return m;
}

function unknownType(name: string, known: Iterable<string>): KitewireError {
  return new KitewireError(ErrorCode.INVALID_VALUE, `the IDL has no type '${name}' (it has: ${[...known].join(", ")})`);
}

/** A registry of every message of `idl`, for ProtoJSON's `Any` (made once per IDL). */
const registries = new WeakMap<ProtoIdl, TypeRegistry>();
export function protoRegistry(idl: ProtoIdl): TypeRegistry {
  let r = registries.get(idl);
  if (r === undefined) registries.set(idl, (r = createTypeRegistry(...idl.messages.values())));
  return r;
}

/** Encodes a map-generic value of type `name`. */
export function encodeGeneric(idl: Idl, name: string, value: unknown, options: GenericCodecOptions = {}): Uint8Array {
  if (idl.syntax === "proto") return encodeProtobuf(protoMessage(idl, name), value);
  return encodeThrift(thriftStruct(idl, name).codec, value, options.protocol);
}

/** Decodes bytes of type `name` to its map-generic value. */
export function decodeGeneric(idl: Idl, name: string, bytes: Uint8Array, options: GenericCodecOptions = {}): unknown {
  if (idl.syntax === "proto") return decodeProtobuf(protoMessage(idl, name), bytes);
  return decodeThrift(thriftStruct(idl, name).codec, bytes, options.protocol);
}

/** The map-generic value of a JSON value of type `name` (Thrift mapping, or ProtoJSON). */
export function genericFromJson(idl: Idl, name: string, json: JsonValue, options: GenericCodecOptions = {}): unknown {
  if (idl.syntax === "proto") {
    return fromJson(protoMessage(idl, name), json, {
      ignoreUnknownFields: options.ignoreUnknownFields, maxDepth: options.maxDepth, typeRegistry: protoRegistry(idl),
    });
  }
  return thriftStructFromJson(thriftStruct(idl, name), json, options);
}

/** The JSON value of a map-generic value of type `name`. */
export function genericToJson(idl: Idl, name: string, value: unknown): JsonValue {
  if (idl.syntax === "proto") return toJson(protoMessage(idl, name), value, { typeRegistry: protoRegistry(idl) });
  return thriftStructToJson(thriftStruct(idl, name), value);
}

/**
 * Encodes JSON text (a string, or its UTF-8 bytes as a request body holds them) as bytes of
 * type `name`. Thrift JSON is transcoded in the engine, bytes to bytes; what the engine
 * leaves (and every error) takes the JS path, which gives the same bytes or the error.
 */
export function jsonToBytes(idl: Idl, name: string, json: string | Uint8Array, options: GenericCodecOptions = {}): Uint8Array {
  if (idl.syntax === "thrift") {
    const bytes = jsonToThriftInEngine(getEngine(), thriftStruct(idl, name), json, options.protocol ?? "binary", options);
    if (bytes !== undefined) return bytes;
  }
  const text = typeof json === "string" ? json : utf8Text.decode(json);
  return encodeGeneric(idl, name, genericFromJson(idl, name, parseGenericJson(text), options), options);
}

/** Decodes bytes of type `name` as JSON text (Thrift: transcoded in the engine, see `jsonToBytes`). */
export function bytesToJson(idl: Idl, name: string, bytes: Uint8Array, options: GenericCodecOptions = {}): string {
  const utf8 = engineJson(idl, name, bytes, options);
  return utf8 !== undefined ? utf8Text.decode(utf8) : jsJson(idl, name, bytes, options);
}

/**
 * Decodes bytes of type `name` as the UTF-8 of the JSON text `bytesToJson` gives: what a
 * gateway sends as a response body, without making a string first (Thrift).
 */
export function bytesToJsonBytes(idl: Idl, name: string, bytes: Uint8Array, options: GenericCodecOptions = {}): Uint8Array {
  return engineJson(idl, name, bytes, options)?.slice() ?? utf8Bytes.encode(jsJson(idl, name, bytes, options));
}

const utf8Text = new TextDecoder();
const utf8Bytes = new TextEncoder();

/** The engine's JSON for Thrift bytes (a view of engine memory), or undefined. */
function engineJson(idl: Idl, name: string, bytes: Uint8Array, options: GenericCodecOptions): Uint8Array | undefined {
  if (idl.syntax !== "thrift" || (options.indent ?? 0) > 0) return undefined;
  return thriftToJsonInEngine(getEngine(), thriftStruct(idl, name), bytes, options.protocol ?? "binary");
}

/** The JS path of bytesToJson: decode to map-generic values, then print them. */
function jsJson(idl: Idl, name: string, bytes: Uint8Array, options: GenericCodecOptions): string {
  const json = genericToJson(idl, name, decodeGeneric(idl, name, bytes, options));
  // Thrift JSON holds no -0 number (it is the string "-0"), so the native printer is exact for it.
  return idl.syntax === "proto" ? stringifyJson(json, options.indent ?? 0) : JSON.stringify(json, null, options.indent);
}
