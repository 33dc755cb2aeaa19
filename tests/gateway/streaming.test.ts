/**
 * Server streaming through the gateway: a kitewire gRPC server (echo.proto's Echo, over
 * real HTTP/2 on 127.0.0.1) is the upstream of a gateway on node:http whose IDL is loaded
 * at run time, called with the reference clients (@connectrpc/connect with connect-node's
 * Connect JSON, Connect binary and gRPC-web transports), the gateway's own client, and raw
 * HTTP for what clients hide: the end-of-stream envelope, a slow reader that must hold the
 * upstream back (bounded gateway memory), and a reader that goes away (upstream cancelled).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { request } from "node:http";
import { create, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import {
  createGateway, createGrpcClient, createRpcClient, encodeProtobuf, grpcError, init, listen, loadIdl, serveGateway, Server,
  type GatewayServer, type Listener, type ProtobufService,
} from "kitewire";
import { ECHO_PROTO, echo } from "../grpc/support.js";
import { readFileSync } from "node:fs";

const field = (name: string, number: number, type: number, jsonName = name) => ({ name, number, type, label: 1, jsonName });
const registry = createFileRegistry(create(FileDescriptorSetSchema, {
  file: [{
    name: "echo.proto", package: "kitewire.grpc.test", syntax: "proto3",
    messageType: [
      { name: "EchoRequest", field: [field("message", 1, 9), field("payload", 2, 12), field("count", 3, 5), field("fail_with", 4, 5, "failWith"),
        field("sleep_ms", 5, 5, "sleepMs")] },
      { name: "EchoResponse", field: [field("message", 1, 9), field("payload", 2, 12), field("index", 3, 5)] },
    ],
    service: [{ name: "Echo", method: [
      { name: "Unary", inputType: ".kitewire.grpc.test.EchoRequest", outputType: ".kitewire.grpc.test.EchoResponse" },
      { name: "ServerStream", inputType: ".kitewire.grpc.test.EchoRequest", outputType: ".kitewire.grpc.test.EchoResponse", serverStreaming: true },
    ] }],
  }],
}));
const Echo = registry.getService("kitewire.grpc.test.Echo")!;

/** What the upstream's streaming handler did: messages yielded, and whether each call ended early (cancelled). */
const upstreamSaw = { yielded: 0, cancelled: 0, finished: 0 };
let listener: Listener;
let gateway: GatewayServer;

beforeAll(async () => {
  await init();
  const server = new Server({}).register(echo.Echo, {
    unary: async (r) => echo.EchoResponse.create({ message: r.message, index: 0 }),
    async *serverStream(r) {
      let done = false;
      try {
        for (let i = 0; i < r.count; i++) {
          if (r.sleepMs > 0) await new Promise((ok) => setTimeout(ok, r.sleepMs));
          upstreamSaw.yielded++;
          yield echo.EchoResponse.create({ message: `${r.message} ${i}`, index: i, payload: r.payload });
        }
        if (r.failWith !== 0) throw grpcError(r.failWith, `failed after ${r.count}`);
        done = true;
      } finally {
        if (done) upstreamSaw.finished++;
        else if (r.failWith === 0) upstreamSaw.cancelled++;
      }
    },
    clientStream: async () => echo.EchoResponse.create({}),
    async *bidi() {},
  });
  listener = await listen(server, { host: "127.0.0.1", port: 0 });
  const idl = loadIdl([ECHO_PROTO], { readFile: (p) => readFileSync(p, "utf8") });
  const service = idl.services.get("kitewire.grpc.test.Echo") as ProtobufService;
  gateway = await serveGateway(createGateway({
    idl, upstreams: { Echo: { grpc: createGrpcClient(service, { address: `127.0.0.1:${listener.port}` }) } },
  }));
});

afterAll(async () => {
  await gateway?.close();
  await listener?.close({ timeoutMs: 1000 });
});

test.each([
  ["Connect JSON", () => createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1", useBinaryFormat: false })],
  ["Connect binary", () => createConnectTransport({ baseUrl: gateway.url, httpVersion: "1.1", useBinaryFormat: true })],
  ["gRPC-web", () => createGrpcWebTransport({ baseUrl: gateway.url, httpVersion: "1.1" })],
])("%s: the reference client reads a server stream, its error after the messages, and unary calls", async (_name, transport) => {
  const client = createClient(Echo, transport());
  const got: unknown[] = [];
  for await (const m of client.serverStream({ message: "hi", count: 3, payload: new Uint8Array([1, 2]) })) got.push(m);
  expect(got.map((m) => (m as { message: string }).message)).toEqual(["hi 0", "hi 1", "hi 2"]);
  expect((got[2] as { index: number; payload: Uint8Array }).index).toBe(2);
  expect([...(got[2] as { payload: Uint8Array }).payload]).toEqual([1, 2]);
  const seen: string[] = [];
  const failing = (async () => {
    for await (const m of client.serverStream({ message: "x", count: 2, failWith: 7 })) seen.push((m as { message: string }).message);
  })();
  await expect(failing).rejects.toSatisfy((e) => ConnectError.from(e).code === Code.PermissionDenied && ConnectError.from(e).rawMessage === "failed after 2");
  expect(seen).toEqual(["x 0", "x 1"]);
  expect(await client.unary({ message: "one" })).toMatchObject({ message: "one" });
});

test("the gateway's own client reads server streams over Connect and gRPC-web, binary and JSON", async () => {
  const idl = loadIdl([ECHO_PROTO], { readFile: (p) => readFileSync(p, "utf8") });
  for (const protocol of ["connect", "grpc-web"] as const) {
    for (const codec of ["binary", "json"] as const) {
      const client = createRpcClient({ baseUrl: gateway.url, idl, service: "kitewire.grpc.test.Echo", protocol, codec });
      const got: string[] = [];
      for await (const m of client.stream("ServerStream", { message: protocol, count: 3 })) got.push((m as { message: string }).message);
      expect(got, `${protocol} ${codec}`).toEqual([`${protocol} 0`, `${protocol} 1`, `${protocol} 2`]);
      const failing = (async () => {
        for await (const _ of client.stream("ServerStream", { message: "x", count: 1, failWith: 5 })) void _;
      })();
      await expect(failing, `${protocol} ${codec}`).rejects.toMatchObject({ message: expect.stringContaining("not_found: failed after 1") });
    }
  }
});

/** A raw POST to the gateway; resolves with the response (not yet read). */
function post(path: string, type: string, body: Uint8Array): Promise<import("node:http").IncomingMessage & { req: import("node:http").ClientRequest }> {
  return new Promise((resolve, reject) => {
    const req = request(`${gateway.url}${path}`, { method: "POST", headers: { "content-type": type, "content-length": body.length } }, (res) => {
      resolve(Object.assign(res, { req }));
    });
    req.on("error", reject);
    req.end(body);
  });
}

function envelope(flags: number, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, payload.length);
  out.set(payload, 5);
  return out;
}

async function readAll(res: AsyncIterable<Buffer>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const c of res) chunks.push(c);
  return Buffer.concat(chunks);
}

test("Connect streaming on the wire: one envelope per message, then the end-stream envelope with the error or {}", async () => {
  const json = (s: unknown) => new TextEncoder().encode(JSON.stringify(s));
  const ok = await readAll(await post("/kitewire.grpc.test.Echo/ServerStream", "application/connect+json", envelope(0, json({ message: "m", count: 2 }))));
  const frames: [number, string][] = [];
  for (let at = 0; at < ok.length;) {
    const len = ok.readUInt32BE(at + 1);
    frames.push([ok[at]!, ok.subarray(at + 5, at + 5 + len).toString()]);
    at += 5 + len;
  }
  expect(frames).toEqual([[0, '{"message":"m 0"}'], [0, '{"message":"m 1","index":1}'], [2, "{}"]]);
  // Errors before the stream are in the end-stream envelope too, with HTTP 200.
  const cases: [string, Uint8Array, string][] = [
    ["/kitewire.grpc.test.Echo/Unary", envelope(0, json({})), "unimplemented"],
    ["/kitewire.grpc.test.Echo/ServerStream", envelope(0, json({ count: "x" })), "invalid_argument"],
    ["/kitewire.grpc.test.Echo/ServerStream", envelope(1, json({})), "unimplemented"],
    ["/kitewire.grpc.test.Echo/ServerStream", envelope(0, json({})).subarray(0, 4), "invalid_argument"],
  ];
  for (const [path, body, code] of cases) {
    const res = await post(path, "application/connect+json", body);
    expect(res.statusCode).toBe(200);
    const bytes = await readAll(res);
    expect(bytes[0]).toBe(2);
    expect(JSON.parse(bytes.subarray(5).toString())).toMatchObject({ error: { code } });
  }
});

test("gRPC-web-text streams each frame in base64; a stream's deadline (connect-timeout-ms, grpc-timeout) ends it as deadline_exceeded", async () => {
  const twoMessages = encodeProtobuf(echo.EchoRequest, echo.EchoRequest.create({ message: "t", count: 2 }));
  const text = (await readAll(await post("/kitewire.grpc.test.Echo/ServerStream", "application/grpc-web-text+proto",
    new TextEncoder().encode(Buffer.from(envelope(0, twoMessages)).toString("base64"))))).toString();
  // Base64 chunks one after another, each padded: decoded 4 characters at a time, two messages, then the trailers.
  const bytes = Buffer.concat(text.match(/.{4}/g)!.map((q) => Buffer.from(q, "base64")));
  expect(text.length % 4).toBe(0);
  const frames: [number, Buffer][] = [];
  for (let at = 0; at < bytes.length;) {
    const len = bytes.readUInt32BE(at + 1);
    frames.push([bytes[at]!, bytes.subarray(at + 5, at + 5 + len)]);
    at += 5 + len;
  }
  expect(frames.map(([flags]) => flags)).toEqual([0, 0, 0x80]);
  expect(frames[1]![1].toString()).toContain("t 1");
  expect(frames[2]![1].toString()).toBe("grpc-status:0\r\ngrpc-message:\r\n");

  const slow = (extra: Record<string, string>, type: string, body: Uint8Array) => new Promise<Buffer>((resolve, reject) => {
    const req = request(`${gateway.url}/kitewire.grpc.test.Echo/ServerStream`, { method: "POST", headers: { "content-type": type, ...extra } },
      (res) => readAll(res).then(resolve, reject));
    req.on("error", reject);
    req.end(body);
  });
  const json = new TextEncoder().encode(JSON.stringify({ message: "d", count: 20, sleepMs: 100 }));
  const connect = await slow({ "connect-timeout-ms": "350" }, "application/connect+json", envelope(0, json));
  const envelopes: [number, string][] = [];
  for (let at = 0; at < connect.length;) {
    const len = connect.readUInt32BE(at + 1);
    envelopes.push([connect[at]!, connect.subarray(at + 5, at + 5 + len).toString()]);
    at += 5 + len;
  }
  expect(envelopes.length).toBeGreaterThan(1); // some messages came before the deadline ...
  expect(envelopes.length).toBeLessThan(6);
  expect(envelopes.at(-1)![0]).toBe(2); // ... then the end of the stream with the error
  expect(JSON.parse(envelopes.at(-1)![1])).toMatchObject({ error: { code: "deadline_exceeded" } });
  const web = await slow({ "grpc-timeout": "350m" }, "application/grpc-web+json", envelope(0, json));
  expect(web.toString()).toContain("grpc-status:4\r\n");
});

test("a slow reader holds the upstream back; a reader that goes away cancels the upstream call", async () => {
  const payload = new Uint8Array(64 * 1024);
  const request = encodeProtobuf(echo.EchoRequest, echo.EchoRequest.create({ message: "big", count: 2000, payload })); // 128 MiB in all
  for (const type of ["application/connect+proto", "application/grpc-web+proto"]) {
    upstreamSaw.yielded = 0;
    const cancelledBefore = upstreamSaw.cancelled;
    const res = await post("/kitewire.grpc.test.Echo/ServerStream", type, envelope(0, request));
    expect(res.statusCode).toBe(200);
    res.pause();
    await new Promise((ok) => setTimeout(ok, 1500));
    // Socket buffers, the HTTP/2 window and the gRPC client's queue hold a few MiB at most.
    const yielded = upstreamSaw.yielded;
    expect(yielded, type).toBeGreaterThan(0);
    expect(yielded, type).toBeLessThan(200);
    await new Promise((ok) => setTimeout(ok, 500));
    expect(upstreamSaw.yielded - yielded, `${type}: the upstream stays held`).toBeLessThan(5);
    res.req.destroy();
    const deadline = Date.now() + 3000;
    while (upstreamSaw.cancelled === cancelledBefore && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 20));
    expect(upstreamSaw.cancelled, `${type}: the upstream call was cancelled`).toBe(cancelledBefore + 1);
  }
});

test("the gateway's own client reads a stream whose frames arrive a byte at a time, and refuses a frame announced over maxMessageBytes before holding it", async () => {
  const idl = loadIdl([ECHO_PROTO], { readFile: (p) => readFileSync(p, "utf8") });
  const text = new TextEncoder();
  const long = "m".repeat(5000);
  const wire = [...envelope(0, text.encode(JSON.stringify({ message: long }))), ...envelope(0, text.encode('{"message":"b"}')), ...envelope(2, text.encode("{}"))];
  let pulls = 0;
  let cancelled = false;
  /** A reply body that hands out `wire` `step` bytes per read, then `more` (if any) forever. */
  const replying = (bytes: number[], step: number) => async () => new Response(new ReadableStream<Uint8Array>({
    pull(controller) {
      pulls++;
      if (pulls > 100_000) return controller.error(new Error("read without end"));
      const at = (pulls - 1) * step;
      if (at >= bytes.length) return controller.close();
      controller.enqueue(new Uint8Array(bytes.slice(at, at + step)));
    },
    cancel() { cancelled = true; },
  }), { status: 200, headers: { "content-type": "application/connect+json" } });

  const client = createRpcClient({ baseUrl: "http://127.0.0.1:9", idl, service: "kitewire.grpc.test.Echo", codec: "json", fetch: replying(wire, 1) });
  const got: string[] = [];
  for await (const m of client.stream("ServerStream", {})) got.push((m as { message: string }).message);
  expect(got).toEqual([long, "b"]);

  // 8 MiB announced, then bytes that never end: the client stops at the prefix.
  pulls = 0;
  const huge = [0, 0x00, 0x80, 0x00, 0x00, ...new Array(64).fill(0x20)];
  const bounded = createRpcClient({ baseUrl: "http://127.0.0.1:9", idl, service: "kitewire.grpc.test.Echo", codec: "json", fetch: replying(huge, 5) });
  const reading = (async () => { for await (const _ of bounded.stream("ServerStream", {})) void _; })();
  await expect(reading).rejects.toMatchObject({ code: "LENGTH_LIMIT", message: expect.stringContaining("8388608 bytes is over the limit of 4194304") });
  expect(pulls).toBeLessThanOrEqual(2);
  expect(cancelled).toBe(true);
});
