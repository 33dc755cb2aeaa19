/**
 * Thrift services over gRPC (`application/grpc+thrift`, as Kitex serves them): the request
 * message is the method's args struct, the response its result struct (a declared
 * exception in its field, status OK), both Thrift Binary; an undeclared failure is a gRPC
 * status. Sent as raw HTTP/2 requests (the bytes made by the generated Thrift codecs) and
 * by kitewire's gRPC client.
 */
import http2 from "node:http2";
import { afterAll, beforeAll, expect, test } from "vitest";
import { createGrpcClient, decodeThrift, encodeThrift, init, listen, Server, silentLogger, type Listener } from "kitewire";
import { ex, SlowHandler } from "../rpc/support.js";

let listener: Listener;

class Handler extends SlowHandler {
  override async getUser(id: bigint): Promise<ex.User> {
    if (id < 0n) throw new ex.NotFound({ message: `no user ${id}`, id });
    if (id === 0n) throw new Error("boom");
    return ex.User.create({ id, name: `user ${id}` });
  }
}

beforeAll(async () => {
  await init();
  listener = await listen(new Server({ logger: silentLogger }).register(ex.UserService, new Handler()));
});
afterAll(() => listener.close({ timeoutMs: 200 }));

async function call(method: string, args: Uint8Array, contentType = "application/grpc+thrift") {
  const session = http2.connect(`http://127.0.0.1:${listener.port}`);
  try {
    const stream = session.request({ ":method": "POST", ":path": `/UserService/${method}`, "content-type": contentType, te: "trailers" });
    const body = new Uint8Array(5 + args.length);
    new DataView(body.buffer).setUint32(1, args.length);
    body.set(args, 5);
    const chunks: Buffer[] = [];
    let headers: http2.IncomingHttpHeaders = {};
    let trailers: http2.IncomingHttpHeaders = {};
    stream.on("response", (h) => (headers = h));
    stream.on("trailers", (t) => (trailers = t));
    stream.on("data", (c: Buffer) => chunks.push(c));
    stream.end(body);
    await new Promise((r) => stream.on("close", r));
    const all = Buffer.concat(chunks);
    return { headers, status: Number(trailers["grpc-status"] ?? headers["grpc-status"]), message: all.subarray(5) };
  } finally {
    session.close();
  }
}

const methods = ex.UserService.methods as Record<string, { args: any; result: any }>;

test("a Thrift method over gRPC: args struct in, result struct out", async () => {
  const r = await call("ping", encodeThrift(methods["ping"]!.args, { message: "over grpc" }));
  expect(r.status).toBe(0);
  expect(r.headers["content-type"]).toBe("application/grpc+thrift");
  expect(decodeThrift(methods["ping"]!.result, r.message)).toMatchObject({ success: "over grpc" });
  const u = await call("getUser", encodeThrift(methods["getUser"]!.args, { id: 7n }));
  expect(decodeThrift(methods["getUser"]!.result, u.message)).toMatchObject({ success: { id: 7n, name: "user 7" } });
});

test("a declared exception is the result struct's field, with status OK; an undeclared failure is a status", async () => {
  const r = await call("getUser", encodeThrift(methods["getUser"]!.args, { id: -3n }));
  expect(r.status).toBe(0);
  const result = decodeThrift(methods["getUser"]!.result, r.message) as { notFound?: ex.NotFound };
  expect(result.notFound).toMatchObject({ message: "no user -3", id: -3n });
  const boom = await call("getUser", encodeThrift(methods["getUser"]!.args, { id: 0n }));
  expect(boom.status).toBe(2);
});

test("a Protobuf content type for a Thrift method is refused (UNIMPLEMENTED), not misread", async () => {
  const r = await call("ping", encodeThrift(methods["ping"]!.args, { message: "x" }), "application/grpc+proto");
  expect(r.status).toBe(12);
});

test("kitewire's gRPC client calls a Thrift service over gRPC: results, declared exceptions, failures", async () => {
  const c = createGrpcClient<ex.UserServiceClient>(ex.UserService, { address: `127.0.0.1:${listener.port}` });
  try {
    expect(await c.ping("hi")).toBe("hi");
    expect(await c.getUser(5n, undefined as never)).toMatchObject({ id: 5n, name: "user 5" });
    const declared = await c.getUser(-1n, undefined as never).catch((e: unknown) => e);
    expect(declared).toBeInstanceOf(ex.NotFound);
    expect(declared).toMatchObject({ message: "no user -1", id: -1n });
    const failed = await c.getUser(0n, undefined as never).catch((e: unknown) => e);
    expect((failed as { details?: Record<string, unknown> }).details).toMatchObject({ grpcStatus: 2 });
  } finally {
    await c.close();
  }
});
