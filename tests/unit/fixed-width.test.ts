/** The readers' fixed-width reads (byte arithmetic, no DataView) agree with DataView on every kind of value. */
import { describe, expect, test } from "vitest";
import { f32LE, f64BE, f64LE, i16BE, i32BE, i32LE, i8, u32BE, u32LE } from "../../src/codec/fixed-width.js";
import { Random } from "../support/random.js";

describe("fixed-width reads", () => {
  test("agree with DataView at every offset of random bytes, and on special floats", () => {
    const rnd = new Random(0xf1ed);
    const bytes = Uint8Array.from({ length: 4096 }, () => rnd.u32() & 0xff);
    const special = new DataView(new ArrayBuffer(8 * 8));
    [0, -0, NaN, Infinity, -Infinity, Number.MIN_VALUE, -Number.MAX_VALUE, 2.5].forEach((v, i) => special.setFloat64(i * 8, v));
    const both = new Uint8Array(bytes.length + special.byteLength);
    both.set(bytes);
    both.set(new Uint8Array(special.buffer), bytes.length);
    const dv = new DataView(both.buffer);
    for (let p = 0; p + 8 <= both.length; p++) {
      expect(i8(both, p)).toBe(dv.getInt8(p));
      expect(i16BE(both, p)).toBe(dv.getInt16(p));
      expect(i32BE(both, p)).toBe(dv.getInt32(p));
      expect(u32BE(both, p)).toBe(dv.getUint32(p));
      expect(i32LE(both, p)).toBe(dv.getInt32(p, true));
      expect(u32LE(both, p)).toBe(dv.getUint32(p, true));
      expect(Object.is(f64BE(both, p), dv.getFloat64(p))).toBe(true);
      expect(Object.is(f64LE(both, p), dv.getFloat64(p, true))).toBe(true);
      expect(Object.is(f32LE(both, p), dv.getFloat32(p, true))).toBe(true);
    }
  });
});
