/** Shared pieces of the gRPC tests: the Echo handler (kitewire and grpc-js forms) and grpc-js loading. */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { grpcError, KitewireError, ErrorCode, type CallContext, type GrpcServerContext } from "kitewire";
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
