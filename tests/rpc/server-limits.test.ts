/**
 * What keeps one connection from hurting the others: malformed and oversized frames,
 * read and idle timeouts, connection limits, slow readers; and graceful shutdown with
 * calls in flight.
 */
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { init, type Listener } from "kitewire";
import { client, closedWithin, FRAMED, rawSocket, SlowHandler, startServer, TTHEADER } from "./support.js";

let listener: Listener | undefined;
beforeAll(async () => {
  await init();
});
afterEach(async () => {
  await listener?.close({ timeoutMs: 500 });
  listener = undefined;
});

describe("bad input costs its connection only", () => {
  test("an oversized frame is refused from its length; other connections carry on", async () => {
    ({ listener } = await startServer(new SlowHandler(), { maxFrameSize: 1 << 20 }));
    const good = client(listener, FRAMED, { mode: "mux" });
    await good.getUser(1n, undefined as never);
    const bad = await rawSocket(listener.port);
    bad.write(Buffer.from([0x7f, 0xff, 0xff, 0xff, 0x80, 0x01, 0x00, 0x01]));
    await closedWithin(bad, 2000);
    expect((await good.getUser(2n, undefined as never)).id).toBe(2n);
    await good.close();
  });

  test("garbage and malformed messages close their connection; the server lives on", async () => {
    ({ listener } = await startServer(new SlowHandler()));
    const good = client(listener, TTHEADER, { mode: "mux" });
    for (const garbage of [
      Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"),
      Buffer.from([0, 0, 0, 8, 0x80, 0x01, 0x00, 0x01, 0xff, 0xff, 0xff, 0xff]), // name length -1
      Buffer.from([0, 0, 0, 20, 0x10, 0x00, 0, 0, 0, 0, 0, 1, 0xff, 0xff, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), // header size past the frame
    ]) {
      const bad = await rawSocket(listener.port);
      bad.on("error", () => undefined);
      bad.write(garbage);
      await closedWithin(bad, 2000);
      expect((await good.getUser(3n, undefined as never)).id).toBe(3n);
    }
    await good.close();
  });

  test("a frame that does not arrive whole within the read timeout closes its connection", async () => {
    ({ listener } = await startServer(new SlowHandler(), { readTimeoutMs: 100 }));
    const slow = await rawSocket(listener.port);
    slow.write(Buffer.from([0, 0, 1, 0, 0x80, 0x01])); // 256 bytes announced, 2 sent
    const started = Date.now();
    await closedWithin(slow, 2000);
    expect(Date.now() - started).toBeGreaterThanOrEqual(80);
  });

  test("idle connections are closed after the idle timeout", async () => {
    ({ listener } = await startServer(new SlowHandler(), { idleTimeoutMs: 100 }));
    const idle = await rawSocket(listener.port);
    await closedWithin(idle, 2000);
  });

  test("connections beyond maxConnections are closed on accept", async () => {
    ({ listener } = await startServer(new SlowHandler(), { maxConnections: 2 }));
    const a = await rawSocket(listener.port);
    const b = await rawSocket(listener.port);
    for (let i = 0; i < 50 && listener.connections < 2; i++) await new Promise((r) => setTimeout(r, 10));
    const c = await rawSocket(listener.port);
    await closedWithin(c, 2000);
    expect(a.destroyed || b.destroyed).toBe(false);
    a.destroy();
    b.destroy();
  });

  test("a client that stops reading makes the server stop reading, not buffer without bound", async () => {
    ({ listener } = await startServer(new SlowHandler(), { maxInflightPerConnection: 16 }));
    const sock = await rawSocket(listener.port);
    sock.pause(); // never read replies
    // listUsers(page 2000, size 50) with 16 KB of padding: replies of ~100 KB, 6 MB of requests.
    const { ThriftBinaryWriter, MessageType } = await import("kitewire");
    const w = new ThriftBinaryWriter();
    const requests: Buffer[] = [];
    for (let seq = 1; seq <= 400; seq++) {
      w.reset();
      w.writeRaw(new Uint8Array(4));
      w.writeMessageBegin("listUsers", MessageType.CALL, seq);
      w.writeStructBegin();
      w.writeFieldBegin(8, 1); w.writeI32(2000);
      w.writeFieldBegin(8, 2); w.writeI32(50);
      w.writeFieldBegin(11, 100); w.writeString("p".repeat(16 * 1024)); // unknown: skipped, but it fills buffers
      w.writeFieldStop();
      w.patchU32(0, w.length - 4);
      requests.push(Buffer.from(w.finish()));
    }
    let accepted = 0;
    for (const r of requests) if (sock.write(r)) accepted++;
    await new Promise((r) => setTimeout(r, 500));
    // The server paused: most requests still sit in this socket's or the kernel's buffers.
    expect(sock.writableLength).toBeGreaterThan(0);
    const served = await new Promise<number>((resolve) => {
      let bytes = 0;
      sock.on("data", (d: Buffer) => (bytes += d.length));
      sock.resume();
      const done = () => (sock.writableLength === 0 ? resolve(bytes) : setTimeout(done, 50));
      setTimeout(done, 50);
    });
    expect(served).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(requests.length);
    sock.destroy();
  }, 30_000);
});

describe("graceful shutdown", () => {
  test("calls in flight finish; none are lost; new connections are refused", async () => {
    const handler = new SlowHandler();
    const started = await startServer(handler);
    const c = client(started.listener, TTHEADER, { mode: "mux" });
    await c.getUser(1n, undefined as never);
    const calls = Array.from({ length: 50 }, (_, i) => c.getUser(BigInt(1200 + i), undefined as never));
    await new Promise((r) => setTimeout(r, 50));
    const closing = started.listener.close({ timeoutMs: 3000 });
    const results = await Promise.allSettled(calls);
    await closing;
    expect(results.filter((r) => r.status === "fulfilled").length).toBe(50);
    await expect(client(started.listener, FRAMED).getUser(1n, undefined as never)).rejects.toMatchObject({ code: "CONNECTION" });
    await c.close();
  });

  test("calls still running at the shutdown deadline fail with CONNECTION", async () => {
    const started = await startServer(new SlowHandler());
    const c = client(started.listener, FRAMED, { mode: "mux" });
    const slow = c.getUser(5000n, undefined as never);
    await new Promise((r) => setTimeout(r, 50));
    await started.listener.close({ timeoutMs: 100 });
    await expect(slow).rejects.toMatchObject({ code: "CONNECTION" });
    await c.close();
  });
});
