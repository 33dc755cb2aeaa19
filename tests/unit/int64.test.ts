/** 64-bit values between bigint and 32-bit halves: boundaries, random values, and values out of range. */
import { expect, test } from "vitest";
import { joinInt64, joinUint64, parts, splitInt64, splitUint64 } from "../../src/codec/int64.js";
import { Random } from "../support/random.js";

const halvesOf = (v: bigint) => ({ lo: Number(BigInt.asUintN(64, v) & 0xffffffffn), hi: Number(BigInt.asIntN(32, BigInt.asUintN(64, v) >> 32n)) });

test("signed and unsigned values split into halves and join back, boundaries and random", () => {
  const rnd = new Random(0x6464);
  const signed = [0n, 1n, -1n, 2n ** 31n, -(2n ** 31n), 2n ** 32n, 2n ** 53n + 1n, -(2n ** 53n) - 1n, 2n ** 63n - 1n, -(2n ** 63n)];
  for (let i = 0; i < 500; i++) signed.push(BigInt.asIntN(64, (BigInt(rnd.int(0, 0xffffffff)) << 32n) | BigInt(rnd.int(0, 0xffffffff))));
  for (const v of signed) {
    splitInt64(v);
    expect({ ...parts }).toEqual(halvesOf(v));
    expect(joinInt64(parts.lo, parts.hi)).toBe(v);
    const u = BigInt.asUintN(64, v);
    splitUint64(u);
    expect({ ...parts }).toEqual(halvesOf(u));
    expect(joinUint64(parts.lo, parts.hi)).toBe(u);
  }
});

test("values out of range, and values that are not bigints, are INVALID_VALUE (never wrapped)", () => {
  for (const v of [2n ** 63n, -(2n ** 63n) - 1n, 2n ** 64n, 1 as unknown as bigint, "1" as unknown as bigint]) {
    expect(() => splitInt64(v)).toThrow(expect.objectContaining({ code: "INVALID_VALUE" }));
  }
  for (const v of [-1n, 2n ** 64n, 2n ** 65n + 3n, 1.5 as unknown as bigint]) {
    expect(() => splitUint64(v)).toThrow(expect.objectContaining({ code: "INVALID_VALUE" }));
  }
});
