/** Results carved from the shared slab never change once returned, across slab turnover. */
import { expect, test } from "vitest";
import { decodeThrift, encodeThrift, init } from "kitewire";
import { copyArray, copyBytes } from "../../src/codec/slab.js";
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
