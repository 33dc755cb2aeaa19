/**
 * The pieces behind the hostile-client bounds, in process: the partial-frame budget and
 * who it evicts, where partial frames are held, the options, and the client's own write
 * bound against a real server socket that never reads.
 */
import { createServer, type Server as NetServer, type Socket } from "node:net";
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { createClient, getEngine, init, KitewireError, makeServerOptions, nodeTransport, SERVER_DEFAULTS } from "kitewire";
import * as ex from "../golden/thrift/gen/example.js";
import { PartialFrameBudget, WriteQueueBudget } from "../../src/net/node/budgets.js";
import { Inbound } from "../../src/net/node/inbound.js";

beforeAll(async () => {
  await init();
});

function holder(held = 0) {
  return { held, evicted: false, evict() { this.evicted = true; } };
}

describe("PartialFrameBudget", () => {
  test("charges what fits; past the limit evicts the largest other holder first, as often as needed", () => {
    const budget = new PartialFrameBudget(100);
    const [a, b, c] = [holder(), holder(), holder()];
    expect(budget.grow(a, 50)).toBe(true);
    expect(budget.grow(b, 30)).toBe(true);
    expect(budget.grow(c, 10)).toBe(true);
    expect(budget.held).toBe(90);
    expect(budget.grow(c, 40)).toBe(true); // 130 > 100: a (50) goes
    expect([a.evicted, b.evicted, c.evicted]).toEqual([true, false, false]);
    expect(budget.held).toBe(80);
    expect(c.held).toBe(50);
    const d = holder();
    budget.grow(d, 5);
    expect(budget.grow(d, 30)).toBe(true); // 115: d would be 35, c (50) is the largest and goes
    expect(c.evicted).toBe(true);
    expect([budget.held, b.held, d.held]).toEqual([65, 30, 35]);
  });

  test("a holder that would be the largest is refused, and nobody else is evicted for it", () => {
    const budget = new PartialFrameBudget(100);
    const [a, b] = [holder(), holder()];
    budget.grow(a, 40);
    expect(budget.grow(b, 70)).toBe(false);
    expect(a.evicted).toBe(false);
    expect(budget.held).toBe(40);
    expect(b.held).toBe(0);
    budget.release(a);
    expect(budget.held).toBe(0);
  });
});

describe("WriteQueueBudget", () => {
  test("full at the cap, low at half, waiters woken once it drains below half", () => {
    const q = new WriteQueueBudget(100);
    let woken = 0;
    q.add(100);
    expect(q.full).toBe(true);
    q.wait(() => woken++);
    q.add(-40);
    expect([q.full, q.low, woken]).toEqual([false, false, 0]);
    q.add(-10);
    expect([q.low, woken]).toEqual([true, 1]);
    q.add(-10);
    expect(woken).toBe(1);
  });
});

describe("Inbound", () => {
  test("a large partial frame grows in place in a resizable buffer, charged as it grows, and is let go whole", () => {
    const budget = new PartialFrameBudget(64 << 20);
    const inbound = new Inbound(budget, 16 << 20, () => undefined);
    const chunk = new Uint8Array(64 * 1024).fill(9);
    const head = new Uint8Array([0, 0x40, 0, 0]); // announces 4 MiB
    expect(inbound.keep(head, (0x400000) + 4)).toBe(true);
    expect(budget.held).toBe(1024); // small: an ordinary buffer
    for (let i = 0; i < 10; i++) expect(inbound.keep(chunk, 0x400004)).toBe(true);
    expect(inbound.length).toBe(4 + 10 * chunk.length);
    expect(budget.held).toBe(inbound.length); // large: charged exactly what it holds
    expect(inbound.peekU32()).toBe(0x400000);
    let seen: Uint8Array | undefined;
    let buffer: ArrayBufferLike | undefined;
    inbound.take((bytes) => {
      seen = bytes.slice();
      buffer = bytes.buffer;
    });
    expect(seen!.length).toBe(4 + 10 * chunk.length);
    expect(seen![4]).toBe(9);
    expect(budget.held).toBe(0);
    expect(buffer!.byteLength).toBe(0); // shrunk: its pages are returned now, not at the next GC
    expect(inbound.length).toBe(0);
  });

  test("refused by the budget when it would be the largest holder: keeps nothing more", () => {
    const budget = new PartialFrameBudget(100 * 1024);
    const inbound = new Inbound(budget, 16 << 20, () => undefined);
    const chunk = new Uint8Array(64 * 1024);
    expect(inbound.keep(chunk)).toBe(true);
    expect(inbound.keep(chunk)).toBe(false);
    expect(inbound.length).toBe(chunk.length);
    inbound.clear();
    expect(budget.held).toBe(0);
  });
});

describe("options", () => {
  test("maxPartialFrameBytes defaults to a quarter of the engine's memory; the new limits are validated", () => {
    expect(makeServerOptions({}, getEngine().memoryLimit).maxPartialFrameBytes).toBe(getEngine().memoryLimit / 4);
    expect(makeServerOptions({ maxPartialFrameBytes: 1234 }, 1 << 30).maxPartialFrameBytes).toBe(1234);
    expect(SERVER_DEFAULTS).toMatchObject({
      firstFrameTimeoutMs: 10_000, writeTimeoutMs: 30_000, maxQueuedBytesPerConnection: 4 << 20, maxQueuedBytes: 64 << 20,
    });
    for (const key of ["firstFrameTimeoutMs", "writeTimeoutMs", "maxQueuedBytesPerConnection", "maxQueuedBytes", "maxPartialFrameBytes"]) {
      expect(() => makeServerOptions({ [key]: 0 })).toThrow(KitewireError);
    }
  });
});

describe("client memory", () => {
  test("a closed client gives its writer's arena back to the engine (clients made and closed for ever do not exhaust it)", async () => {
    const transport = { framing: "framed", protocol: "binary" } as const;
    const live = () => getEngine().exports.liveBlockCount();
    const before = live();
    for (let i = 0; i < 100; i++) {
      const c = createClient<ex.UserServiceClient>(ex.UserService, { transport, connection: nodeTransport({ address: "127.0.0.1:9", transport }) });
      await c.close();
      await expect(c.ping("x")).rejects.toMatchObject({ code: "CONNECTION" });
    }
    expect(live()).toBe(before);
  });
});

describe("the client's write bound", () => {
  let server: NetServer | undefined;
  const accepted: Socket[] = [];
  afterEach(async () => {
    for (const s of accepted.splice(0)) s.destroy();
    await new Promise((r) => (server ? server.close(r) : r(undefined)));
  });

  test("against a server that never reads: calls wait up to the bound, then fail OVERLOADED; the connection closes at the write timeout", async () => {
    server = createServer((s) => {
      s.pause(); // never reads
      accepted.push(s);
    });
    await new Promise<void>((r) => server!.listen(0, "127.0.0.1", r));
    const port = (server.address() as { port: number }).port;
    const transport = { framing: "framed", protocol: "binary" } as const;
    const t = nodeTransport({ address: { host: "127.0.0.1", port }, transport, mode: "mux", maxPendingWriteBytes: 1 << 20, writeTimeoutMs: 1_000 });
    const frame = new Uint8Array(256 * 1024);
    const outcomes: Promise<string>[] = [];
    // 200 × 256 KiB = 50 MiB asked of a peer that reads nothing (loopback's kernel buffers take a few MiB).
    for (let seqid = 1; seqid <= 200; seqid++) {
      outcomes.push(t.send({ bytes: frame, seqid, oneway: false, deadline: undefined, signal: undefined })
        .then(() => "replied", (e: KitewireError) => e.code));
      await new Promise((r) => setImmediate(r));
    }
    const started = Date.now();
    const codes = await Promise.all(outcomes);
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(codes).toContain("OVERLOADED");
    expect(codes.filter((c) => c === "OVERLOADED").length).toBeGreaterThan(100);
    expect(codes.filter((c) => c === "TIMEOUT").length).toBeGreaterThan(0); // the write timeout closed the connection
    expect(codes).not.toContain("replied");
    await t.close();
  }, 20_000);
});
