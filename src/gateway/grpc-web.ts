/**
 * gRPC-web, unary and server-streaming calls (github.com/grpc/grpc/blob/master/doc/PROTOCOL-WEB.md):
 * `POST /Service/Method` with `application/grpc-web[+proto|+json|+thrift]`, or the `-text`
 * variants whose body is base64. The body is one length-prefixed message; the reply is
 * HTTP 200 with the reply message (a server-streaming call's messages, as they come) and a
 * trailers frame (flag 0x80) carrying `grpc-status` and `grpc-message`, or the trailers
 * frame alone when the call failed before any message.
 */
import { base64Decode, base64Encode } from "../codec/protobuf/json/base64.js";
import { callOptions, parseGrpcTimeout } from "./call.js";
import { mediaType } from "./connect.js";
import type { GatewayReply, GatewayRequest } from "./exchange.js";
import { PREFIX_BYTES } from "../grpc/message.js";
import { callFailure, GatewayFailure, grpcStatusOf, requestFailure } from "./failure.js";
import type { GatewayMethod } from "./methods.js";
import type { GatewayOptions } from "./options.js";
import { frame, jsonBytes, onlyMessage, replyStream } from "./stream.js";

const utf8 = new TextEncoder();

/** Whether a request is gRPC-web. */
export function isGrpcWebRequest(req: GatewayRequest): boolean {
  return req.header("content-type")?.startsWith("application/grpc-web") === true;
}

/** Serves one gRPC-web call of `method`: unary, or server streaming (the reply a stream of frames). */
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
  // grpc-web-text: the body in base64; a stream's frames each on its own (padded chunks one after another, as the protocol allows).
  const out = (bytes: Uint8Array): Uint8Array => (text ? utf8.encode(base64Encode(bytes)) : bytes);
  const trailers = (error: unknown): Uint8Array => {
    const f = error === undefined ? undefined : callFailure(error);
    const status = f === undefined ? 0 : grpcStatusOf(f.code);
    return frame(0x80, utf8.encode(`grpc-status:${status}\r\ngrpc-message:${encodeURIComponent(f?.message ?? "")}\r\n`));
  };
  try {
    if (method === undefined) throw failure!;
    if (req.method !== "POST") throw new GatewayFailure("unimplemented", `gRPC-web calls are POST, not ${req.method}`);
    const timeout = parseGrpcTimeout(req.header("grpc-timeout"));
    let body = await req.body(text ? Math.ceil((options.maxBodyBytes + PREFIX_BYTES) * 4 / 3) + 8 : options.maxBodyBytes + PREFIX_BYTES);
    if (text) body = decodeText(body);
    const message = onlyMessage(body, "gRPC-web", options.maxBodyBytes);
    let args: unknown;
    try {
      args = json ? method.argsFromJson(message) : method.argsFromBinary(message);
    } catch (error) {
      throw requestFailure(error);
    }
    const encode = (result: unknown): Uint8Array => (json ? jsonBytes(method.resultToJson(result)) : method.resultToBinary(result));
    if (method.kind === "server_streaming") {
      const messages = method.stream!(args, callOptions(req, options, timeout));
      return { status: 200, headers, body: replyStream(messages, (v) => out(frame(0, encode(v))), (e) => out(trailers(e))) };
    }
    let encoded: Uint8Array;
    try {
      encoded = encode(await method.call(args, callOptions(req, options, timeout)));
    } catch (error) {
      throw callFailure(error);
    }
    return { status: 200, headers, body: out(join(frame(0, encoded), trailers(undefined))) };
  } catch (error) {
    return { status: 200, headers, body: out(trailers(requestFailure(error))) };
  }
}

function join(a: Uint8Array, b: Uint8Array): Uint8Array {
  const body = new Uint8Array(a.length + b.length);
  body.set(a);
  body.set(b, a.length);
  return body;
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
