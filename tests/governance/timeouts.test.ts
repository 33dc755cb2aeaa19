/**
 * Client timeouts as Kitex applies them, over real sockets on loopback: the RPC timeout
 * (call option, client option, or an `rpc_timeout` document's `rpc_timeout_ms`) bounds each
 * attempt, below retry, so a retry gets its own; `max_duration_ms` and the served call's
 * deadline bound the whole call; a document's `conn_timeout_ms` bounds connection
 * establishment unless the transport sets its own.
 */
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import {
  clientConfigKey, createClient, ErrorCode, init, MemoryConfigSource, nodeTransport, RpcContext, silentLogger,
  type Listener,
} from "kitewire";
import { ex, SlowHandler, startServer, TTHEADER } from "../rpc/support.js";

const open: { close(): Promise<unknown> }[] = [];
beforeAll(async () => {
  await init();
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const key = (category: "retry" | "rpc_timeout") => clientConfigKey("Caller", ex.UserService.name, category);

/** A server whose ping records each attempt's retry number and time left, and makes first attempts (or all) wait 300 ms. */
async function server(slow: "first" | "all") {
  const attempts: { retry: string | undefined; remaining: number }[] = [];
  const { listener } = await startServer(Object.assign(new SlowHandler(), {
    async ping(message: string, ctx: RpcContext) {
      const retry = ctx.metadata["RetryReq"];
      attempts.push({ retry, remaining: ctx.remaining() });
      if (slow === "all" || retry === undefined) await wait(300);
      return message;
    },
  }));
  open.push({ close: () => listener.close({ timeoutMs: 1000 }) });
  return { listener, attempts };
}

function client(listener: Listener, source: MemoryConfigSource, extra: { timeoutMs?: number } = {}) {
  const c = createClient<ex.UserServiceClient>(ex.UserService, {
    transport: TTHEADER, fromService: "Caller", config: { source }, logger: silentLogger, ...extra,
    connection: nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport: TTHEADER, mode: "mux" }),
  });
  open.push(c);
  return c;
}

const failureRetry = (stop: object) => ({ ping: { enable: true, type: 0, failure_policy: { stop_policy: { cb_policy: { error_rate: 0.3 }, ...stop } } } });

describe("rpc_timeout_ms", () => {
  test("bounds each attempt: a retry gets its own RPC timeout, not what the first attempt left", async () => {
    const { listener, attempts } = await server("first");
    const source = new MemoryConfigSource();
    source.set(key("rpc_timeout"), { ping: { rpc_timeout_ms: 100 } });
    source.set(key("retry"), failureRetry({ max_retry_times: 1 }));
    const c = client(listener, source);
    expect(await c.ping("x")).toBe("x"); // the first attempt times out at 100 ms, the retry is answered
    expect(attempts.map((a) => a.retry)).toEqual([undefined, "1"]);
    // Each attempt is told its own 100 ms in TTHeader (a whole-call timeout would leave the retry nothing).
    for (const a of attempts) {
      expect(a.remaining).toBeGreaterThan(30);
      expect(a.remaining).toBeLessThanOrEqual(100);
    }
  });

  test("max_duration_ms stops new attempts; the served call's deadline bounds every attempt", async () => {
    const { listener, attempts } = await server("all");
    const source = new MemoryConfigSource();
    source.set(key("rpc_timeout"), { "*": { rpc_timeout_ms: 100 } });
    // Up to 3 retries, none starting 150 ms after the first attempt: attempts at 0 and ~100 ms; at ~200 ms, stop.
    source.set(key("retry"), failureRetry({ max_retry_times: 3, max_duration_ms: 150 }));
    const c = client(listener, source);
    await expect(c.ping("x")).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    await wait(50);
    expect(attempts.map((a) => a.retry)).toEqual([undefined, "1"]);

    // A call continuing a served call whose deadline is 150 ms away: no attempt is given past it.
    attempts.length = 0;
    source.set(key("retry"), failureRetry({ max_retry_times: 3 }));
    const served = new RpcContext("Front", "serve");
    served.deadline = Date.now() + 150;
    const started = Date.now();
    await expect(c.ping("x", { context: served } as never)).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    expect(Date.now() - started).toBeLessThan(280); // not three or four 100 ms attempts
    await wait(50);
    expect(attempts.length).toBe(2); // at 0 and ~100 ms; at ~150 ms the call's deadline has passed
    expect(attempts[1]!.remaining).toBeLessThanOrEqual(60); // the second attempt's deadline is the call's, not its own 100 ms
  });

  test("precedence as Kitex's: the call's timeoutMs, then the client's, then the document's", async () => {
    const { listener, attempts } = await server("first");
    const source = new MemoryConfigSource();
    source.set(key("rpc_timeout"), { "*": { rpc_timeout_ms: 100 } });
    const withClientTimeout = client(listener, source, { timeoutMs: 1000 });
    expect(await withClientTimeout.ping("x")).toBe("x"); // 300 ms within the client's 1000
    expect(attempts[0]!.remaining).toBeGreaterThan(500);
    const documentOnly = client(listener, source);
    expect(await documentOnly.ping("x", { timeoutMs: 2000 } as never)).toBe("x");
    expect(attempts[1]!.remaining).toBeGreaterThan(1500);
    await expect(documentOnly.ping("x")).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    expect(attempts[2]!.remaining).toBeLessThanOrEqual(100);
  });
});

describe("conn_timeout_ms", () => {
  /** A TCP server that accepts and never answers: a TLS handshake to it never completes. */
  async function silentServer(): Promise<number> {
    const sockets = new Set<Socket>();
    const s: NetServer = createServer((socket) => sockets.add(socket));
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    open.push({ close: () => new Promise((r) => { for (const k of sockets) k.destroy(); s.close(r); }) });
    return (s.address() as { port: number }).port;
  }

  test("bounds connection establishment unless the transport sets its own connectTimeoutMs", async () => {
    const port = await silentServer();
    const source = new MemoryConfigSource();
    source.set(key("rpc_timeout"), { "*": { rpc_timeout_ms: 5000, conn_timeout_ms: 60 } });
    for (const mode of ["pool", "mux", "short"] as const) {
      const c = createClient<ex.UserServiceClient>(ex.UserService, {
        transport: TTHEADER, fromService: "Caller", config: { source }, logger: silentLogger,
        connection: nodeTransport({ address: `127.0.0.1:${port}`, transport: TTHEADER, mode, tls: { rejectUnauthorized: false } }),
      });
      open.push(c);
      const error = await c.ping("x").catch((e: unknown) => e);
      expect(error).toMatchObject({ code: ErrorCode.TIMEOUT, message: expect.stringMatching(/connect to .* took over 60 ms/) });
    }
    const locked = createClient<ex.UserServiceClient>(ex.UserService, {
      transport: TTHEADER, fromService: "Caller", config: { source }, logger: silentLogger,
      connection: nodeTransport({ address: `127.0.0.1:${port}`, transport: TTHEADER, connectTimeoutMs: 150, tls: { rejectUnauthorized: false } }),
    });
    open.push(locked);
    await expect(locked.ping("x")).rejects.toMatchObject({ message: expect.stringMatching(/took over 150 ms/) });
  });
});
