/**
 * kitewire's HTTP/2 connection (src/net/http2) driven in memory: a client and a server
 * connection wired to each other, and raw frames from a hostile peer. Flow control both
 * ways, graceful GOAWAY, and each bound on untrusted input (rapid reset, PING and SETTINGS
 * floods, CONTINUATION floods, oversized frames and header blocks) ending the connection
 * with GOAWAY and a typed error carrying the byte offset.
 */
import { describe, expect, test } from "vitest";
import { KitewireError } from "../../../src/errors.js";
import { Http2Connection, type Http2ConnectionEvents } from "../../../src/net/http2/connection.js";
import { FrameType, H2Error, PREFACE } from "../../../src/net/http2/constants.js";
import type { HeaderMap } from "../../../src/net/http2/hpack.js";
import type { Http2Options } from "../../../src/net/http2/options.js";
import type { Http2Stream, Http2StreamHandler } from "../../../src/net/http2/stream.js";

const tick = () => new Promise((r) => setTimeout(r, 5));

function frame(type: number, flags: number, id: number, payload: Uint8Array | number[] = []): Uint8Array {
  const p = Uint8Array.from(payload);
  const out = new Uint8Array(9 + p.length);
  out[0] = p.length >>> 16; out[1] = (p.length >>> 8) & 0xff; out[2] = p.length & 0xff;
  out[3] = type; out[4] = flags;
  new DataView(out.buffer).setUint32(5, id);
  out.set(p, 9);
  return out;
}

/** Frames a raw peer received: type, flags, stream, payload. */
function parse(bytes: Uint8Array): { type: number; flags: number; id: number; payload: Uint8Array }[] {
  const out = [];
  let at = 0;
  while (at + 9 <= bytes.length) {
    const length = (bytes[at]! << 16) | (bytes[at + 1]! << 8) | bytes[at + 2]!;
    out.push({ type: bytes[at + 3]!, flags: bytes[at + 4]!, id: new DataView(bytes.buffer, bytes.byteOffset).getUint32(at + 5) & 0x7fffffff, payload: bytes.slice(at + 9, at + 9 + length) });
    at += 9 + length;
  }
  return out;
}

/** A server connection fed by hand; what it writes is collected. */
function rawServer(options: Partial<Http2Options> = {}, onStream?: Http2ConnectionEvents["onStream"]) {
  const written: Uint8Array[] = [];
  const state = { ended: false, errors: [] as KitewireError[] };
  const conn = new Http2Connection("server", { write: (parts) => (written.push(...parts), true), end: () => (state.ended = true) }, {
    onStream: onStream ?? ((stream) => (stream.handler = sink())), onError: (e) => state.errors.push(e),
  }, options);
  conn.receive(PREFACE);
  conn.receive(frame(FrameType.SETTINGS, 0, 0));
  const frames = () => {
    const all = new Uint8Array(written.reduce((n, p) => n + p.length, 0));
    let at = 0;
    for (const p of written) (all.set(p, at), (at += p.length));
    return parse(all);
  };
  return { conn, state, frames };
}

function sink(into?: { data: number; ended: boolean; closed?: number; headers?: HeaderMap[] }): Http2StreamHandler {
  return {
    onHeaders: (_s, h) => void into?.headers?.push(h),
    onData: (_s, b) => void (into && (into.data += b.length)),
    onEnd: () => void (into && (into.ended = true)),
    onClose: (_s, code) => void (into && (into.closed = code)),
    onDrain: () => undefined,
  };
}

/** A client and a server connection talking to each other. */
function pair(serverOptions: Partial<Http2Options> = {}, onStream?: Http2ConnectionEvents["onStream"], clientOptions: Partial<Http2Options> = {}) {
  let server!: Http2Connection;
  let client!: Http2Connection;
  const deliver = (to: () => Http2Connection) => (parts: Uint8Array[]) => {
    for (const p of parts) queueMicrotask(() => to().receive(p.slice()));
    return true;
  };
  const closed = { server: false, client: false };
  server = new Http2Connection("server", { write: deliver(() => client), end: () => ((closed.server = true), queueMicrotask(() => client.transportClosed())) },
    { onStream: onStream ?? ((s) => (s.handler = sink())) }, serverOptions);
  client = new Http2Connection("client", { write: deliver(() => server), end: () => ((closed.client = true), queueMicrotask(() => server.transportClosed())) }, {}, clientOptions);
  return { server, client, closed };
}

const GET = { ":method": "POST", ":scheme": "http", ":path": "/x", ":authority": "a" };

describe("two kitewire HTTP/2 connections", () => {
  test("a request and a response with trailers; headers come through HPACK (Huffman) intact", async () => {
    const got = { data: 0, ended: false, headers: [] as HeaderMap[] };
    const { client } = pair({}, (stream, headers) => {
      stream.handler = { ...sink(), onEnd: (s) => {
        s.respond({ ":status": "200", "content-type": "application/grpc", echo: String(headers["x-v"]) });
        s.write(new Uint8Array(10));
        s.end({ "grpc-status": "0" });
      } };
    });
    const stream = client.request({ ...GET, "x-v": "héllo wörld".replace(/[^\x00-\xff]/g, "?") }, sink(got));
    stream.end();
    await tick();
    expect(got.headers[0]).toMatchObject({ ":status": "200", echo: "héllo wörld" });
    expect(got.headers[1]).toEqual({ "grpc-status": "0" });
    expect(got.data).toBe(10);
    expect(got.ended).toBe(true);
  });

  test("flow control: a paused reader stops the writer at its window, and resuming lets the rest through", async () => {
    let serverStream!: Http2Stream;
    const got = { data: 0, ended: false };
    const { client } = pair({ initialWindowSize: 65535 }, (stream) => {
      serverStream = stream;
      stream.handler = sink(got);
      stream.pause();
    });
    let drained = 0;
    const stream = client.request(GET, { ...sink(), onDrain: () => void drained++ });
    const chunk = new Uint8Array(16384);
    let accepted = 0;
    while (stream.write(chunk) && accepted < 100) accepted++;
    await tick();
    expect(got.data).toBe(0); // paused: nothing delivered, no window returned
    expect(stream.pendingBytes).toBeGreaterThan(0);
    expect(accepted).toBeLessThan(8); // 64 KiB of window, then write says wait
    serverStream.resume();
    await tick();
    expect(drained).toBe(1);
    expect(got.data).toBe((accepted + 1) * 16384);
  });

  test("the connection's window bounds what paused streams hold together, and comes back as they are read or closed", async () => {
    const streams: Http2Stream[] = [];
    const got = { data: 0, ended: false };
    const { client } = pair({ initialWindowSize: 65535, connectionWindowSize: 65535 }, (stream) => {
      streams.push(stream);
      stream.handler = sink(got);
      stream.pause();
    });
    const writers = [0, 1, 2, 3].map(() => client.request(GET, sink()));
    for (const w of writers) w.write(new Uint8Array(60_000));
    await tick();
    const held = () => streams.reduce((n, s) => n + s.heldBytes, 0);
    expect(held()).toBeLessThanOrEqual(65535);
    expect(writers.reduce((n, w) => n + w.pendingBytes, 0)).toBeGreaterThanOrEqual(4 * 60_000 - 65535);
    streams[0]!.resume();
    streams[1]!.reset();
    await tick();
    expect(got.data).toBeGreaterThanOrEqual(60_000);
    expect(held()).toBeLessThanOrEqual(65535);
    for (const s of streams) s.resume();
    await tick();
    expect(got.data).toBe(60_000 * 3); // the reset stream's bytes were never read
  });

  test("graceful GOAWAY: the stream in flight completes; the client opens no new stream on it", async () => {
    let serverStream!: Http2Stream;
    const { server, client, closed } = pair({}, (stream) => ((serverStream = stream), (stream.handler = sink())));
    const got = { data: 0, ended: false, headers: [] as HeaderMap[] };
    client.request(GET, sink(got)).end();
    await tick();
    server.shutdown();
    await tick();
    expect(client.goawayReceived).toBe(true);
    expect(() => client.request(GET, sink())).toThrow(/closing/);
    serverStream.respond({ ":status": "200" }, true);
    await tick();
    expect(got.ended).toBe(true);
    expect(closed.server).toBe(true);
  });

  test("RST_STREAM both ways: the other side's stream closes with the code", async () => {
    let serverSide: { data: number; ended: boolean; closed?: number } = { data: 0, ended: false };
    let serverStream!: Http2Stream;
    const { client } = pair({}, (stream) => ((serverStream = stream), (stream.handler = sink(serverSide))));
    const a = { data: 0, ended: false, closed: undefined as number | undefined };
    client.request(GET, sink(a)).reset(H2Error.CANCEL);
    await tick();
    expect(serverSide.closed).toBe(H2Error.CANCEL);
    serverSide = { data: 0, ended: false };
    const b = { data: 0, ended: false, closed: undefined as number | undefined };
    client.request(GET, sink(b));
    await tick();
    serverStream.handler = sink(serverSide);
    serverStream.reset(H2Error.REFUSED_STREAM);
    await tick();
    expect(b.closed).toBe(H2Error.REFUSED_STREAM);
  });

  test("a client waits for the server's SETTINGS_MAX_CONCURRENT_STREAMS", async () => {
    const streams: Http2Stream[] = [];
    const { client } = pair({ maxConcurrentStreams: 2 }, (s) => (streams.push(s), (s.handler = sink())));
    await tick();
    for (let i = 0; i < 5; i++) client.request(GET, sink()).end();
    await tick();
    expect(streams.length).toBe(2);
    for (const s of streams.splice(0)) s.respond({ ":status": "200" }, true);
    await tick();
    expect(streams.length).toBe(2);
  });
});

describe("a hostile peer", () => {
  const goaway = (frames: ReturnType<ReturnType<typeof rawServer>["frames"]>) => {
    const g = frames.find((f) => f.type === FrameType.GOAWAY);
    return g && new DataView(g.payload.buffer).getUint32(4);
  };

  test("rapid reset: past maxResetsPerSecond the connection is closed with ENHANCE_YOUR_CALM", () => {
    const { conn, state, frames } = rawServer({ maxResetsPerSecond: 20 });
    const block = [0x83, 0x86, 0x84]; // :method POST, :scheme http, :path /
    for (let id = 1; id < 200 && !conn.dead; id += 2) {
      conn.receive(frame(FrameType.HEADERS, 0x4, id, block));
      conn.receive(frame(FrameType.RST_STREAM, 0, id, [0, 0, 0, 8]));
    }
    conn.receive(new Uint8Array(0));
    expect(conn.dead).toBe(true);
    expect(state.ended).toBe(true);
    expect(goaway(frames())).toBe(H2Error.ENHANCE_YOUR_CALM);
    expect(state.errors[0]).toBeInstanceOf(KitewireError);
    expect(state.errors[0]!.message).toMatch(/resets/);
  });

  test("PING and SETTINGS floods close the connection", () => {
    for (const type of [FrameType.PING, FrameType.SETTINGS]) {
      const { conn, frames } = rawServer({ maxControlFramesPerSecond: 50 });
      const payload = type === FrameType.PING ? new Array(8).fill(1) : [];
      for (let i = 0; i < 100 && !conn.dead; i++) conn.receive(frame(type, 0, 0, payload));
      expect(conn.dead).toBe(true);
      expect(goaway(frames())).toBe(H2Error.ENHANCE_YOUR_CALM);
    }
  });

  test("a CONTINUATION flood and an oversized header block close the connection before the block is kept", () => {
    let r = rawServer({ maxContinuationFrames: 8 });
    r.conn.receive(frame(FrameType.HEADERS, 0, 1, [0x83]));
    for (let i = 0; i < 20 && !r.conn.dead; i++) r.conn.receive(frame(FrameType.CONTINUATION, 0, 1, []));
    expect(goaway(r.frames())).toBe(H2Error.ENHANCE_YOUR_CALM);
    r = rawServer({ maxHeaderListSize: 1000 });
    r.conn.receive(frame(FrameType.HEADERS, 0, 1, new Array(600).fill(0x83)));
    r.conn.receive(frame(FrameType.CONTINUATION, 0, 1, new Array(600).fill(0x83)));
    expect(r.conn.dead).toBe(true);
    expect(r.state.errors[0]!.message).toMatch(/header block over 1000/);
  });

  test("a frame over SETTINGS_MAX_FRAME_SIZE is refused on its header, with the byte offset", () => {
    const { conn, state, frames } = rawServer();
    const header = frame(FrameType.DATA, 0, 1, []);
    header[0] = 0x01; // 65536 bytes announced, none sent
    conn.receive(header);
    expect(goaway(frames())).toBe(H2Error.FRAME_SIZE_ERROR);
    expect(state.errors[0]!.offset).toBe(PREFACE.length + 9); // after the preface and the empty SETTINGS
  });

  test("DATA on stream 0 or an idle stream, bad WINDOW_UPDATE and SETTINGS, PUSH_PROMISE, a bad preface: each a connection error", () => {
    const cases: [Uint8Array[], number][] = [
      [[frame(FrameType.DATA, 0, 0, [1])], H2Error.PROTOCOL_ERROR],
      [[frame(FrameType.DATA, 0, 7, [1])], H2Error.PROTOCOL_ERROR],
      [[frame(FrameType.WINDOW_UPDATE, 0, 0, [0, 0, 0, 0])], H2Error.PROTOCOL_ERROR],
      [[frame(FrameType.WINDOW_UPDATE, 0, 0, [0x7f, 0xff, 0xff, 0xff])], H2Error.FLOW_CONTROL_ERROR],
      [[frame(FrameType.SETTINGS, 0, 0, [0, 5, 0, 0, 0, 1])], H2Error.PROTOCOL_ERROR],
      [[frame(FrameType.PUSH_PROMISE, 0x4, 1, [0, 0, 0, 2])], H2Error.PROTOCOL_ERROR],
    ];
    for (const [frames, code] of cases) {
      const r = rawServer({ connectionWindowSize: 65535 });
      for (const f of frames) r.conn.receive(f);
      expect(goaway(r.frames())).toBe(code);
      expect(r.state.ended).toBe(true);
    }
    const written: Uint8Array[] = [];
    const bad = new Http2Connection("server", { write: (p) => (written.push(...p), true), end: () => undefined }, {});
    bad.receive(new TextEncoder().encode("GET / HTTP/1.1\r\n\r\n"));
    expect(bad.dead).toBe(true);
  });

  test("PADDED HEADERS and DATA lose their padding; padding longer than its frame is a connection error", () => {
    const seen: HeaderMap[] = [];
    const got = { data: 0, ended: false };
    const { conn, frames } = rawServer({}, (s, h) => (seen.push(h), (s.handler = sink(got))));
    conn.receive(frame(FrameType.HEADERS, 0x4 | 0x8, 1, [2, 0x83, 0, 0])); // pad length 2, :method POST, 2 bytes of padding
    conn.receive(frame(FrameType.DATA, 0x8, 1, [3, 1, 2, 3, 4, 0, 0, 0])); // 4 bytes of data, 3 of padding
    expect(seen[0]).toEqual({ ":method": "POST" });
    expect(got.data).toBe(4);
    expect(goaway(frames())).toBeUndefined();
    for (const bad of [frame(FrameType.DATA, 0x8, 1, [5, 1, 2]), frame(FrameType.HEADERS, 0x4 | 0x8, 3, [4, 0x83])]) {
      const r = rawServer({}, (s) => (s.handler = sink()));
      if (bad[3] === FrameType.DATA) r.conn.receive(frame(FrameType.HEADERS, 0x4, 1, [0x83]));
      r.conn.receive(bad);
      expect(goaway(r.frames())).toBe(H2Error.PROTOCOL_ERROR);
      expect(r.state.errors.at(-1)?.message).toContain("padding longer than the");
    }
  });

  test("headers decoded for a refused stream keep the HPACK table in step", () => {
    const seen: HeaderMap[] = [];
    const { conn } = rawServer({ maxConcurrentStreams: 1 }, (s, h) => (seen.push(h), (s.handler = sink())));
    // 0x40: literal with incremental indexing, new name "k" = "v"; then 0xbe: index 62 (that entry).
    conn.receive(frame(FrameType.HEADERS, 0x4, 1, [0x83, 0x40, 1, 0x6b, 1, 0x76]));
    conn.receive(frame(FrameType.HEADERS, 0x4, 3, [0x83, 0x40, 1, 0x6a, 1, 0x77])); // refused: one stream at a time
    conn.receive(frame(FrameType.RST_STREAM, 0, 1, [0, 0, 0, 8]));
    conn.receive(frame(FrameType.HEADERS, 0x4, 5, [0x83, 0xbe, 0xbf]));
    expect(seen[1]).toEqual({ ":method": "POST", j: "w", k: "v" });
  });
});
