/**
 * The Connect protocol, unary calls (connectrpc.com/docs/protocol): `POST /Service/Method`
 * with `application/json` or `application/<codec>` (`proto`, or `thrift` for Thrift
 * Binary), optionally gzip-compressed; `GET` with the message in the query (`encoding`,
 * `message`, `base64`, `compression`). `connect-protocol-version` must be 1 when sent,
 * `connect-timeout-ms` bounds the call. A failure answers with the code's HTTP status and
 * `{"code", "message", "details"}`; a declared Thrift exception is a detail whose `type`
 * is its IDL name, `value` its Thrift Binary bytes (base64, unpadded) and `debug` its JSON.
 */
import { base64Decode, base64Encode } from "../codec/protobuf/json/base64.js";
import type { JsonValue } from "../codec/protobuf/json/types.js";
import { callOptions, parseConnectTimeout } from "./call.js";
import { readLimited, type GatewayReply, type GatewayRequest } from "./exchange.js";
import { callFailure, GatewayFailure, requestFailure } from "./failure.js";
import type { GatewayMethod } from "./methods.js";
import type { GatewayOptions } from "./options.js";

const JSON_TYPE = "application/json";

/** Whether a request is a Connect call (by its content type, or a GET naming an encoding); connect-stream.ts serves the streaming ones. */
export function isConnectRequest(req: GatewayRequest): boolean {
  if (req.method === "GET") return /(?:^|&)encoding=/.test(req.query);
  const type = req.header("content-type");
  return type !== null && type.startsWith("application/") && !type.startsWith("application/grpc");
}

/** Serves one Connect unary call of `method`. */
export async function serveConnect(req: GatewayRequest, method: GatewayMethod, options: Readonly<GatewayOptions>): Promise<GatewayReply> {
  let json = true;
  try {
    if (method.kind !== "unary") {
      throw new GatewayFailure("unimplemented", `${method.service}/${method.name} is server streaming: call it with Connect streaming (application/connect+json or application/connect+${method.binaryCodec})`);
    }
    const version = req.header("connect-protocol-version");
    if (version !== null && version !== "1") throw new GatewayFailure("invalid_argument", `connect-protocol-version must be 1, got ${JSON.stringify(version)}`);
    const timeout = parseConnectTimeout(req.header("connect-timeout-ms"));
    let body: Uint8Array | string;
    if (req.method === "GET") {
      ({ json, body } = getMessage(req, method, options));
    } else if (req.method === "POST") {
      const type = mediaType(req.header("content-type") ?? "");
      json = type === JSON_TYPE;
      if (!json && type !== `application/${method.binaryCodec}`) {
        return failureReply(new GatewayFailure("unknown",
          `content type ${type} is not served for ${method.service}/${method.name} (use ${JSON_TYPE} or application/${method.binaryCodec})`, 415));
      }
      body = await readBody(req, options, req.header("content-encoding"));
    } else {
      return failureReply(new GatewayFailure("unknown", `Connect unary calls are POST or GET, not ${req.method}`, 405), { allow: "POST, GET" });
    }
    let args: unknown;
    try {
      args = json ? method.argsFromJson(body) : method.argsFromBinary(body as Uint8Array);
    } catch (error) {
      throw requestFailure(error);
    }
    try {
      const result = await method.call(args, callOptions(req, options, timeout));
      return json
        ? { status: 200, headers: { "content-type": JSON_TYPE }, body: method.resultToJson(result) }
        : { status: 200, headers: { "content-type": `application/${method.binaryCodec}` }, body: method.resultToBinary(result) };
    } catch (error) {
      throw callFailure(error); // a reply that cannot be written is the upstream's fault: internal, not invalid_argument
    }
  } catch (error) {
    return failureReply(requestFailure(error));
  }
}

/** The message of a GET call, from its query. */
function getMessage(req: GatewayRequest, method: GatewayMethod, options: Readonly<GatewayOptions>): { json: boolean; body: Uint8Array | string } {
  const q = new URLSearchParams(req.query);
  const encoding = q.get("encoding");
  if (encoding !== "json" && encoding !== method.binaryCodec) {
    throw new GatewayFailure("invalid_argument", `encoding must be json or ${method.binaryCodec}, got ${JSON.stringify(encoding)}`);
  }
  const connect = q.get("connect");
  if (connect !== null && connect !== "v1") throw new GatewayFailure("invalid_argument", `connect must be v1, got ${JSON.stringify(connect)}`);
  const compression = q.get("compression");
  if (compression !== null && compression !== "identity") {
    throw new GatewayFailure("unimplemented", `compression ${JSON.stringify(compression)} is not supported on GET (identity only)`);
  }
  const message = q.get("message") ?? "";
  if (message.length > options.maxBodyBytes * 2) throw new GatewayFailure("resource_exhausted", "message larger than the gateway's limit", 413);
  if (q.get("base64") === "1") {
    const bytes = base64Decode(message);
    if (typeof bytes === "string") throw new GatewayFailure("invalid_argument", `message is not base64: ${bytes}`);
    return { json: encoding === "json", body: bytes };
  }
  if (encoding !== "json") throw new GatewayFailure("invalid_argument", "a binary message in the query must be base64 (base64=1)");
  return { json: true, body: message };
}

/** The request body, inflated when gzip-compressed; both sizes bounded by maxBodyBytes. */
async function readBody(req: GatewayRequest, options: Readonly<GatewayOptions>, encoding: string | null): Promise<Uint8Array> {
  const bytes = await req.body(options.maxBodyBytes);
  if (encoding === null || encoding === "identity") return bytes;
  if (encoding !== "gzip") {
    throw new GatewayFailure("unimplemented", `content-encoding ${JSON.stringify(encoding)} is not supported (gzip, identity)`);
  }
  try {
    const inflated = new Blob([bytes as BlobPart]).stream().pipeThrough(new DecompressionStream("gzip"));
    return await readLimited(inflated as ReadableStream<Uint8Array>, options.maxBodyBytes);
  } catch (error) {
    if (error instanceof GatewayFailure) throw error;
    throw new GatewayFailure("invalid_argument", `the gzip body does not inflate: ${error instanceof Error ? error.message : String(error)}`);
  }
}

/** The media type of a content-type header, lower case, without parameters. */
export function mediaType(contentType: string): string {
  const semi = contentType.indexOf(";");
  return (semi < 0 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
}

/** A Connect error reply. */
export function failureReply(failure: GatewayFailure, extraHeaders: Record<string, string> = {}): GatewayReply {
  return { status: failure.httpStatus, headers: { "content-type": JSON_TYPE, ...extraHeaders }, body: JSON.stringify(connectError(failure)) };
}

/** A Connect error's JSON, `{code, message, details?}` (a unary error body; a stream's end message holds it as `error`). */
export function connectError(failure: GatewayFailure): Record<string, JsonValue> {
  const body: Record<string, JsonValue> = { code: failure.code, message: failure.message };
  if (failure.cause !== undefined) body["kitewireCode"] = failure.cause; // clients ignore fields they do not know
  if (failure.exception !== undefined) {
    const detail: Record<string, JsonValue> = { type: failure.exception.type, debug: failure.exception.value };
    if (failure.exception.bytes !== undefined) detail["value"] = base64Encode(failure.exception.bytes).replace(/=+$/, "");
    body["details"] = [detail];
  }
  return body;
}
