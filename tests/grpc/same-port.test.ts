/**
 * One port serving Thrift Framed, TTHeader, Kitex Protobuf and gRPC at once (Kitex does the
 * same): the listener tells them apart by their first bytes (the HTTP/2 preface goes to the
 * gRPC side), exercised concurrently, and a listener with `grpc: false` refusing HTTP/2
 * with a clear error.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { createClient, createGrpcClient, init, listen, nodeTransport, Server, silentLogger, type Listener, type Logger } from "kitewire";
import { client, FRAMED, SlowHandler, TTHEADER, ex } from "../rpc/support.js";
import { echo, echoHandler, grpc, grpcJsEcho } from "./support.js";

let listener: Listener;

beforeAll(async () => {
  await init();
  const server = new Server({ logger: silentLogger }).register(ex.UserService, new SlowHandler()).register(echo.Echo, echoHandler);
  listener = await listen(server);
});
afterAll(() => listener.close({ timeoutMs: 500 }));

test("Thrift Framed, TTHeader, Kitex Protobuf, and gRPC (kitewire and grpc-js clients) on one port, concurrently", async () => {
  const framed = client(listener, FRAMED);
  const ttheader = client(listener, TTHEADER);
  const kitexPb = { framing: "kitex-protobuf", protocol: "protobuf" } as const;
  const pb = createClient<echo.EchoClient>(echo.Echo, { transport: kitexPb, connection: nodeTransport({ address: `127.0.0.1:${listener.port}`, transport: kitexPb }) });
  const g = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${listener.port}` });
  const { Client } = grpcJsEcho();
  const gjs = new Client(`127.0.0.1:${listener.port}`, grpc.credentials.createInsecure()) as unknown as {
    unary(r: object, cb: (e: Error | null, r: { message: string }) => void): void; close(): void;
  };
  try {
    const calls: Promise<string>[] = [];
    for (let i = 0; i < 50; i++) {
      calls.push(framed.ping(`f${i}`));
      calls.push(ttheader.ping(`t${i}`));
      calls.push(pb.unary(echo.EchoRequest.create({ message: `p${i}` })).then((r) => r.message));
      calls.push(g.unary(echo.EchoRequest.create({ message: `g${i}` })).then((r) => r.message));
      calls.push(new Promise((resolve, reject) => gjs.unary({ message: `j${i}` }, (e, r) => (e ? reject(e) : resolve(r.message)))));
    }
    const got = await Promise.all(calls);
    for (let i = 0; i < 50; i++) expect(got.slice(i * 5, i * 5 + 5)).toEqual([`f${i}`, `t${i}`, `p${i}`, `g${i}`, `j${i}`]);
    expect(listener.connections).toBeGreaterThanOrEqual(5);
  } finally {
    await Promise.all([framed.close(), ttheader.close(), pb.close(), g.close()]);
    gjs.close();
  }
});

test("a listener with grpc: false refuses HTTP/2 with a clear, logged error", async () => {
  const lines: string[] = [];
  const logger: Logger = { debug() {}, info() {}, warn: (m) => lines.push(m), error: (m) => lines.push(m) };
  const l = await listen(new Server({ logger }).register(echo.Echo, echoHandler), { grpc: false });
  const g = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${l.port}` });
  try {
    await expect(g.unary(echo.EchoRequest.create({}))).rejects.toThrow();
    expect(lines.join("\n")).toMatch(/HTTP\/2 \(gRPC\) is not served on this port/);
  } finally {
    await g.close();
    await l.close({ timeoutMs: 100 });
  }
});

test("a Thrift client calling a gRPC-only server (grpc-js) gets a clear error, not a hang or a garbled frame", async () => {
  const { service } = grpcJsEcho();
  const g = new grpc.Server();
  g.addService(service, {});
  const port = await new Promise<number>((resolve, reject) =>
    g.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  const c = createClient<{ ping(m: string): Promise<string>; close(): Promise<void> }>(ex.UserService, {
    transport: FRAMED, timeoutMs: 5000, connection: nodeTransport({ address: `127.0.0.1:${port}`, transport: FRAMED }),
  });
  try {
    const started = Date.now();
    const error = await c.ping("x").catch((e: unknown) => e);
    expect(String(error)).toMatch(/the server answered with HTTP\/2: it speaks gRPC on this port; call it with createGrpcClient/);
    expect(Date.now() - started).toBeLessThan(2000);
  } finally {
    await c.close();
    g.forceShutdown();
  }
});
