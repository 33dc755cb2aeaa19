/**
 * listen(server, { threads: 2 }): the golden services served by two server threads, over
 * every framing; calls spread over the threads; a thread killed mid-load; a full ring past
 * a call's deadline; a frame over the limit; graceful close with calls in flight on every
 * thread. Runs the build (dist/kitewire.node.mjs): server threads load it.
 */
import { connect } from "node:net";
import { BroadcastChannel } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
// @ts-expect-error: a plain .mjs helper shared with the benchmarks
import { BUNDLE, generateGolden } from "./support.mjs";

type Kw = typeof import("kitewire");
type Transport = import("kitewire").Transport;
let kw: Kw;
let ex: typeof import("../../golden/thrift/gen/example.js");
let base: typeof import("../../golden/thrift/gen/base.js");
let pb: typeof import("../../golden/proto/gen/example.js");
let listener: import("kitewire").Listener;
const SERVICE = new URL("./service.mjs", import.meta.url);

beforeAll(async () => {
  const gen = generateGolden() as { thrift: string; proto: string };
  process.env["KITEWIRE_TEST_GEN"] = JSON.stringify(gen);
  kw = await import(BUNDLE as string);
  await kw.init();
  ex = await import(gen.thrift);
  base = await import(gen.thrift.replace("example.mjs", "base.mjs"));
  pb = await import(gen.proto);
  listener = await kw.listen(new kw.Server({ logger: kw.silentLogger }), { threads: 2, serverModule: SERVICE });
});

afterAll(async () => {
  await listener?.close({ timeoutMs: 1000 });
});

function client(transport: Transport, l = listener, mode: "pool" | "mux" = "mux") {
  return kw.createClient<import("../../golden/thrift/gen/example.js").UserServiceClient>(ex.UserService, {
    transport, connection: kw.nodeTransport({ address: l.address, transport, mode }),
  });
}

const transports: Transport[] = [
  { framing: "framed", protocol: "binary" }, { framing: "framed", protocol: "compact" },
  { framing: "buffered", protocol: "binary" }, { framing: "buffered", protocol: "compact" },
  { framing: "ttheader", protocol: "binary" }, { framing: "ttheader", protocol: "compact" },
  { framing: "ttheader-framed", protocol: "binary" }, { framing: "ttheader-framed", protocol: "compact" },
  { framing: "theader", protocol: "binary" }, { framing: "theader", protocol: "compact" },
];

describe.each(transports)("$framing $protocol on 2 threads", (transport) => {
  test("results, declared exceptions, handler failures and oneway calls, spread over both threads", async () => {
    const c = client(transport);
    try {
      const users = await Promise.all(Array.from({ length: 40 }, (_, i) => c.getUser(BigInt(i), base.Base.create())));
      expect(users.map((u) => u.id)).toEqual(Array.from({ length: 40 }, (_, i) => BigInt(i)));
      expect(new Set(users.map((u) => u.name)).size).toBe(2); // both threads answered
      expect(users.every((u) => Number(u.tags[0]) >= 1)).toBe(true); // the thread's middleware ran
      expect((await c.listUsers(2, 3)).map((u) => u.id)).toEqual([200n, 201n, 202n]);
      expect(await c.contactOf(5n, { case: undefined })).toEqual({ case: "phone", value: "5" });
      await expect(c.getUser(-3n, base.Base.create())).rejects.toBeInstanceOf(ex.NotFound);
      await expect(c.updateUser(ex.User.create({ id: 1n, name: "boom" }))).rejects.toMatchObject({
        code: "REMOTE", message: expect.stringContaining("handler exploded"),
      });
      await expect(c.touch(1n)).resolves.toBeUndefined();
    } finally {
      await c.close();
    }
  });
});

test.each([{ framing: "kitex-protobuf", protocol: "protobuf" }, { framing: "ttheader", protocol: "protobuf" }] as Transport[])(
  "Protobuf over $framing on 2 threads", async (transport) => {
    const c = kw.createClient<import("../../golden/proto/gen/example.js").UserServiceClient>(pb.UserService, {
      transport, connection: kw.nodeTransport({ address: listener.address, transport, mode: "mux" }),
    });
    try {
      const users = await Promise.all([1n, 2n, 3n, 4n].map((id) => c.getUser({ id })));
      expect(users.map((u) => u.id)).toEqual([1n, 2n, 3n, 4n]);
      expect(new Set(users.map((u) => u.name)).size).toBe(2);
      await expect(c.getUser({ id: -1n })).rejects.toMatchObject({ code: "REMOTE", message: expect.stringContaining("no user -1") });
    } finally {
      await c.close();
    }
  });

test("handlers on the threads see the connection's peer, and their signal aborts when the connection closes", async () => {
  const transport: Transport = { framing: "ttheader", protocol: "binary" };
  const seen: { thread: number; code: string }[] = [];
  const channel = new BroadcastChannel("kitewire-threads-test");
  channel.onmessage = (m) => void seen.push((m as { data: { thread: number; code: string } }).data);
  try {
    const c = client(transport);
    // Several calls, so that both threads serve this connection.
    const peers = await Promise.all(Array.from({ length: 8 }, () => c.ping("peer")));
    expect(peers.every((p) => /^peer 127\.0\.0\.1:\d+$/.test(p))).toBe(true);
    expect(new Set(peers).size).toBe(1);
    const waiting = Array.from({ length: 4 }, () => c.ping("until-closed").catch((e: unknown) => e));
    await new Promise((r) => setTimeout(r, 100));
    expect(seen).toEqual([]);
    await c.close();
    expect((await Promise.all(waiting)).every((e) => (e as { code?: string }).code === "CONNECTION")).toBe(true);
    for (let i = 0; i < 100 && seen.length < 4; i++) await new Promise((r) => setTimeout(r, 20));
    expect(seen).toHaveLength(4);
    expect(seen.every((s) => s.code === "CANCELLED")).toBe(true);
    expect(new Set(seen.map((s) => s.thread)).size).toBe(2); // the signal of each thread's calls
  } finally {
    channel.close();
  }
});

test.each([[66n, "an uncaught exception"], [67n, "process.exit"]])("a thread killed mid-load (%s: %s): its calls fail typed, it is replaced, later calls succeed", async (killer) => {
  const l = await kw.listen(new kw.Server({ logger: kw.silentLogger }), { threads: 2, serverModule: SERVICE });
  const transport: Transport = { framing: "ttheader", protocol: "binary" };
  const c = client(transport, l);
  try {
    const before = l.threads!.threadIds;
    // 200 calls of 100-300 ms in flight over both threads, then one that kills its thread.
    const load = Array.from({ length: 200 }, (_, i) => c.getUser(1100n + BigInt(i % 200), base.Base.create()).then(() => "ok", (e: unknown) => e));
    await new Promise((r) => setTimeout(r, 30));
    const killed = c.getUser(killer, base.Base.create()).then(() => "ok", (e: unknown) => e);
    const outcomes = await Promise.all([...load, killed]);
    const failed = outcomes.filter((o) => o !== "ok") as { code: string; message: string }[];
    expect(failed.length).toBeGreaterThan(10); // the dead thread's share of the load
    expect(failed.length).toBeLessThan(150); // not the other thread's
    for (const f of failed) expect(f).toMatchObject({ code: "REMOTE", message: expect.stringContaining("server thread serving this call exited") });
    // The replacement serves once it has loaded its module.
    for (let i = 0; i < 250 && (l.threads!.threadIds.includes(-1) || l.threads!.threadIds.every((id, k) => id === before[k])); i++) {
      await new Promise((r) => setTimeout(r, 20));
    }
    const after = l.threads!.threadIds;
    expect(after.filter((id, i) => id !== before[i]).length).toBe(1);
    const later = await Promise.all(Array.from({ length: 40 }, (_, i) => c.getUser(BigInt(i), base.Base.create())));
    expect(new Set(later.map((u) => u.name)).size).toBe(2);
  } finally {
    await c.close();
    await l.close({ timeoutMs: 1000 });
  }
});

test("a ring full past a call's deadline: the call times out on the socket thread; the thread then serves again", async () => {
  const l = await kw.listen(new kw.Server({ logger: kw.silentLogger }), { threads: 1, serverModule: SERVICE });
  const transport: Transport = { framing: "ttheader", protocol: "binary" };
  const c = client(transport, l);
  try {
    const blocking = c.getUser(68n, base.Base.create(), { timeoutMs: 5000 }); // 600 ms without reading its ring
    await new Promise((r) => setTimeout(r, 50));
    const burst = await Promise.allSettled(Array.from({ length: 300 }, (_, i) => c.getUser(BigInt(100 + i), base.Base.create(), { timeoutMs: 150 })));
    expect(burst.every((o) => o.status === "rejected" && (o.reason as { code: string }).code === "TIMEOUT")).toBe(true);
    expect((await blocking).id).toBe(68n);
    // 256 slots, all free once the thread has taken the blocking call out (a ring frees a frame's room before serving it):
    // 256 of the burst fit; the other 44 waited on the socket thread and were answered TIMEOUT at their deadline.
    expect(l.threads!.timedOut).toBe(44);
    expect((await c.getUser(1n, base.Base.create())).id).toBe(1n);
  } finally {
    await c.close();
    await l.close({ timeoutMs: 1000 });
  }
});

test("a frame over maxFrameSize never reaches a thread: its connection is closed", async () => {
  const l = await kw.listen(new kw.Server({ logger: kw.silentLogger, maxFrameSize: 64 << 10 }), { threads: 2, serverModule: SERVICE });
  const transport: Transport = { framing: "framed", protocol: "binary" };
  const c = client(transport, l);
  try {
    expect(await c.ping("small")).toMatch(/^pong/);
    const served = l.threads!.served.reduce((a, b) => a + b);
    await expect(c.ping("x".repeat(100 << 10))).rejects.toMatchObject({ code: "CONNECTION" });
    expect(l.threads!.served.reduce((a, b) => a + b)).toBe(served);
    expect(await c.ping("again")).toMatch(/^pong/);
  } finally {
    await c.close();
    await l.close({ timeoutMs: 1000 });
  }
});

test("graceful close waits for the calls in flight on every thread, and tells TTHeader clients to reconnect", async () => {
  const l = await kw.listen(new kw.Server({ logger: kw.silentLogger }), { threads: 2, serverModule: SERVICE });
  const transport: Transport = { framing: "ttheader", protocol: "binary" };
  const c = client(transport, l);
  try {
    const served = l.threads!.served;
    const slow = Array.from({ length: 20 }, (_, i) => c.getUser(1300n + BigInt(i), base.Base.create()));
    await new Promise((r) => setTimeout(r, 50));
    const spread = l.threads!.served.map((n, i) => n - served[i]!);
    expect(spread.every((n) => n >= 5)).toBe(true); // calls in flight on both threads
    const started = Date.now();
    await l.close({ timeoutMs: 3000 });
    expect(Date.now() - started).toBeGreaterThan(200);
    expect((await Promise.all(slow)).map((u) => u.id)).toEqual(Array.from({ length: 20 }, (_, i) => 1300n + BigInt(i)));
    await expect(c.getUser(1n, base.Base.create())).rejects.toMatchObject({ code: "CONNECTION" });
  } finally {
    await c.close();
  }
});

test("gRPC is not served on a listener with threads: an HTTP/2 connection is closed, logged as such", async () => {
  const logged: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => void logged.push(m), error: (m: string) => void logged.push(m) };
  const l = await kw.listen(new kw.Server({ logger }), { threads: 1, serverModule: SERVICE });
  try {
    const socket = connect({ host: "127.0.0.1", port: l.port });
    await new Promise((resolve) => socket.once("connect", resolve));
    socket.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    await new Promise((resolve) => socket.once("close", resolve));
    expect(logged).toEqual([expect.stringContaining("HTTP/2 (gRPC) is not served on a listener with server threads")]);
  } finally {
    await l.close({ timeoutMs: 1000 });
  }
});

test("a service module whose default export makes no Server: listen fails, saying so", async () => {
  await expect(kw.listen(new kw.Server(), { threads: 1, serverModule: new URL("./not-a-factory.mjs", import.meta.url) }))
    .rejects.toMatchObject({ message: expect.stringContaining("default export must be a function returning a Server") });
  await expect(kw.listen(new kw.Server(), { threads: 1 })).rejects.toMatchObject({ code: "INVALID_VALUE" });
});

test("THeader with zlib on 2 threads: the socket thread passes the frame on as it came; the thread inflates it and answers through zlib", async () => {
  const transport: Transport = { framing: "theader", protocol: "compact" };
  const c = kw.createClient<import("../../golden/thrift/gen/example.js").UserServiceClient>(ex.UserService, {
    transport, transforms: ["zlib"], connection: kw.nodeTransport({ address: listener.address, transport, mode: "mux" }),
  });
  try {
    const users = await Promise.all(Array.from({ length: 20 }, (_, i) => c.listUsers(i, 30)));
    users.forEach((page, i) => expect(page.map((u) => u.id)).toEqual(Array.from({ length: 30 }, (_, j) => BigInt(i * 100 + j))));
    expect(new Set(users.map((p) => p[0]!.name)).size).toBe(2);
  } finally {
    await c.close();
  }
});
