/**
 * A client for browsers (and any runtime with fetch) that calls a service through the
 * gateway, over the Connect protocol or gRPC-web, with the IDL loaded at run time. Values
 * are map-generic (what generated code uses: a Thrift method's arguments one object keyed
 * by parameter name, i64 as bigint; a Protobuf method's its request message). With the
 * `binary` codec (default) arguments are encoded and replies decoded on the engine (Thrift
 * Binary, or Protobuf); with `json`, by the JSON mapping.
 *
 * @example
 * await init();
 * const idl = loadIdl(["search.thrift"], { readFile: (p) => sources[p] });
 * const client = createRpcClient({ baseUrl: "https://gw.example.com", idl, service: "SearchService" });
 * const reply = await client.call("search", { req: { q: "kite" } });
 */
import { decodeProtobuf, encodeProtobuf } from "../../codec/protobuf/message.js";
import { fromJson, toJson, type JsonValue } from "../../codec/protobuf/json/index.js";
import { base64Decode } from "../../codec/protobuf/json/base64.js";
import { decodeThrift, encodeThrift } from "../../codec/thrift/struct.js";
import { ErrorCode, KitewireError } from "../../errors.js";
import { protoRegistry } from "../../generic/codec.js";
import type { Idl } from "../../generic/idl.js";
import { parseGenericJson } from "../../generic/json-text.js";
import { serviceTable, unknownMethod } from "../../generic/service.js";
import { thriftStructToJson, thriftValueFromJson } from "../../generic/thrift/json.js";
import { PREFIX_BYTES } from "../../grpc/message.js";
import { codeOfGrpcStatus, codeOfHttpStatus, type ConnectCode } from "../failure.js";
import { frame } from "../stream.js";

export interface RpcClientOptions {
  /** The gateway's URL (`https://gw.example.com`, or a path prefix under it). */
  baseUrl: string;
  idl: Idl;
  /** The service (a Protobuf service's full name, or its name alone). */
  service: string;
  /** `connect` (default) or `grpc-web`. */
  protocol?: "connect" | "grpc-web";
  /** `binary` (default: Thrift Binary or Protobuf, on the engine) or `json`. */
  codec?: "binary" | "json";
  /** Default per-call timeout in ms, sent as connect-timeout-ms or grpc-timeout (default none). */
  timeoutMs?: number;
  /** Headers sent with every call. */
  headers?: Record<string, string>;
  /** The fetch to use (default globalThis.fetch). */
  fetch?: typeof fetch;
  /** The largest message a stream reply may announce (default 4 MiB, gRPC's receive limit). */
  maxMessageBytes?: number;
}

export interface RpcCallOptions {
  signal?: AbortSignal;
  timeoutMs?: number;
  headers?: Record<string, string>;
}

export interface RpcClient {
  readonly service: string;
  readonly methods: readonly string[];
  /**
   * Calls `method`; resolves to its result (undefined for a void Thrift method). A declared
   * Thrift exception rejects as a ThriftGenericException; other failures as a KitewireError
   * whose `details` hold the Connect code (`connectCode`).
   */
  call(method: string, args?: unknown, options?: RpcCallOptions): Promise<unknown>;
  /**
   * Calls server-streaming `method` (Connect streaming, or gRPC-web); yields each reply as
   * it arrives, then throws the stream's error, if any (as `call` does). Stopping the
   * iteration early cancels the call (the gateway cancels it upstream).
   */
  stream(method: string, args?: unknown, options?: RpcCallOptions): AsyncIterable<unknown>;
}

/** How one method's messages are written and read by a codec. */
interface MethodCodec {
  encode(args: unknown): Uint8Array | string;
  decode(body: Uint8Array): unknown;
  /** A declared exception from its Connect detail (Thrift Binary bytes). */
  exception(type: string, bytes: Uint8Array): unknown;
}

const utf8 = new TextEncoder();
const utf8Decoder = new TextDecoder();

/** Creates a client (see `RpcClientOptions`). */
export function createRpcClient(options: RpcClientOptions): RpcClient {
  const { idl } = options;
  const table = serviceTable(idl, options.service);
  const service = table.name;
  const methods = Object.keys(table.methods);
  const json = options.codec === "json";
  const grpcWeb = options.protocol === "grpc-web";
  const binaryName = idl.syntax === "thrift" ? "thrift" : "proto";
  const contentType = grpcWeb ? `application/grpc-web+${json ? "json" : binaryName}` : json ? "application/json" : `application/${binaryName}`;
  const base = options.baseUrl.replace(/\/+$/, "");
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  const codecs = new Map<string, MethodCodec>();
  const maxMessageBytes = options.maxMessageBytes ?? 4 * 1024 * 1024;

  /** Sends one call; the response is not read yet. */
  async function send(method: string, args: unknown, callOptions: RpcCallOptions, streaming: boolean): Promise<{ response: Response; codec: MethodCodec }> {
    if (!methods.includes(method)) throw unknownMethod(service, method, methods);
    let codec = codecs.get(method);
    if (codec === undefined) codecs.set(method, (codec = methodCodec(idl, service, method, json)));
    const message = codec.encode(args ?? {});
    const type = streaming && !grpcWeb ? `application/connect+${json ? "json" : binaryName}` : contentType;
    const headers: Record<string, string> = { ...options.headers, ...callOptions.headers, "content-type": type };
    const timeout = callOptions.timeoutMs ?? options.timeoutMs;
    if (timeout !== undefined) {
      if (grpcWeb) headers["grpc-timeout"] = `${Math.max(1, Math.ceil(timeout))}m`;
      else headers["connect-timeout-ms"] = String(Math.max(1, Math.ceil(timeout)));
    }
    if (grpcWeb) headers["x-grpc-web"] = "1";
    else headers["connect-protocol-version"] = "1";
    const bytes = typeof message === "string" ? utf8.encode(message) : message;
    const body = grpcWeb || streaming ? frame(0, bytes) : bytes;
    try {
      return { response: await doFetch(`${base}/${service}/${method}`, { method: "POST", headers, body: body as BodyInit, signal: callOptions.signal }), codec };
    } catch (error) {
      if (callOptions.signal?.aborted) throw new KitewireError(ErrorCode.CANCELLED, `${method}: cancelled`, { cause: error });
      throw new KitewireError(ErrorCode.CONNECTION, `${method}: the gateway at ${base} cannot be reached: ${String(error)}`, { cause: error });
    }
  }

  return {
    service,
    methods,
    async call(method, args, callOptions = {}) {
      const { response, codec } = await send(method, args, callOptions, false);
      const reply = new Uint8Array(await response.arrayBuffer());
      return grpcWeb ? grpcWebResult(method, response, reply, codec) : connectResult(method, response, reply, codec);
    },
    async *stream(method, args, callOptions = {}) {
      const { response, codec } = await send(method, args, callOptions, true);
      if (response.status !== 200 || response.body === null) {
        const reply = new Uint8Array(await response.arrayBuffer());
        if (grpcWeb) throw rpcError(method, codeOfHttpStatus(response.status), `HTTP ${response.status}`, response.status);
        connectResult(method, response, reply, codec);
        throw rpcError(method, "internal", "a stream reply without a body", response.status);
      }
      let ended = false;
      for await (const [flags, payload] of frames(response.body, maxMessageBytes)) {
        if (grpcWeb ? (flags & 0x80) !== 0 : (flags & 0x02) !== 0) {
          ended = true;
          if (grpcWeb) grpcWebStatus(method, payload);
          else connectEnd(method, payload);
          break;
        }
        yield codec.decode(payload);
      }
      if (!ended) throw rpcError(method, "internal", "the stream ended without its last frame", 200);
    },
  };
}

/**
 * The frames of a streaming reply as they arrive: [flags, payload]. A frame announcing more
 * than `maxMessageBytes` ends the stream with LENGTH_LIMIT before its bytes are held. Chunks
 * wait in a list until the frame they belong to is whole, so a large frame split into many
 * chunks is joined once, not once per chunk. Cancels the body when the reader stops early.
 */
async function* frames(body: ReadableStream<Uint8Array>, maxMessageBytes: number): AsyncGenerator<[number, Uint8Array]> {
  const reader = body.getReader();
  let held: Uint8Array = new Uint8Array(0);
  const waiting: Uint8Array[] = [];
  let waitingBytes = 0;
  try {
    for (;;) {
      let need = PREFIX_BYTES;
      while (held.length >= PREFIX_BYTES) {
        const length = new DataView(held.buffer, held.byteOffset + 1, 4).getUint32(0);
        if (length > maxMessageBytes) {
          throw new KitewireError(ErrorCode.LENGTH_LIMIT, `a stream message of ${length} bytes is over the limit of ${maxMessageBytes} (maxMessageBytes)`);
        }
        need = PREFIX_BYTES + length;
        if (held.length < need) break;
        yield [held[0]!, held.subarray(PREFIX_BYTES, need)];
        held = held.subarray(need);
        need = PREFIX_BYTES;
      }
      const { done, value } = await reader.read();
      if (done) return;
      waiting.push(value);
      waitingBytes += value.length;
      if (held.length + waitingBytes < need) continue;
      const joined = new Uint8Array(held.length + waitingBytes);
      joined.set(held);
      let at = held.length;
      for (const chunk of waiting) {
        joined.set(chunk, at);
        at += chunk.length;
      }
      waiting.length = 0;
      waitingBytes = 0;
      held = joined;
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}

/** A Connect stream's end message: throws its error, if any. */
function connectEnd(method: string, payload: Uint8Array): void {
  const end = JSON.parse(utf8Decoder.decode(payload)) as { error?: { code?: string; message?: string } };
  if (end.error !== undefined) throw rpcError(method, (end.error.code ?? "unknown") as ConnectCode, end.error.message ?? "", 200);
}

/** A gRPC-web trailers frame: throws its status when not OK. */
function grpcWebStatus(method: string, payload: Uint8Array, status: string | null = null, text = ""): void {
  for (const line of utf8Decoder.decode(payload).split("\r\n")) {
    const colon = line.indexOf(":");
    const key = line.slice(0, colon).trim().toLowerCase();
    if (key === "grpc-status") status = line.slice(colon + 1).trim();
    else if (key === "grpc-message") text = decodeURIComponent(line.slice(colon + 1).trim());
  }
  if (status === null) throw rpcError(method, "internal", "gRPC-web reply without grpc-status", 200);
  if (status !== "0") throw rpcError(method, codeOfGrpcStatus(Number(status)), text, 200);
}

function connectResult(method: string, response: Response, reply: Uint8Array, codec: MethodCodec): unknown {
  if (response.status === 200) return codec.decode(reply);
  let error: { code?: string; message?: string; details?: { type?: string; value?: string }[] } = {};
  try {
    error = JSON.parse(utf8Decoder.decode(reply)) as typeof error;
  } catch {
    // not a Connect error body: the status says what happened
  }
  const code = (error.code ?? codeOfHttpStatus(response.status)) as ConnectCode;
  const detail = error.details?.[0];
  if (detail?.type !== undefined && detail.value !== undefined) {
    const bytes = base64Decode(detail.value);
    if (typeof bytes !== "string") {
      const exception = codec.exception(detail.type, bytes);
      if (exception !== undefined) throw exception;
    }
  }
  throw rpcError(method, code, error.message ?? `HTTP ${response.status}`, response.status);
}

function grpcWebResult(method: string, response: Response, reply: Uint8Array, codec: MethodCodec): unknown {
  if (response.status !== 200) throw rpcError(method, codeOfHttpStatus(response.status), `HTTP ${response.status}`, response.status);
  let message: Uint8Array | undefined;
  let trailers: Uint8Array = new Uint8Array(0);
  for (let at = 0; at + PREFIX_BYTES <= reply.length;) {
    const flags = reply[at]!;
    const length = new DataView(reply.buffer, reply.byteOffset + at + 1, 4).getUint32(0);
    const payload = reply.subarray(at + PREFIX_BYTES, at + PREFIX_BYTES + length);
    at += PREFIX_BYTES + length;
    if ((flags & 0x80) === 0) message = payload;
    else trailers = payload;
  }
  grpcWebStatus(method, trailers, response.headers.get("grpc-status"), response.headers.get("grpc-message") ?? "");
  if (message === undefined) throw rpcError(method, "internal", "gRPC-web reply without a message", 200);
  return codec.decode(message);
}

const KITEWIRE_CODE: Partial<Record<ConnectCode, ErrorCode>> = {
  deadline_exceeded: ErrorCode.TIMEOUT,
  canceled: ErrorCode.CANCELLED,
  unavailable: ErrorCode.CONNECTION,
  unimplemented: ErrorCode.UNKNOWN_METHOD,
  resource_exhausted: ErrorCode.OVERLOADED,
  invalid_argument: ErrorCode.INVALID_VALUE,
};

function rpcError(method: string, code: ConnectCode, message: string, httpStatus: number): KitewireError {
  return new KitewireError(KITEWIRE_CODE[code] ?? ErrorCode.REMOTE, `${method}: ${code}: ${message}`, { details: { connectCode: code, httpStatus } });
}

/** The codec of one method: the inverse of the gateway's (methods.ts). */
function methodCodec(idl: Idl, service: string, method: string, json: boolean): MethodCodec {
  if (idl.syntax === "proto") {
    const m = idl.services.get(service)!.methods[method]!;
    const typeRegistry = protoRegistry(idl);
    return {
      encode: (args) => (json ? JSON.stringify(toJson(m.input, m.input.create(args as never), { typeRegistry })) : encodeProtobuf(m.input, m.input.create(args as never))),
      decode: (body) => (json ? fromJson(m.output, parseGenericJson(utf8Decoder.decode(body)), { typeRegistry }) : decodeProtobuf(m.output, body)),
      exception: () => undefined,
    };
  }
  const m = idl.services.get(service)!.methods.get(method)!;
  return {
    encode: (args) => (json ? JSON.stringify(thriftStructToJson(m.argsStruct, args)) : encodeThrift(m.argsStruct.codec, args, "binary")),
    decode(body) {
      if (json) {
        const value = parseGenericJson(utf8Decoder.decode(body)) as JsonValue;
        return m.result === null || value === null ? undefined : thriftValueFromJson(m.result, value);
      }
      return (decodeThrift(m.resultStruct.codec, body, "binary") as { success?: unknown }).success;
    },
    exception(type, bytes) {
      const e = m.exceptions.find((f) => f.type.kind === "struct" && f.type.struct.name === type);
      if (e === undefined || e.type.kind !== "struct") return undefined;
      return decodeThrift(e.type.struct.codec, bytes, "binary");
    },
  };
}
