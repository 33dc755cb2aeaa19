// The service module of the gRPC-on-threads tests: the threads tests' Thrift and Protobuf
// services (service.mjs) and the gRPC tests' Echo service, with the handler of
// tests/grpc (support.ts's echoHandler and server.test.ts's extras). What the test counts
// on one thread (calls through the middleware, handlers cancelled, stream messages made)
// is told on a BroadcastChannel, since the handlers run on the server threads.
import { BroadcastChannel, threadId } from "node:worker_threads";
import { encodeRpcStatus, ErrorCode, grpcError, KitewireError } from "../../../dist/kitewire.node.mjs";
import makeThreadsServer from "./service.mjs";

const gen = JSON.parse(process.env.KITEWIRE_TEST_GEN);
const echo = await import(gen.echo);
const events = new BroadcastChannel("kitewire-grpc-threads-test");
const tell = (event, detail) => events.postMessage({ event, detail, thread: threadId });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const response = (message, index, payload = new Uint8Array(0)) => echo.EchoResponse.create({ message, index, payload });

const handler = {
  async unary(request, ctx) {
    if (request.message === "compress") ctx.compress = true;
    if (request.message === "thread") return response(`thread ${threadId}`, 0);
    if (request.message === "peer") return response(ctx.peer, 0);
    if (request.message === "exit") process.exit(5); // kills this thread
    if (request.message === "busy") for (const end = Date.now() + request.sleepMs; Date.now() < end;); // keeps this thread from reading its ring
    if (request.message === "details") {
      throw grpcError(3, "bad field", { statusDetails: encodeRpcStatus({ code: 3, message: "bad field", details: [{ typeUrl: "type.googleapis.com/x.Y", value: new Uint8Array([8, 1]) }] }) });
    }
    if (request.message === "wait-signal") {
      await new Promise((resolve) => ctx.signal.addEventListener("abort", resolve));
      tell("cancelled");
      return echo.EchoResponse.create({});
    }
    if (request.sleepMs > 0 && request.message !== "busy") await sleep(request.sleepMs);
    if (request.failWith !== 0) throw grpcError(request.failWith, `failed as asked: ${request.message}`);
    const tag = ctx.requestMetadata?.["x-tag"];
    if (typeof tag === "string") {
      ctx.responseHeaders["x-tag"] = tag;
      ctx.trailers["x-tag-trailer"] = tag;
    }
    const bin = ctx.requestMetadata?.["x-bin"];
    if (bin instanceof Uint8Array) ctx.trailers["x-bin"] = bin;
    return response(request.message, 0, request.payload);
  },
  async *serverStream(request) {
    if (request.message === "endless") {
      try {
        for (let i = 0; ; i++) {
          tell("produced");
          yield echo.EchoResponse.create({ index: i, payload: request.payload });
        }
      } finally {
        tell("cancelled");
      }
    }
    for (let i = 0; i < request.count; i++) {
      if (request.sleepMs > 0) await sleep(request.sleepMs);
      yield response(`${request.message} ${i}`, i, request.payload);
    }
    if (request.failWith !== 0) throw grpcError(request.failWith, "failed after the stream");
  },
  async clientStream(requests) {
    const parts = [];
    for await (const r of requests) {
      if (r.failWith !== 0) throw grpcError(r.failWith, "failed as asked");
      parts.push(r.message);
    }
    return response(parts.join(","), parts.length);
  },
  async *bidi(requests) {
    let i = 0;
    for await (const r of requests) {
      if (r.failWith !== 0) throw new KitewireError(ErrorCode.INVALID_VALUE, "bad request in the stream");
      yield response(r.message.toUpperCase(), i++, r.payload);
    }
  },
};

/** A middleware that tells each call it sees. */
const served = (next) => async (ctx, args) => {
  tell("served", `${ctx.service}/${ctx.method}`);
  return next(ctx, args);
};

export default function makeServer() {
  return makeThreadsServer([served]).register(echo.Echo, handler);
}
