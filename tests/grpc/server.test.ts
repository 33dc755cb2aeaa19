/**
 * kitewire's gRPC server and client against each other and against raw HTTP/2 requests:
 * deadlines, cancellation, compression, size limits, bad input (each costing its stream
 * only, logged), backpressure from a client that never reads, per-message receive
 * timeouts, GOAWAY on graceful shutdown, middleware and discovery through the client chain.
 */
import http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createGrpcClient, decodeRpcStatus, encodeRpcStatus, ErrorCode, grpcError, gzip, init, KitewireError, listen, Server,
  type GrpcServerContext, type Listener, type Logger, type Middleware,
} from "kitewire";
import { captureLogger, collect, echo, echoHandler, openPartialClientStream, prefixed, rawCall } from "./support.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const UNARY = "/kitewire.grpc.test.Echo/Unary";
let listener: Listener;
let server: Server;
const logger = captureLogger();
const served: string[] = [];
let cancelledStreams = 0;
let produced = 0;
const middleware: Middleware = (next) => async (ctx, args) => {
  served.push(`${ctx.service}/${ctx.method}`);
  return next(ctx, args);
};

beforeAll(async () => {
  await init();
  server = new Server({ logger, middlewares: [middleware] }).register(echo.Echo, {
    ...echoHandler,
    async unary(request: echo.EchoRequest, ctx: GrpcServerContext) {
      if (request.message === "compress") ctx.compress = true;
      if (request.message === "details") {
        throw grpcError(3, "bad field", { statusDetails: encodeRpcStatus({ code: 3, message: "bad field", details: [{ typeUrl: "type.googleapis.com/x.Y", value: new Uint8Array([8, 1]) }] }) });
      }
      if (request.message === "wait-signal") {
        await new Promise((resolve) => ctx.signal!.addEventListener("abort", resolve));
        cancelledStreams++;
        return echo.EchoResponse.create({});
      }
      return echoHandler.unary(request, ctx);
    },
    async *serverStream(request: echo.EchoRequest, ctx: GrpcServerContext) {
      if (request.message === "endless") {
        try {
          for (let i = 0; ; i++) {
            produced++;
            yield echo.EchoResponse.create({ index: i, payload: request.payload });
          }
        } finally {
          cancelledStreams++;
        }
      }
      yield* echoHandler.serverStream(request, ctx);
    },
  } as echo.EchoHandler);
  listener = await listen(server, { grpc: { writeTimeoutMs: 300, receiveTimeoutMs: 2000, maxReceiveMessageBytes: 64 * 1024 } });
});
afterAll(async () => {
  await listener.close({ timeoutMs: 500 });
});

describe("kitewire client -> kitewire server", () => {
  let client: echo.EchoClient & { close(): Promise<void> };
  beforeAll(() => {
    client = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${listener.port}`, timeoutMs: 5000 });
  });
  afterAll(() => client.close());

  test("all four call shapes, through the server's middleware", async () => {
    served.length = 0;
    expect((await client.unary(echo.EchoRequest.create({ message: "u" }))).message).toBe("u");
    expect((await collect(client.serverStream(echo.EchoRequest.create({ message: "s", count: 3 })))).map((r) => r.index)).toEqual([0, 1, 2]);
    async function* reqs() {
      yield echo.EchoRequest.create({ message: "a" });
      yield echo.EchoRequest.create({ message: "b" });
    }
    expect((await client.clientStream(reqs())).message).toBe("a,b");
    expect((await collect(client.bidi(reqs()))).map((r) => r.message)).toEqual(["A", "B"]);
    expect(served).toEqual(["kitewire.grpc.test.Echo/Unary", "kitewire.grpc.test.Echo/ServerStream",
      "kitewire.grpc.test.Echo/ClientStream", "kitewire.grpc.test.Echo/Bidi"]);
  });

  test("status, message and google.rpc.Status details reach the client", async () => {
    const error = (await client.unary(echo.EchoRequest.create({ message: "details" })).catch((e) => e)) as KitewireError;
    expect(error.details).toMatchObject({ grpcStatus: 3, grpcMessage: "bad field" });
    const status = decodeRpcStatus(error.details!["statusDetails"] as Uint8Array);
    expect(status).toEqual({ code: 3, message: "bad field", details: [{ typeUrl: "type.googleapis.com/x.Y", value: new Uint8Array([8, 1]) }] });
  });

  test("a handler error mid-stream ends the stream with its status after the messages sent", async () => {
    const got: number[] = [];
    const error = await (async () => {
      for await (const r of client.serverStream(echo.EchoRequest.create({ count: 2, failWith: 9 }))) got.push(r.index);
    })().catch((e: unknown) => e);
    expect(got).toEqual([0, 1]);
    expect((error as KitewireError).details).toMatchObject({ grpcStatus: 9 });
  });

  test("a deadline: the client gets TIMEOUT (DEADLINE_EXCEEDED) and the handler's signal aborts", async () => {
    const before = cancelledStreams;
    const error = (await client.unary(echo.EchoRequest.create({ message: "wait-signal" }), { timeoutMs: 100 }).catch((e) => e)) as KitewireError;
    expect(error.code).toBe(ErrorCode.TIMEOUT);
    await sleep(100);
    expect(cancelledStreams).toBe(before + 1);
  });

  test("cancelling a server stream (RST_STREAM) stops the handler's generator", async () => {
    const before = cancelledStreams;
    const controller = new AbortController();
    let n = 0;
    const error = await (async () => {
      for await (const _ of client.serverStream(echo.EchoRequest.create({ message: "endless" }), { signal: controller.signal })) {
        if (++n === 5) controller.abort();
      }
    })().catch((e: unknown) => e);
    expect((error as KitewireError).code).toBe(ErrorCode.CANCELLED);
    await sleep(200);
    expect(cancelledStreams).toBe(before + 1);
  });

  test("breaking out of a response stream cancels the call", async () => {
    const before = cancelledStreams;
    for await (const r of client.serverStream(echo.EchoRequest.create({ message: "endless" }))) if (r.index === 3) break;
    await sleep(200);
    expect(cancelledStreams).toBe(before + 1);
  });

  test("gzip both ways: compressed request, compressed response", async () => {
    const gz = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${listener.port}`, grpc: { compression: gzip } });
    try {
      const payload = new Uint8Array(20_000).fill(7);
      const reply = await gz.unary(echo.EchoRequest.create({ message: "compress", payload }));
      expect(reply.payload).toEqual(payload);
    } finally {
      await gz.close();
    }
  });

  test("a request over the client's send limit fails before it is sent", async () => {
    const small = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${listener.port}`, grpc: { maxSendMessageBytes: 100 } });
    try {
      const error = (await small.unary(echo.EchoRequest.create({ payload: new Uint8Array(200) })).catch((e) => e)) as KitewireError;
      expect(error.code).toBe(ErrorCode.LENGTH_LIMIT);
    } finally {
      await small.close();
    }
  });

  test("a client stream that goes silent gets DEADLINE_EXCEEDED from the server's per-message receive timeout", async () => {
    const quiet = await listen(new Server({ logger }).register(echo.Echo, echoHandler), { grpc: { receiveTimeoutMs: 100 } });
    const c = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${quiet.port}` });
    try {
      async function* stalls() {
        yield echo.EchoRequest.create({ message: "one" });
        await sleep(2000);
      }
      const started = Date.now();
      const error = (await c.clientStream(stalls()).catch((e) => e)) as KitewireError;
      expect(error.details).toMatchObject({ grpcStatus: 4 });
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await c.close();
      await quiet.close({ timeoutMs: 100 });
    }
  });

  test("the client's per-message receive timeout: a server stream that goes silent fails with TIMEOUT", async () => {
    const c = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${listener.port}`, grpc: { receiveTimeoutMs: 100 } });
    try {
      const got: number[] = [];
      const error = await (async () => {
        for await (const r of c.serverStream(echo.EchoRequest.create({ count: 3, sleepMs: 1000 }))) got.push(r.index);
      })().catch((e: unknown) => e);
      expect((error as KitewireError).code).toBe(ErrorCode.TIMEOUT);
      expect(got).toEqual([]);
    } finally {
      await c.close();
    }
  });
});

describe("bad input costs its stream only, with the right status, and is logged", () => {
  const bad = async (path: string, body: Uint8Array, headers: Record<string, string> = {}) => rawCall(listener.port, path, body, headers);

  test("a malformed length prefix (compressed flag 2): INTERNAL", async () => {
    expect((await bad(UNARY, prefixed(new Uint8Array(0), 2))).status).toBe(13);
  });
  test("a message announcing more bytes than the limit: RESOURCE_EXHAUSTED, read no further", async () => {
    const head = new Uint8Array([0, 0, 0x10, 0, 0]); // 1 MiB announced, 64 KiB allowed
    expect((await bad(UNARY, head)).status).toBe(8);
  });
  test("a gzip message inflating past the limit: RESOURCE_EXHAUSTED", async () => {
    const bomb = gzipSync(Buffer.alloc(1 << 20)); // ~1 KiB that inflates to 1 MiB
    expect((await bad(UNARY, prefixed(bomb, 1), { "grpc-encoding": "gzip" })).status).toBe(8);
  });
  test("a compressed message without grpc-encoding: INTERNAL", async () => {
    expect((await bad(UNARY, prefixed(gzipSync(Buffer.from([8, 1])), 1))).status).toBe(13);
  });
  test("an unsupported grpc-encoding: UNIMPLEMENTED, with the encodings accepted", async () => {
    const r = await bad(UNARY, prefixed(new Uint8Array(0)), { "grpc-encoding": "snappy" });
    expect(r.status).toBe(12);
    expect(String(r.response["grpc-accept-encoding"])).toContain("gzip");
  });
  test("undecodable protobuf: INTERNAL", async () => {
    expect((await bad(UNARY, prefixed(new Uint8Array([0x0a, 0x05, 0x41])))).status).toBe(13);
  });
  test("a stream cut inside a message: INTERNAL", async () => {
    expect((await bad(UNARY, prefixed(new Uint8Array(10)).subarray(0, 8))).status).toBe(13);
  });
  test("two messages to a unary method: UNIMPLEMENTED (grpc-go answers the same)", async () => {
    const one = prefixed(new Uint8Array(0));
    expect((await bad(UNARY, Buffer.concat([one, one]))).status).toBe(12);
  });
  test("unknown method and unknown service: UNIMPLEMENTED (trailers-only)", async () => {
    const m = await bad("/kitewire.grpc.test.Echo/Nope", prefixed(new Uint8Array(0)));
    expect(m.status).toBe(12);
    expect(m.response["grpc-status"]).toBe("12"); // trailers-only: the status is in the headers
    expect((await bad("/no.Such/Method", prefixed(new Uint8Array(0)))).status).toBe(12);
  });
  test("a handler without a streaming method: its other methods are served, the missing one is UNIMPLEMENTED (as grpc-js answers)", async () => {
    // Before, building the routes threw on the first stream and every connection was refused
    // (and the stream's close then threw out of the socket's data handler).
    const l = await listen(new Server({ logger }).register(echo.Echo, { unary: echoHandler.unary } as unknown as echo.EchoHandler));
    try {
      expect((await rawCall(l.port, UNARY, prefixed(new Uint8Array([0x0a, 0x02, 0x68, 0x69])))).status).toBe(0);
      expect((await rawCall(l.port, "/kitewire.grpc.test.Echo/ServerStream", prefixed(new Uint8Array(0)))).status).toBe(12);
    } finally {
      await l.close({ timeoutMs: 100 });
    }
  });
  test("a bad grpc-timeout: INTERNAL", async () => {
    expect((await bad(UNARY, prefixed(new Uint8Array(0)), { "grpc-timeout": "12x" })).status).toBe(13);
    expect((await bad(UNARY, prefixed(new Uint8Array(0)), { "grpc-timeout": "123456789m" })).status).toBe(13);
  });
  test("a non-gRPC content type: HTTP 415", async () => {
    const r = await bad(UNARY, new Uint8Array(0), { "content-type": "text/plain" });
    expect(r.response[":status"]).toBe(415);
  });
  test("after all of that, the server still serves on the same connection's port, and each kind was logged", async () => {
    const ok = await bad(UNARY, prefixed(new Uint8Array([0x0a, 0x02, 0x68, 0x69])));
    expect(ok.status).toBe(0);
    const log = logger.lines.join("\n");
    for (const reason of ["grpc-malformed-message", "grpc-message-too-large", "grpc-unimplemented", "grpc-bad-timeout", "grpc-not-grpc"]) {
      expect(log).toContain(reason);
    }
  });

  test("an HTTP/2 protocol error (DATA on stream 0) costs its connection only: GOAWAY, closed within the idle timeout", async () => {
    // Node answers a protocol error with GOAWAY but leaves the socket to the peer: the idle timeout bounds it.
    const l = await listen(new Server({ logger, idleTimeoutMs: 300 }).register(echo.Echo, echoHandler));
    const { connect } = await import("node:net");
    const socket = connect({ host: "127.0.0.1", port: l.port });
    await new Promise((r) => socket.once("connect", r));
    socket.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
      Buffer.from([0, 0, 4, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])]));
    const got: Buffer[] = [];
    socket.on("data", (d: Buffer) => got.push(d));
    await new Promise((r) => socket.once("close", r));
    const bytes = Buffer.concat(got);
    let goaway = false;
    for (let at = 0; at + 9 <= bytes.length; at += 9 + bytes.readUIntBE(at, 3)) if (bytes[at + 3] === 7) goaway = true;
    expect(goaway).toBe(true); // GOAWAY (PROTOCOL_ERROR), then the connection closed
    expect((await rawCall(l.port, UNARY, prefixed(new Uint8Array([0x0a, 0x02, 0x68, 0x69])))).status).toBe(0); // the server lives on
    await l.close({ timeoutMs: 100 });
  });

  test("partial messages share the listener's partial-frame budget: past it the largest holder is reset", async () => {
    const l = await listen(new Server({ logger, maxPartialFrameBytes: 100_000 }).register(echo.Echo, echoHandler));
    const session = http2.connect(`http://127.0.0.1:${l.port}`);
    try {
      const a = openPartialClientStream(session);
      await sleep(100);
      const b = openPartialClientStream(session);
      // (Not b.close() at the moment A's reset arrives: Node 20's client nghttp2 then spins in
      // RstStream, nghttp2_map_find, a client-side bug seen here; a sleep avoids it.)
      await sleep(300);
      expect(a.rstCode).toBe(http2.constants.NGHTTP2_CANCEL); // A held as much as B asked for: A goes
      expect(b.closed).toBe(false);
      expect(logger.lines.join("\n")).toContain("grpc-partial-frame-budget");
    } finally {
      session.destroy();
      await l.close({ timeoutMs: 100 });
    }
  });

  test("a client that never reads: the stream is stopped by flow control, then reset after writeTimeoutMs", async () => {
    produced = 0;
    const before = cancelledStreams;
    const session = http2.connect(`http://127.0.0.1:${listener.port}`, { settings: { initialWindowSize: 65535 } });
    const stream = session.request({ ":method": "POST", ":path": "/kitewire.grpc.test.Echo/ServerStream", "content-type": "application/grpc", te: "trailers" });
    stream.pause(); // never reads
    const request = new Uint8Array([0x0a, 0x07, ...Buffer.from("endless"), 0x12, 0x82, 0x08, ...new Uint8Array(1026)]);
    stream.end(prefixed(request));
    await sleep(1200);
    // With a 64 KiB stream window and 1 KiB messages, the handler is held after a bounded number of them.
    expect(produced).toBeGreaterThan(10);
    expect(produced).toBeLessThan(2000);
    expect(cancelledStreams).toBe(before + 1); // reset after writeTimeoutMs (300 ms), the generator ended
    session.destroy();
    expect(logger.lines.join("\n")).toContain("grpc-write-timeout");
  });
});

describe("the client chain and graceful shutdown", () => {
  test("a target of two servers: calls spread over both (discovery + balancing)", async () => {
    const hits = { a: 0, b: 0 };
    const mk = (name: "a" | "b") => new Server({ logger }).register(echo.Echo, {
      ...echoHandler, unary: (r: echo.EchoRequest) => (hits[name]++, echo.EchoResponse.create({ message: name + r.message })),
    } as echo.EchoHandler);
    const a = await listen(mk("a"));
    const b = await listen(mk("b"));
    const c = createGrpcClient<echo.EchoClient>(echo.Echo, { target: `127.0.0.1:${a.port},127.0.0.1:${b.port}` });
    try {
      for (let i = 0; i < 10; i++) await c.unary(echo.EchoRequest.create({ message: "x" }));
      expect(hits.a).toBeGreaterThan(0);
      expect(hits.b).toBeGreaterThan(0);
    } finally {
      await c.close();
      await a.close({ timeoutMs: 100 });
      await b.close({ timeoutMs: 100 });
    }
  });

  test("retry through the client chain: an instance answering UNAVAILABLE is retried on the other", async () => {
    let failed = 0;
    const down = await listen(new Server({ logger }).register(echo.Echo, {
      ...echoHandler, unary: () => (failed++, Promise.reject(grpcError(14, "draining"))),
    } as echo.EchoHandler));
    const up = await listen(new Server({ logger }).register(echo.Echo, echoHandler));
    const policy = { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 2, cbPolicy: { errorRate: 0.3 } } } };
    const c = createGrpcClient<echo.EchoClient>(echo.Echo, {
      target: `127.0.0.1:${down.port},127.0.0.1:${up.port}`, retry: { policies: { Unary: policy } },
    });
    try {
      // Few calls: past 10 samples at an error rate over 30% Kitex's retry breaker stops retrying (as it should).
      for (let i = 0; i < 4; i++) expect((await c.unary(echo.EchoRequest.create({ message: `r${i}` }))).message).toBe(`r${i}`);
      expect(failed).toBeGreaterThan(0); // the balancer did pick the failing one, and the retry went elsewhere
    } finally {
      await c.close();
      await down.close({ timeoutMs: 100 });
      await up.close({ timeoutMs: 100 });
    }
  });

  test("deadline and persistent metainfo propagate: a handler calling on with { context } passes the time left and rpc-persist- values", async () => {
    const seen: { left: number; persist?: string }[] = [];
    const b = await listen(new Server({ logger }).register(echo.Echo, {
      ...echoHandler,
      unary(r: echo.EchoRequest, ctx: GrpcServerContext) {
        seen.push({ left: ctx.deadline! - Date.now(), persist: ctx.metainfo.persistent.get("tenant") });
        return echo.EchoResponse.create({ message: r.message });
      },
    } as echo.EchoHandler));
    const toB = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${b.port}` });
    const a = await listen(new Server({ logger }).register(echo.Echo, {
      ...echoHandler,
      async unary(r: echo.EchoRequest, ctx: GrpcServerContext) {
        ctx.metainfo.persistent.set("tenant", "t-42");
        await sleep(100);
        return toB.unary(r, { context: ctx } as never);
      },
    } as echo.EchoHandler));
    const c = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${a.port}` });
    try {
      expect((await c.unary(echo.EchoRequest.create({ message: "hop" }), { timeoutMs: 2000 })).message).toBe("hop");
      expect(seen[0]!.left).toBeGreaterThan(1000);
      expect(seen[0]!.left).toBeLessThan(1950); // A's 100 ms and the hops came off
      expect(seen[0]!.persist).toBe("t-42");
    } finally {
      await c.close();
      await toB.close();
      await a.close({ timeoutMs: 100 });
      await b.close({ timeoutMs: 100 });
    }
  });

  test("client middleware and tracer see each gRPC call", async () => {
    const seen: string[] = [];
    const c = createGrpcClient<echo.EchoClient>(echo.Echo, {
      address: `127.0.0.1:${listener.port}`,
      middlewares: [(next) => async (ctx, args) => (seen.push(`mw ${ctx.method}`), next(ctx, args))],
      tracer: { start: (ctx) => seen.push(`start ${ctx.method}`), finish: (ctx, e) => seen.push(`finish ${ctx.method} ${e ? "error" : "ok"}`) },
    });
    try {
      await c.unary(echo.EchoRequest.create({}));
      await collect(c.serverStream(echo.EchoRequest.create({ count: 1 })));
      expect(seen).toEqual(["mw Unary", "start Unary", "finish Unary ok", "mw ServerStream", "start ServerStream", "finish ServerStream ok"]);
    } finally {
      await c.close();
    }
  });

  test("keepalive: a connection that does not answer the server's PING is closed, and that is logged", async () => {
    const l = await listen(new Server({ logger }).register(echo.Echo, echoHandler), { grpc: { keepaliveIntervalMs: 100, keepaliveTimeoutMs: 100 } });
    const { connect } = await import("node:net");
    const socket = connect({ host: "127.0.0.1", port: l.port });
    await new Promise((r) => socket.once("connect", r));
    // The preface and an empty SETTINGS frame, then silence: no SETTINGS ACK, no PING ACK.
    socket.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
    socket.resume();
    const started = Date.now();
    await new Promise((r) => socket.once("close", r));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(logger.lines.join("\n")).toContain("grpc-keepalive-timeout");
    await l.close({ timeoutMs: 100 });
  });

  test("GOAWAY on close: the call in flight completes, the server stops", async () => {
    const l = await listen(new Server({ logger }).register(echo.Echo, echoHandler));
    const c = createGrpcClient<echo.EchoClient>(echo.Echo, { address: `127.0.0.1:${l.port}` });
    try {
      await c.unary(echo.EchoRequest.create({})); // connected
      const inflight = c.unary(echo.EchoRequest.create({ message: "slow", sleepMs: 300 }));
      await sleep(50);
      const closing = l.close({ timeoutMs: 2000 });
      expect((await inflight).message).toBe("slow");
      await closing;
      const error = (await c.unary(echo.EchoRequest.create({})).catch((e) => e)) as KitewireError;
      expect(error.code).toBe(ErrorCode.CONNECTION);
    } finally {
      await c.close();
    }
  });
});
