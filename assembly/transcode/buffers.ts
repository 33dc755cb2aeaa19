/**
 * The transcoders' memory: the output buffer, a work stack (per-struct field slots,
 * container entry records, scratch copies) and the fixup list, each one block that
 * grows by moving. Positions kept across a growth are offsets from the block's start,
 * never addresses.
 */
import { blockAlloc, blockCapacity, blockRelease } from "../memory/blocks";

/** Output block, its end, and the write address. */
export let outBase: usize = 0;
export let outEnd: usize = 0;
export let outPos: usize = 0;

/** Work stack block, its capacity, and the stack top as an offset. */
export let workBase: usize = 0;
let workCap: usize = 0;
export let workTop: usize = 0;

/** Fixups: 16-byte records (see `addFixup`), their count. */
export let fixBase: usize = 0;
let fixCap: usize = 0;
export let fixCount: i32 = 0;

/** Blocks above this size are given back after the call that needed them. */
const KEEP: usize = 1 << 20;

/** Starts a transcoding call: empty output, work stack and fixups. */
export function resetBuffers(): bool {
  if (outBase == 0 || blockCapacity(outBase) > KEEP) {
    if (outBase != 0) blockRelease(outBase);
    outBase = blockAlloc(4096);
    if (outBase == 0) return false;
    outEnd = outBase + blockCapacity(outBase);
  }
  if (workBase == 0 || workCap > KEEP) {
    if (workBase != 0) blockRelease(workBase);
    workBase = blockAlloc(4096);
    if (workBase == 0) return false;
    workCap = blockCapacity(workBase);
  }
  outPos = outBase;
  workTop = 0;
  fixCount = 0;
  return true;
}

/** Makes room for `n` more output bytes; false when memory is exhausted. */
// @ts-ignore: decorator
@inline export function ensure(n: usize): bool {
  return outPos + n <= outEnd || growOut(n);
}

function growOut(n: usize): bool {
  const used = outPos - outBase;
  let size = (outEnd - outBase) << 1;
  if (size < used + n) size = used + n;
  const next = blockAlloc(size);
  if (next == 0) return false;
  memory.copy(next, outBase, used);
  blockRelease(outBase);
  outBase = next;
  outEnd = next + blockCapacity(next);
  outPos = next + used;
  return true;
}

/** Offset of the write position from the output's start. */
// @ts-ignore: decorator
@inline export function outOffset(): usize {
  return outPos - outBase;
}

/** Reserves `n` bytes (8-aligned) on the work stack; returns their offset, or -1. */
export function workAlloc(n: usize): isize {
  const at = (workTop + 7) & ~<usize>7;
  if (at + n > workCap) {
    let size = workCap << 1;
    if (size < at + n) size = at + n;
    const next = blockAlloc(size);
    if (next == 0) return -1;
    memory.copy(next, workBase, workTop);
    blockRelease(workBase);
    workBase = next;
    workCap = blockCapacity(next);
  }
  workTop = at + n;
  return <isize>at;
}

/** Pops the work stack back to `offset`. */
// @ts-ignore: decorator
@inline export function workPop(offset: usize): void {
  workTop = offset;
}

/**
 * Records a value the host finishes: `a`, `b` (what the direction needs: input offset and
 * length of a number's text, or the value's bits), the output offset, and a kind.
 */
export function addFixup(a: u32, b: u32, at: u32, kind: u32): bool {
  if (fixBase == 0 || <usize>(fixCount + 1) * 16 > fixCap) {
    const size: usize = fixCap == 0 ? 1024 : fixCap << 1;
    const next = blockAlloc(size);
    if (next == 0) return false;
    if (fixBase != 0) {
      memory.copy(next, fixBase, <usize>fixCount * 16);
      blockRelease(fixBase);
    }
    fixBase = next;
    fixCap = blockCapacity(next);
  }
  const r = fixBase + (<usize>fixCount << 4);
  store<u32>(r, a);
  store<u32>(r, b, 4);
  store<u32>(r, at, 8);
  store<u32>(r, kind, 12);
  fixCount++;
  return true;
}

/**
 * Keeps the fixups from index `from` on whose last word is non-zero (marked as moved with
 * their bytes), clearing the mark; drops the others (their bytes were dropped).
 */
export function keepMarkedFixups(from: i32): void {
  let kept = from;
  for (let i = from; i < fixCount; i++) {
    const r = fixBase + (<usize>i << 4);
    if (load<u32>(r, 12) == 0) continue;
    store<u32>(r, 0, 12);
    if (kept != i) {
      const d = fixBase + (<usize>kept << 4);
      store<u64>(d, load<u64>(r));
      store<u64>(d, load<u64>(r, 8), 8);
    }
    kept++;
  }
  fixCount = kept;
}

/** Adds `delta` to the output offset of fixups from index `from` on (their bytes moved). */
export function shiftFixups(from: i32, delta: u32): void {
  for (let i = from; i < fixCount; i++) {
    const r = fixBase + (<usize>i << 4) + 8;
    store<u32>(r, load<u32>(r) + delta);
  }
}

/**
 * Inserts `n` bytes at output offset `at` (moving what follows); fixups from index
 * `fixFrom` on lie after `at` and move with it. False when memory is exhausted.
 */
export function insertGap(at: usize, n: usize, fixFrom: i32): bool {
  if (!ensure(n)) return false;
  const p = outBase + at;
  memory.copy(p + n, p, outPos - p);
  outPos += n;
  shiftFixups(fixFrom, <u32>n);
  return true;
}

// ---- identity hashes: duplicate detection in sets, maps and objects -------------------

/** A 64-bit hash of bytes (never 0). Equal bytes give equal hashes; a collision only costs a fallback. */
export function hashBytes(p: usize, n: usize, seed: u64): u64 {
  let h: u64 = seed ^ (<u64>n * 0x9e3779b97f4a7c15);
  let i: usize = 0;
  for (; i + 8 <= n; i += 8) h = mix(h ^ load<u64>(p + i));
  let tail: u64 = 0;
  for (let k: usize = 0; i < n; i++, k += 8) tail |= <u64>load<u8>(p + i) << k;
  return mix(h ^ tail) | 1;
}

/** A hash of a 64-bit value (never 0). */
// @ts-ignore: decorator
@inline export function hashValue(v: u64, seed: u64): u64 {
  return mix(v ^ seed) | 1;
}

// @ts-ignore: decorator
@inline function mix(x: u64): u64 {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9;
  x = (x ^ (x >> 27)) * 0x94d049bb133111eb;
  return x ^ (x >> 31);
}

/**
 * Whether `n` hashes (u64 each, `stride` bytes apart) at work offset `off` are all
 * different. Uses a table on the work stack above them (popped before returning). False
 * also when memory is short.
 */
export function allDistinct(off: usize, n: usize, stride: usize = 8): bool {
  if (n < 2) return true;
  if (n <= 8) {
    for (let i: usize = 0; i < n; i++) {
      const h = load<u64>(workBase + off + i * stride);
      for (let j = i + 1; j < n; j++) if (load<u64>(workBase + off + j * stride) == h) return false;
    }
    return true;
  }
  let size: usize = 16;
  while (size < n << 1) size <<= 1;
  const top = workTop;
  const t = workAlloc(size << 3);
  if (t < 0) return false;
  memory.fill(workBase + t, 0, size << 3);
  const mask = size - 1;
  let ok = true;
  for (let i: usize = 0; i < n && ok; i++) {
    const h = load<u64>(workBase + off + i * stride);
    let k = <usize>h & mask;
    while (true) {
      const slot = workBase + <usize>t + (k << 3);
      const x = load<u64>(slot);
      if (x == 0) {
        store<u64>(slot, h);
        break;
      }
      if (x == h) {
        ok = false;
        break;
      }
      k = (k + 1) & mask;
    }
  }
  workPop(top);
  return ok;
}

/** Pushes a hash on the work stack (a container's identities, popped by the container). */
export function pushHash(h: u64): bool {
  const at = workAlloc(8);
  if (at < 0) return false;
  store<u64>(workBase + <usize>at, h);
  return true;
}

// ---- putting map entries in JS order ------------------------------------------------------

/** Bytes of a map entry's record: order key, start, end, identity hash. */
export const ENTRY: usize = 24;

/** A map entry's record at work offset `at`. */
export function putEntry(at: usize, order: u64, start: usize, end: usize, hash: u64): void {
  const r = workBase + at;
  store<u64>(r, order);
  store<u32>(r, <u32>start, 8);
  store<u32>(r, <u32>end, 12);
  store<u64>(r, hash, 16);
}

/** Fixup kind bit marking a fixup already moved by `reorderEntries`. */
const MOVED: u32 = 0x80000000;

/** Sorts `n` u64 values at work offset `off` ascending (heapsort: in place, no allocation). */
function sortU64(off: usize, n: usize): void {
  const a = workBase + off;
  for (let start = (n >> 1); start > 0; start--) siftDown(a, start - 1, n);
  for (let end = n; end > 1; end--) {
    const t = load<u64>(a);
    store<u64>(a, load<u64>(a + ((end - 1) << 3)));
    store<u64>(a + ((end - 1) << 3), t);
    siftDown(a, 0, end - 1);
  }
}

function siftDown(a: usize, root: usize, n: usize): void {
  while (true) {
    let child = (root << 1) + 1;
    if (child >= n) return;
    if (child + 1 < n && load<u64>(a + ((child + 1) << 3)) > load<u64>(a + (child << 3))) child++;
    const r = load<u64>(a + (root << 3));
    const c = load<u64>(a + (child << 3));
    if (r >= c) return;
    store<u64>(a + (root << 3), c);
    store<u64>(a + (child << 3), r);
    root = child;
  }
}

/**
 * Rewrites the `n` map entries written from output offset `bodyStart` in the order JS
 * enumerates an object's keys: array-index keys ascending, then the others as they came.
 * `entries` (work offset): ENTRY bytes per entry, a u64 order key (the index, or 2^32 +
 * position), u32 start and end output offsets, and the key's identity hash (u64). With
 * `comma`, entries are JSON (separated by commas).
 * Fixups from `fixFrom` on lie in the entries and move with them. False when memory is short.
 */
export function reorderEntries(bodyStart: usize, entries: usize, n: usize, comma: bool, fixFrom: i32): bool {
  const keys = workAlloc(n << 3);
  if (keys < 0) return false;
  for (let i: usize = 0; i < n; i++) {
    store<u64>(workBase + <usize>keys + (i << 3), (load<u64>(workBase + entries + i * ENTRY) << 24) | <u64>i);
  }
  sortU64(<usize>keys, n);
  const len = outOffset() - bodyStart;
  const copy = workAlloc(len);
  if (copy < 0) return false;
  memory.copy(workBase + <usize>copy, outBase + bodyStart, len);
  outPos = outBase + bodyStart;
  for (let k: usize = 0; k < n; k++) {
    const i = <usize>(load<u64>(workBase + <usize>keys + (k << 3)) & 0xffffff);
    const r = workBase + entries + i * ENTRY;
    const start = load<u32>(r, 8);
    const end = load<u32>(r, 12);
    if (comma && k > 0) store<u8>(outPos++, 0x2c);
    const to = <u32>outOffset();
    memory.copy(outPos, workBase + <usize>copy + <usize>start - bodyStart, <usize>(end - start));
    outPos += <usize>(end - start);
    for (let f = fixFrom; f < fixCount; f++) {
      const x = fixBase + (<usize>f << 4);
      const at = load<u32>(x, 8);
      const kind = load<u32>(x, 12);
      if ((kind & MOVED) == 0 && at >= start && at < end) {
        store<u32>(x, to + (at - start), 8);
        store<u32>(x, kind | MOVED, 12);
      }
    }
  }
  for (let f = fixFrom; f < fixCount; f++) {
    const x = fixBase + (<usize>f << 4) + 12;
    store<u32>(x, load<u32>(x) & ~MOVED);
  }
  return true;
}
