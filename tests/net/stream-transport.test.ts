/**
 * net/stream (the client connections Deno and workerd use) in Node, over node:net sockets
 * seen as web streams (Duplex.toWeb): against the gateway tests' upstream Thrift server
 * in another process, many calls in flight on one multiplexed connection (replies matched
 * by seqid), per-call connections, deadlines, cancellation, a refused connection, and a
 * broken connection being replaced.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { Duplex } from "node:stream";
import {
  createGenericClient, ErrorCode, init, loadIdl, streamTransport, type Idl, type OpenSocket, type StreamSocket,
} from "kitewire";
import { closedPort, SEARCH_THRIFT, startUpstream, type Upstream } from "../gateway/support.js";

const transport = { framing: "ttheader", protocol: "binary" } as const;
let upstream: Upstream;
let idl: Idl;
const opened: StreamSocket[] = [];

/** A node:net connection as a StreamSocket. */
const nodeStreamSocket: OpenSocket = (host, port) => new Promise((resolve, reject) => {
  const socket = connect({ host, port, noDelay: true }, () => {
    const { readable, writable } = Duplex.toWeb(socket) as unknown as { readable: ReadableStream<Uint8Array>; writable: WritableStream<Uint8Array> };
    const s: StreamSocket = { readable, writable, close: () => void socket.destroy() };
    opened.push(s);
    resolve(s);
  });
  socket.once("error", reject);
});

beforeAll(async () => {
  await init();
  upstream = await startUpstream();
  idl = loadIdl([SEARCH_THRIFT], { readFile: (p) => readFileSync(p, "utf8") });
});

afterAll(async () => {
  await upstream?.stop();
});

const client = (mode: "mux" | "short", address = `127.0.0.1:${upstream.port}`) => createGenericClient({
  idl, service: "SearchService", kind: "map", transport, connection: streamTransport(nodeStreamSocket, { address, transport, mode }),
});

test("mux: 200 calls in flight on one connection, replies matched by seqid", async () => {
  const before = opened.length;
  const c = client("mux");
  try {
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => c.call("echo", { text: `m${i}`, blob: new Uint8Array(i % 7) })));
    expect(replies).toEqual(Array.from({ length: 200 }, (_, i) => `m${i}|${i % 7}|0`));
    expect(opened.length - before).toBe(1);
  } finally {
    await c.close();
  }
});

test("short: a connection per call", async () => {
  const before = opened.length;
  const c = client("short");
  try {
    expect(await Promise.all([c.call("echo", { text: "a" }), c.call("echo", { text: "b" }), c.call("ping")])).toEqual(["a|0|0", "b|0|0", undefined]);
    expect(opened.length - before).toBe(3);
  } finally {
    await c.close();
  }
});

test("deadline, cancellation, refused connection, and a closed connection replaced", async () => {
  const c = client("mux");
  try {
    await expect(c.call("slow", { ms: 1000 }, { timeoutMs: 100 })).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    const controller = new AbortController();
    const cancelled = c.call("slow", { ms: 1000 }, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(cancelled).rejects.toMatchObject({ code: ErrorCode.CANCELLED });
    expect(await c.call("echo", { text: "after" })).toBe("after|0|0");
    // The connection breaks (its socket destroyed under the client): calls in flight fail, the next one reconnects.
    const slow = c.call("slow", { ms: 1000 });
    await new Promise((r) => setTimeout(r, 50));
    await opened[opened.length - 1]!.close();
    await expect(slow).rejects.toMatchObject({ code: ErrorCode.CONNECTION });
    expect(await c.call("echo", { text: "again" })).toBe("again|0|0");
  } finally {
    await c.close();
  }
  const refused = client("mux", `127.0.0.1:${await closedPort()}`);
  await expect(refused.call("ping")).rejects.toMatchObject({ code: ErrorCode.CONNECTION });
  await refused.close();
});
