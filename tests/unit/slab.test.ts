/** Results carved from the shared slab never change once returned, across slab turnover. */
import { expect, test } from "vitest";
import { decodeThrift, encodeThrift, init } from "kitewire";
import { copyArray, copyBytes, emptyBytes } from "../../src/codec/slab.js";
import * as ex from "../golden/thrift/gen/example.js";

test("copies keep their bytes while later copies fill and replace the slab", () => {
  const memory = new Uint8Array(1 << 16).map((_, i) => (i * 7) & 0xff);
  const kept: [Uint8Array | Int32Array, string][] = [];
  for (let i = 0; i < 3000; i++) {
    const len = (i * 37) % 5000;
    const copy = i % 3 === 0 ? copyArray(memory, (i * 8) % 4096, len >> 2, Int32Array) : copyBytes(memory, i % 1000, len);
    kept.push([copy, Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength).toString("hex")]);
  }
  for (const [copy, hex] of kept) expect(Buffer.from(copy.buffer, copy.byteOffset, copy.byteLength).toString("hex")).toBe(hex);
});

test("typed-array copies from unaligned addresses hold the bytes that were there", () => {
  const memory = new Uint8Array(1 << 14).map((_, i) => (i * 13 + 5) & 0xff);
  for (const count of [1, 3, 16, 17, 300, 1100]) {
    for (const address of [1, 2, 3, 5, 7]) {
      const f64 = copyArray(memory, address, count, Float64Array);
      const expected = new Float64Array(memory.slice(address, address + count * 8).buffer);
      expect(f64.length).toBe(count);
      expect(Array.from(f64)).toEqual(Array.from(expected));
      const u32 = copyArray(memory, address, count, Uint32Array);
      expect(Array.from(u32)).toEqual(Array.from(new Uint32Array(memory.slice(address, address + count * 4).buffer)));
    }
  }
});

test("empty results are zero-length arrays of their own", () => {
  const memory = new Uint8Array(64);
  const a = emptyBytes(), b = emptyBytes(), c = copyBytes(memory, 10, 0), d = copyArray(memory, 3, 0, BigInt64Array);
  for (const x of [a, b, c]) {
    expect(x).toBeInstanceOf(Uint8Array);
    expect(x.length).toBe(0);
  }
  expect(d).toBeInstanceOf(BigInt64Array);
  expect(d.length).toBe(0);
  expect(a).not.toBe(b);
  expect(c).not.toBe(a);
});

test("encoded messages stay as returned through later encodes and decodes", async () => {
  await init();
  const results: [Uint8Array, string][] = [];
  for (let i = 0; i < 400; i++) {
    const protocol = i % 2 ? "binary" : "compact";
    const user = ex.User.create({ id: BigInt(i), name: "n".repeat(i % 300), avatar: new Uint8Array(i % 500).fill(i & 255) });
    const bytes = encodeThrift(ex.User, user, protocol);
    results.push([bytes, Buffer.from(bytes).toString("hex")]);
    expect(decodeThrift(ex.User, bytes, protocol).avatar).toEqual(user.avatar);
  }
  for (const [bytes, hex] of results) expect(Buffer.from(bytes).toString("hex")).toBe(hex);
});
