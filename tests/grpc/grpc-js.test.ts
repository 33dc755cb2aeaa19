/**
 * kitewire gRPC against @grpc/grpc-js, both directions, all four call shapes: a grpc-js
 * client calling a kitewire server, and a kitewire client calling a grpc-js server.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createGrpcClient, init, KitewireError, listen, Server, silentLogger } from "kitewire";
import { grpcJsClientCases } from "./grpc-js-cases.js";
import { collect, echo, echoHandler, grpc, grpcJsEcho } from "./support.js";

beforeAll(async () => {
  await init();
});

grpcJsClientCases("kitewire server on one thread", async () => {
  const l = await listen(new Server({ logger: silentLogger }).register(echo.Echo, echoHandler));
  return { port: l.port, close: () => l.close() };
});

describe("kitewire client -> grpc-js server", () => {
  let server: import("@grpc/grpc-js").Server;
  let client: echo.EchoClient & { close(): Promise<void> };
  const seen: string[] = [];

  beforeAll(async () => {
    const { service } = grpcJsEcho();
    server = new grpc.Server();
    server.addService(service, {
      unary(call: any, cb: any) {
        seen.push(String(call.metadata.get("x-tag")[0] ?? ""));
        if (call.request.failWith) {
          const trailer = new grpc.Metadata();
          trailer.set("x-why", "asked");
          return cb({ code: call.request.failWith, details: `nope ✗ ${call.request.message}`, metadata: trailer });
        }
        cb(null, { message: call.request.message, payload: call.request.payload });
      },
      serverStream(call: any) {
        for (let i = 0; i < call.request.count; i++) call.write({ message: `${call.request.message} ${i}`, index: i });
        call.end();
      },
      clientStream(call: any, cb: any) {
        const parts: string[] = [];
        call.on("data", (r: any) => parts.push(r.message));
        call.on("end", () => cb(null, { message: parts.join(","), index: parts.length }));
      },
      bidi(call: any) {
        call.on("data", (r: any) => call.write({ message: String(r.message).toUpperCase() }));
        call.on("end", () => call.end());
      },
    });
    const port = await new Promise<number>((resolve, reject) =>
      server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
    client = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${port}`, timeoutMs: 5000 });
  });
  afterAll(async () => {
    await client.close();
    server.forceShutdown();
  });

  test("unary, with metadata", async () => {
    const reply = await client.unary(echo.EchoRequest.create({ message: "hello", payload: new Uint8Array([1, 2, 3]) }),
      { metadata: { "x-tag": "k1" } } as never);
    expect(reply.message).toBe("hello");
    expect([...reply.payload]).toEqual([1, 2, 3]);
    expect(seen).toContain("k1");
  });

  test("a status error carries code, message and trailers", async () => {
    const error = await client.unary(echo.EchoRequest.create({ message: "m", failWith: 7 })).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KitewireError);
    expect((error as KitewireError).details).toMatchObject({ grpcStatus: 7, grpcMessage: "nope ✗ m", metadata: { "x-why": "asked" } });
  });

  test("server streaming", async () => {
    const got = await collect(client.serverStream(echo.EchoRequest.create({ message: "s", count: 4 })));
    expect(got.map((r) => r.message)).toEqual(["s 0", "s 1", "s 2", "s 3"]);
  });

  test("client streaming", async () => {
    async function* requests() {
      for (const m of ["x", "y", "z"]) yield echo.EchoRequest.create({ message: m });
    }
    const reply = await client.clientStream(requests());
    expect(reply).toMatchObject({ message: "x,y,z", index: 3 });
  });

  test("bidi streaming", async () => {
    async function* requests() {
      for (const m of ["p", "q"]) yield echo.EchoRequest.create({ message: m });
    }
    const got = await collect(client.bidi(requests()));
    expect(got.map((r) => r.message)).toEqual(["P", "Q"]);
  });
});
