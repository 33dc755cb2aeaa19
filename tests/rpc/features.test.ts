/**
 * RPC features end to end: connection pools, metainfo across hops, deadlines, business
 * status, Kitex Protobuf, middleware order, the tracer hook, TLS and mutual TLS.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  bizStatusError, createClient, init, listen, nodeTransport, Server, type Listener, type Middleware, type RpcContext,
  type Tracer, type Transport,
} from "kitewire";
import * as pb from "../golden/proto/gen/example.js";
import { issue } from "../support/certs.js";
import { client, ex, FRAMED, SlowHandler, startServer, TTHEADER } from "./support.js";

beforeAll(async () => {
  await init();
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("connection pools", () => {
  let listener: Listener;
  beforeAll(async () => ({ listener } = await startServer(new SlowHandler())));
  afterAll(() => listener.close({ timeoutMs: 500 }));

  test("pool: concurrent calls open connections; maxIdle are kept and reused; idle ones close", async () => {
    const c = client(listener, FRAMED, { mode: "pool", pool: { maxIdle: 2, idleTimeoutMs: 200, minIdle: 1 } });
    await Promise.all(Array.from({ length: 5 }, (_, i) => c.getUser(BigInt(1050 + i), undefined as never)));
    await wait(50);
    expect(listener.connections).toBe(2);
    await Promise.all([c.getUser(1n, undefined as never), c.getUser(2n, undefined as never)]);
    await wait(20);
    expect(listener.connections).toBe(2); // reused, none new
    await wait(700);
    expect(listener.connections).toBe(1); // minIdle kept
    await c.close();
    await wait(50);
    expect(listener.connections).toBe(0);
  });

  test("short: a connection per call, closed after it", async () => {
    const c = client(listener, FRAMED, { mode: "short" });
    await c.getUser(1n, undefined as never);
    await wait(50);
    expect(listener.connections).toBe(0);
    await c.close();
  });

  test("mux: many calls share one connection", async () => {
    const c = client(listener, TTHEADER, { mode: "mux" });
    await Promise.all(Array.from({ length: 100 }, (_, i) => c.getUser(BigInt(i), undefined as never)));
    expect(listener.connections).toBe(1);
    await c.close();
  });

  test("a connect timeout and a refused connection are typed errors", async () => {
    const refused = client({ port: 1, host: "127.0.0.1", connections: 0, close: async () => undefined }, FRAMED, { connectTimeoutMs: 500 });
    await expect(refused.getUser(1n, undefined as never)).rejects.toMatchObject({ code: "CONNECTION" });
  });
});

describe("metainfo, deadlines and business status (TTHeader)", () => {
  let front: Listener;
  let back: Listener;
  const seen: Record<string, unknown> = {};

  beforeAll(async () => {
    back = (await startServer(new class extends SlowHandler {
      override async getUser(id: bigint, _b: unknown, ctx: RpcContext) {
        seen["back"] = { transient: Object.fromEntries(ctx.metainfo.transient), persistent: Object.fromEntries(ctx.metainfo.persistent) };
        seen["deadline"] = ctx.deadline === undefined ? undefined : ctx.deadline - Date.now();
        ctx.metainfo.backward.set("served-by", "back");
        if (id === 402n) throw bizStatusError(402, "payment required", { plan: "free" });
        return ex.User.create({ id, name: "from back" });
      }
    }())).listener;
    const downstream = client(back, TTHEADER, { mode: "mux" });
    front = (await startServer(new class extends SlowHandler {
      override async getUser(id: bigint, _b: unknown, ctx: RpcContext) {
        seen["front"] = { transient: Object.fromEntries(ctx.metainfo.transient), persistent: Object.fromEntries(ctx.metainfo.persistent) };
        let backward: ReadonlyMap<string, string> = new Map();
        const user = await downstream.getUser(id, undefined as never, { context: ctx, onBackward: (b) => (backward = b) } as never);
        ctx.metainfo.backward.set("via", [...backward.values()].join(","));
        return user;
      }
    }())).listener;
  });
  afterAll(async () => {
    await front.close({ timeoutMs: 500 });
    await back.close({ timeoutMs: 500 });
  });

  test("transient goes one hop, persistent the whole chain, backward comes back", async () => {
    const c = createClient<ex.UserServiceClient>(ex.UserService, {
      transport: TTHEADER, connection: nodeTransport({ address: `127.0.0.1:${front.port}`, transport: TTHEADER }),
    });
    const { RpcContext, Metainfo } = await import("kitewire");
    const origin = new RpcContext("Caller", "x", undefined, new Metainfo());
    origin.metainfo.persistent.set("trace", "t-1");
    let backward: ReadonlyMap<string, string> = new Map();
    const user = await c.getUser(7n, undefined as never, {
      context: origin, metadata: { tenant: "acme" }, onBackward: (b) => (backward = b), timeoutMs: 2000,
    } as never);
    expect(user.name).toBe("from back");
    expect(seen["front"]).toEqual({ transient: { tenant: "acme" }, persistent: { trace: "t-1" } });
    expect(seen["back"]).toEqual({ transient: {}, persistent: { trace: "t-1" } });
    expect(backward.get("via")).toBe("back");
    // The caller's 2 s deadline reached the back server through the front one.
    expect(seen["deadline"]).toBeGreaterThan(1500);
    expect(seen["deadline"]).toBeLessThanOrEqual(2000);
    await c.close();
  });

  test("a business status error reaches the caller with its status and extra", async () => {
    const c = client(back, TTHEADER);
    await expect(c.getUser(402n, undefined as never)).rejects.toMatchObject({
      code: "BIZ_STATUS", message: "payment required", details: { status: 402, extra: { plan: "free" } },
    });
    const framed = client(back, FRAMED);
    await expect(framed.getUser(402n, undefined as never)).rejects.toMatchObject({ code: "REMOTE", message: expect.stringContaining("payment required") });
    await c.close();
    await framed.close();
  });
});

describe("a handler's abort signal", () => {
  test("aborts with TIMEOUT at the caller's deadline and with CANCELLED when the connection closes; untouched, costs nothing", async () => {
    const reasons: { id: bigint; code: string; afterMs: number }[] = [];
    let settled = (): void => {};
    let finished: RpcContext | undefined;
    const { listener } = await startServer(new class extends SlowHandler {
      override async getUser(id: bigint, _b: unknown, ctx: RpcContext) {
        if (id === 0n) {
          finished = ctx;
          return ex.User.create({ id, name: "no signal asked for" });
        }
        const start = Date.now();
        const signal = ctx.signal!;
        await new Promise<void>((resolve) => signal.addEventListener("abort", () => resolve(), { once: true }));
        reasons.push({ id, code: (signal.reason as { code: string }).code, afterMs: Date.now() - start });
        settled();
        // Reply well after the deadline: the caller has given up by then (replying at the very
        // deadline would race the caller's own timer).
        await wait(300);
        return ex.User.create({ id, name: "too late" });
      }
    }());
    const c = client(listener, TTHEADER, { mode: "mux" });
    expect((await c.getUser(0n, undefined as never)).name).toBe("no signal asked for");
    // Asked for after the call is over: already aborted, and nothing left watching.
    expect(finished!.signal).toMatchObject({ aborted: true, reason: { code: "CANCELLED" } });
    // The deadline travels in TTHeader (int key 12); the handler's signal fires at it.
    await expect(c.getUser(1n, undefined as never, { timeoutMs: 150 } as never)).rejects.toMatchObject({ code: "TIMEOUT" });
    await new Promise<void>((resolve) => (reasons.length > 0 ? resolve() : (settled = resolve)));
    expect(reasons[0]).toMatchObject({ id: 1n, code: "TIMEOUT" });
    expect(reasons[0]!.afterMs).toBeLessThan(1000);
    // Without a deadline, the handler waits until the client goes away.
    const pending = c.getUser(2n, undefined as never).catch((e: unknown) => e);
    await wait(50);
    const gone = new Promise<void>((resolve) => (settled = resolve));
    await c.close();
    await gone;
    expect(reasons[1]).toMatchObject({ id: 2n, code: "CANCELLED" });
    expect(await pending).toMatchObject({ code: "CONNECTION" });
    await listener.close({ timeoutMs: 200 });
  });
});

describe("Kitex Protobuf", () => {
  const handler: pb.UserServiceHandler = {
    getUser(request) {
      if (request.id < 0n) throw new Error(`no user ${request.id}`);
      return pb.User.create({ id: request.id, name: "pb", contact: { case: "email", value: "e@x" } });
    },
    listUsers: () => (async function* () {})(),
    importUsers: async () => pb.GetUserRequest.create(),
    chat: () => (async function* () {})(),
  };

  test.each<Transport>([
    { framing: "kitex-protobuf", protocol: "protobuf" },
    { framing: "ttheader-framed", protocol: "protobuf" },
  ])("$framing: calls, and errors as ErrorProto", async (transport) => {
    const server = new Server().register(pb.UserService, handler);
    const listener = await listen(server);
    const c = createClient<pb.UserServiceClient>(pb.UserService, {
      transport, connection: nodeTransport({ address: `127.0.0.1:${listener.port}`, transport, mode: "mux" }),
    });
    try {
      const user = await c.getUser({ id: 5n });
      expect(user).toEqual(pb.User.create({ id: 5n, name: "pb", contact: { case: "email", value: "e@x" } }));
      await expect(c.getUser({ id: -1n })).rejects.toMatchObject({ code: "REMOTE", message: expect.stringContaining("no user -1") });
      await expect(c.listUsers({ id: 1n }) as unknown as Promise<unknown>).rejects.toMatchObject({ code: "INVALID_STATE" });
    } finally {
      await c.close();
      await listener.close({ timeoutMs: 500 });
    }
  });
});

describe("middleware and tracer", () => {
  test("first middleware outermost, on client and server; the tracer sees calls and connections", async () => {
    const order: string[] = [];
    const mw = (name: string): Middleware => (next) => async (ctx, args) => {
      order.push(`${name}>`);
      try {
        return await next(ctx, args);
      } finally {
        order.push(`<${name}`);
      }
    };
    const events: string[] = [];
    const tracer: Tracer = {
      start: (ctx) => events.push(`start ${ctx.method}`),
      finish: (ctx, error) => events.push(`finish ${ctx.method}${error ? " error" : ""}`),
      connection: (event) => events.push(`connection ${event}`),
    };
    const server = new Server({ middlewares: [mw("s1"), mw("s2")], tracer }).register(ex.UserService, new SlowHandler());
    const listener = await listen(server);
    const c = createClient<ex.UserServiceClient>(ex.UserService, {
      transport: FRAMED, middlewares: [mw("c1"), mw("c2")],
      connection: nodeTransport({ address: `127.0.0.1:${listener.port}`, transport: FRAMED }),
    });
    await c.getUser(1n, undefined as never);
    expect(order).toEqual(["c1>", "c2>", "s1>", "s2>", "<s2", "<s1", "<c2", "<c1"]);
    await c.close();
    await listener.close({ timeoutMs: 500 });
    expect(events).toEqual(["connection open", "start getUser", "finish getUser", "connection close"]);
  });
});

describe("TLS", () => {
  const ca = issue("kitewire test CA");
  const serverCert = issue("localhost", ca, { ip: "127.0.0.1", dns: "localhost" });
  const clientCert = issue("client", ca);

  test("TLS and mutual TLS; a client without a certificate is refused", async () => {
    const { listener } = await startServer(new SlowHandler(), {}, {
      cert: serverCert.cert, key: serverCert.key, ca: ca.cert, requestCert: true, rejectUnauthorized: true,
    });
    const tls = { ca: ca.cert, cert: clientCert.cert, key: clientCert.key, servername: "localhost" };
    const good = client(listener, TTHEADER, { tls });
    expect((await good.getUser(9n, undefined as never)).id).toBe(9n);
    const anonymous = client(listener, TTHEADER, { tls: { ca: ca.cert, servername: "localhost" } });
    await expect(anonymous.getUser(9n, undefined as never)).rejects.toMatchObject({ code: "CONNECTION" });
    const untrusting = client(listener, TTHEADER, { tls: { ...tls, ca: issue("other CA").cert } });
    await expect(untrusting.getUser(9n, undefined as never)).rejects.toMatchObject({ code: "CONNECTION" });
    await good.close();
    await listener.close({ timeoutMs: 500 });
  });
});
