/**
 * The shared-memory transport between two threads: a client here (shmTransport) and a
 * server in a worker thread (serveShm) on one channel, over every framing, as over TCP.
 * Runs the build (dist/kitewire.node.mjs), which the worker loads.
 */
import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
// @ts-expect-error: a plain .mjs helper
import { BUNDLE, generateGolden } from "../threads/support.mjs";

type Kw = typeof import("kitewire");
type Transport = import("kitewire").Transport;
let kw: Kw;
let ex: typeof import("../../golden/thrift/gen/example.js");
let base: typeof import("../../golden/thrift/gen/base.js");
const SERVICE = new URL("../threads/service.mjs", import.meta.url).href;
const workers: Worker[] = [];

beforeAll(async () => {
  const gen = generateGolden() as { thrift: string; proto: string };
  process.env["KITEWIRE_TEST_GEN"] = JSON.stringify(gen);
  kw = await import(BUNDLE as string);
  await kw.init();
  ex = await import(gen.thrift);
  base = await import(gen.thrift.replace("example.mjs", "base.mjs"));
});

afterAll(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
});

/** A server thread serving a new channel; the channel and a function that closes the server gracefully. */
async function serverThread(ring: Partial<import("kitewire").RingOptions> = {}) {
  const channel = kw.createShmChannel(ring);
  const worker = new Worker(new URL("./serve-worker.mjs", import.meta.url), { workerData: { bundle: BUNDLE, service: SERVICE, channel }, env: process.env });
  workers.push(worker);
  await new Promise((resolve, reject) => {
    worker.once("message", resolve);
    worker.once("error", reject);
  });
  const close = () => new Promise<void>((resolve) => {
    worker.once("message", () => resolve());
    worker.postMessage("close");
  });
  return { channel, close };
}

const transports: Transport[] = [
  { framing: "framed", protocol: "binary" }, { framing: "framed", protocol: "compact" },
  { framing: "buffered", protocol: "binary" }, { framing: "buffered", protocol: "compact" },
  { framing: "ttheader", protocol: "binary" }, { framing: "ttheader-framed", protocol: "compact" },
  { framing: "theader", protocol: "binary" }, { framing: "theader", protocol: "compact" },
];

describe.each(transports)("$framing $protocol over shared memory", (transport) => {
  test("results, exceptions, oneway, 500 calls in flight (some spilled past a slot), in a small ring", async () => {
    const { channel, close } = await serverThread({ slots: 16, slotBytes: 512, spillBytes: 1 << 20 });
    const c = kw.createClient<import("../../golden/thrift/gen/example.js").UserServiceClient>(ex.UserService, {
      transport, connection: kw.shmTransport({ channel, transport }),
    });
    try {
      expect(await c.ping("hi")).toMatch(/^pong from thread \d+: hi$/);
      await expect(c.getUser(-3n, base.Base.create())).rejects.toBeInstanceOf(ex.NotFound);
      await expect(c.updateUser(ex.User.create({ id: 1n, name: "boom" }))).rejects.toMatchObject({ code: "REMOTE" });
      await expect(c.touch(1n)).resolves.toBeUndefined();
      const pages = await Promise.all(Array.from({ length: 500 }, (_, i) => c.listUsers(i, i % 50 === 0 ? 40 : 2))); // 40 users: > 512 bytes
      pages.forEach((p, i) => expect(p.map((u) => u.id)).toEqual(Array.from({ length: i % 50 === 0 ? 40 : 2 }, (_, j) => BigInt(i * 100 + j))));
      await expect(c.getUser(1300n, base.Base.create(), { timeoutMs: 50 })).rejects.toMatchObject({ code: "TIMEOUT" });
      expect((await c.getUser(5n, base.Base.create())).id).toBe(5n);
    } finally {
      await c.close();
      await close();
    }
  });
});

test("graceful close of the server: calls in flight finish, later calls fail CONNECTION", async () => {
  const { channel, close } = await serverThread();
  const transport: Transport = { framing: "ttheader", protocol: "binary" };
  const c = kw.createClient<import("../../golden/thrift/gen/example.js").UserServiceClient>(ex.UserService, {
    transport, connection: kw.shmTransport({ channel, transport }),
  });
  const slow = Promise.all([1200n, 1250n].map((id) => c.getUser(id, base.Base.create())));
  await new Promise((r) => setTimeout(r, 50));
  await close();
  expect((await slow).map((u) => u.id)).toEqual([1200n, 1250n]);
  await expect(c.getUser(1n, base.Base.create())).rejects.toMatchObject({ code: "CONNECTION" });
  await c.close();
});
