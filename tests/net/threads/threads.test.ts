/**
 * listen(server, { threads: 2 }): the golden services served by two server threads, over
 * every framing; calls spread over the threads; a thread killed mid-load; a full ring past
 * a call's deadline; a frame over the limit; graceful close with calls in flight on every
 * thread. Runs the build (dist/kitewire.node.mjs): server threads load it.
 */
import { connect, createServer, type Socket } from "node:net";
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
  // maxFrameSize 256 KiB: each thread's ring has a 1 MiB pool of 64 blocks of 16 KiB for what does not fit a slot.
  const l = await kw.listen(new kw.Server({ logger: kw.silentLogger, maxFrameSize: 256 << 10 }), { threads: 1, serverModule: SERVICE });
  const transport: Transport = { framing: "ttheader", protocol: "binary" };
  const c = client(transport, l);
  try {
    const blocking = c.getUser(68n, base.Base.create(), { timeoutMs: 5000 }); // 600 ms without reading its ring
    await new Promise((r) => setTimeout(r, 50));
    // Frames of 100 KiB, too large for a batch: each goes alone and takes 7 blocks, so 9 fit;
    // the other 21 wait on the socket thread and are answered TIMEOUT there at their deadline.
    const big = await Promise.allSettled(Array.from({ length: 30 }, () => c.ping("x".repeat(100 << 10), { timeoutMs: 150 })));
    expect(big.every((o) => o.status === "rejected" && (o.reason as { code: string }).code === "TIMEOUT")).toBe(true);
    expect((await blocking).id).toBe(68n); // the socket thread's timers fired by then
    expect(l.threads!.timedOut).toBe(21);
    expect((await c.getUser(1n, base.Base.create())).id).toBe(1n);
  } finally {
    await c.close();
    await l.close({ timeoutMs: 1000 });
  }
});

test("batches that do not fit the ring wait for room on the socket thread, in order, and time out there", async () => {
  const l = await kw.listen(new kw.Server({ logger: kw.silentLogger, maxFrameSize: 256 << 10 }), { threads: 1, serverModule: SERVICE });
  const transport: Transport = { framing: "ttheader", protocol: "binary" };
  const c = client(transport, l);
  try {
    const blocking = c.getUser(68n, base.Base.create(), { timeoutMs: 5000 });
    await new Promise((r) => setTimeout(r, 50));
    // 120 frames of 20 KiB: three to a batch of 64 KiB (4 blocks), 2.4 MiB in all against a pool of 1 MiB.
    const burst = await Promise.allSettled(Array.from({ length: 120 }, () => c.ping("y".repeat(20 << 10), { timeoutMs: 150 })));
    expect(burst.every((o) => o.status === "rejected" && (o.reason as { code: string }).code === "TIMEOUT")).toBe(true);
    expect((await blocking).id).toBe(68n);
    const timedOut = l.threads!.timedOut;
    expect(timedOut).toBeGreaterThan(120 - 64); // at most 64 fit (one per block), in whatever batches the reads made
    expect(timedOut).toBeLessThan(120);
    // What waited went to the thread once it read again; later calls are served after it.
    const later = await Promise.all(Array.from({ length: 10 }, (_, i) => c.ping(`after ${i}`)));
    expect(later.map((p) => p.replace(/^pong from thread \d+: /, ""))).toEqual(Array.from({ length: 10 }, (_, i) => `after ${i}`));
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
    const slow = Array.from({ length: 20 }, (_, i) => c.getUser(1300n + BigInt(i), base.Base.create()).catch((e: unknown) => e));
    const spreadNow = () => l.threads!.served.map((n, i) => n - served[i]!);
    // Each call lasts 300+ ms: wait (on a loaded machine) until all 20 are on the threads.
    for (let i = 0; i < 12 && spreadNow().reduce((a, b) => a + b) < 20; i++) await new Promise((r) => setTimeout(r, 20));
    const spread = spreadNow();
    expect(spread.every((n) => n >= 5)).toBe(true); // calls in flight on both threads
    const started = Date.now();
    await l.close({ timeoutMs: 3000 });
    expect(Date.now() - started).toBeGreaterThan(200);
    expect((await Promise.all(slow)).map((u) => (u as { id: bigint }).id)).toEqual(Array.from({ length: 20 }, (_, i) => 1300n + BigInt(i)));
    await expect(c.getUser(1n, base.Base.create())).rejects.toMatchObject({ code: "CONNECTION" });
  } finally {
    await c.close();
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

/** Framed Binary request frames of `messages.length` ping calls, as a kitewire client sends them (captured by a plain TCP server). */
async function capturePings(messages: string[], transport: Transport = { framing: "framed", protocol: "binary" }): Promise<Buffer[]> {
  let bytes = Buffer.alloc(0);
  let done: () => void;
  const all = new Promise<void>((r) => (done = r));
  const capture = createServer((socket) => socket.on("data", (chunk: Buffer) => {
    bytes = Buffer.concat([bytes, chunk]);
    if (cut(bytes).frames.length === messages.length) done();
  }));
  await new Promise<void>((r) => capture.listen(0, "127.0.0.1", r));
  const port = (capture.address() as { port: number }).port;
  const c = kw.createClient<import("../../golden/thrift/gen/example.js").UserServiceClient>(ex.UserService, {
    transport, connection: kw.nodeTransport({ address: `127.0.0.1:${port}`, transport, mode: "mux" }),
  });
  const calls = messages.map((m) => c.ping(m).catch(() => undefined));
  await all;
  await c.close();
  await Promise.all(calls);
  await new Promise((r) => capture.close(r));
  return cut(bytes).frames;
}

/** The whole length-prefixed frames at the start of `bytes`, and how many bytes they take. */
function cut(bytes: Buffer): { frames: Buffer[]; used: number } {
  const frames: Buffer[] = [];
  let at = 0;
  while (at + 4 <= bytes.length && at + 4 + bytes.readUInt32BE(at) <= bytes.length) {
    frames.push(bytes.subarray(at, at + 4 + bytes.readUInt32BE(at)));
    at += 4 + bytes.readUInt32BE(at);
  }
  return { frames, used: at };
}

/** A strict Binary message's seqid (after the 4-byte frame length, the version word and the name). */
const seqidOf = (frame: Buffer) => frame.readInt32BE(12 + frame.readUInt32BE(8));

/** Collects the reply frames `socket` receives until there are `count`. */
function replies(socket: Socket, count: number): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    let held = Buffer.alloc(0);
    const got: Buffer[] = [];
    socket.on("data", (chunk: Buffer) => {
      held = Buffer.concat([held, chunk]);
      const { frames, used } = cut(held);
      got.push(...frames.map((f) => Buffer.from(f)));
      held = held.subarray(used);
      if (got.length >= count) resolve(got);
    });
    socket.once("close", () => reject(new Error(`closed after ${got.length} of ${count} replies`)));
  });
}

test("one read holding many frames and part of the next: every frame is handed over once, the partial one once it is whole", async () => {
  const messages = Array.from({ length: 60 }, (_, i) => `m${i}-${"z".repeat(i * 37)}`);
  const frames = await capturePings(messages);
  const socket = connect({ host: "127.0.0.1", port: listener.port });
  await new Promise((r) => socket.once("connect", r));
  try {
    const answered = replies(socket, 60);
    // Frame 0 alone (the connection learns its transport from it, through the decoder); then
    // frames 1..40 and half of 41 in one write, handed over as they sit in the socket's bytes;
    // the rest of 41 and 42..59 later, in uneven pieces.
    socket.write(frames[0]!);
    await new Promise((r) => setTimeout(r, 30));
    const split = 9 + (frames[41]!.length >> 1);
    socket.write(Buffer.concat([...frames.slice(1, 41), frames[41]!.subarray(0, split)]));
    await new Promise((r) => setTimeout(r, 30));
    const rest = Buffer.concat([frames[41]!.subarray(split), ...frames.slice(42)]);
    for (let at = 0; at < rest.length; at += 1000) socket.write(rest.subarray(at, at + 1000));
    const got = await answered;
    const bySeqid = new Map(frames.map((f, i) => [seqidOf(f), messages[i]!]));
    expect(got.map(seqidOf).sort((a, b) => a - b)).toEqual([...bySeqid.keys()].sort((a, b) => a - b));
    for (const reply of got) expect(reply.toString("latin1")).toContain(`: ${bySeqid.get(seqidOf(reply))}`);
  } finally {
    socket.destroy();
  }
});

test("frames of several connections in one turn: each connection gets its own replies, and handlers see its peer", async () => {
  const frames = await capturePings(Array.from({ length: 12 }, () => "peer"));
  const sockets = await Promise.all(Array.from({ length: 6 }, async () => {
    const socket = connect({ host: "127.0.0.1", port: listener.port });
    await new Promise((r) => socket.once("connect", r));
    return socket;
  }));
  try {
    const answered = sockets.map((s) => replies(s, 12));
    const served = listener.threads!.served.reduce((a, b) => a + b);
    for (const s of sockets) s.write(Buffer.concat(frames)); // one turn's reads hold frames of every connection
    const got = await Promise.all(answered);
    expect(listener.threads!.served.reduce((a, b) => a + b) - served).toBe(72);
    got.forEach((rs, i) => {
      expect(rs.map(seqidOf).sort((a, b) => a - b)).toEqual(frames.map(seqidOf).sort((a, b) => a - b));
      for (const r of rs) expect(r.toString("latin1")).toContain(`peer 127.0.0.1:${sockets[i]!.localPort}`);
    });
  } finally {
    for (const s of sockets) s.destroy();
  }
});

/**
 * Serves a first ping on a 2-thread listener, then sends the second ping as `corrupt` leaves
 * it; resolves once the server has closed the connection, with what was logged and how many
 * frames reached a server thread.
 */
async function refusedAfterFirst(transport: Transport | undefined, corrupt: (frame: Buffer) => void): Promise<{ logged: string[]; served: number }> {
  const logged: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string, f?: unknown) => void logged.push(`${m} ${JSON.stringify(f)}`), error: (m: string) => void logged.push(m) };
  const l = await kw.listen(new kw.Server({ logger }), { threads: 2, serverModule: SERVICE });
  const frames = await capturePings(["first", "second"], transport);
  const socket = connect({ host: "127.0.0.1", port: l.port });
  await new Promise((r) => socket.once("connect", r));
  try {
    const first = replies(socket, 1);
    socket.write(frames[0]!);
    expect((await first)[0]!.toString("latin1")).toContain(": first");
    const bad = Buffer.from(frames[1]!);
    corrupt(bad);
    const closed = new Promise((r) => socket.once("close", r));
    socket.write(bad);
    await closed;
    return { logged, served: l.threads!.served.reduce((a, b) => a + b) };
  } finally {
    socket.destroy();
    await l.close({ timeoutMs: 1000 });
  }
}

test("a TTHeader frame malformed past its envelope is refused on the server thread: its connection is closed, logged as malformed-frame with the thread's reason", async () => {
  const { logged, served } = await refusedAfterFirst({ framing: "ttheader", protocol: "binary" }, (bad) => {
    // Past the length, magic, flags, seqid and header size the socket thread reads: the
    // string info block (id 0x10 after the protocol id and transform count) claims 65535 pairs.
    expect(bad[16]).toBe(0x10);
    bad.writeUInt16BE(0xffff, 17);
  });
  const line = logged.find((m) => /server thread/.test(m));
  expect(line).toMatch(/malformed-frame/);
  expect(line).not.toMatch(/internal-error/);
  expect(served).toBe(2); // both reached a thread
});

test("a frame whose envelope is not where its framing puts it goes through the decoder, which refuses it: its connection is closed, logged", async () => {
  const { logged, served } = await refusedAfterFirst(undefined, (bad) => bad.writeUInt32BE(0x12345678, 4)); // not a Binary version word
  expect(logged.some((m) => /malformed-frame/.test(m) && /not a Thrift Binary message header: 0x12345678/.test(m))).toBe(true);
  expect(served).toBe(1);
});
