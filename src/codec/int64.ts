/**
 * 64-bit integers between `bigint` and two 32-bit halves.
 *
 * The wire code works on halves (BigInt arithmetic costs tens of nanoseconds per
 * operation); these helpers convert at the edge, taking a fast path through `Number`
 * whenever the value is a safe integer.
 */
import { outOfRange } from "../errors.js";

const TWO_32 = 4294967296;
const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;
const MAX_U64 = (1n << 64n) - 1n;

/** Halves of the last `splitInt64`/`splitUint64`: low 32 bits unsigned, high 32 bits signed. */
export const parts = { lo: 0, hi: 0 };

/** Splits a signed 64-bit value into `parts`; throws INVALID_VALUE outside [-2^63, 2^63). */
export function splitInt64(v: bigint): void {
  const n = Number(v);
  if (Number.isSafeInteger(n)) {
    parts.lo = n >>> 0;
    parts.hi = Math.floor(n / TWO_32) | 0;
    return;
  }
  if (typeof v !== "bigint" || v < MIN_I64 || v > MAX_I64) throw outOfRange("i64", v);
  const u = BigInt.asUintN(64, v);
  parts.lo = Number(u & 0xffffffffn);
  parts.hi = Number(u >> 32n) | 0;
}

/** Splits an unsigned 64-bit value into `parts`; throws INVALID_VALUE outside [0, 2^64). */
export function splitUint64(v: bigint): void {
  const n = Number(v);
  if (Number.isSafeInteger(n) && n >= 0) {
    parts.lo = n >>> 0;
    parts.hi = (n / TWO_32) | 0;
    return;
  }
  if (typeof v !== "bigint" || v < 0n || v > MAX_U64) throw outOfRange("u64", v);
  parts.lo = Number(v & 0xffffffffn);
  parts.hi = Number(v >> 32n) | 0;
}

/** Joins halves into a signed 64-bit bigint. */
export function joinInt64(lo: number, hi: number): bigint {
  hi |= 0;
  // |value| < 2^53: one exact Number conversion instead of BigInt arithmetic.
  if (hi >= -0x200000 && hi < 0x200000) return BigInt(hi * TWO_32 + (lo >>> 0));
  return BigInt.asIntN(64, (BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0));
}

/** Joins halves into an unsigned 64-bit bigint. */
export function joinUint64(lo: number, hi: number): bigint {
  hi >>>= 0;
  if (hi < 0x200000) return BigInt(hi * TWO_32 + (lo >>> 0));
  return (BigInt(hi) << 32n) | BigInt(lo >>> 0);
}


/**
 * Copies 32-bit integers (signed, or unsigned when `signed` is false) into engine memory
 * at `offset`. Plain arrays are checked value by value: a typed array would silently wrap
 * or truncate a bad value.
 */
export function copyInt32s(values: ArrayLike<number>, buffer: ArrayBuffer, offset: number, signed = true): void {
  const n = values.length;
  if (signed) {
    const out = new Int32Array(buffer, offset, n);
    if (values instanceof Int32Array) return out.set(values);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if ((v | 0) !== v) throw outOfRange(`i32 at index ${i}`, v);
      out[i] = v;
    }
  } else {
    const out = new Uint32Array(buffer, offset, n);
    if (values instanceof Uint32Array) return out.set(values);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (v >>> 0 !== v) throw outOfRange(`u32 at index ${i}`, v);
      out[i] = v;
    }
  }
}

/**
 * Copies 64-bit integers (signed, or unsigned when `signed` is false) into engine memory
 * at `offset`; plain arrays are range-checked.
 */
export function copyInt64s(values: BigInt64Array | BigUint64Array | readonly bigint[], buffer: ArrayBuffer,
  offset: number, signed = true): void {
  const n = values.length;
  if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
    // Same bits either way: reinterpret rather than convert.
    new Uint8Array(buffer, offset, n * 8).set(new Uint8Array(values.buffer, values.byteOffset, n * 8));
    return;
  }
  // asIntN/asUintN compare faster than two range compares against bigint constants.
  if (signed) {
    const out = new BigInt64Array(buffer, offset, n);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (typeof v !== "bigint" || BigInt.asIntN(64, v) !== v) throw outOfRange(`i64 at index ${i}`, v);
      out[i] = v;
    }
  } else {
    const out = new BigUint64Array(buffer, offset, n);
    for (let i = 0; i < n; i++) {
      const v = values[i]!;
      if (typeof v !== "bigint" || BigInt.asUintN(64, v) !== v) throw outOfRange(`u64 at index ${i}`, v);
      out[i] = v;
    }
  }
}
