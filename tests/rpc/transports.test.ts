/**
 * Transports over real sockets on 127.0.0.1 beyond the call matrix of calls.test.ts:
 * Protobuf in TTHeader (as Kitex sends it), Apache THeader's transforms, info headers and
 * error replies, TLS on one side only, and transports a client cannot use, each refused
 * with an error that says what the two sides speak.
 */
import { createServer as createNetServer } from "node:net";
import { deflateSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createClient, init, listen, nodeTransport, Server, ThriftBinaryWriter, type Listener, type Logger, type RpcContext, type Transport,
} from "kitewire";
import * as pb from "../golden/proto/gen/example.js";
import { issue } from "../support/certs.js";
import { client, ex, rawSocket, SlowHandler, startServer } from "./support.js";
import { beginFrame, endFrame } from "../../src/remote/frame-encoder.js";

beforeAll(async () => {
  await init();
});

/** A logger that keeps what it is told. */
function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const keep = (message: string) => void lines.push(message);
  return { lines, debug: keep, info: keep, warn: keep, error: keep };
}

describe("Kitex Protobuf in TTHeader", () => {
  const handler: pb.UserServiceHandler = {
    getUser(request, ctx) {
      if (request.id < 0n) throw new Error(`no user ${request.id}`);
      return pb.User.create({ id: request.id, name: `pb ${ctx.transport?.framing}`, contact: { case: "email", value: ctx.metadata["tenant"] ?? "" } });
    },
    listUsers: () => (async function* () {})(),
    importUsers: async () => pb.GetUserRequest.create(),
    chat: () => (async function* () {})(),
  };

  test("{ framing: \"ttheader\", protocol: \"protobuf\" } works through client and server, as TTHeader-Framed on the wire", async () => {
    const listener = await listen(new Server().register(pb.UserService, handler));
    const transport: Transport = { framing: "ttheader", protocol: "protobuf" };
    const c = createClient<pb.UserServiceClient>(pb.UserService, {
      transport, connection: nodeTransport({ address: `127.0.0.1:${listener.port}`, transport }),
    });
    try {
      const user = await c.getUser({ id: 5n }, { metadata: { tenant: "acme" } });
      expect(user).toEqual(pb.User.create({ id: 5n, name: "pb ttheader-framed", contact: { case: "email", value: "acme" } }));
      await expect(c.getUser({ id: -1n })).rejects.toMatchObject({ code: "REMOTE", message: expect.stringContaining("no user -1") });
    } finally {
      await c.close();
      await listener.close({ timeoutMs: 500 });
    }
  });

  test("the request frame is Kitex's: protocol id 0, the payload framed with its u32 length, then the 0x9001 magic", () => {
    const w = new ThriftBinaryWriter();
    const mark = beginFrame(w, { framing: "ttheader", protocol: "protobuf" }, 9);
    w.writeRaw(new Uint8Array([0x90, 0x01, 0x00, 0x01, 0, 0, 0, 0, 0, 0, 0, 9]));
    endFrame(w, mark);
    const frame = w.finish();
    const dv = new DataView(frame.buffer, frame.byteOffset);
    expect(dv.getUint16(4)).toBe(0x1000);
    expect(frame[14]).toBe(0); // protocol id
    const payload = 14 + dv.getUint16(12) * 4;
    expect(dv.getUint32(payload)).toBe(12);
    expect(dv.getUint16(payload + 4)).toBe(0x9001);
  });
});

describe("Apache THeader", () => {
  let listener: Listener;
  const logger = recordingLogger();
  const sizes: number[] = [];
  beforeAll(async () => {
    const server = new Server({ maxFrameSize: 64 * 1024, logger, tracer: { io: (_ctx, dir, n) => void (dir === "write" && sizes.push(n)) } });
    class EchoHandler extends SlowHandler {
      override ping(message: string, ctx?: RpcContext): string {
        ctx!.metainfo.backward.set("echo", ctx!.metadata["tenant"] ?? "-");
        return message.repeat(50);
      }
    }
    listener = await listen(server.register(ex.UserService, new EchoHandler()));
  });
  afterAll(async () => {
    await listener.close({ timeoutMs: 500 });
  });

  test.each(["binary", "compact"] as const)("%s with zlib both ways and info headers both ways", async (protocol) => {
    const transport: Transport = { framing: "theader", protocol };
    for (const transforms of [[], ["zlib"]]) {
      const c = createClient<ex.UserServiceClient>(ex.UserService, {
        transport, transforms, connection: nodeTransport({ address: `127.0.0.1:${listener.port}`, transport }),
      });
      let backward: ReadonlyMap<string, string> | undefined;
      sizes.length = 0;
      const reply = await c.ping("abc", { metadata: { tenant: "acme" }, onBackward: (v: ReadonlyMap<string, string>) => (backward = new Map(v)) });
      expect(reply).toBe("abc".repeat(50));
      expect(backward).toEqual(new Map([["echo", "acme"]]));
      // The reply went back through the request's transform.
      if (transforms.length) expect(sizes[0]).toBeLessThan(100);
      else expect(sizes[0]).toBeGreaterThan(150);
      await c.close();
    }
  });

  /** Sends one THeader frame (protocol id, transform ids, payload) and resolves to the reply frame. */
  async function theaderExchange(protocolId: number, transforms: number[], payload: Uint8Array, socket?: import("node:net").Socket) {
    const s = socket ?? await rawSocket(listener.port);
    const header = [protocolId, transforms.length, ...transforms];
    while (header.length % 4) header.push(0);
    const frame = Buffer.alloc(14 + header.length + payload.length);
    frame.writeUInt32BE(frame.length - 4, 0);
    frame.writeUInt16BE(0x0fff, 4);
    frame.writeInt32BE(77, 8);
    frame.writeUInt16BE(header.length / 4, 12);
    Buffer.from(header).copy(frame, 14);
    Buffer.from(payload).copy(frame, 14 + header.length);
    const reply = new Promise<Buffer>((resolve, reject) => {
      let got = Buffer.alloc(0);
      const onData = (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (got.length >= 4 && got.length >= 4 + got.readUInt32BE(0)) {
          s.off("data", onData);
          resolve(got);
        }
      };
      s.on("data", onData);
      s.once("close", () => reject(new Error("closed")));
    });
    s.write(frame);
    return { socket: s, reply: await reply };
  }

  /** The TApplicationException (message, type) in a binary EXCEPTION reply inside a THeader frame. */
  function applicationError(reply: Buffer): { seqid: number; message: string; type: number } {
    expect(reply.readUInt16BE(4)).toBe(0x0fff);
    const at = 14 + reply.readUInt16BE(12) * 4;
    expect(reply.readUInt32BE(at)).toBe(0x80010003); // EXCEPTION
    const nameLen = reply.readUInt32BE(at + 4);
    let p = at + 8 + nameLen + 4;
    let message = "";
    let type = -1;
    for (let t = reply[p++]!; t !== 0; t = reply[p++]!) {
      const id = reply.readInt16BE(p);
      p += 2;
      if (t === 11) {
        const n = reply.readUInt32BE(p);
        message = reply.toString("utf8", p + 4, p + 4 + n);
        p += 4 + n;
      } else {
        type = reply.readInt32BE(p);
        p += 4;
      }
      expect([1, 2]).toContain(id);
    }
    return { seqid: reply.readInt32BE(8), message, type };
  }

  const pingCall = () => {
    const w = new ThriftBinaryWriter();
    w.writeMessageBegin("ping", 1, 77);
    w.writeFieldBegin(11, 1);
    w.writeString("x");
    w.writeFieldStop();
    return w.finish();
  };

  test("an unknown transform gets INVALID_TRANSFORM, an unknown protocol INVALID_PROTOCOL; the connection carries on", async () => {
    const first = await theaderExchange(0, [0x03], pingCall());
    expect(applicationError(first.reply)).toEqual({
      seqid: 77, type: 8, message: "THeader transform snappy is not available in this server (register it with registerTransform)",
    });
    const second = await theaderExchange(1, [], pingCall(), first.socket);
    expect(applicationError(second.reply)).toEqual({ seqid: 77, type: 9, message: "THeader protocol id 1 is not served (binary 0 and compact 2 are)" });
    const third = await theaderExchange(0, [0x01], deflateSync(pingCall()), first.socket);
    expect(third.reply.readUInt16BE(4)).toBe(0x0fff);
    first.socket.destroy();
    expect(logger.lines.some((l) => l.includes("THeader transform snappy"))).toBe(true);
  });

  test("a zlib payload that inflates past maxFrameSize is refused before it is all inflated", async () => {
    const bomb = deflateSync(Buffer.alloc(64 << 20)); // 64 MiB of zeros, ~64 KiB deflated
    expect(bomb.length).toBeLessThan(64 * 1024);
    const before = process.memoryUsage().arrayBuffers;
    const { socket, reply } = await theaderExchange(0, [0x01], bomb);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(16 << 20);
    expect(applicationError(reply)).toMatchObject({ type: 7, message: "THeader zlib payload: zlib payload inflates past the maximum frame size 65536" });
    socket.destroy();
  });
});

describe("transports a client cannot use", () => {
  test("impossible combinations and transforms are refused at construction, naming the valid ones", () => {
    const make = (transport: Transport, extra = {}) => createClient<ex.UserServiceClient>(ex.UserService, {
      transport, connection: nodeTransport({ address: "127.0.0.1:1", transport }), ...extra,
    });
    expect(() => make({ framing: "theader", protocol: "protobuf" })).toThrow(
      "transport theader/protobuf is not a valid combination (valid: buffered|framed|ttheader|ttheader-framed|theader with binary or compact, " +
        "kitex-protobuf|ttheader|ttheader-framed with protobuf)");
    expect(() => make({ framing: "framed", protocol: "binary" }, { transforms: ["zlib"] })).toThrow("transforms apply to the theader framing only, not framed");
    expect(() => make({ framing: "theader", protocol: "binary" }, { transforms: ["snappy"] })).toThrow(
      'THeader transform "snappy" is not registered on this runtime (the Node entry registers "zlib")');
  });

  test("a service is refused a transport whose payload protocol is not its IDL's", () => {
    const thrift: Transport = { framing: "framed", protocol: "binary" };
    const proto: Transport = { framing: "kitex-protobuf", protocol: "protobuf" };
    expect(() => createClient(pb.UserService, { transport: thrift, connection: nodeTransport({ address: "127.0.0.1:1", transport: thrift }) }))
      .toThrow("example.v1.UserService is a Protobuf service: its transport's protocol must be protobuf, not framed/binary");
    expect(() => createClient(ex.UserService, { transport: proto, connection: nodeTransport({ address: "127.0.0.1:1", transport: proto }) }))
      .toThrow(/UserService is a Thrift service: its transport's protocol must be binary or compact, not kitex-protobuf\/protobuf/);
  });

  test("HTTP/2 (gRPC) is served by default (tests/grpc); with grpc: false it is refused with a log line saying what is served", async () => {
    const logger = recordingLogger();
    const served = await startServer(new SlowHandler(), { logger });
    const h2 = await rawSocket(served.listener.port);
    h2.write(Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
    const settings = await new Promise<Buffer>((r) => h2.once("data", r));
    expect(settings[3]).toBe(4); // the server's SETTINGS frame: it speaks HTTP/2
    h2.destroy();
    await served.listener.close({ timeoutMs: 200 });
    const listener = await listen(new Server({ logger }).register(ex.UserService, new SlowHandler()), { grpc: false });
    const raw = await rawSocket(listener.port);
    raw.write(Buffer.from("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"));
    await new Promise((r) => raw.once("close", r));
    expect(logger.lines.at(-1)).toMatch(/refused 127\.0\.0\.1:\d+: HTTP\/2 \(gRPC\) is not served on this port \(its listener has grpc: false\): this port serves Buffered, Framed, TTHeader, /);
    await listener.close({ timeoutMs: 200 });
  });

  test("a server that closes on the first request (a transport it does not serve): the caller is told so, with its transport", async () => {
    const server = createNetServer((socket) => socket.once("data", () => socket.destroy()));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const c = client({ port } as Listener, { framing: "ttheader", protocol: "compact" });
    await expect(c.ping("x")).rejects.toMatchObject({
      code: "CONNECTION",
      message: `connection to 127.0.0.1:${port} closed before any reply to this client's plain TCP ttheader/compact requests: ` +
        "the server may serve another transport or expect TLS (its log says what it refused)",
    });
    await c.close();
    await new Promise((resolve) => server.close(resolve));
  });
});

describe("TLS on one side only", () => {
  const ca = issue("kitewire test CA");
  const serverCert = issue("localhost", ca, { ip: "127.0.0.1", dns: "localhost" });

  test("a TLS client to a plain server: the client says the server seems not to speak TLS; the server logs a TLS handshake, rate-limited", async () => {
    const logger = recordingLogger();
    const { listener } = await startServer(new SlowHandler(), { logger });
    const tls = { ca: ca.cert, servername: "localhost" };
    for (let i = 0; i < 8; i++) {
      const c = client(listener, { framing: "framed", protocol: "binary" }, { tls, mode: "short" });
      await expect(c.ping("x")).rejects.toMatchObject({
        code: "CONNECTION", message: expect.stringContaining("the server seems not to speak TLS on this port; connect without the `tls` option"),
      });
      await c.close();
    }
    const tlsLines = logger.lines.filter((l) => l.includes("a TLS handshake on a plain TCP port"));
    expect(tlsLines.length).toBe(5); // the rate limit's burst
    await listener.close({ timeoutMs: 200 });
  });

  test("a plain client to a TLS server: the client hears the server may expect TLS; the server logs the failed handshake", async () => {
    const logger = recordingLogger();
    const { listener } = await startServer(new SlowHandler(), { logger }, { cert: serverCert.cert, key: serverCert.key });
    const c = client(listener, { framing: "ttheader", protocol: "binary" });
    // Node's TLS server drops a connection whose first bytes are not TLS without a word.
    await expect(c.ping("x")).rejects.toMatchObject({ code: "CONNECTION", message: expect.stringContaining("or expect TLS") });
    expect(logger.lines.at(-1)).toMatch(/refused 127\.0\.0\.1:\d+: TLS handshake failed: .*\(a plain TCP client on a TLS port\?\)/);
    await c.close();
    await listener.close({ timeoutMs: 200 });
  });
});
