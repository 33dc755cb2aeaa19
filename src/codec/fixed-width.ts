/**
 * Fixed-width values read straight from a Uint8Array, for the readers.
 *
 * Why not a DataView: a reader given new bytes would need a new DataView for each input
 * (~60-90 ns here, more than decoding a small message), or a cache keyed by ArrayBuffer,
 * which costs a `.buffer` access that makes V8 allocate a backing store for small
 * on-heap arrays. Byte arithmetic needs nothing but the Uint8Array the reader already
 * has, and V8 compiles it to loads and shifts about as fast as DataView's.
 * Floats go through one shared 8-byte scratch: its two 32-bit words are stored (the byte
 * order fixed by the word reads) and read back as a Float64Array/Float32Array. Two word
 * stores cost about a third of eight byte stores, and keep these functions small enough
 * for V8 to inline into the readers (bench/README.md, section 5b).
 */

const scratch = new Float64Array(1);
const scratch32 = new Float32Array(scratch.buffer, 0, 1);
const scratchWords = new Int32Array(scratch.buffer);
/** Index in `scratchWords` of the low and high words of a float64 on this machine (every V8 target but s390x is little-endian). */
const LITTLE_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
const LOW = LITTLE_HOST ? 0 : 1;
const HIGH = 1 - LOW;

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

export function f64BE(u8: Uint8Array, p: number): number {
  scratchWords[HIGH] = i32BE(u8, p);
  scratchWords[LOW] = i32BE(u8, p + 4);
  return scratch[0]!;
}

// The words' bytes are combined here rather than by i32LE: the same machine code, in
// less of the bytecode V8 counts against its inlining budget (see protobuf/reader.ts).
export function f64LE(u8: Uint8Array, p: number): number {
  scratchWords[LOW] = u8[p]! | (u8[p + 1]! << 8) | (u8[p + 2]! << 16) | (u8[p + 3]! << 24);
  scratchWords[HIGH] = u8[p + 4]! | (u8[p + 5]! << 8) | (u8[p + 6]! << 16) | (u8[p + 7]! << 24);
  return scratch[0]!;
}

export function f32LE(u8: Uint8Array, p: number): number {
  scratchWords[0] = u8[p]! | (u8[p + 1]! << 8) | (u8[p + 2]! << 16) | (u8[p + 3]! << 24);
  return scratch32[0]!;
}
