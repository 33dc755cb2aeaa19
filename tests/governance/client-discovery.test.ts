/**
 * Clients with a target, against real servers on 127.0.0.1 found through an in-memory
 * registry: the chain's order, shares by weight, instances added and removed while calls
 * run, in-flight calls on a removed instance, a refusing instance taken out and probed
 * back in, tag filtering, registration by `listen` and deregistration before draining.
 */
import { createServer } from "node:net";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import {
  buildClientChain, ClientCallContext, createClient, init, leastLoaded, listen, MemoryRegistry, RpcContext, Server,
  silentLogger, staticResolver, type Listener, type Middleware,
} from "kitewire";
import { ex, FRAMED, SlowHandler } from "../rpc/support.js";

beforeAll(async () => {
  await init();
});

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `cond` holds, failing after `ms`. */
async function until(cond: () => boolean, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${ms} ms`);
    await wait(10);
  }
}
const open: { close(): Promise<unknown> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

/** A server whose handler counts its calls, registered in `registry` as `echo`. */
async function serve(registry: MemoryRegistry, weight: number, tags?: Record<string, string>) {
  const handler = new SlowHandler();
  const listener = await listen(new Server({ logger: silentLogger }).register(ex.UserService, handler), {
    registry, registration: { service: "echo", weight, ...(tags ? { tags } : {}) },
  });
  const s = { handler, listener, address: `127.0.0.1:${listener.port}` };
  open.push({ close: () => listener.close({ timeoutMs: 500 }) });
  return s;
}

function clientOf(registry: MemoryRegistry, extra: object = {}) {
  const c = createClient<ex.UserServiceClient>(ex.UserService, {
    transport: FRAMED, target: registry.resolver("echo"), logger: silentLogger, ...extra,
  });
  open.push(c);
  return c;
}

test("the chain runs in the documented order, each slot once per call", async () => {
  const order: string[] = [];
  const step = (name: string): Middleware => (next) => async (ctx, args) => {
    order.push(name);
    return next(ctx, args);
  };
  const endpoint = buildClientChain({
    middlewares: [step("user1"), step("user2")],
    tracer: { start: () => order.push("tracer") },
    serviceBreaker: step("serviceBreaker"), retry: step("retry"), discovery: step("discovery"),
    instanceBreaker: step("instanceBreaker"),
    io: async () => order.push("io"),
  });
  await endpoint(new RpcContext("s", "m"), undefined);
  expect(order).toEqual(["user1", "user2", "tracer", "serviceBreaker", "retry", "discovery", "instanceBreaker", "io"]);
});

test("calls are shared by weight 1:2:3 (WRR, exact), registration happens at listen", async () => {
  const registry = new MemoryRegistry();
  const servers = [await serve(registry, 1), await serve(registry, 2), await serve(registry, 3)];
  expect(registry.instances("echo").map((i) => i.address)).toEqual(servers.map((s) => s.address));
  const c = clientOf(registry);
  for (let i = 0; i < 600; i++) await c.ping("x");
  expect(servers.map((s) => s.handler.calls)).toEqual([0, 0, 0]); // ping does not count; getUser does
  await Promise.all(Array.from({ length: 600 }, (_, i) => c.getUser(BigInt(i), undefined as never)));
  expect(servers.map((s) => s.handler.calls)).toEqual([100, 200, 300]);
});

test("an added instance gets calls at once; a removed one gets none, its calls in flight finish, then its connections close", async () => {
  const registry = new MemoryRegistry();
  const a = await serve(registry, 10);
  const c = clientOf(registry);
  await c.getUser(1n, undefined as never);
  const b = await serve(registry, 10);
  await Promise.all(Array.from({ length: 10 }, (_, i) => c.getUser(BigInt(i), undefined as never)));
  expect(b.handler.calls).toBeGreaterThanOrEqual(4); // half, give or take where the rotation stood
  expect(b.handler.calls).toBeLessThanOrEqual(6);
  // A slow call in flight on each, then `a` leaves the registry.
  const slow = [c.getUser(3000n, undefined as never), c.getUser(3000n, undefined as never)]; // 2 s each
  await wait(50);
  expect(a.listener.connections).toBeGreaterThan(0);
  await registry.deregister({ service: "echo", address: a.address });
  const before = a.handler.calls;
  await Promise.all(Array.from({ length: 20 }, (_, i) => c.getUser(BigInt(i), undefined as never)));
  expect(a.handler.calls).toBe(before);
  expect(a.listener.connections).toBeGreaterThan(0); // still serving its slow call
  await expect(Promise.all(slow)).resolves.toHaveLength(2);
  await until(() => a.listener.connections === 0, 2_000);
});

test("an instance refusing connections is taken out for a backoff and probed back in", async () => {
  const registry = new MemoryRegistry();
  const good = await serve(registry, 10);
  // A port that refuses: listen, note it, close.
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, "127.0.0.1", () => r()));
  const port = (probe.address() as { port: number }).port;
  await new Promise<void>((r) => probe.close(() => r()));
  await registry.register({ service: "echo", address: `127.0.0.1:${port}`, weight: 10 });
  const c = clientOf(registry, { instanceBackoff: { initialMs: 300, maxMs: 1_000 } });
  const results = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => c.getUser(BigInt(i), undefined as never)));
  const failed = results.filter((r) => r.status === "rejected");
  // Only calls sent before the first refusal was known fail; later ones all go to the good one.
  expect(failed.length).toBeLessThanOrEqual(20);
  const afterOut = await Promise.allSettled(Array.from({ length: 40 }, (_, i) => c.getUser(BigInt(i), undefined as never)));
  expect(afterOut.every((r) => r.status === "fulfilled")).toBe(true);
  // The dead port comes alive: within a backoff (at most 1 s here) a probe connects and it is back.
  const handler = new SlowHandler();
  const revived = await listen(new Server({ logger: silentLogger }).register(ex.UserService, handler), { port });
  open.push({ close: () => revived.close({ timeoutMs: 500 }) });
  const back = Date.now();
  while (handler.calls === 0 && Date.now() - back < 5_000) {
    await c.getUser(1n, undefined as never);
    await wait(20);
  }
  expect(Date.now() - back).toBeLessThan(1_500);
  const calls = good.handler.calls;
  await Promise.all(Array.from({ length: 20 }, (_, i) => c.getUser(BigInt(i), undefined as never)));
  expect(good.handler.calls - calls).toBeGreaterThanOrEqual(9); // about half: the other is back
  expect(good.handler.calls - calls).toBeLessThanOrEqual(11);
});

test("tag filtering: only instances with the tags are called; none matching is NO_INSTANCE", async () => {
  const registry = new MemoryRegistry();
  const a = await serve(registry, 10, { idc: "a" });
  const b = await serve(registry, 10, { idc: "b" });
  const c = clientOf(registry, { filterTags: { idc: "b" } });
  await Promise.all(Array.from({ length: 10 }, (_, i) => c.getUser(BigInt(i), undefined as never)));
  expect([a.handler.calls, b.handler.calls]).toEqual([0, 10]);
  const none = clientOf(registry, { filterTags: { idc: "z" } });
  await expect(none.ping("x")).rejects.toMatchObject({
    code: "NO_INSTANCE", message: 'no instance of UserService to call: target memory:///echo has none with tags {"idc":"z"}',
  });
});

test("a retry (the same context through the discovery step again) goes to another instance", async () => {
  const registry = new MemoryRegistry();
  await serve(registry, 10);
  await serve(registry, 10);
  await serve(registry, 10);
  const c = clientOf(registry, { loadBalancer: leastLoaded() });
  await c.ping("warm");
  // Take the client's discovery step out through a middleware that records each try's peer.
  const peers: string[] = [];
  const retryTwice: Middleware = (next) => async (ctx, args) => {
    await next(ctx, args);
    peers.push(ctx.peer!);
    const r = await next(ctx, args);
    peers.push(ctx.peer!);
    return r;
  };
  const c2 = createClient<ex.UserServiceClient>(ex.UserService, {
    transport: FRAMED, target: registry.resolver("echo"), logger: silentLogger, middlewares: [retryTwice],
  });
  open.push(c2);
  for (let i = 0; i < 20; i++) {
    peers.length = 0;
    await c2.ping("x");
    expect(peers[0]).not.toBe(peers[1]);
  }
});

test("listen registers after listening and deregisters first thing in close, before draining", async () => {
  const registry = new MemoryRegistry();
  const s = await serve(registry, 10);
  const c = clientOf(registry);
  const slow = c.getUser(1300n, undefined as never);
  await wait(50);
  const closing = s.listener.close({ timeoutMs: 2_000 });
  await wait(20);
  expect(registry.instances("echo")).toEqual([]);
  await expect(slow).resolves.toMatchObject({ id: 1300n });
  await closing;
});

test("listen with a registry: 0.0.0.0 needs an address; no service name is an error; the port is closed again", async () => {
  const registry = new MemoryRegistry();
  const server = new Server({ logger: silentLogger }).register(ex.UserService, new SlowHandler());
  await expect(listen(server, { host: "0.0.0.0", registry, registration: { service: "echo" } })).rejects.toThrow(/listening on 0.0.0.0, which is no address to call/);
  await expect(listen(server, { registry, registration: { service: "" } })).rejects.toThrow(/needs registration.service/);
  const l: Listener = await listen(server, { host: "0.0.0.0", registry, registration: { service: "echo", address: "127.0.0.1:1234", weight: 5 } });
  expect(registry.instances("echo")).toEqual([{ address: "127.0.0.1:1234", weight: 5, tags: {} }]);
  await l.close();
  expect(registry.instances("echo")).toEqual([]);
});

test("a plain host:port target and a client context's connection", async () => {
  const registry = new MemoryRegistry();
  const s = await serve(registry, 10);
  const c = createClient<ex.UserServiceClient>(ex.UserService, { transport: FRAMED, target: s.address });
  open.push(c);
  expect(await c.ping("hi")).toBe("hi");
  const seen: unknown[] = [];
  const c2 = createClient<ex.UserServiceClient>(ex.UserService, {
    transport: FRAMED, target: staticResolver([s.address]),
    middlewares: [(next) => async (ctx, args) => {
      const r = await next(ctx, args);
      seen.push(ctx instanceof ClientCallContext, ctx.peer);
      return r;
    }],
  });
  open.push(c2);
  await c2.ping("x");
  expect(seen).toEqual([true, s.address]);
  expect(() => createClient(ex.UserService, { transport: FRAMED })).toThrow(/give either a connection or a target/);
});

test("an empty answer from the resolver keeps the last instances (as Kitex's cache does)", async () => {
  const registry = new MemoryRegistry();
  const s = await serve(registry, 10);
  const c = clientOf(registry);
  await c.getUser(1n, undefined as never);
  await registry.deregister({ service: "echo", address: s.address });
  expect(registry.instances("echo")).toEqual([]);
  await c.getUser(2n, undefined as never); // still there, still serving
  expect(s.handler.calls).toBe(2);
  // Once the registry has instances again, they replace the old ones.
  const t = await serve(registry, 10);
  await Promise.all(Array.from({ length: 4 }, (_, i) => c.getUser(BigInt(i), undefined as never)));
  expect([s.handler.calls, t.handler.calls]).toEqual([2, 4]);
});

test("a dns:// target through the system resolver: localhost at the server's port", async () => {
  const registry = new MemoryRegistry();
  const s = await serve(registry, 10);
  const c = createClient<ex.UserServiceClient>(ex.UserService, {
    transport: FRAMED, target: `dns://localhost:${s.listener.port}`, logger: silentLogger, filterTags: {},
  });
  open.push(c);
  // localhost may also resolve to ::1, where nothing listens: that instance is refused and left out.
  const results = await Promise.allSettled(Array.from({ length: 10 }, () => c.ping("x")));
  expect(results.filter((r) => r.status === "fulfilled").length).toBeGreaterThan(0);
  await Promise.all(Array.from({ length: 10 }, () => c.ping("y")));
  expect(s.handler.calls).toBe(0); // ping is not counted; reaching here means every call was answered
});
