/**
 * The block allocator every buffer in the engine comes from.
 *
 * Blocks come in power-of-two size classes (32 B .. 1 GiB). Freed blocks go to a free list
 * per class and are reused; memory is never returned to the host (WebAssembly cannot
 * shrink), so a steady workload reaches a steady footprint. Each block carries an 8-byte
 * header so it can be shared by several buffer-chain nodes:
 *
 *   block - 8: u32 class   (size = 1 << class)
 *   block - 4: u32 refs    (owners; freed when it drops to 0)
 *   block    : payload, 8-byte aligned
 *
 * Nothing here traps: when memory cannot grow (or would pass the configured limit),
 * `blockAlloc` returns 0 and the caller reports OUT_OF_MEMORY.
 *
 * New blocks are carved only from pages this allocator obtained with `memory.grow`, never
 * from the space after `__heap_base`, so it coexists with any other allocator in the same
 * module (the AssemblyScript runtime under as-pect, say).
 */

const HEADER: usize = 8;
const MIN_CLASS: u32 = 5;
const MAX_CLASS: u32 = 30;
const PAGE: usize = 65536;
const MIN_GROW_PAGES: i32 = 16;

/** One free-list head per size class. */
const FREE_LISTS: usize = memory.data(<i32>(MAX_CLASS + 1) * 4, 8);

/** The region new blocks are carved from: [top, regionEnd). */
let top: usize = 0;
let regionEnd: usize = 0;
/** Upper bound on linear memory in bytes, set by the host (default 1 GiB). */
let limit: usize = 1 << 30;
let liveBlocks: u32 = 0;

/** Size class that holds `size` payload bytes. */
// @ts-ignore: decorator
@inline function classFor(size: usize): u32 {
  if (size <= (1 << MIN_CLASS)) return MIN_CLASS;
  return 32 - clz<u32>(<u32>size - 1);
}

/** Allocates a block with at least `size` bytes; returns 0 if memory is exhausted. */
export function blockAlloc(size: usize): usize {
  if (size > (<usize>1 << MAX_CLASS)) return 0;
  const cls = classFor(size);
  const head = FREE_LISTS + (<usize>cls << 2);
  let block: usize = load<u32>(head);
  if (block != 0) {
    store<u32>(head, load<u32>(block));
  } else {
    const bytes = (<usize>1 << cls) + HEADER;
    if (bytes > regionEnd - top && !growRegion(bytes)) return 0;
    block = top + HEADER;
    top += bytes;
    store<u32>(block - 8, cls);
  }
  store<u32>(block - 4, 1);
  liveBlocks++;
  return block;
}

/** Makes [top, regionEnd) hold at least `bytes`, growing memory; false if it cannot. */
function growRegion(bytes: usize): bool {
  const have = <usize>memory.size() * PAGE;
  // Keep the region contiguous when nothing else grew memory since; else start anew.
  const start = regionEnd == have ? top : have;
  const need = start + bytes - have;
  let pages = <i32>((need + PAGE - 1) / PAGE);
  if (have + <usize>pages * PAGE > limit) return false;
  // Grow in steps of at least 1 MiB: each growth replaces the host's memory views.
  if (pages < MIN_GROW_PAGES && have + <usize>MIN_GROW_PAGES * PAGE <= limit) pages = MIN_GROW_PAGES;
  if (memory.grow(pages) < 0) return false;
  top = start;
  regionEnd = have + <usize>pages * PAGE;
  return true;
}

/** Payload capacity of a block. */
// @ts-ignore: decorator
@inline export function blockCapacity(block: usize): usize {
  return <usize>1 << load<u32>(block - 8);
}

/** Adds an owner to a block (a buffer-chain slice sharing it). */
// @ts-ignore: decorator
@inline export function blockRetain(block: usize): void {
  store<u32>(block - 4, load<u32>(block - 4) + 1);
}

/** Owners of a block; 1 means the caller holds it alone and may append to it. */
// @ts-ignore: decorator
@inline export function blockRefs(block: usize): u32 {
  return load<u32>(block - 4);
}

/** Drops one owner; the block returns to its free list when none are left. */
export function blockRelease(block: usize): void {
  const held = load<u32>(block - 4);
  if (held == 0) return; // already free: a double release must not corrupt the free list
  const refs = held - 1;
  store<u32>(block - 4, refs);
  if (refs != 0) return;
  const head = FREE_LISTS + (<usize>load<u32>(block - 8) << 2);
  store<u32>(block, load<u32>(head));
  store<u32>(head, <u32>block);
  liveBlocks--;
}

/** Sets the most linear memory the allocator may use, in bytes (the host's memory limit). */
export function setMemoryLimit(bytes: usize): void {
  limit = bytes;
}

/** Blocks currently allocated and not released (for leak checks in tests). */
export function liveBlockCount(): u32 {
  return liveBlocks;
}
