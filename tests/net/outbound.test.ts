// The write side of a connection (src/net/node/outbound.ts) over a real socket pair on
// 127.0.0.1: when staged frames leave ("tick" or "turn"), their order across staging
// buffers and oversized frames, the byte count that bounds a peer that does not read, and
// what callers are told when the socket is gone.
import { afterEach, expect, test } from "vitest";
import { createServer, connect, type Server, type Socket } from "node:net";
import { Outbound, type OutboundFlush } from "../../src/net/node/outbound.js";

interface Pair {
  client: Socket;
  /** Resolves with everything the server side has read once it has read `n` bytes. */
  received(n: number): Promise<Buffer>;
  /** Socket writes the client side has made. */
  writes: number;
}

const servers: Server[] = [];
const sockets: Socket[] = [];
afterEach(() => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const s of servers.splice(0)) s.close();
});

async function pair(): Promise<Pair> {
  const chunks: Buffer[] = [];
  let size = 0;
  let waiting: { n: number; resolve: (b: Buffer) => void } | undefined;
  const check = () => {
    if (waiting !== undefined && size >= waiting.n) waiting.resolve(Buffer.concat(chunks));
  };
  const server = createServer((s) => {
    sockets.push(s);
    s.on("data", (c) => {
      chunks.push(c);
      size += c.length;
      check();
    });
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as { port: number }).port;
  const client = await new Promise<Socket>((r) => {
    const s = connect(port, "127.0.0.1", () => r(s));
  });
  sockets.push(client);
  const p: Pair = {
    client, writes: 0,
    received: (n) => new Promise((resolve) => {
      waiting = { n, resolve };
      check();
    }),
  };
  const write = client.write.bind(client) as (...args: unknown[]) => boolean;
  client.write = ((...args: unknown[]) => {
    p.writes++;
    return write(...args);
  }) as typeof client.write;
  return p;
}

const frame = (length: number, fill: number) => new Uint8Array(length).fill(fill);

/**
 * Writes one frame from each of `n` callbacks that run in the same event loop turn:
 * immediates queued together run in one check phase, and the immediate "turn" queues
 * while they run waits for the next one. (setTimeout(0) callbacks can straddle two turns
 * when their timer list expires across a millisecond boundary: this test was flaky so.)
 */
function writeFromSeparateCallbacks(outbound: Outbound, n: number): Promise<void> {
  return new Promise((resolve) => {
    let left = n;
    for (let i = 0; i < n; i++) {
      setImmediate(() => {
        outbound.write(frame(100, i));
        if (--left === 0) resolve();
      });
    }
  });
}

async function socketWritesFor(flushOn: OutboundFlush): Promise<number> {
  const p = await pair();
  const outbound = new Outbound(p.client, undefined, flushOn);
  await writeFromSeparateCallbacks(outbound, 8);
  const bytes = await p.received(800);
  expect([...bytes]).toEqual(Array.from({ length: 8 }, (_, i) => Array(100).fill(i)).flat());
  return p.writes;
}

test("frames written from separate callbacks of one turn leave in one socket write with \"turn\", one write each with \"tick\"", async () => {
  expect(await socketWritesFor("turn")).toBe(1);
  expect(await socketWritesFor("tick")).toBe(8);
});

test("\"turn\" keeps the order of frames across full staging buffers and frames larger than one", async () => {
  const p = await pair();
  const sizes = [10, 40_000, 30_000, 70_000, 5, 65_536, 1, 200_000, 3];
  const total = sizes.reduce((a, b) => a + b, 0);
  const outbound = new Outbound(p.client, undefined, "turn");
  const expected: number[] = [];
  // Half written in one callback, the rest from separate callbacks of the next turn.
  sizes.forEach((n, i) => {
    const write = () => outbound.write(frame(n, i + 1));
    if (i < 4) write();
    else setTimeout(write, 0);
    for (let k = 0; k < n; k++) expected.push(i + 1);
  });
  const bytes = await p.received(total);
  expect(bytes.length).toBe(total);
  expect(Buffer.compare(bytes, Buffer.from(expected))).toBe(0);
});

test("every byte accepted is counted until the socket has written it", async () => {
  const p = await pair();
  let counted = 0;
  const outbound = new Outbound(p.client, (delta) => (counted += delta), "turn");
  const done: (Error | null | undefined)[] = [];
  outbound.write(frame(1000, 1), (e) => done.push(e));
  outbound.write(frame(70_000, 2), (e) => done.push(e));
  outbound.write(frame(24, 3), (e) => done.push(e));
  expect(outbound.queued).toBe(71_024);
  expect(counted).toBe(71_024);
  await p.received(71_024);
  await new Promise<void>((r) => outbound.whenWritten(r));
  expect(done).toHaveLength(3);
  expect(done.every((e) => e == null)).toBe(true);
  expect(outbound.queued).toBe(0);
  expect(counted).toBe(0);
});

test("frames staged when the socket goes away fail their writers, and their bytes are no longer counted", async () => {
  const p = await pair();
  const outbound = new Outbound(p.client, undefined, "turn");
  const errors: (Error | null | undefined)[] = [];
  outbound.write(frame(100, 1), (e) => errors.push(e));
  outbound.write(frame(100, 2), (e) => errors.push(e));
  p.client.destroy();
  await new Promise((r) => setImmediate(r));
  await new Promise((r) => setImmediate(r));
  expect(errors).toHaveLength(2);
  expect(errors.every((e) => e instanceof Error)).toBe(true);
  expect(outbound.queued).toBe(0);
  expect(p.writes).toBe(0);
});
