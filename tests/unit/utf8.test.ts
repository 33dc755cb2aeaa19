/**
 * UTF-8: the engine's encoder, decoder and validator (plain and SIMD builds) against the
 * platform's TextEncoder/TextDecoder, and the string paths of the readers and writers.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import { init, loadEngine, type Engine, ThriftBinaryWriter, ThriftBinaryReader, ProtobufReader } from "../../src/runtime/node/index.js";
import { Random } from "../support/random.js";

const builds: Record<string, Engine> = {};
beforeAll(async () => {
  for (const name of ["kitewire.wasm", "kitewire.simd.wasm"]) {
    builds[name] = await loadEngine(readFileSync(new URL(`../../build/${name}`, import.meta.url)));
  }
  expect(builds["kitewire.simd.wasm"]!.simd).toBe(true);
  expect(builds["kitewire.wasm"]!.simd).toBe(false);
});

/** Random bytes that are mostly UTF-8, with ASCII runs long enough for the vector paths. */
function mostlyUtf8(rnd: Random): Uint8Array {
  const text = new TextEncoder().encode(rnd.string(rnd.pick([5, 40, 300])) + "a".repeat(rnd.int(0, 40)));
  const bytes = rnd.int(0, 2) === 0 ? rnd.bytes(60) : text;
  const out = Uint8Array.from(bytes);
  for (let m = rnd.int(0, 3); m > 0 && out.length > 0; m--) out[rnd.int(0, out.length - 1)] = rnd.u32() & 0xff;
  return out;
}

const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
const lenient = new TextDecoder("utf-8", { ignoreBOM: true });

describe.each(["kitewire.wasm", "kitewire.simd.wasm"])("%s", (build) => {
  test("decode equals TextDecoder, validate equals fatal TextDecoder (property)", () => {
    const e = builds[build]!;
    const src = e.alloc(4096);
    const dst = e.alloc(8192);
    const rnd = new Random(0x07f8);
    for (let i = 0; i < 3000; i++) {
      const bytes = mostlyUtf8(rnd);
      e.u8.set(bytes, src);
      let expected: string | null;
      try {
        expected = strict.decode(bytes);
      } catch {
        expected = null;
      }
      const valid = e.exports.utf8Validate(src, bytes.length);
      expect(valid === 0, Buffer.from(bytes).toString("hex")).toBe(expected !== null);
      const units = e.exports.utf8Decode(src, bytes.length, dst, 0);
      const decoded = String.fromCharCode(...new Uint16Array(e.u8.buffer, dst, units));
      expect(decoded, Buffer.from(bytes).toString("hex")).toBe(lenient.decode(bytes));
      const strictUnits = e.exports.utf8Decode(src, bytes.length, dst, 1);
      expect(strictUnits >= 0).toBe(expected !== null);
      if (expected === null) {
        // The reported offset is the first byte a fatal decoder rejects.
        const at = e.exports.lastErrorAt() - src;
        expect(() => strict.decode(bytes.subarray(0, at))).not.toThrow();
      }
    }
    e.release(src);
    e.release(dst);
  });

  test("encode equals TextEncoder, including lone surrogates (property)", () => {
    const e = builds[build]!;
    const src = e.alloc(8192);
    const dst = e.alloc(16384);
    const rnd = new Random(0xe7c0);
    for (let i = 0; i < 3000; i++) {
      let s = rnd.string(rnd.pick([3, 30, 700]));
      if (rnd.int(0, 4) === 0) s = s.slice(0, rnd.int(0, s.length)) + String.fromCharCode(rnd.int(0xd800, 0xdfff)) + s;
      const units = new Uint16Array(e.u8.buffer, src, s.length);
      for (let u = 0; u < s.length; u++) units[u] = s.charCodeAt(u);
      const n = e.exports.utf8Encode(src, s.length, dst);
      const expected = new TextEncoder().encode(s);
      const actual = Buffer.from(e.u8.buffer, dst, n);
      if (!actual.equals(expected)) expect(actual.toString("hex")).toBe(Buffer.from(expected).toString("hex"));
      expect(e.exports.utf8Length(src, s.length)).toBe(expected.length);
    }
  });
});

describe("string paths of readers and writers", () => {
  test("every length across the JS/engine/TextDecoder crossovers round-trips", () => {
    const rnd = new Random(0x5151);
    const w = new ThriftBinaryWriter({ engine: builds["kitewire.simd.wasm"] });
    for (let len = 0; len < 3000; len += len < 80 ? 1 : rnd.int(20, 120)) {
      for (const s of ["a".repeat(len), rnd.string(len), "é".repeat(len), "😀".repeat(len >> 1)]) {
        w.reset();
        w.writeString(s);
        const bytes = w.finish();
        expect(bytes.subarray(4)).toEqual(new TextEncoder().encode(s));
        expect(new ThriftBinaryReader({ engine: builds["kitewire.simd.wasm"] }).load(bytes).readString()).toBe(s);
      }
    }
  });

  test("short text (JS decoder, a Buffer's utf8Slice, TextDecoder, engine) reads as TextDecoder does, from Buffers and Uint8Arrays (property)", async () => {
    await init();
    const rnd = new Random(0x7e57);
    // Sequences at the edges of well-formedness: overlong forms, surrogates, past U+10FFFF,
    // cut short; and the first and last valid sequence of each length.
    const edges = [
      [0xc0, 0x80], [0xc1, 0xbf], [0xe0, 0x80, 0x80], [0xe0, 0x9f, 0xbf], [0xed, 0xa0, 0x80], [0xed, 0xbf, 0xbf],
      [0xf0, 0x80, 0x80, 0x80], [0xf0, 0x8f, 0xbf, 0xbf], [0xf4, 0x90, 0x80, 0x80], [0xf5, 0x80, 0x80, 0x80], [0xff],
      [0xe3, 0x81], [0xf0, 0x9f, 0x98], [0xc3], [0x80], [0xe3, 0x41, 0x81],
      [0xc2, 0x80], [0xdf, 0xbf], [0xe0, 0xa0, 0x80], [0xed, 0x9f, 0xbf], [0xee, 0x80, 0x80], [0xef, 0xbf, 0xbf],
      [0xf0, 0x90, 0x80, 0x80], [0xf4, 0x8f, 0xbf, 0xbf],
    ];
    for (let i = 0; i < 4000; i++) {
      // Lengths around every crossover (16, 32, 48, 64 bytes) and some longer, mostly well
      // formed, ASCII or not, some holding a real U+FFFD (which a Buffer's decoder also
      // makes of malformed bytes).
      const text = rnd.string(rnd.int(0, 50)) + "a".repeat(rnd.int(0, rnd.int(0, 9) === 0 ? 400 : 40)) + (rnd.int(0, 9) === 0 ? "\uFFFD" : "");
      let body = rnd.int(0, 3) === 0 ? rnd.bytes(rnd.int(0, 110)) : Uint8Array.from(new TextEncoder().encode(text).subarray(0, 500));
      for (let m = rnd.int(0, 3) === 0 ? rnd.int(1, 2) : 0; m > 0 && body.length > 0; m--) body[rnd.int(0, body.length - 1)] = rnd.u32() & 0xff;
      if (rnd.int(0, 2) === 0) {
        const at = rnd.int(0, body.length);
        body = Uint8Array.from([...body.subarray(0, at), ...rnd.pick(edges), ...body.subarray(at)]);
      }
      const prefix = body.length > 127 ? [0x80 | (body.length & 0x7f), body.length >> 7] : [body.length];
      const framed = new Uint8Array([...prefix, ...body]);
      let want: string | null;
      try {
        want = strict.decode(body);
      } catch {
        want = null;
      }
      for (const input of [framed, Buffer.from(framed)]) {
        const what = `${Buffer.from(body).toString("hex")} from a ${input === framed ? "Uint8Array" : "Buffer"}`;
        if (want !== null) {
          expect(new ProtobufReader().load(input).string(), what).toBe(want);
        } else {
          let at = -1;
          try {
            new ProtobufReader().load(input).string();
          } catch (error) {
            expect((error as { code?: string }).code, what).toBe("INVALID_UTF8");
            at = (error as { offset: number }).offset - prefix.length;
          }
          // The offset is the first byte a fatal decoder rejects: all before it decodes.
          expect(at, what).toBeGreaterThanOrEqual(0);
          expect(() => strict.decode(body.subarray(0, at)), what).not.toThrow();
        }
        expect(new ProtobufReader({ strictUtf8: false }).load(input).string(), what).toBe(lenient.decode(body));
      }
    }
  });

  test("strict readers reject invalid UTF-8 with its offset; lenient ones replace it", async () => {
    await init();
    const cases: [number[], number][] = [
      [[0x61, 0xff, 0x62], 1],
      [[...Array(40).fill(0x61), 0xc3], 40],
      [[...Array(3000).fill(0xe2), 0x61], 0],
      [[...Array(100).fill(0x62), 0xed, 0xa0, 0x80], 100], // an encoded surrogate
    ];
    for (const [body, firstBad] of cases) {
      const prefix = body.length > 127 ? [0x80 | (body.length & 0x7f), body.length >> 7] : [body.length];
      const bytes = new Uint8Array([...prefix, ...body]);
      expect(() => new ProtobufReader().load(bytes).string()).toThrow(
        expect.objectContaining({ code: "INVALID_UTF8", offset: prefix.length + firstBad }),
      );
      expect(new ProtobufReader({ strictUtf8: false }).load(bytes).string()).toBe(lenient.decode(new Uint8Array(body)));
    }
  });

  test("message names: a repeated name is reused, a different one of the same length is not, bad UTF-8 still fails", () => {
    const w = new ThriftBinaryWriter();
    const r = new ThriftBinaryReader();
    const names = ["ping", "pong", "ping", "ping", "", "pïng", "a".repeat(70), "a".repeat(70), "pong"];
    for (const name of names) {
      w.reset();
      w.writeMessageBegin(name, 1, 7);
      expect(r.load(w.finish()).readMessageBegin()).toEqual({ name, type: 1, seqid: 7 });
    }
    const bad = Uint8Array.of(0x80, 0x01, 0x00, 0x01, 0, 0, 0, 4, 0x70, 0xff, 0x6e, 0x67, 0, 0, 0, 7);
    for (let i = 0; i < 2; i++) {
      expect(() => r.load(bad).readMessageBegin()).toThrow(expect.objectContaining({ code: "INVALID_UTF8", offset: 9 }));
    }
  });
});
