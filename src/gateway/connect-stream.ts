/**
 * The Connect protocol, server-streaming calls (connectrpc.com/docs/protocol, "Streaming
 * RPCs"): `POST /Service/Method` with `application/connect+json` or
 * `application/connect+<codec>`, the body one enveloped message (the envelope is gRPC's
 * 5-byte prefix). The reply is HTTP 200 with one envelope per reply message, as the
 * upstream sends them, and an end-of-stream envelope (flag 0x02) whose JSON is `{}` or
 * `{"error": {code, message, details?}}`; every failure, before or during the stream, is
 * in that last envelope. `connect-timeout-ms` bounds the call; compressed envelopes are
 * refused (unimplemented).
 */
import { callOptions, parseConnectTimeout } from "./call.js";
import { connectError, failureReply, mediaType } from "./connect.js";
import type { GatewayReply, GatewayRequest } from "./exchange.js";
import { callFailure, GatewayFailure, requestFailure } from "./failure.js";
import type { GatewayMethod } from "./methods.js";
import type { GatewayOptions } from "./options.js";
import { frame, jsonBytes, onlyMessage, replyStream } from "./stream.js";
import { PREFIX_BYTES } from "../grpc/message.js";

const STREAM_TYPE = "application/connect+";
const END_STREAM = 0x02;
const utf8 = new TextEncoder();

/** Whether a request is a Connect streaming call (by its content type). */
export function isConnectStreamRequest(req: GatewayRequest): boolean {
  return req.header("content-type")?.toLowerCase().startsWith(STREAM_TYPE) === true;
}

/** Serves one Connect server-streaming call of `method`. */
export async function serveConnectStream(req: GatewayRequest, method: GatewayMethod, options: Readonly<GatewayOptions>): Promise<GatewayReply> {
  const type = mediaType(req.header("content-type")!);
  const codec = type.slice(STREAM_TYPE.length);
  const json = codec === "json";
  if (!json && codec !== method.binaryCodec) {
    return failureReply(new GatewayFailure("unknown",
      `content type ${type} is not served for ${method.service}/${method.name} (use ${STREAM_TYPE}json or ${STREAM_TYPE}${method.binaryCodec})`, 415));
  }
  const headers = { "content-type": type };
  const end = (error: unknown): Uint8Array =>
    frame(END_STREAM, utf8.encode(JSON.stringify(error === undefined ? {} : { error: connectError(callFailure(error)) })));
  try {
    if (method.kind !== "server_streaming") {
      throw new GatewayFailure("unimplemented", `${method.service}/${method.name} is a unary method: call it with Connect unary (application/json or application/${method.binaryCodec})`);
    }
    if (req.method !== "POST") throw new GatewayFailure("unimplemented", `Connect streaming calls are POST, not ${req.method}`);
    const version = req.header("connect-protocol-version");
    if (version !== null && version !== "1") throw new GatewayFailure("invalid_argument", `connect-protocol-version must be 1, got ${JSON.stringify(version)}`);
    const timeout = parseConnectTimeout(req.header("connect-timeout-ms"));
    const encoding = req.header("connect-content-encoding");
    if (encoding !== null && encoding !== "identity") {
      throw new GatewayFailure("unimplemented", `connect-content-encoding ${JSON.stringify(encoding)} is not supported (identity)`);
    }
    const message = onlyMessage(await req.body(options.maxBodyBytes + PREFIX_BYTES), "Connect", options.maxBodyBytes);
    let args: unknown;
    try {
      args = json ? method.argsFromJson(message) : method.argsFromBinary(message);
    } catch (error) {
      throw requestFailure(error);
    }
    const messages = method.stream!(args, callOptions(req, options, timeout));
    return {
      status: 200, headers,
      body: replyStream(messages, (v) => frame(0, json ? jsonBytes(method.resultToJson(v)) : method.resultToBinary(v)), end),
    };
  } catch (error) {
    return { status: 200, headers, body: end(requestFailure(error)) };
  }
}
