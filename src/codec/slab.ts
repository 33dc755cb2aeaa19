/**
 * Copies out of engine memory into small arrays carved from a shared slab.
 *
 * Allocating an ArrayBuffer per decoded binary value or list costs 0.3-1.5 µs here, more
 * than decoding it (bench/README.md, finding 2), except below 64 bytes, where V8 keeps the
 * buffer on its own heap and `slice` is cheapest. Results between are views of one
 * 128 KiB ArrayBuffer instead, as Node's Buffer pool does: such a result's `.buffer` is
 * the shared slab, so code must use `byteOffset`/`byteLength` rather than the whole buffer.
 */

const SLAB_SIZE = 128 * 1024;
/** Up to this many bytes V8 keeps an ArrayBuffer on its heap, where `slice` is cheapest. */
export const ON_HEAP = 64;
/** Larger results get an ArrayBuffer of their own. */
export const SLAB_MAX = 4096;

let slab = new ArrayBuffer(SLAB_SIZE);
let used = 0;

/** Backs every empty result: V8 makes a zero-length typed array off its heap, ~200 ns each. */
const EMPTY = new ArrayBuffer(0);

/**
 * A new empty Uint8Array, for binary and bytes defaults: a view of a shared empty buffer,
 * about 7x cheaper than `new Uint8Array(0)` in V8 11.
 */
export function emptyBytes(): Uint8Array {
  return new Uint8Array(EMPTY, 0, 0);
}

/** Reserves `bytes` (8-aligned) in the slab and returns the offset. */
function take(bytes: number): number {
  if (used + bytes > SLAB_SIZE) {
    slab = new ArrayBuffer(SLAB_SIZE);
    used = 0;
  }
  const at = used;
  used = (used + bytes + 7) & ~7;
  return at;
}

/** A copy of `length` bytes at `address` of `memory`. */
export function copyBytes(memory: Uint8Array, address: number, length: number): Uint8Array {
  if (length === 0) return emptyBytes();
  if (length <= ON_HEAP || length > SLAB_MAX) return plainCopy(memory, address, address + length);
  const at = take(length); // first: it may replace the slab
  const out = new Uint8Array(slab, at, length);
  out.set(memory.subarray(address, address + length));
  return out;
}

/** A typed array constructor (the view form). */
export type TypedArrayOf<T> = {
  new (buffer: ArrayBuffer, offset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

/** A copy of `count` elements of `Type` at `address` of `memory` (any alignment). */
export function copyArray<T extends ArrayBufferView>(memory: Uint8Array, address: number, count: number, Type: TypedArrayOf<T>): T {
  const bytes = count * Type.BYTES_PER_ELEMENT;
  if (bytes === 0) return new Type(EMPTY, 0, 0);
  if (bytes <= ON_HEAP || bytes > SLAB_MAX) return new Type(plainCopy(memory, address, address + bytes).buffer, 0, count);
  const at = take(bytes);
  new Uint8Array(slab, at, bytes).set(memory.subarray(address, address + bytes));
  return new Type(slab, at, count);
}

/**
 * A plain Uint8Array copy of `memory[start, end)`. `slice` of a Node Buffer (memory may be
 * one: readers read Buffers where they are) is a view of its pool, not a copy.
 */
export function plainCopy(memory: Uint8Array, start: number, end: number): Uint8Array<ArrayBuffer> {
  if (memory.constructor === Uint8Array) return memory.slice(start, end);
  const n = end - start;
  if (n > 16) return new Uint8Array(memory.subarray(start, end));
  // A few bytes (a kept scalar field, say) are copied by hand: a Buffer's `subarray` makes a Buffer first, which costs more.
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = memory[start + i]!;
  return out;
}

/** A plain Uint8Array view of `memory[start, end)` (`subarray` of a Buffer would be a Buffer). */
export function plainView(memory: Uint8Array, start: number, end: number): Uint8Array {
  return memory.constructor === Uint8Array ? memory.subarray(start, end) : new Uint8Array(memory.buffer, memory.byteOffset + start, end - start);
}
