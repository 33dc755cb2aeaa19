/**
 * gRPC-web, unary calls (github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md): `POST
 * /Service/Method` with `application/grpc-web[+proto|+json|+thrift]`, or the `-text`
 * variants whose body is base64. The body is one length-prefixed message; the reply is
 * HTTP 200 with the reply message and a trailers frame (flag 0x80) carrying `grpc-status`
 * and `grpc-message`, or the trailers frame alone when the call failed.
 */
import { base64Decode, base64Encode } from "../codec/protobuf/json/base64.js";
import { callOptions, parseGrpcTimeout } from "./call.js";
import { mediaType } from "./connect.js";
import type { GatewayReply, GatewayRequest } from "./exchange.js";
import { callFailure, GatewayFailure, grpcStatusOf, requestFailure } from "./failure.js";
import type { GatewayMethod } from "./methods.js";
import type { GatewayOptions } from "./options.js";

const utf8 = new TextEncoder();

/** Whether a request is gRPC-web. */
export function isGrpcWebRequest(req: GatewayRequest): boolean {
  return req.header("content-type")?.startsWith("application/grpc-web") === true;
}

/** Serves one gRPC-web unary call of `method`. */
export async function serveGrpcWeb(req: GatewayRequest, method: GatewayMethod | undefined, options: Readonly<GatewayOptions>,
  failure?: GatewayFailure): Promise<GatewayReply> {
  const type = mediaType(req.header("content-type")!);
  const text = type.startsWith("application/grpc-web-text");
  const codec = type.slice(text ? "application/grpc-web-text".length : "application/grpc-web".length);
  const json = codec === "+json";
  const headers = { "content-type": type };
  if (method !== undefined && codec !== "" && codec !== "+json" && codec !== `+${method.binaryCodec}`) {
    return { status: 415, headers: { "content-type": "text/plain" }, body: `${type} is not served for ${method.service}/${method.name}` };
  }
  const reply = (message: Uint8Array | undefined, status: number, statusMessage: string): GatewayReply => {
    const trailer = utf8.encode(`grpc-status:${status}\r\ngrpc-message:${encodeURIComponent(statusMessage)}\r\n`);
    const body = new Uint8Array((message === undefined ? 0 : 5 + message.length) + 5 + trailer.length);
    let at = 0;
    if (message !== undefined) at = writeFrame(body, 0, 0, message);
    writeFrame(body, at, 0x80, trailer);
    return { status: 200, headers, body: text ? base64Encode(body) : body };
  };
  try {
    if (method === undefined) throw failure!;
    if (req.method !== "POST") throw new GatewayFailure("unimplemented", `gRPC-web calls are POST, not ${req.method}`);
    const timeout = parseGrpcTimeout(req.header("grpc-timeout"));
    let body = await req.body(text ? Math.ceil(options.maxBodyBytes * 4 / 3) + 8 : options.maxBodyBytes);
    if (text) body = decodeText(body);
    const message = onlyMessage(body);
    let args: unknown;
    try {
      args = json ? method.argsFromJson(message) : method.argsFromBinary(message);
    } catch (error) {
      throw requestFailure(error);
    }
    let encoded: Uint8Array;
    try {
      const result = await method.call(args, callOptions(req, options, timeout));
      encoded = json ? utf8.encode(method.resultToJson(result)) : method.resultToBinary(result);
    } catch (error) {
      throw callFailure(error);
    }
    return reply(encoded, 0, "");
  } catch (error) {
    const failure = requestFailure(error);
    return reply(undefined, grpcStatusOf(failure.code), failure.message);
  }
}

function writeFrame(out: Uint8Array, at: number, flags: number, payload: Uint8Array): number {
  out[at] = flags;
  new DataView(out.buffer, out.byteOffset).setUint32(at + 1, payload.length);
  out.set(payload, at + 5);
  return at + 5 + payload.length;
}

/** The one uncompressed message of a unary request body. */
function onlyMessage(body: Uint8Array): Uint8Array {
  if (body.length < 5) throw new GatewayFailure("invalid_argument", `gRPC-web body of ${body.length} bytes holds no message frame`);
  const flags = body[0]!;
  if ((flags & 1) !== 0) throw new GatewayFailure("unimplemented", "compressed gRPC-web messages are not supported");
  if ((flags & 0x80) !== 0) throw new GatewayFailure("invalid_argument", "gRPC-web request starts with a trailers frame");
  const length = new DataView(body.buffer, body.byteOffset).getUint32(1);
  if (5 + length !== body.length) {
    throw new GatewayFailure("invalid_argument", `gRPC-web message frame announces ${length} bytes, the body holds ${body.length - 5} after it`);
  }
  return body.subarray(5);
}

/** A grpc-web-text body: base64, possibly several padded chunks one after another. */
function decodeText(body: Uint8Array): Uint8Array {
  const text = new TextDecoder().decode(body).replace(/\s+/g, "");
  const chunks = text.match(/[^=]*(?:=+|$)/g)!.filter((c) => c.length > 0);
  const parts: Uint8Array[] = [];
  for (const c of chunks) {
    const bytes = base64Decode(c);
    if (typeof bytes === "string") throw new GatewayFailure("invalid_argument", `grpc-web-text body is not base64: ${bytes}`);
    parts.push(bytes);
  }
  if (parts.length === 1) return parts[0]!;
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
