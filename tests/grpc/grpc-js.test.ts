/**
 * kitewire gRPC against @grpc/grpc-js, both directions, all four call shapes: a grpc-js
 * client calling a kitewire server, and a kitewire client calling a grpc-js server.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createGrpcClient, init, KitewireError, listen, Server, silentLogger, type Listener } from "kitewire";
import { collect, echo, echoHandler, grpc, grpcJsEcho } from "./support.js";

type Call = import("@grpc/grpc-js").Client & Record<string, (...a: unknown[]) => unknown>;

beforeAll(async () => {
  await init();
});

describe("grpc-js client -> kitewire server", () => {
  let listener: Listener;
  let client: Call;

  beforeAll(async () => {
    const server = new Server({ logger: silentLogger }).register(echo.Echo, echoHandler);
    listener = await listen(server);
    const { Client } = grpcJsEcho();
    client = new Client(`127.0.0.1:${listener.port}`, grpc.credentials.createInsecure()) as unknown as Call;
  });
  afterAll(async () => {
    client.close();
    await listener.close();
  });

  test("unary, with metadata both ways", async () => {
    const md = new grpc.Metadata();
    md.set("x-tag", "t1");
    md.set("x-bin", Buffer.from([0, 1, 2, 255]));
    let headers: import("@grpc/grpc-js").Metadata | undefined;
    let trailers: import("@grpc/grpc-js").Metadata | undefined;
    const reply = await new Promise<{ message: string; payload: Buffer }>((resolve, reject) => {
      const call = client.unary({ message: "hi", payload: Buffer.from("abc") }, md, (e: Error | null, r: never) => (e ? reject(e) : resolve(r))) as
        import("@grpc/grpc-js").ClientUnaryCall;
      call.on("metadata", (m) => (headers = m));
      call.on("status", (s) => (trailers = s.metadata));
    });
    expect(reply.message).toBe("hi");
    expect(Buffer.from(reply.payload).toString()).toBe("abc");
    expect(headers?.get("x-tag")).toEqual(["t1"]);
    expect(trailers?.get("x-tag-trailer")).toEqual(["t1"]);
    expect(trailers?.get("x-bin")).toEqual([Buffer.from([0, 1, 2, 255])]);
  });

  test("a status with a non-ASCII message", async () => {
    const error = await new Promise<import("@grpc/grpc-js").ServiceError>((resolve) => {
      client.unary({ message: "héllo %20 \n", failWith: 5 }, (e: import("@grpc/grpc-js").ServiceError) => resolve(e));
    });
    expect(error.code).toBe(grpc.status.NOT_FOUND);
    expect(error.details).toBe("failed as asked: héllo %20 \n");
  });

  test("server streaming", async () => {
    const call = client.serverStream({ message: "m", count: 5 }) as import("@grpc/grpc-js").ClientReadableStream<{ message: string; index: number }>;
    const got = await collect(call);
    expect(got.map((r) => r.message)).toEqual(["m 0", "m 1", "m 2", "m 3", "m 4"]);
  });

  test("client streaming", async () => {
    const reply = await new Promise<{ message: string; index: number }>((resolve, reject) => {
      const call = client.clientStream((e: Error | null, r: never) => (e ? reject(e) : resolve(r))) as import("@grpc/grpc-js").ClientWritableStream<unknown>;
      for (const m of ["a", "b", "c"]) call.write({ message: m });
      call.end();
    });
    expect(reply).toMatchObject({ message: "a,b,c", index: 3 });
  });

  test("bidi streaming", async () => {
    const call = client.bidi() as import("@grpc/grpc-js").ClientDuplexStream<unknown, { message: string }>;
    const got: string[] = [];
    const done = new Promise<void>((resolve, reject) => {
      call.on("data", (r) => {
        got.push(r.message);
        if (got.length < 3) call.write({ message: `x${got.length}` });
        else call.end();
      });
      call.on("end", resolve);
      call.on("error", reject);
    });
    call.write({ message: "x0" });
    await done;
    expect(got).toEqual(["X0", "X1", "X2"]);
  });

  test("an unknown method is UNIMPLEMENTED", async () => {
    const raw = new grpc.Client(`127.0.0.1:${listener.port}`, grpc.credentials.createInsecure());
    const error = await new Promise<import("@grpc/grpc-js").ServiceError>((resolve) => {
      raw.makeUnaryRequest("/kitewire.grpc.test.Echo/Nope", (x: Buffer) => x, (x: Buffer) => x, Buffer.alloc(0), (e) => resolve(e!));
    });
    raw.close();
    expect(error.code).toBe(grpc.status.UNIMPLEMENTED);
  });

  test("a deadline shorter than the handler is DEADLINE_EXCEEDED", async () => {
    const error = await new Promise<import("@grpc/grpc-js").ServiceError>((resolve) => {
      client.unary({ message: "slow", sleepMs: 500 }, new grpc.Metadata(), { deadline: Date.now() + 50 }, (e: import("@grpc/grpc-js").ServiceError) => resolve(e));
    });
    expect(error.code).toBe(grpc.status.DEADLINE_EXCEEDED);
  });
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
