/** Shared pieces of the gRPC tests: the Echo handler (kitewire and grpc-js forms) and grpc-js loading. */
import http2 from "node:http2";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { grpcError, KitewireError, ErrorCode, type CallContext, type GrpcServerContext, type Logger } from "kitewire";
import * as echo from "./gen/echo.js";

export { echo };
const require = createRequire(import.meta.url);
export const grpc = require("@grpc/grpc-js") as typeof import("@grpc/grpc-js");
const loader = require("@grpc/proto-loader") as typeof import("@grpc/proto-loader");

export const ECHO_PROTO = fileURLToPath(new URL("./proto/echo.proto", import.meta.url));

/** The Echo service as grpc-js loads it (its own codec: protobufjs). */
export function grpcJsEcho(): { service: import("@grpc/grpc-js").ServiceDefinition; Client: import("@grpc/grpc-js").ServiceClientConstructor } {
  const def = loader.loadSync(ECHO_PROTO, { keepCase: false, longs: String, defaults: true });
  const pkg = grpc.loadPackageDefinition(def) as unknown as { kitewire: { grpc: { test: { Echo: import("@grpc/grpc-js").ServiceClientConstructor } } } };
  const Client = pkg.kitewire.grpc.test.Echo;
  return { service: Client.service, Client };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function response(message: string, index: number, payload: Uint8Array = new Uint8Array(0)): echo.EchoResponse {
  return echo.EchoResponse.create({ message, index, payload });
}

/** kitewire's Echo handler: echoes; `failWith` answers with that status; `sleepMs` waits first. */
export const echoHandler: echo.EchoHandler = {
  async unary(request, ctx) {
    if (request.sleepMs > 0) await sleep(request.sleepMs);
    if (request.failWith !== 0) throw grpcError(request.failWith, `failed as asked: ${request.message}`);
    const g = ctx as GrpcServerContext;
    const tag = g.requestMetadata?.["x-tag"];
    if (typeof tag === "string") {
      g.responseHeaders["x-tag"] = tag;
      g.trailers["x-tag-trailer"] = tag;
    }
    const bin = g.requestMetadata?.["x-bin"];
    if (bin instanceof Uint8Array) g.trailers["x-bin"] = bin;
    return response(request.message, 0, request.payload);
  },
  async *serverStream(request, ctx) {
    for (let i = 0; i < request.count; i++) {
      if (request.sleepMs > 0) await sleep(request.sleepMs);
      yield response(`${request.message} ${i}`, i, request.payload);
    }
    if (request.failWith !== 0) throw grpcError(request.failWith, "failed after the stream");
    void ctx;
  },
  async clientStream(requests) {
    const parts: string[] = [];
    for await (const r of requests) {
      if (r.failWith !== 0) throw grpcError(r.failWith, "failed as asked");
      parts.push(r.message);
    }
    return response(parts.join(","), parts.length);
  },
  async *bidi(requests, _ctx: CallContext) {
    let i = 0;
    for await (const r of requests) {
      if (r.failWith !== 0) throw new KitewireError(ErrorCode.INVALID_VALUE, "bad request in the stream");
      yield response(r.message.toUpperCase(), i++, r.payload);
    }
  },
};

/** Collects an async iterable. */
export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const v of iterable) out.push(v);
  return out;
}

/** A logger that keeps its lines. */
export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const at = (level: string) => (message: string, fields?: Record<string, unknown>) => lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: at("debug"), info: at("info"), warn: at("warn"), error: at("error") };
}

/** One raw HTTP/2 gRPC request: returns the response headers, the body bytes and the trailers. */
export async function rawCall(port: number, path: string, body: Uint8Array, headers: Record<string, string> = {}) {
  const session = http2.connect(`http://127.0.0.1:${port}`);
  try {
    const stream = session.request({ ":method": "POST", ":path": path, "content-type": "application/grpc", te: "trailers", ...headers });
    const chunks: Buffer[] = [];
    let response: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => (response = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.end(body);
    await new Promise<void>((resolve) => stream.on("close", () => resolve()));
    const status = trailers["grpc-status"] ?? response["grpc-status"];
    return { response, trailers, status: status === undefined ? undefined : Number(status), body: Buffer.concat(chunks), rst: stream.rstCode };
  } finally {
    session.close();
  }
}

/** A gRPC length-prefixed message (flag 1: compressed). */
export function prefixed(message: Uint8Array, flag = 0): Uint8Array {
  const out = new Uint8Array(5 + message.length);
  out[0] = flag;
  new DataView(out.buffer).setUint32(1, message.length);
  out.set(message, 5);
  return out;
}

/**
 * Opens a client stream on `session` whose first message announces 90,000 bytes and sends 3:
 * a partial message the server holds under its partial-frame budget.
 */
export function openPartialClientStream(session: http2.ClientHttp2Session): http2.ClientHttp2Stream {
  const stream = session.request({ ":method": "POST", ":path": "/kitewire.grpc.test.Echo/ClientStream", "content-type": "application/grpc", te: "trailers" });
  stream.on("data", () => undefined);
  stream.on("error", () => undefined);
  stream.write(new Uint8Array([0, 0, 1, 0x5f, 0x90, 1, 2, 3]));
  return stream;
}
