/**
 * gRPC on `listen(server, { threads: 2 })`: each HTTP/2 connection pinned to a server thread
 * that runs it (its bytes relayed by the socket thread). The grpc-js client cases of
 * tests/grpc (grpc-js-cases.ts) and kitewire's client cases of tests/grpc/server.test.ts
 * against a threads listener: every call shape, statuses, deadlines and cancellation,
 * compression, each bad input costing its stream with the status one thread gives and
 * logged by the listener's Server, a client that never reads, HTTP/2 protocol errors,
 * keepalive, idle timeout, the partial-message budget; TLS (ALPN h2); connections spread over the threads; a thread killed under its connections; a
 * thread that stops reading its ring (the socket thread stops reading its sockets);
 * graceful close with calls in flight on every thread; gRPC and Thrift clients at once.
 */
import http2 from "node:http2";
import { connect } from "node:net";
import { BroadcastChannel } from "node:worker_threads";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createGrpcClient, decodeRpcStatus, ErrorCode, gzip, init, KitewireError, type Logger } from "kitewire";
import { grpcJsClientCases } from "../../grpc/grpc-js-cases.js";
import { captureLogger, collect, echo, grpc, grpcJsEcho, openPartialClientStream, prefixed, rawCall } from "../../grpc/support.js";
import { HpackEncoder } from "../../../src/net/http2/hpack.js";
import { issue } from "../../support/certs.js";
// @ts-expect-error: a plain .mjs helper shared with the benchmarks
import { BUNDLE, generateGolden } from "./support.mjs";

type Kw = typeof import("kitewire");
let kw: Kw;
let ex: typeof import("../../golden/thrift/gen/example.js");
const SERVICE = new URL("./grpc-service.mjs", import.meta.url);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the handlers on the threads tell (grpc-service.mjs). */
const events: { event: string; detail?: string; thread: number }[] = [];
const channel = new BroadcastChannel("kitewire-grpc-threads-test");
channel.onmessage = (m) => void events.push((m as { data: (typeof events)[number] }).data);
const count = (event: string) => events.filter((e) => e.event === event).length;
/** Waits (up to 2 s) until `check` holds: the threads' messages arrive asynchronously. */
async function eventually(check: () => boolean): Promise<void> {
  for (let i = 0; i < 100 && !check(); i++) await sleep(20);
}

const logger = captureLogger();
let listener: import("kitewire").Listener;

async function threadsListener(options: Partial<import("kitewire").ServerOptions> = {}, listen: Partial<import("kitewire").ListenOptions> = {}, threads = 2) {
  return kw.listen(new kw.Server({ logger, ...options }), { threads, serverModule: SERVICE, ...listen });
}

beforeAll(async () => {
  const gen = generateGolden() as { thrift: string };
  process.env["KITEWIRE_TEST_GEN"] = JSON.stringify(gen);
  await init();
  kw = await import(BUNDLE as string);
  await kw.init();
  ex = await import(gen.thrift);
  listener = await threadsListener({}, { grpc: { writeTimeoutMs: 300, receiveTimeoutMs: 2000, maxReceiveMessageBytes: 64 * 1024 } });
});

afterAll(async () => {
  await listener?.close({ timeoutMs: 1000 });
  channel.close();
});

grpcJsClientCases("kitewire server on 2 threads", async () => {
  const l = await kw.listen(new kw.Server({ logger: kw.silentLogger }), { threads: 2, serverModule: SERVICE });
  return { port: l.port, close: () => l.close({ timeoutMs: 1000 }) };
});

const UNARY = "/kitewire.grpc.test.Echo/Unary";
const request = (fields: Partial<echo.EchoRequest>) => echo.EchoRequest.create(fields);

describe("kitewire client -> kitewire server on 2 threads", () => {
  let client: echo.EchoClient & { close(): Promise<void> };
  beforeAll(() => {
    client = createGrpcClient<echo.EchoClient>(echo.Echo, { address: listener.address, timeoutMs: 5000 });
  });
  afterAll(() => client.close());

  test("all four call shapes, through the thread's middleware", async () => {
    const before = events.filter((e) => e.event === "served").length;
    expect((await client.unary(request({ message: "u" }))).message).toBe("u");
    expect((await collect(client.serverStream(request({ message: "s", count: 3 })))).map((r) => r.index)).toEqual([0, 1, 2]);
    async function* reqs() {
      yield request({ message: "a" });
      yield request({ message: "b" });
    }
    expect((await client.clientStream(reqs())).message).toBe("a,b");
    expect((await collect(client.bidi(reqs()))).map((r) => r.message)).toEqual(["A", "B"]);
    await eventually(() => count("served") >= before + 4);
    expect(events.filter((e) => e.event === "served").slice(before).map((e) => e.detail)).toEqual(["kitewire.grpc.test.Echo/Unary",
      "kitewire.grpc.test.Echo/ServerStream", "kitewire.grpc.test.Echo/ClientStream", "kitewire.grpc.test.Echo/Bidi"]);
  });

  test("status, message and google.rpc.Status details reach the client; ctx.peer is the client's", async () => {
    const error = (await client.unary(request({ message: "details" })).catch((e) => e)) as KitewireError;
    expect(error.details).toMatchObject({ grpcStatus: 3, grpcMessage: "bad field" });
    expect(decodeRpcStatus(error.details!["statusDetails"] as Uint8Array).details).toEqual([{ typeUrl: "type.googleapis.com/x.Y", value: new Uint8Array([8, 1]) }]);
    expect((await client.unary(request({ message: "peer" }))).message).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  test("a handler error mid-stream ends the stream with its status after the messages sent", async () => {
    const got: number[] = [];
    const error = await (async () => {
      for await (const r of client.serverStream(request({ count: 2, failWith: 9 }))) got.push(r.index);
    })().catch((e: unknown) => e);
    expect(got).toEqual([0, 1]);
    expect((error as KitewireError).details).toMatchObject({ grpcStatus: 9 });
  });

  test("a deadline: the client gets TIMEOUT and the handler's signal aborts on its thread", async () => {
    const before = count("cancelled");
    const error = (await client.unary(request({ message: "wait-signal" }), { timeoutMs: 100 }).catch((e) => e)) as KitewireError;
    expect(error.code).toBe(ErrorCode.TIMEOUT);
    await eventually(() => count("cancelled") === before + 1);
    expect(count("cancelled")).toBe(before + 1);
  });

  test("cancelling a server stream (RST_STREAM) stops the handler's generator; so does breaking out", async () => {
    const before = count("cancelled");
    const controller = new AbortController();
    let n = 0;
    const error = await (async () => {
      for await (const _ of client.serverStream(request({ message: "endless" }), { signal: controller.signal })) if (++n === 5) controller.abort();
    })().catch((e: unknown) => e);
    expect((error as KitewireError).code).toBe(ErrorCode.CANCELLED);
    for await (const r of client.serverStream(request({ message: "endless" }))) if (r.index === 3) break;
    await eventually(() => count("cancelled") === before + 2);
    expect(count("cancelled")).toBe(before + 2);
  });

  test("gzip both ways", async () => {
    const gz = createGrpcClient<echo.EchoClient>(echo.Echo, { address: listener.address, grpc: { compression: gzip } });
    try {
      const payload = new Uint8Array(20_000).fill(7);
      expect((await gz.unary(request({ message: "compress", payload }))).payload).toEqual(payload);
    } finally {
      await gz.close();
    }
  });

  test("large messages both ways (several ring records and batches per message)", async () => {
    const payload = new Uint8Array(60_000).map((_, i) => i * 7);
    const replies = await Promise.all(Array.from({ length: 8 }, () => client.unary(request({ payload }))));
    for (const r of replies) expect(r.payload).toEqual(payload);
    const stream = await collect(client.serverStream(request({ count: 40, payload })));
    expect(stream.every((r) => r.payload.length === payload.length)).toBe(true);
  });

  test("a client stream that goes silent gets DEADLINE_EXCEEDED from the server's per-message receive timeout", async () => {
    const quiet = await threadsListener({}, { grpc: { receiveTimeoutMs: 100 } });
    const c = createGrpcClient<echo.EchoClient>(echo.Echo, { address: quiet.address });
    try {
      async function* stalls() {
        yield request({ message: "one" });
        await sleep(2000);
      }
      const started = Date.now();
      expect(((await c.clientStream(stalls()).catch((e) => e)) as KitewireError).details).toMatchObject({ grpcStatus: 4 });
      expect(Date.now() - started).toBeLessThan(1500);
    } finally {
      await c.close();
      await quiet.close({ timeoutMs: 100 });
    }
  });
});

describe("bad input on 2 threads costs its stream only, with the status one thread gives, logged by the listener's Server", () => {
  const bad = (path: string, body: Uint8Array, headers: Record<string, string> = {}) => rawCall(listener.port, path, body, headers);

  test("each kind of bad request", async () => {
    expect((await bad(UNARY, prefixed(new Uint8Array(0), 2))).status).toBe(13); // a malformed length prefix
    expect((await bad(UNARY, new Uint8Array([0, 0, 0x10, 0, 0]))).status).toBe(8); // 1 MiB announced, 64 KiB allowed
    expect((await bad(UNARY, prefixed(gzipSync(Buffer.alloc(1 << 20)), 1), { "grpc-encoding": "gzip" })).status).toBe(8); // inflates past the limit
    expect((await bad(UNARY, prefixed(gzipSync(Buffer.from([8, 1])), 1))).status).toBe(13); // compressed without grpc-encoding
    const snappy = await bad(UNARY, prefixed(new Uint8Array(0)), { "grpc-encoding": "snappy" });
    expect(snappy.status).toBe(12);
    expect(String(snappy.response["grpc-accept-encoding"])).toContain("gzip");
    expect((await bad(UNARY, prefixed(new Uint8Array([0x0a, 0x05, 0x41])))).status).toBe(13); // undecodable protobuf
    expect((await bad(UNARY, prefixed(new Uint8Array(10)).subarray(0, 8))).status).toBe(13); // cut inside a message
    const one = prefixed(new Uint8Array(0));
    expect((await bad(UNARY, Buffer.concat([one, one]))).status).toBe(12); // two messages to a unary method
    const unknown = await bad("/kitewire.grpc.test.Echo/Nope", prefixed(new Uint8Array(0)));
    expect([unknown.status, unknown.response["grpc-status"]]).toEqual([12, "12"]); // trailers-only
    expect((await bad(UNARY, prefixed(new Uint8Array(0)), { "grpc-timeout": "12x" })).status).toBe(13);
    expect((await bad(UNARY, new Uint8Array(0), { "content-type": "text/plain" })).response[":status"]).toBe(415);
    expect((await bad(UNARY, prefixed(new Uint8Array([0x0a, 0x02, 0x68, 0x69])))).status).toBe(0); // and the server serves on
    await eventually(() => logger.lines.join("\n").includes("grpc-not-grpc"));
    const log = logger.lines.join("\n");
    for (const reason of ["grpc-malformed-message", "grpc-message-too-large", "grpc-unimplemented", "grpc-bad-timeout", "grpc-not-grpc"]) expect(log).toContain(reason);
  });

  test("an HTTP/2 protocol error (DATA on stream 0) costs its connection only: GOAWAY, closed, logged with its offset", async () => {
    const socket = connect({ host: "127.0.0.1", port: listener.port });
    await new Promise((r) => socket.once("connect", r));
    socket.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0]),
      Buffer.from([0, 0, 4, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4])]));
    const got: Buffer[] = [];
    socket.on("data", (d: Buffer) => got.push(d));
    await new Promise((r) => socket.once("close", r));
    const bytes = Buffer.concat(got);
    let goaway = false;
    for (let at = 0; at + 9 <= bytes.length; at += 9 + bytes.readUIntBE(at, 3)) if (bytes[at + 3] === 7) goaway = true;
    expect(goaway).toBe(true);
    await eventually(() => logger.lines.some((l) => l.includes("grpc-http2-error")));
    expect(logger.lines.find((l) => l.includes("grpc-http2-error"))).toMatch(/"offset":\d+/);
    expect((await rawCall(listener.port, UNARY, prefixed(new Uint8Array([0x0a, 0x02, 0x68, 0x69])))).status).toBe(0);
  });

  test("a client that never reads: its stream is held by flow control, then reset after writeTimeoutMs", async () => {
    const produced = count("produced");
    const cancelled = count("cancelled");
    const session = http2.connect(`http://127.0.0.1:${listener.port}`, { settings: { initialWindowSize: 65535 } });
    const stream = session.request({ ":method": "POST", ":path": "/kitewire.grpc.test.Echo/ServerStream", "content-type": "application/grpc", te: "trailers" });
    stream.pause();
    stream.end(prefixed(new Uint8Array([0x0a, 0x07, ...Buffer.from("endless"), 0x12, 0x82, 0x08, ...new Uint8Array(1026)])));
    await sleep(1200);
    await eventually(() => count("cancelled") === cancelled + 1);
    expect(count("produced") - produced).toBeGreaterThan(10);
    expect(count("produced") - produced).toBeLessThan(2000); // 1 KiB messages, a 64 KiB window, the thread's bounded unsent bytes
    expect(count("cancelled")).toBe(cancelled + 1);
    session.destroy();
    expect(logger.lines.join("\n")).toContain("grpc-write-timeout");
  });

  test("a client that opens every window and never reads its socket: the thread holds back at maxQueuedBytesPerConnection unsent, then the stream is reset", async () => {
    const produced = count("produced");
    const cancelled = count("cancelled");
    const socket = connect({ host: "127.0.0.1", port: listener.port });
    await new Promise((r) => socket.once("connect", r));
    socket.on("error", () => undefined);
    const frame = (type: number, flags: number, stream: number, payload: Uint8Array) => {
      const f = Buffer.alloc(9 + payload.length);
      f.writeUIntBE(payload.length, 0, 3);
      f[3] = type;
      f[4] = flags;
      f.writeUInt32BE(stream, 5);
      f.set(payload, 9);
      return f;
    };
    const u32 = (v: number) => Buffer.from([v >>> 24, (v >>> 16) & 255, (v >>> 8) & 255, v & 255]);
    const block = new Uint8Array(512);
    const length = new HpackEncoder().encode({ ":method": "POST", ":scheme": "http", ":path": "/kitewire.grpc.test.Echo/ServerStream", ":authority": "x",
      "content-type": "application/grpc", te: "trailers" }, block, 0);
    const message = prefixed(new Uint8Array([0x0a, 0x07, ...Buffer.from("endless"), 0x12, 0x80, 0x40, ...new Uint8Array(8192)]));
    socket.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
      frame(4, 0, 0, Buffer.concat([Buffer.from([0, 4]), u32(0x7fffffff)])), // SETTINGS_INITIAL_WINDOW_SIZE 2^31-1
      frame(8, 0, 0, u32(0x7fffffff - 65535)), // the connection's window too
      frame(1, 4, 1, block.subarray(0, length)), frame(0, 1, 1, message)]));
    socket.pause(); // and never read
    await sleep(1200);
    await eventually(() => count("cancelled") === cancelled + 1);
    // 8 KiB messages: the listener's 4 MiB of unsent bytes, the socket thread's write buffer
    // and the kernel's (~16 MiB here). Without the credits, the thread writes on: > 100 MiB.
    expect(count("produced") - produced).toBeLessThan(4000);
    expect(count("cancelled")).toBe(cancelled + 1); // reset after writeTimeoutMs, the generator ended
    socket.destroy();
  });

  test("partial messages are held within a thread's budget (the listener's maxPartialFrameBytes): past it the largest holder is reset", async () => {
    const l = await threadsListener({ maxPartialFrameBytes: 100_000 }, {}, 1);
    const session = http2.connect(`http://127.0.0.1:${l.port}`);
    try {
      const a = openPartialClientStream(session);
      await sleep(100);
      const b = openPartialClientStream(session);
      await sleep(300); // (not closing b meanwhile: see server.test.ts on Node 20's client)
      expect(a.rstCode).toBe(http2.constants.NGHTTP2_CANCEL); // A held as much as B asked for: A goes
      expect(b.closed).toBe(false);
      await eventually(() => logger.lines.join("\n").includes("grpc-partial-frame-budget"));
      expect(logger.lines.join("\n")).toContain("grpc-partial-frame-budget");
    } finally {
      session.destroy();
      await l.close({ timeoutMs: 100 });
    }
  });

  test("keepalive: a connection that does not answer the thread's PING is closed, and that is logged", async () => {
    const l = await threadsListener({}, { grpc: { keepaliveIntervalMs: 100, keepaliveTimeoutMs: 100 } });
    const socket = connect({ host: "127.0.0.1", port: l.port });
    await new Promise((r) => socket.once("connect", r));
    socket.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
    socket.resume();
    const started = Date.now();
    await new Promise((r) => socket.once("close", r));
    expect(Date.now() - started).toBeLessThan(2000);
    await eventually(() => logger.lines.join("\n").includes("grpc-keepalive-timeout"));
    expect(logger.lines.join("\n")).toContain("grpc-keepalive-timeout");
    await l.close({ timeoutMs: 100 });
  });

  test("the listener's idle timeout: a silent HTTP/2 connection gets GOAWAY and is closed", async () => {
    const l = await threadsListener({ idleTimeoutMs: 200 });
    const socket = connect({ host: "127.0.0.1", port: l.port });
    await new Promise((r) => socket.once("connect", r));
    socket.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
    const got: Buffer[] = [];
    socket.on("data", (d: Buffer) => got.push(d));
    const started = Date.now();
    await new Promise((r) => socket.once("close", r));
    expect(Date.now() - started).toBeLessThan(2000);
    expect(Buffer.concat(got).includes(Buffer.from([0, 0, 8, 7, 0, 0, 0, 0, 0]))).toBe(true); // GOAWAY
    await l.close({ timeoutMs: 100 });
  });
});

describe("threads and connections", () => {
  test("connections are spread over the threads, each pinned to one: its calls all run there", async () => {
    const clients = Array.from({ length: 4 }, () => createGrpcClient<echo.EchoClient>(echo.Echo, { address: listener.address }));
    const sum = (counts: number[]) => counts.reduce((a, b) => a + b, 0);
    const before = sum(listener.threads!.http2Connections);
    try {
      const threads = await Promise.all(clients.map(async (c) => {
        const seen = await Promise.all(Array.from({ length: 10 }, () => c.unary(request({ message: "thread" }))));
        expect(new Set(seen.map((r) => r.message)).size).toBe(1); // one thread per connection
        return seen[0]!.message;
      }));
      expect(new Set(threads).size).toBe(2); // on both threads
      expect(sum(listener.threads!.http2Connections) - before).toBe(4);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  test("a thread killed under its connections: their calls fail typed, the other thread's go on, the replacement serves new connections", async () => {
    const lines = captureLogger();
    const l = await kw.listen(new kw.Server({ logger: lines }), { threads: 2, serverModule: SERVICE });
    const { Client } = grpcJsEcho();
    const a = createGrpcClient<echo.EchoClient>(echo.Echo, { address: l.address });
    const b = new Client(l.address, grpc.credentials.createInsecure()) as unknown as { unary(r: object, cb: (e: import("@grpc/grpc-js").ServiceError | null, r: { message: string }) => void): void; close(): void };
    const bUnary = (message: string) => new Promise<{ message: string }>((resolve, reject) => b.unary({ message }, (e, r) => (e ? reject(e) : resolve(r))));
    try {
      const threadA = (await a.unary(request({ message: "thread" }))).message;
      const threadB = (await bUnary("thread")).message;
      expect(threadA).not.toBe(threadB); // one connection on each thread
      const before = l.threads!.threadIds;
      const slow = Array.from({ length: 10 }, () => a.unary(request({ message: "slow", sleepMs: 3000 })).catch((e: unknown) => e));
      await sleep(50);
      const killed = await a.unary(request({ message: "exit" })).catch((e: unknown) => e);
      expect(killed).toMatchObject({ code: ErrorCode.CONNECTION });
      for (const e of await Promise.all(slow)) expect(e).toMatchObject({ code: ErrorCode.CONNECTION });
      expect((await bUnary("still here")).message).toBe("still here"); // the other thread's connection lives on
      for (let i = 0; i < 250 && (l.threads!.threadIds.includes(-1) || l.threads!.threadIds.every((id, k) => id === before[k])); i++) await sleep(20);
      expect(l.threads!.threadIds.filter((id, i) => id !== before[i])).toHaveLength(1);
      expect(lines.lines.join("\n")).toMatch(/server thread exited: replacing it.*"http2Connections":1/);
      // The client reconnects; the new connection is pinned to the replacement, which serves it.
      expect((await a.unary(request({ message: "again" }))).message).toBe("again");
      expect(l.threads!.http2Connections).toEqual([1, 1]);
    } finally {
      await a.close();
      b.close();
      await l.close({ timeoutMs: 1000 });
    }
  });

  test("a thread that stops reading its ring: the socket thread stops reading the connections pinned to it (memory bounded), then goes on", async () => {
    const l = await threadsListener({}, {}, 1);
    const c = createGrpcClient<echo.EchoClient>(echo.Echo, { address: l.address });
    const socket = connect({ host: "127.0.0.1", port: l.port });
    try {
      await new Promise((r) => socket.once("connect", r));
      await c.unary(request({})); // connected
      socket.on("data", () => undefined);
      socket.on("error", () => undefined);
      const closed = new Promise((r) => socket.once("close", r));
      socket.write(Buffer.concat([Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), Buffer.from([0, 0, 0, 4, 0, 0, 0, 0, 0])]));
      await sleep(50);
      const busy = c.unary(request({ message: "busy", sleepMs: 1500 }));
      await sleep(100);
      // Up to 96 MiB of DATA frames on stream 1 for a second (never opened: the thread calls it a protocol error once it reads them).
      const frame = Buffer.alloc(9 + 16384);
      frame.writeUIntBE(16384, 0, 3);
      frame.writeUInt32BE(1, 5);
      let offered = 0;
      let drained = () => undefined as void;
      socket.on("drain", () => drained());
      for (const end = Date.now() + 1000; Date.now() < end && offered < 96 << 20;) {
        while (offered < 96 << 20 && socket.write(frame)) offered += frame.length;
        await Promise.race([new Promise<void>((r) => (drained = r)), sleep(10)]);
      }
      // What the server side took meanwhile: the thread's ring (1 MiB of blocks, 256 slots), a
      // turn's reads, and the kernel's socket buffers (~16 MiB here), then nothing. Without the
      // pause, the socket thread reads on into memory: ~32 MiB in half a second on this machine.
      expect(socket.bytesWritten - socket.writableLength).toBeLessThan(24 << 20);
      expect((await busy).message).toBe("busy");
      await closed; // the thread read on, and closed it for its protocol error
      expect((await c.unary(request({ message: "after" }))).message).toBe("after");
    } finally {
      socket.destroy();
      await c.close();
      await l.close({ timeoutMs: 100 });
    }
  });

  test("graceful close waits for the gRPC calls in flight on every thread (GOAWAY: no new calls)", async () => {
    const l = await threadsListener();
    const clients = Array.from({ length: 2 }, () => createGrpcClient<echo.EchoClient>(echo.Echo, { address: l.address }));
    try {
      await Promise.all(clients.map((c) => c.unary(request({}))));
      expect(l.threads!.http2Connections).toEqual([1, 1]);
      const slow = clients.flatMap((c) => Array.from({ length: 5 }, (_, i) => c.unary(request({ message: `slow ${i}`, sleepMs: 400 }))));
      const streams = clients.map((c) => collect(c.serverStream(request({ message: "s", count: 4, sleepMs: 100 }))));
      await sleep(100);
      const started = Date.now();
      await l.close({ timeoutMs: 3000 });
      expect(Date.now() - started).toBeGreaterThan(200);
      expect((await Promise.all(slow)).map((r) => r.message)).toEqual([0, 1].flatMap(() => Array.from({ length: 5 }, (_, i) => `slow ${i}`)));
      for (const s of await Promise.all(streams)) expect(s.map((r) => r.index)).toEqual([0, 1, 2, 3]);
      expect(((await clients[0]!.unary(request({})).catch((e) => e)) as KitewireError).code).toBe(ErrorCode.CONNECTION);
    } finally {
      await Promise.all(clients.map((c) => c.close()));
    }
  });

  test("gRPC (kitewire and grpc-js) and Thrift clients on one threads listener at once", async () => {
    const transport = { framing: "ttheader", protocol: "binary" } as const;
    const thrift = kw.createClient<import("../../golden/thrift/gen/example.js").UserServiceClient>(ex.UserService, {
      transport, connection: kw.nodeTransport({ address: listener.address, transport, mode: "mux" }),
    });
    const g = createGrpcClient<echo.EchoClient>(echo.Echo, { address: listener.address });
    const { Client } = grpcJsEcho();
    const gjs = new Client(listener.address, grpc.credentials.createInsecure()) as unknown as { unary(r: object, cb: (e: Error | null, r: { message: string }) => void): void; close(): void };
    try {
      const calls: Promise<string>[] = [];
      for (let i = 0; i < 50; i++) {
        calls.push(thrift.ping(`t${i}`).then((p) => p.replace(/^pong from thread \d+: /, "")));
        calls.push(g.unary(request({ message: `g${i}` })).then((r) => r.message));
        calls.push(new Promise((resolve, reject) => gjs.unary({ message: `j${i}` }, (e, r) => (e ? reject(e) : resolve(r.message)))));
        calls.push(collect(g.serverStream(request({ message: `s${i}`, count: 2 }))).then((rs) => rs.map((r) => r.message).join("|")));
      }
      const got = await Promise.all(calls);
      for (let i = 0; i < 50; i++) expect(got.slice(i * 4, i * 4 + 4)).toEqual([`t${i}`, `g${i}`, `j${i}`, `s${i} 0|s${i} 1`]);
    } finally {
      await Promise.all([thrift.close(), g.close()]);
      gjs.close();
    }
  });

  test("over TLS: grpc-js (ALPN h2) and kitewire clients, and a Thrift client on the same port", async () => {
    const ca = issue("kitewire threads gRPC test CA");
    const cert = issue("localhost", ca, { ip: "127.0.0.1", dns: "localhost" });
    const l = await kw.listen(new kw.Server({ logger: kw.silentLogger }), { threads: 2, serverModule: SERVICE, tls: { key: cert.key, cert: cert.cert } });
    const { Client } = grpcJsEcho();
    const gjs = new Client(`localhost:${l.port}`, grpc.credentials.createSsl(Buffer.from(ca.cert))) as unknown as { unary(r: object, cb: (e: Error | null, r: { message: string }) => void): void; close(): void };
    const g = createGrpcClient<echo.EchoClient>(echo.Echo, { address: l.address, tls: { ca: ca.cert, servername: "localhost" } });
    const transport = { framing: "framed", protocol: "binary" } as const;
    const thrift = kw.createClient<import("../../golden/thrift/gen/example.js").UserServiceClient>(ex.UserService, {
      transport, connection: kw.nodeTransport({ address: l.address, transport, tls: { ca: ca.cert, servername: "localhost" } }),
    });
    try {
      expect(await new Promise((resolve, reject) => gjs.unary({ message: "over tls" }, (e, r) => (e ? reject(e) : resolve(r.message))))).toBe("over tls");
      expect((await collect(g.serverStream(request({ message: "s", count: 3 })))).map((r) => r.message)).toEqual(["s 0", "s 1", "s 2"]);
      expect(await thrift.ping("thrift")).toMatch(/: thrift$/);
      expect(l.threads!.http2Connections).toEqual([1, 1]);
    } finally {
      gjs.close();
      await g.close();
      await thrift.close();
      await l.close({ timeoutMs: 500 });
    }
  });

  test("compressions other than kitewire's own cannot cross to the threads: listen fails, saying so", async () => {
    const snappy = { name: "snappy", compress: (b: Uint8Array) => b, decompress: (b: Uint8Array) => b };
    await expect(kw.listen(new kw.Server({ logger: kw.silentLogger }), { threads: 1, serverModule: SERVICE, grpc: { compressions: [snappy] } }))
      .rejects.toMatchObject({ code: "INVALID_VALUE", message: expect.stringContaining("snappy cannot cross to the server threads") });
  });
});
