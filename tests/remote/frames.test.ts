/** Transport framing: TTHeader bytes, detection, and frames cut from arbitrarily chunked input. */
import { beforeAll, describe, expect, test } from "vitest";
import {
  BufferChain, init, KitewireError, MessageType, ThriftBinaryReader, ThriftBinaryWriter, ThriftCompactReader, ThriftCompactWriter, TType,
  type Engine,
} from "kitewire";
import { createRequire } from "node:module";
import { decodeTTHeader, IntKey, writeTTHeader } from "../../src/remote/ttheader.js";
import { decodeTHeader } from "../../src/remote/theader.js";
import { detectTransport } from "../../src/remote/detect.js";
import { FrameDecoder } from "../../src/remote/frame-decoder.js";
import { beginFrame, endFrame } from "../../src/remote/frame-encoder.js";
import type { Transport } from "../../src/remote/transport.js";
import { Random } from "../support/random.js";

let engine: Engine;
beforeAll(async () => {
  engine = await init();
});

const hex = (s: string) => Uint8Array.from(s.replace(/\s+/g, "").match(/../g)!, (h) => parseInt(h, 16));
const toHex = (b: Uint8Array) => Buffer.from(b).toString("hex");

// A TTHeader frame carrying an unframed binary CALL "Echo", seqid 1, {9: "Echo"}, derived
// by hand from the TTHeader specification (Kitex docs, Reference: Transport Protocol TTHeader).
const WORKED_EXAMPLE = hex(`
  00 00 00 2b 10 00 00 00 00 00 00 01 00 04
  00 00 10 00 01 00 09 00 04 45 63 68 6f 00 00 00
  80 01 00 01 00 00 00 04 45 63 68 6f 00 00 00 01 00`);

describe("TTHeader", () => {
  test("the worked example, byte for byte", () => {
    const w = new ThriftBinaryWriter();
    const mark = beginFrame(w, { framing: "ttheader", protocol: "binary" }, 1, {
      flags: 0, intInfo: new Map([[IntKey.TO_METHOD, "Echo"]]), strInfo: new Map(),
    });
    w.writeMessageBegin("Echo", MessageType.CALL, 1);
    w.writeFieldStop();
    expect(endFrame(w, mark)).toBe(WORKED_EXAMPLE.length);
    expect(toHex(w.finish())).toBe(toHex(WORKED_EXAMPLE));
    const { info, payloadOffset } = decodeTTHeader(WORKED_EXAMPLE);
    expect(info).toEqual({ flags: 0, seqid: 1, protocol: 0, transforms: [], intInfo: new Map([[9, "Echo"]]), strInfo: new Map() });
    expect(payloadOffset).toBe(30);
  });

  test("random headers round-trip; the header is padded to a multiple of 4", () => {
    const rnd = new Random(0x77);
    for (let i = 0; i < 300; i++) {
      const intInfo = new Map<number, string>();
      for (let k = rnd.int(0, 6); k > 0; k--) intInfo.set(rnd.int(0, 65535), rnd.string(rnd.pick([0, 5, 300])));
      const strInfo = new Map<string, string>();
      for (let k = rnd.int(0, 6); k > 0; k--) strInfo.set(rnd.string(12), rnd.string(rnd.pick([0, 7, 90])));
      const info = { flags: rnd.int(0, 0xffff), seqid: rnd.signed(32), protocol: rnd.pick([0, 2, 4]), transforms: [], intInfo, strInfo,
        ...(rnd.bool() ? { token: rnd.string(20) } : {}) };
      const w = new ThriftBinaryWriter();
      writeTTHeader(w, info.seqid, info.protocol, info);
      const head = w.finish();
      expect((head.length - 10) % 4).toBe(0);
      const frame = new Uint8Array(4 + head.length + 3);
      new DataView(frame.buffer).setUint32(0, frame.length - 4);
      frame.set(head, 4);
      const decoded = decodeTTHeader(frame);
      expect(decoded.info).toEqual(info);
      expect(decoded.payloadOffset).toBe(4 + head.length);
    }
  });

  test("short ASCII strings seen before are reused, never confused with others of the same length", () => {
    // Two letters and lengths up to 32 (the strings decoded without TextDecoder): many strings
    // share a length and a slot of the decoder's table of strings seen before.
    const rnd = new Random(0x79);
    const word = () => Array.from({ length: rnd.int(0, 32) }, () => rnd.pick(["a", "b"])).join("");
    const w = new ThriftBinaryWriter();
    for (let i = 0; i < 2000; i++) {
      const intInfo = new Map([[IntKey.TO_METHOD, word()], [IntKey.TO_SERVICE, rnd.pick(["Echo", "Echo", word()])]]);
      const strInfo = new Map([[rnd.pick(["isn", word()]), word()], [word(), rnd.pick(["é", word()])]]);
      writeTTHeader(w.reset(), 1, 0, { flags: 0, intInfo, strInfo });
      const decoded = decodeTTHeader(Uint8Array.of(0, 0, 0, 0, ...w.finish())).info;
      expect(decoded.intInfo).toEqual(intInfo);
      expect(decoded.strInfo).toEqual(strInfo);
    }
  });

  test("values too long for a u16 length, or headers past 262140 bytes, are refused on write", () => {
    const w = new ThriftBinaryWriter();
    const tooLong = { flags: 0, intInfo: new Map([[IntKey.TO_METHOD, "é".repeat(40000)]]), strInfo: new Map() };
    expect(() => writeTTHeader(w.reset(), 1, 0, tooLong)).toThrow(expect.objectContaining({ code: "INVALID_VALUE", message: expect.stringContaining("int key 9") }));
    const strInfo = new Map<string, string>();
    for (let i = 0; i < 5; i++) strInfo.set(`k${i}`, "x".repeat(60000));
    expect(() => writeTTHeader(w.reset(), 1, 0, { flags: 0, intInfo: new Map(), strInfo })).toThrow(expect.objectContaining({ code: "INVALID_VALUE", message: expect.stringContaining("262140") }));
    writeTTHeader(w.reset(), 1, 0, { flags: 0, intInfo: new Map(), strInfo: new Map([["k", "x".repeat(65535)]]) });
    expect(decodeTTHeader(Uint8Array.of(0, 0, 0, 0, ...w.finish())).info.strInfo.get("k")!.length).toBe(65535);
  });

  test("mutated and truncated headers decode or give typed errors, never anything else", () => {
    const rnd = new Random(0x78);
    const w = new ThriftBinaryWriter();
    const strInfo = new Map([["isn", "EchoService"], ["RPC_TRANSIT_k", "värde"]]);
    writeTTHeader(w, 7, 0, { flags: 0, intInfo: new Map([[IntKey.TO_METHOD, "Echo"], [IntKey.RPC_TIMEOUT, "100"]]), strInfo, token: "t" });
    const valid = Uint8Array.of(0, 0, 0, 0, ...w.finish());
    for (let i = 0; i < 3000; i++) {
      const bytes = valid.slice(0, rnd.int(0, valid.length));
      for (let k = rnd.int(1, 4); k > 0 && bytes.length > 0; k--) bytes[rnd.int(0, bytes.length - 1)] = rnd.int(0, 255);
      try {
        const { payloadOffset } = decodeTTHeader(bytes);
        expect(payloadOffset).toBeLessThanOrEqual(bytes.length);
      } catch (error) {
        expect(error).toBeInstanceOf(KitewireError);
        expect(["TRUNCATED", "MALFORMED_FRAME", "LENGTH_LIMIT", "INVALID_UTF8"]).toContain((error as KitewireError).code);
      }
    }
  });

  test("malformed headers are typed errors", () => {
    const bad = WORKED_EXAMPLE.slice();
    bad[16] = 0x33; // unknown info id
    expect(() => decodeTTHeader(bad)).toThrow(expect.objectContaining({ code: "MALFORMED_FRAME", offset: 16 }));
    const long = WORKED_EXAMPLE.slice();
    long[13] = 0xff; // header size past the frame
    expect(() => decodeTTHeader(long)).toThrow(expect.objectContaining({ code: "LENGTH_LIMIT" }));
    const overrun = WORKED_EXAMPLE.slice();
    overrun[22] = 0x40; // string length past the header
    expect(() => decodeTTHeader(overrun)).toThrow(expect.objectContaining({ code: "TRUNCATED" }));
    expect(() => decodeTTHeader(WORKED_EXAMPLE.subarray(0, 10))).toThrow(expect.objectContaining({ code: "TRUNCATED" }));
  });

  test("a protocol id no peer writes is refused at its byte; binary, compact and protobuf are read", () => {
    const withId = (id: number) => {
      const frame = WORKED_EXAMPLE.slice();
      frame[14] = id;
      return frame;
    };
    for (const id of [0x00, 0x02, 0x04]) expect(decodeTTHeader(withId(id)).info.protocol).toBe(id);
    for (const id of [0x01, 0x03, 0x77, 0xff]) {
      expect(() => decodeTTHeader(withId(id))).toThrow(expect.objectContaining({ code: "MALFORMED_FRAME", offset: 14 }));
    }
  });
});

const ALL: Transport[] = [
  { framing: "buffered", protocol: "binary" }, { framing: "buffered", protocol: "compact" },
  { framing: "framed", protocol: "binary" }, { framing: "framed", protocol: "compact" },
  { framing: "ttheader", protocol: "binary" }, { framing: "ttheader", protocol: "compact" },
  { framing: "ttheader-framed", protocol: "binary" }, { framing: "ttheader-framed", protocol: "compact" },
  { framing: "theader", protocol: "binary" }, { framing: "theader", protocol: "compact" },
];

function frameOf(t: Transport, seqid: number, body: string): Uint8Array {
  const w = t.protocol === "compact" ? new ThriftCompactWriter() : new ThriftBinaryWriter();
  const mark = beginFrame(w, t, seqid, { flags: 1, intInfo: new Map([[IntKey.TO_METHOD, "m"]]), strInfo: new Map([["k", "v"]]) });
  w.writeMessageBegin("m", MessageType.CALL, seqid);
  w.writeStructBegin();
  w.writeFieldBegin(TType.STRING, 1);
  w.writeString(body);
  w.writeFieldStop();
  w.writeStructEnd();
  endFrame(w, mark);
  return w.finish();
}

describe("Apache THeader", () => {
  // Written by python3-thrift 0.17's THeaderProtocol (TMemoryBuffer; headers tenant=acme,
  // trace=t-1; CALL Echo seqid 7 with field 1 = "hi" x 20): binary, and compact with zlib.
  const PYTHON_BINARY = hex("000000660fff0000000000070007000001020674656e616e740461636d6505747261636503742d310000" +
    `80010001000000044563686f000000070b000100000028${"6869".repeat(20)}00`);
  const PYTHON_COMPACT_ZLIB = hex(`0000003d0fff000000000007000702010101020674656e616e740461636d6505747261636503742d3100
    789c6b526467714dcec897d0c8c8240e320000d01e12c2`);
  const strInfo = new Map([["tenant", "acme"], ["trace", "t-1"]]);

  const echo = (t: Transport, transforms: number[] = []) => {
    const w = t.protocol === "compact" ? new ThriftCompactWriter() : new ThriftBinaryWriter();
    const mark = beginFrame(w, t, 7, { flags: 0, intInfo: new Map(), strInfo, transforms });
    w.writeMessageBegin("Echo", MessageType.CALL, 7);
    w.writeStructBegin();
    w.writeFieldBegin(TType.STRING, 1);
    w.writeString("hi".repeat(20));
    w.writeFieldStop();
    w.writeStructEnd();
    endFrame(w, mark);
    return w.finish();
  };

  test("frames are Python's THeaderProtocol's, byte for byte, zlib included", () => {
    expect(toHex(echo({ framing: "theader", protocol: "binary" }))).toBe(toHex(PYTHON_BINARY));
    expect(toHex(echo({ framing: "theader", protocol: "compact" }, [1]))).toBe(toHex(PYTHON_COMPACT_ZLIB));
  });

  test("npm thrift's header transport writes the same header", () => {
    const thrift = createRequire(import.meta.url)("thrift");
    let out: Buffer | undefined;
    const trans = new thrift.TBufferedTransport(undefined, (b: Buffer) => (out = b));
    trans.setSeqId(7);
    for (const [k, v] of strInfo) trans.setWriteHeader(k, v);
    const p = new thrift.THeaderProtocol(trans);
    p.writeMessageBegin("Echo", MessageType.CALL, 7);
    p.writeStructBegin("args");
    p.writeFieldBegin("msg", TType.STRING, 1);
    p.writeString("hi".repeat(20));
    p.writeFieldEnd();
    p.writeFieldStop();
    p.writeStructEnd();
    p.writeMessageEnd();
    p.flush();
    expect(toHex(out!)).toBe(toHex(PYTHON_BINARY));
  });

  test("Python's frames decode: header, per-frame protocol, the zlib payload restored", () => {
    for (const [bytes, protocol] of [[PYTHON_BINARY, "binary"], [PYTHON_COMPACT_ZLIB, "compact"]] as const) {
      const chain = new BufferChain(engine);
      chain.append(bytes);
      const frame = new FrameDecoder(engine, { maxFrameSize: 1 << 20 }).next(chain)!;
      expect(frame.transport).toEqual({ framing: "theader", protocol });
      expect(frame.header).toMatchObject({ seqid: 7, flags: 0, strInfo });
      const message = frame.bytes.toBytes().subarray(frame.messageOffset, frame.messageOffset + frame.messageLength);
      const r = protocol === "binary" ? new ThriftBinaryReader().load(message) : new ThriftCompactReader().load(message);
      expect(r.readMessageBegin()).toEqual({ name: "Echo", type: MessageType.CALL, seqid: 7 });
      frame.bytes.release();
      chain.release();
    }
  });

  test("mutated and truncated headers decode or give typed errors, never anything else", () => {
    const rnd = new Random(0x79);
    for (let i = 0; i < 3000; i++) {
      const bytes = PYTHON_BINARY.slice(0, rnd.int(0, 60));
      for (let k = rnd.int(1, 4); k > 0 && bytes.length > 0; k--) bytes[rnd.int(0, bytes.length - 1)] = rnd.int(0, 255);
      try {
        const { payloadOffset } = decodeTHeader(bytes);
        expect(payloadOffset).toBeLessThanOrEqual(bytes.length);
      } catch (error) {
        expect(error).toBeInstanceOf(KitewireError);
        expect(["TRUNCATED", "MALFORMED_FRAME", "LENGTH_LIMIT", "INVALID_UTF8", "MALFORMED_VARINT"]).toContain((error as KitewireError).code);
      }
    }
  });
});

describe("detection", () => {
  test.each(ALL)("$framing $protocol is recognised from its first bytes", (t) => {
    const bytes = frameOf(t, 5, "x");
    const peek = (i: number) => (i < bytes.length ? bytes[i]! : -1);
    expect(detectTransport(peek, bytes.length)).toEqual(t);
    expect(detectTransport(peek, 7)).toBeNull();
  });

  test("Kitex Protobuf, HTTP/2 and garbage", () => {
    const kp = hex("00000010 90010001 00000001 6d 00000007 0801");
    expect(detectTransport((i) => kp[i] ?? -1, kp.length)).toEqual({ framing: "kitex-protobuf", protocol: "protobuf" });
    const h2 = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    expect(() => detectTransport((i) => h2[i]!, h2.length)).toThrow(expect.objectContaining({ code: "MALFORMED_FRAME" }));
    expect(() => detectTransport(() => 0x41, 8)).toThrow(expect.objectContaining({ code: "MALFORMED_FRAME" }));
  });

  test("TLS and HTTP/1 are named; a TLS record's length word is not taken for a frame", () => {
    // A ClientHello record whose length word reads as framed binary (bytes 4..5 = 0x8001).
    const hello = hex("16 03 01 02 80 01 00 02 7c 03 03");
    expect(() => detectTransport((i) => hello[i] ?? -1, hello.length)).toThrow(expect.objectContaining({
      code: "MALFORMED_FRAME", details: { detected: "tls" },
      message: expect.stringContaining("a TLS handshake on a plain TCP port: connect without the `tls` option, or serve TLS with listen(server, { tls })"),
    }));
    const get = new TextEncoder().encode("GET / HTTP/1.1\r\n");
    expect(() => detectTransport((i) => get[i] ?? -1, get.length)).toThrow(expect.objectContaining({ details: { detected: "http1" } }));
    const h2 = new TextEncoder().encode("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n");
    expect(() => detectTransport((i) => h2[i]!, h2.length)).toThrow(expect.objectContaining({
      details: { detected: "http2" }, message: expect.stringContaining("HTTP/2 (gRPC) is not served on this port (its listener has grpc: false)"),
    }));
  });

  test("Kitex Protobuf in TTHeader: framed, with protocol id 0 or 4; unframed is refused with the reason", () => {
    const framed = hex("0000001c 1000 0000 00000001 0001 00000000 0000000c 90010001 00000001 6d 00000001 08");
    expect(detectTransport((i) => framed[i] ?? -1, framed.length)).toEqual({ framing: "ttheader-framed", protocol: "protobuf" });
    framed[14] = 4;
    expect(detectTransport((i) => framed[i] ?? -1, framed.length)).toEqual({ framing: "ttheader-framed", protocol: "protobuf" });
    const unframed = hex("00000018 1000 0000 00000001 0001 04000000 90010001 00000001 6d 00000001 08");
    expect(() => detectTransport((i) => unframed[i] ?? -1, unframed.length)).toThrow(expect.objectContaining({
      message: expect.stringContaining("TTHeader with an unframed Kitex Protobuf payload"),
    }));
  });
});

describe("FrameDecoder", () => {
  test.each(ALL)("$framing $protocol: frames come out whole from any chunking", (t) => {
    const rnd = new Random(0xf4a);
    const frames = Array.from({ length: 30 }, (_, i) => frameOf(t, i, "é".repeat(rnd.int(0, 3000))));
    const stream = Buffer.concat(frames);
    const chain = new BufferChain(engine, 256);
    const decoder = new FrameDecoder(engine, { maxFrameSize: 1 << 20 });
    const got: { seqid: number; bytes: string }[] = [];
    let at = 0;
    while (at < stream.length || chain.length > 0) {
      const n = rnd.pick([1, 3, 17, 500, 4096]);
      if (at < stream.length) chain.append(stream.subarray(at, (at += n)));
      for (let f = decoder.next(chain); f !== null; f = decoder.next(chain)) {
        expect(f.transport).toEqual(t);
        const all = f.bytes.toBytes();
        got.push({ seqid: got.length, bytes: toHex(all) });
        if (t.framing.includes("header")) expect(f.header?.strInfo.get("k")).toBe("v");
        f.bytes.release();
      }
      if (at >= stream.length && chain.length > 0 && decoder.next(chain) === null) break;
    }
    expect(chain.length).toBe(0);
    expect(got.map((g) => g.bytes)).toEqual(frames.map(toHex));
    chain.release();
  });

  test("an oversized frame is refused from its length alone", () => {
    const chain = new BufferChain(engine);
    chain.append(hex("7fffffff 80010001"));
    const before = engine.exports.memory.buffer.byteLength;
    expect(() => new FrameDecoder(engine, { maxFrameSize: 1 << 20 }).next(chain)).toThrow(
      expect.objectContaining({ code: "LENGTH_LIMIT" }),
    );
    expect(engine.exports.memory.buffer.byteLength).toBe(before);
    chain.release();
  });

  test("buffered messages longer than the limit are refused; malformed ones too", () => {
    const big = frameOf({ framing: "buffered", protocol: "binary" }, 1, "x".repeat(5000));
    const chain = new BufferChain(engine);
    chain.append(big.subarray(0, 4000));
    const decoder = new FrameDecoder(engine, { maxFrameSize: 3000 });
    expect(() => decoder.next(chain)).toThrow(expect.objectContaining({ code: "LENGTH_LIMIT" }));
    chain.release();
    const bad = new BufferChain(engine);
    bad.append(hex("80010001 00000001 6d 00000001 07 0001 00"));
    expect(() => new FrameDecoder(engine, { maxFrameSize: 1 << 20 }).next(bad)).toThrow(
      expect.objectContaining({ code: "UNKNOWN_TYPE" }),
    );
    bad.release();
  });

  test("a TTHeader-framed inner length that disagrees with the frame is MALFORMED_FRAME", () => {
    const t: Transport = { framing: "ttheader-framed", protocol: "binary" };
    const frame = frameOf(t, 1, "abc");
    const { payloadOffset } = decodeTTHeader(frame);
    new DataView(frame.buffer, frame.byteOffset).setUint32(payloadOffset, 3);
    const chain = new BufferChain(engine);
    chain.append(frame);
    expect(() => new FrameDecoder(engine, { maxFrameSize: 1 << 20 }).next(chain)).toThrow(
      expect.objectContaining({ code: "MALFORMED_FRAME" }),
    );
    chain.release();
  });
});

describe("FrameDecoder: a buffered message that trickles in", () => {
  /** A CALL whose body has nested structs, lists of structs, maps, fixed-width lists and bools. */
  function richMessage(protocol: "binary" | "compact"): Uint8Array {
    const w = protocol === "compact" ? new ThriftCompactWriter() : new ThriftBinaryWriter();
    w.writeMessageBegin("rich", MessageType.CALL, 7);
    const struct = (depth: number): void => {
      w.writeStructBegin();
      w.writeFieldBegin(TType.BOOL, 1);
      w.writeBool(depth % 2 === 0);
      w.writeFieldBegin(TType.STRING, 2);
      w.writeString("name-" + "x".repeat(depth * 7));
      w.writeFieldBegin(TType.LIST, 3);
      w.writeListBegin(TType.I32, 40);
      for (let i = 0; i < 40; i++) w.writeI32(i * 1000);
      w.writeFieldBegin(TType.MAP, 4);
      w.writeMapBegin(TType.STRING, TType.I64, 5);
      for (let i = 0; i < 5; i++) {
        w.writeString(`k${i}`);
        w.writeI64(BigInt(i) << 40n);
      }
      w.writeFieldBegin(TType.LIST, 5);
      w.writeListBegin(TType.DOUBLE, 6);
      for (let i = 0; i < 6; i++) w.writeDouble(i / 3);
      if (depth > 0) {
        w.writeFieldBegin(TType.LIST, 6);
        w.writeListBegin(TType.STRUCT, 2);
        struct(depth - 1);
        struct(depth - 1);
        w.writeFieldBegin(TType.STRUCT, 7);
        struct(depth - 1);
      }
      w.writeFieldStop();
      w.writeStructEnd();
    };
    struct(4);
    return w.finish();
  }

  /** The engine with its skip calls counted: bytes handed to whole-message walks, and calls. */
  function counting() {
    const work = { messageBytes: 0, calls: 0 };
    const e = engine.exports;
    const exports = Object.create(e, {
      thriftBinarySkipMessage: { value: (p: number, end: number, d: number, u: number) => (work.calls++, work.messageBytes += end - p, e.thriftBinarySkipMessage(p, end, d, u)) },
      thriftCompactSkipMessage: { value: (p: number, end: number, d: number) => (work.calls++, work.messageBytes += end - p, e.thriftCompactSkipMessage(p, end, d)) },
      thriftBinarySkip: { value: (p: number, end: number, t: number, d: number) => (work.calls++, e.thriftBinarySkip(p, end, t, d)) },
      thriftCompactSkip: { value: (p: number, end: number, t: number, d: number) => (work.calls++, e.thriftCompactSkip(p, end, t, d)) },
    });
    return { work, engine: Object.create(engine, { exports: { value: exports } }) as Engine };
  }

  test.each(["binary", "compact"] as const)("%s, one byte at a time: the same frames, each byte walked a bounded number of times", (protocol) => {
    const message = richMessage(protocol);
    const stream = Buffer.concat([message, message, frameOf({ framing: "buffered", protocol }, 3, "tail")]);
    const { work, engine: counted } = counting();
    const chain = new BufferChain(engine, 64);
    const decoder = new FrameDecoder(counted, { maxFrameSize: 1 << 20 });
    const got: string[] = [];
    for (let at = 0; at < stream.length; at++) {
      chain.append(stream.subarray(at, at + 1));
      for (let f = decoder.next(chain); f !== null; f = decoder.next(chain)) {
        got.push(toHex(f.bytes.toBytes()));
        f.bytes.release();
      }
    }
    chain.release();
    expect(got).toEqual([toHex(message), toHex(message), toHex(frameOf({ framing: "buffered", protocol }, 3, "tail"))]);
    // Walking the whole buffered message on every read (as before) handed the engine
    // n(n+1)/2 bytes per message: 1.57 billion for this binary stream of 79 KB (compact:
    // 724 million for 54 KB). Resumed, a message is walked whole on its first byte and once
    // it has all come (79,199 bytes), and the engine is called about once per byte.
    const n = stream.length;
    expect(work.messageBytes).toBeLessThan(3 * n);
    expect(work.calls).toBeLessThan(4 * n);
  });

  test.each(["binary", "compact"] as const)("%s: malformed or too deep bytes after a resumed prefix are the error a whole walk gives", (protocol) => {
    const message = richMessage(protocol);
    const rnd = new Random(0xb0f);
    for (let round = 0; round < 200; round++) {
      const bad = message.slice();
      const flips = rnd.int(1, 3);
      for (let i = 0; i < flips; i++) bad[rnd.int(0, bad.length - 1)] = rnd.int(0, 255);
      const outcome = (chunk: number): string => {
        const chain = new BufferChain(engine, 64);
        // Every other round with a depth limit the message passes (DEPTH_LIMIT found mid-walk).
        const decoder = new FrameDecoder(engine, { maxFrameSize: 1 << 16, maxDepth: round % 2 === 0 ? 64 : 4, transport: { framing: "buffered", protocol } });
        try {
          for (let at = 0; at < bad.length; at += chunk) {
            chain.append(bad.subarray(at, at + chunk));
            const f = decoder.next(chain);
            if (f !== null) {
              f.bytes.release();
              return `frame ${f.messageLength}`;
            }
          }
          return "waiting";
        } catch (error) {
          if (!(error instanceof KitewireError)) throw error;
          return `${error.code} at ${error.offset}`;
        } finally {
          chain.release();
        }
      };
      expect(outcome(rnd.int(1, 7)), `round ${round}`).toBe(outcome(bad.length));
    }
  });
});
