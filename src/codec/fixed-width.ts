/**
 * Fixed-width values read straight from a Uint8Array, for the readers.
 *
 * Why not a DataView: a reader given new bytes would need a new DataView for each input
 * (~60-90 ns here, more than decoding a small message), or a cache keyed by ArrayBuffer,
 * which costs a `.buffer` access that makes V8 allocate a backing store for small
 * on-heap arrays. Byte arithmetic needs nothing but the Uint8Array the reader already
 * has, and V8 compiles it to loads and shifts about as fast as DataView's.
 * Floats go through one shared 8-byte scratch viewed as a Float64Array/Float32Array.
 */

const scratch = new Float64Array(1);
const scratch32 = new Float32Array(scratch.buffer, 0, 1);
const scratchBytes = new Uint8Array(scratch.buffer);
/** Whether this machine stores numbers little-endian (every V8 target but s390x). */
const LITTLE_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

export function i16BE(u8: Uint8Array, p: number): number {
  return ((u8[p]! << 24) | (u8[p + 1]! << 16)) >> 16;
}

export function i32BE(u8: Uint8Array, p: number): number {
  return (u8[p]! << 24) | (u8[p + 1]! << 16) | (u8[p + 2]! << 8) | u8[p + 3]!;
}

export function u32BE(u8: Uint8Array, p: number): number {
  return i32BE(u8, p) >>> 0;
}

export function i32LE(u8: Uint8Array, p: number): number {
  return u8[p]! | (u8[p + 1]! << 8) | (u8[p + 2]! << 16) | (u8[p + 3]! << 24);
}

export function u32LE(u8: Uint8Array, p: number): number {
  return i32LE(u8, p) >>> 0;
}

/** The signed byte at `p`. */
export function i8(u8: Uint8Array, p: number): number {
  return (u8[p]! << 24) >> 24;
}

/** Copies `n` bytes at `p` into the scratch in host order, from big-endian (`big`) or little-endian input. */
function toScratch(u8: Uint8Array, p: number, n: number, big: boolean): void {
  if (big === LITTLE_HOST) for (let i = 0; i < n; i++) scratchBytes[i] = u8[p + n - 1 - i]!;
  else for (let i = 0; i < n; i++) scratchBytes[i] = u8[p + i]!;
}

export function f64BE(u8: Uint8Array, p: number): number {
  toScratch(u8, p, 8, true);
  return scratch[0]!;
}

export function f64LE(u8: Uint8Array, p: number): number {
  toScratch(u8, p, 8, false);
  return scratch[0]!;
}

export function f32LE(u8: Uint8Array, p: number): number {
  toScratch(u8, p, 4, false);
  return scratch32[0]!;
}
