/**
 * The gateway in Node (node:http adapter) against the upstream Thrift server in another
 * process: the shared cases, plus cancellation when the HTTP client goes away.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import {
  createGateway, createRpcClient, ErrorCode, init, KitewireError, loadIdl, nodeTransport, serveGateway, ThriftGenericException,
  type GatewayServer, type Middleware,
} from "kitewire";
import { gatewayCases } from "./cases.js";
import { closedPort, SEARCH_THRIFT, startUpstream, TEST_MAX_BODY, type Upstream } from "./support.js";

const transport = { framing: "ttheader", protocol: "binary" } as const;
let upstream: Upstream;
let server: GatewayServer;
const outcomes: string[] = [];

beforeAll(async () => {
  await init();
  upstream = await startUpstream();
  const idl = loadIdl([SEARCH_THRIFT], { readFile: (p) => readFileSync(p, "utf8") });
  const record: Middleware = (next) => async (ctx, args) => {
    try {
      return await next(ctx, args);
    } catch (error) {
      outcomes.push(`${ctx.method}:${error instanceof KitewireError ? error.code : "?"}`);
      throw error;
    }
  };
  const down = await closedPort();
  const gateway = createGateway({
    idl, maxBodyBytes: TEST_MAX_BODY, cors: { origins: "*" },
    upstreams: {
      SearchService: { transport, connection: nodeTransport({ address: `127.0.0.1:${upstream.port}`, transport, mode: "mux" }), middlewares: [record] },
      DownService: { transport, connection: nodeTransport({ address: `127.0.0.1:${down}`, transport }) },
    },
  });
  server = await serveGateway(gateway);
});

afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

gatewayCases("node", () => server.url);

test("node: an HTTP client going away cancels the upstream call", async () => {
  const controller = new AbortController();
  const call = fetch(`${server.url}/SearchService/slow`, {
    method: "POST", headers: { "content-type": "application/json" }, body: '{"ms":3000}', signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 200);
  await expect(call).rejects.toThrow();
  const started = Date.now();
  while (!outcomes.includes(`slow:${ErrorCode.CANCELLED}`) && Date.now() - started < 2_000) await new Promise((r) => setTimeout(r, 20));
  expect(outcomes).toContain(`slow:${ErrorCode.CANCELLED}`);
});

test("node: createRpcClient calls through the gateway over Connect and gRPC-web, binary and JSON", async () => {
  const idl = loadIdl([SEARCH_THRIFT], { readFile: (p) => readFileSync(p, "utf8") });
  for (const protocol of ["connect", "grpc-web"] as const) {
    for (const codec of ["binary", "json"] as const) {
      const client = createRpcClient({ baseUrl: server.url, idl, service: "SearchService", protocol, codec });
      const what = `${protocol}/${codec}`;
      expect(await client.call("search", { req: { q: "rpc", limit: 1 } }), what).toEqual({ hits: [{ title: "rpc #0", score: 100n }], total: 1001 });
      expect(await client.call("echo", { text: "e", blob: new Uint8Array(2), big: 2n ** 60n }), what).toBe(`e|2|${2n ** 60n}`);
      expect(await client.call("ping"), what).toBeUndefined();
      const thrown = await client.call("getUser", { req: { id: 7n } }).catch((e: unknown) => e);
      if (protocol === "connect") {
        expect(thrown, what).toBeInstanceOf(ThriftGenericException);
        expect(thrown, what).toMatchObject({ typeName: "NotFound", message: "no user 7", id: 7n });
      } else {
        expect(thrown, what).toMatchObject({ code: ErrorCode.REMOTE, details: { connectCode: "unknown" } });
      }
      const late = await client.call("slow", { ms: 1000 }, { timeoutMs: 100 }).catch((e: unknown) => e);
      expect(late, what).toMatchObject({ code: ErrorCode.TIMEOUT });
    }
  }
});

test("node: the fetch handler itself (Request in, Response out): JSON depth limit, a streamed body over the limit", async () => {
  const idl = loadIdl([SEARCH_THRIFT], { readFile: (p) => readFileSync(p, "utf8") });
  const gateway = createGateway({
    idl, maxJsonDepth: 1, maxBodyBytes: 1024, // the arguments struct alone
    upstreams: { SearchService: { transport, connection: nodeTransport({ address: `127.0.0.1:${upstream.port}`, transport }) } },
  });
  try {
    const post = (body: BodyInit, method: string) => gateway(new Request(`http://gw.test/SearchService/${method}`, {
      method: "POST", headers: { "content-type": "application/json" }, body, duplex: "half",
    } as RequestInit));
    const flat = await post('{"text":"flat"}', "echo");
    expect(flat.status).toBe(200);
    expect(await flat.json()).toBe("flat|0|0");
    const nested = await post('{"req":{"q":"x"}}', "search");
    expect(nested.status).toBe(400);
    expect(await nested.json()).toMatchObject({ code: "invalid_argument", kitewireCode: "DEPTH_LIMIT" });
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        sent += 512;
        if (sent > 64 * 1024) controller.close(); // never reached: the gateway stops reading at 1 KiB
        else controller.enqueue(new Uint8Array(512).fill(0x20));
      },
    });
    const big = await post(stream, "echo");
    expect(big.status).toBe(413);
    expect(sent).toBeLessThan(8 * 1024);
  } finally {
    await gateway.close();
  }
});

test("node: a chunked body over the limit through node:http gets 413 and the connection closed", async () => {
  const { request } = await import("node:http");
  const status = await new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    const req = request(`${server.url}/SearchService/echo`, { method: "POST", headers: { "content-type": "application/json" } }, (res) => {
      res.resume();
      resolve({ status: res.statusCode!, connection: res.headers.connection });
    });
    req.on("error", reject);
    for (let i = 0; i < 40; i++) req.write("x".repeat(4096)); // chunked: no content-length
    req.end();
  });
  expect(status).toEqual({ status: 413, connection: "close" });
});

test("node: calls on one keep-alive connection, a reply with multi-byte characters sized in bytes", async () => {
  const { Agent, request } = await import("node:http");
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  const post = (body: string) => new Promise<{ reused: boolean; length: string | undefined; body: Buffer }>((resolve, reject) => {
    const req = request(`${server.url}/SearchService/echo`, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ reused: req.reusedSocket, length: res.headers["content-length"], body: Buffer.concat(chunks) }));
    });
    req.on("error", reject);
    req.end(body);
  });
  try {
    // The connection's signal outlives each call: later calls on it are not cancelled.
    const texts = ["ascii", "héllo ✓ 😀 ünïcödé", "ok"];
    const replies = [];
    for (const text of texts) replies.push(await post(JSON.stringify({ text })));
    expect(replies.map((r) => r.reused)).toEqual([false, true, true]);
    for (const [i, r] of replies.entries()) {
      expect(r.length).toBe(String(r.body.length));
      expect(JSON.parse(r.body.toString("utf8"))).toBe(`${texts[i]}|0|0`);
    }
  } finally {
    agent.destroy();
  }
});

test("node: a body arriving in several reads after the head (streamed) and one arriving with it (read whole) give the same reply", async () => {
  const { connect } = await import("node:net");
  const port = Number(new URL(server.url).port);
  const body = JSON.stringify({ text: "split" });
  const exchange = (parts: string[]) => new Promise<string>((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let reply = "";
    socket.setEncoding("utf8").on("data", (s: string) => (reply += s)).on("end", () => resolve(reply)).on("error", reject);
    const head = `POST /SearchService/echo HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\nconnection: close\r\ncontent-length: ${body.length}\r\n\r\n`;
    const write = (i: number): void => {
      if (i === parts.length) return;
      socket.write(i === 0 ? head + parts[0] : parts[i]!);
      setTimeout(() => write(i + 1), 30);
    };
    write(0);
  });
  for (const parts of [[body], ["", body.slice(0, 5), body.slice(5)]]) {
    const reply = await exchange(parts);
    expect(reply.startsWith("HTTP/1.1 200"), reply).toBe(true);
    expect(reply.slice(reply.indexOf("\r\n\r\n") + 4)).toBe('"split|0|0"');
  }
});
