/**
 * 64-bit integers between `bigint` and two 32-bit halves.
 *
 * The wire code works on halves (BigInt arithmetic costs tens of nanoseconds per
 * operation); these helpers convert at the edge, through one shared 64-bit slot.
 */
import { outOfRange } from "../errors.js";

const MIN_I64 = -(1n << 63n);
const MAX_I64 = (1n << 63n) - 1n;
const MAX_U64 = (1n << 64n) - 1n;

/** Halves of the last `splitInt64`/`splitUint64`: low 32 bits unsigned, high 32 bits signed. */
export const parts = { lo: 0, hi: 0 };

/**
 * One 64-bit slot seen as a signed, an unsigned and two 32-bit halves. Storing a bigint
 * into a BigInt64Array and reading the halves (or the reverse) is 2x faster than any
 * Number/BigInt arithmetic. The slot is in host order: LOW and HIGH name its halves.
 */
const slot = new BigInt64Array(1);
const uslot = new BigUint64Array(slot.buffer);
const halves = new Uint32Array(slot.buffer);
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
/** Index in `halves` of the low and high 32 bits of the slot (host order). */
const LOW = LITTLE_ENDIAN ? 0 : 1;
const HIGH = 1 - LOW;

/** Splits a signed 64-bit value into `parts`; throws INVALID_VALUE outside [-2^63, 2^63). */
export function splitInt64(v: bigint): void {
  if (typeof v === "bigint") {
    slot[0] = v;
    // The store wraps silently: reading back the same value proves it was in range.
    if (slot[0] === v) {
      parts.lo = halves[LOW]!;
      parts.hi = halves[HIGH]! | 0;
      return;
    }
  }
  if (typeof v !== "bigint" || v < MIN_I64 || v > MAX_I64) throw outOfRange("i64", v);
  const u = BigInt.asUintN(64, v);
  parts.lo = Number(u & 0xffffffffn);
  parts.hi = Number(u >> 32n) | 0;
}

/** Splits an unsigned 64-bit value into `parts`; throws INVALID_VALUE outside [0, 2^64). */
export function splitUint64(v: bigint): void {
  if (typeof v === "bigint") {
    uslot[0] = v;
    if (uslot[0] === v) {
      parts.lo = halves[LOW]!;
      parts.hi = halves[HIGH]! | 0;
      return;
    }
  }
  if (typeof v !== "bigint" || v < 0n || v > MAX_U64) throw outOfRange("u64", v);
  parts.lo = Number(v & 0xffffffffn);
  parts.hi = Number(v >> 32n) | 0;
}

/**
 * Joins halves into a signed 64-bit bigint. The slot is in host order on every platform,
 * so the halves go to LOW and HIGH with no branch: these inline into generated read
 * bodies, where every bytecode counts against V8's inlining budget.
 */
export function joinInt64(lo: number, hi: number): bigint {
  halves[LOW] = lo;
  halves[HIGH] = hi;
  return slot[0]!;
}

/** Joins halves into an unsigned 64-bit bigint. */
export function joinUint64(lo: number, hi: number): bigint {
  halves[LOW] = lo;
  halves[HIGH] = hi;
  return uslot[0]!;
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
