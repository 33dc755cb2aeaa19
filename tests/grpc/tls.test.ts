/**
 * gRPC over TLS, both directions against @grpc/grpc-js: the TLS listener offers ALPN `h2`
 * (and still serves Thrift on the same port), and the client's `tls` option negotiates `h2`.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createGrpcClient, init, KitewireError, listen, Server, silentLogger, type Listener } from "kitewire";
import { issue } from "../support/certs.js";
import { collect, echo, echoHandler, grpc, grpcJsEcho } from "./support.js";
import { client as thriftClient, ex, FRAMED, SlowHandler } from "../rpc/support.js";

const ca = issue("kitewire gRPC test CA");
const cert = issue("localhost", ca, { ip: "127.0.0.1", dns: "localhost" });
type Call = import("@grpc/grpc-js").Client & Record<string, (...a: unknown[]) => unknown>;

beforeAll(async () => {
  await init();
});

describe("a kitewire TLS listener", () => {
  let listener: Listener;
  beforeAll(async () => {
    const server = new Server({ logger: silentLogger }).register(echo.Echo, echoHandler)
      .register(ex.UserService, new SlowHandler());
    listener = await listen(server, { tls: { key: cert.key, cert: cert.cert } });
  });
  afterAll(() => listener.close());

  test("a grpc-js client with SSL credentials calls it (ALPN h2)", async () => {
    const { Client } = grpcJsEcho();
    const client = new Client(`localhost:${listener.port}`, grpc.credentials.createSsl(Buffer.from(ca.cert))) as unknown as Call;
    try {
      const reply = await new Promise<{ message: string }>((resolve, reject) =>
        client.unary({ message: "over tls" }, (e: Error | null, r: never) => (e ? reject(e) : resolve(r))));
      expect(reply.message).toBe("over tls");
    } finally {
      client.close();
    }
  });

  test("a kitewire client with tls calls it, unary and streaming; a Thrift client shares the port", async () => {
    const client = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${listener.port}`, tls: { ca: ca.cert, servername: "localhost" }, timeoutMs: 5000 });
    const thrift = thriftClient(listener, FRAMED, { tls: { ca: ca.cert, servername: "localhost" } });
    try {
      expect((await client.unary(echo.EchoRequest.create({ message: "kw" }))).message).toBe("kw");
      expect((await collect(client.serverStream(echo.EchoRequest.create({ message: "s", count: 3 })))).length).toBe(3);
      expect(await thrift.ping("thrift")).toBe("thrift");
    } finally {
      await client.close();
      await thrift.close();
    }
  });

  test("a kitewire client that does not trust the certificate fails with CONNECTION", async () => {
    const other = issue("another CA");
    const client = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${listener.port}`, tls: { ca: other.cert, servername: "localhost" } });
    try {
      const error = await client.unary(echo.EchoRequest.create({ message: "x" })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KitewireError);
      expect((error as KitewireError).code).toBe("CONNECTION");
    } finally {
      await client.close();
    }
  });
});

describe("a grpc-js TLS server", () => {
  let server: import("@grpc/grpc-js").Server;
  let port: number;
  beforeAll(async () => {
    server = new grpc.Server();
    const { service } = grpcJsEcho();
    server.addService(service, {
      unary: (call: { request: { message: string } }, cb: (e: null, r: unknown) => void) => cb(null, { message: `grpc-js: ${call.request.message}` }),
    });
    const creds = grpc.ServerCredentials.createSsl(null, [{ private_key: Buffer.from(cert.key), cert_chain: Buffer.from(cert.cert) }]);
    port = await new Promise<number>((resolve, reject) => server.bindAsync("127.0.0.1:0", creds, (e, p) => (e ? reject(e) : resolve(p))));
  });
  afterAll(() => new Promise<void>((resolve) => server.tryShutdown(() => resolve())));

  test("a kitewire client with tls negotiates h2 and calls it", async () => {
    const client = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${port}`, tls: { ca: ca.cert, servername: "localhost" }, timeoutMs: 5000 });
    try {
      expect((await client.unary(echo.EchoRequest.create({ message: "hi" }))).message).toBe("grpc-js: hi");
    } finally {
      await client.close();
    }
  });

  test("the same client without tls fails, typed, instead of hanging", async () => {
    const client = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${port}`, timeoutMs: 2000 });
    try {
      const error = await client.unary(echo.EchoRequest.create({ message: "hi" })).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KitewireError);
    } finally {
      await client.close();
    }
  });
});
