/**
 * net/stream (the client connections Deno and workerd use) under the client's governance,
 * over real sockets on loopback seen as web streams: a config document's `conn_timeout_ms`
 * bounds connecting (unless the transport sets its own `connectTimeoutMs`), and a request
 * that never left (connection refused, connect timed out, the connection chosen was closed)
 * fails marked NOT_SENT, so a `*` retry policy sends an unmarked method again elsewhere.
 */
import { connect as connectTcp, createServer, type Server as NetServer, type Socket } from "node:net";
import { connect as connectTls } from "node:tls";
import { Duplex } from "node:stream";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import {
  clientConfigKey, createClient, ErrorCode, init, MemoryConfigSource, silentLogger, streamConnector, streamTransport,
  type Listener, type OpenSocket, type StreamSocket,
} from "kitewire";
import { ex, SlowHandler, startServer, TTHEADER } from "../rpc/support.js";

const open: { close(): Promise<unknown> }[] = [];
beforeAll(async () => {
  await init();
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** A node socket, once connected (`ready`: "connect", or "secureConnect" for TLS), as a StreamSocket. */
function asStreamSocket(socket: Socket, ready: string): Promise<StreamSocket> {
  return new Promise((resolve, reject) => {
    socket.once(ready, () => {
      socket.off("error", reject);
      const { readable, writable } = Duplex.toWeb(socket) as unknown as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
      resolve({ readable, writable, close: () => void socket.destroy() });
    });
    socket.once("error", reject);
  });
}

const tcpSocket: OpenSocket = (host, port) => asStreamSocket(connectTcp({ host, port, noDelay: true }), "connect");
/** TLS, as workerd's `connect(..., { secureTransport: "on" })` and Deno.connectTls: the connection is made once the handshake is done. */
const tlsSockets: Socket[] = [];
const tlsSocket: OpenSocket = (host, port, signal) => {
  const socket = connectTls({ host, port, rejectUnauthorized: false });
  tlsSockets.push(socket);
  signal?.addEventListener("abort", () => socket.destroy(new Error("connect abandoned")), { once: true });
  return asStreamSocket(socket, "secureConnect");
};

/** A TCP server that accepts and never answers: a TLS handshake to it never completes. */
async function silentServer(): Promise<number> {
  const sockets = new Set<Socket>();
  const s: NetServer = createServer((socket) => sockets.add(socket));
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  open.push({ close: () => new Promise((r) => { for (const k of sockets) k.destroy(); s.close(r); }) });
  return (s.address() as { port: number }).port;
}

/** A loopback port nothing listens on. */
async function refusedPort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
  const port = (s.address() as { port: number }).port;
  await new Promise((r) => s.close(r));
  return port;
}

class CountingHandler extends SlowHandler {
  updates = 0;
  override async updateUser(): Promise<void> {
    this.updates++;
  }
}

async function serve(handler: CountingHandler): Promise<Listener> {
  const { listener } = await startServer(handler);
  open.push({ close: () => listener.close({ timeoutMs: 1000 }) });
  return listener;
}

const STAR_FAILURE_RETRY = { policies: { "*": { type: 0 as const, failurePolicy: { stopPolicy: { maxRetryTimes: 2, cbPolicy: { errorRate: 0.3 } } } } } };

describe("conn_timeout_ms", () => {
  test("bounds connecting in mux and short modes, unless the transport sets its own connectTimeoutMs", async () => {
    const port = await silentServer();
    const source = new MemoryConfigSource();
    source.set(clientConfigKey("Caller", ex.UserService.name, "rpc_timeout"), { "*": { rpc_timeout_ms: 5000, conn_timeout_ms: 60 } });
    for (const mode of ["mux", "short"] as const) {
      const c = createClient<ex.UserServiceClient>(ex.UserService, {
        transport: TTHEADER, fromService: "Caller", config: { source }, logger: silentLogger,
        connection: streamTransport(tlsSocket, { address: `127.0.0.1:${port}`, transport: TTHEADER, mode }),
      });
      open.push(c);
      const started = performance.now();
      const error = await c.ping("x").catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCode.TIMEOUT, message: expect.stringMatching(/connect to .* took over 60 ms/), details: { sent: false } });
      expect(performance.now() - started).toBeLessThan(900); // not the transport's default 1 000 ms
    }
    const locked = createClient<ex.UserServiceClient>(ex.UserService, {
      transport: TTHEADER, fromService: "Caller", config: { source }, logger: silentLogger,
      connection: streamTransport(tlsSocket, { address: `127.0.0.1:${port}`, transport: TTHEADER, connectTimeoutMs: 150 }),
    });
    open.push(locked);
    await expect(locked.ping("x")).rejects.toMatchObject({ message: expect.stringMatching(/took over 150 ms/) });
    // The handshakes that timed out were told to stop (the transport aborted their signal): none is left open.
    await new Promise((r) => setTimeout(r, 50));
    expect(tlsSockets.every((s) => s.destroyed)).toBe(true);
  });
});

describe("NOT_SENT", () => {
  test("a refused connection is marked, and a `*` policy sends the unmarked write to another instance", async () => {
    const handler = new CountingHandler();
    const listener = await serve(handler);
    const closedPort = await refusedPort();
    const alone = createClient<ex.UserServiceClient>(ex.UserService, {
      transport: TTHEADER, logger: silentLogger, connection: streamTransport(tcpSocket, { address: `127.0.0.1:${closedPort}`, transport: TTHEADER }),
    });
    open.push(alone);
    await expect(alone.updateUser(ex.User.create({ id: 1n, name: "a" }))).rejects.toMatchObject({ code: ErrorCode.CONNECTION, details: { sent: false } });

    let retries = 0;
    const c = createClient<ex.UserServiceClient>(ex.UserService, {
      transport: TTHEADER, retry: STAR_FAILURE_RETRY, logger: silentLogger, tracer: { retry: () => { retries++; } },
      target: `127.0.0.1:${closedPort},127.0.0.1:${listener.port}`, connect: streamConnector(tcpSocket),
    });
    open.push(c);
    for (let i = 0; i < 4; i++) await c.updateUser(ex.User.create({ id: BigInt(i), name: "a" }));
    expect(handler.updates).toBe(4);
    expect(retries).toBeGreaterThanOrEqual(1); // at least the first call met the refusing instance first
  });
});
