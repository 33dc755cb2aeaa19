/**
 * The buffer chain: Netpoll's LinkBuffer idea in linear memory.
 *
 * A chain is a queue of nodes, each a window [start, end) on a block. Socket chunks are
 * appended at the tail, frames are sliced off the head into chains of their own that
 * share the blocks (a reference count per block), and consumed bytes are released, all
 * without copying. Only `chainContiguous` copies, and only when the bytes asked for span
 * more than one node.
 *
 *   chain (block of 32 B)          node (block of 32 B)
 *   +0  u32 head node              +0  u32 block (one reference held)
 *   +4  u32 tail node              +4  u32 start
 *   +8  u32 readable bytes         +8  u32 end
 *   +12 u32 block size for growth  +12 u32 next node
 *                                  +16 u32 OWNER when this node may append at `end`
 *
 * Only the node that allocated a block may append to it: a slice ends inside a block
 * whose bytes after `end` belong to someone else.
 */
import { blockAlloc, blockCapacity, blockRefs, blockRelease, blockRetain } from "./blocks";

const OWNER: u32 = 1;
const STRUCT: usize = 32;
const DEFAULT_BLOCK: u32 = 8192;

// @ts-ignore: decorator
@inline function head(c: usize): usize { return load<u32>(c); }
// @ts-ignore: decorator
@inline function tail(c: usize): usize { return load<u32>(c, 4); }
// @ts-ignore: decorator
@inline function nodeBlock(n: usize): usize { return load<u32>(n); }
// @ts-ignore: decorator
@inline function nodeStart(n: usize): usize { return load<u32>(n, 4); }
// @ts-ignore: decorator
@inline function nodeEnd(n: usize): usize { return load<u32>(n, 8); }
// @ts-ignore: decorator
@inline function nodeNext(n: usize): usize { return load<u32>(n, 12); }

function newNode(block: usize, start: usize, end: usize, flags: u32): usize {
  const n = blockAlloc(STRUCT);
  if (n == 0) return 0;
  store<u32>(n, <u32>block);
  store<u32>(n, <u32>start, 4);
  store<u32>(n, <u32>end, 8);
  store<u32>(n, 0, 12);
  store<u32>(n, flags, 16);
  return n;
}

function freeNode(n: usize): void {
  blockRelease(nodeBlock(n));
  blockRelease(n);
}

function pushNode(c: usize, n: usize): void {
  const t = tail(c);
  if (t == 0) store<u32>(c, <u32>n);
  else store<u32>(t, <u32>n, 12);
  store<u32>(c, <u32>n, 4);
}

/** Creates an empty chain whose new blocks hold `blockSize` bytes (0: 8 KiB); 0 if out of memory. */
export function chainNew(blockSize: u32): usize {
  const c = blockAlloc(STRUCT);
  if (c == 0) return 0;
  memory.fill(c, 0, STRUCT);
  store<u32>(c, blockSize == 0 ? DEFAULT_BLOCK : blockSize, 12);
  return c;
}

/** Readable bytes in the chain. */
export function chainLength(c: usize): u32 {
  return load<u32>(c, 8);
}

/**
 * Returns the address of `n` writable contiguous bytes at the tail (a new block when the
 * tail cannot take them), or 0 if out of memory. Nothing is readable until `chainCommit`.
 */
export function chainReserve(c: usize, n: usize): usize {
  const t = tail(c);
  if (t != 0 && (load<u32>(t, 16) & OWNER)) {
    const block = nodeBlock(t);
    let end = nodeEnd(t);
    // A fully read tail that nobody else shares is rewound so its block is reused.
    if (nodeStart(t) == end && blockRefs(block) == 1) {
      end = block;
      store<u32>(t, <u32>end, 4);
      store<u32>(t, <u32>end, 8);
    }
    if (end + n <= block + blockCapacity(block)) return end;
  }
  let size = <usize>load<u32>(c, 12);
  if (size < n) size = n;
  const block = blockAlloc(size);
  if (block == 0) return 0;
  const node = newNode(block, block, block, OWNER);
  if (node == 0) {
    blockRelease(block);
    return 0;
  }
  pushNode(c, node);
  return block;
}

/** Makes `n` bytes written at the address `chainReserve` returned readable. */
export function chainCommit(c: usize, n: usize): void {
  const t = tail(c);
  store<u32>(t, <u32>(nodeEnd(t) + n), 8);
  store<u32>(c, load<u32>(c, 8) + <u32>n, 8);
}

/**
 * Appends `len` bytes at the start of `block`, taking over the caller's reference to it
 * (a finished arena handed to the network without a copy). Returns 0 if out of memory.
 */
export function chainAppendBlock(c: usize, block: usize, len: usize): i32 {
  const node = newNode(block, block, block + len, OWNER);
  if (node == 0) return 0;
  pushNode(c, node);
  store<u32>(c, load<u32>(c, 8) + <u32>len, 8);
  return 1;
}

/** Moves every node of `src` to the end of `dst`; `src` is left empty. */
export function chainAppendChain(dst: usize, src: usize): void {
  const h = head(src);
  if (h == 0) return;
  const t = tail(dst);
  if (t == 0) store<u32>(dst, <u32>h);
  else store<u32>(t, <u32>h, 12);
  store<u32>(dst, load<u32>(src, 4), 4);
  store<u32>(dst, load<u32>(dst, 8) + load<u32>(src, 8), 8);
  store<u64>(src, 0);
  store<u32>(src, 0, 8);
}

/** Drops the first `n` readable bytes (n <= length), releasing the nodes they emptied. */
export function chainSkip(c: usize, n: usize): void {
  store<u32>(c, load<u32>(c, 8) - <u32>n, 8);
  let node = head(c);
  while (node != 0) {
    const start = nodeStart(node);
    const avail = nodeEnd(node) - start;
    if (n < avail || (n == avail && node == tail(c))) {
      store<u32>(node, <u32>(start + n), 4);
      return;
    }
    n -= avail;
    const next = nodeNext(node);
    freeNode(node);
    store<u32>(c, <u32>next);
    if (next == 0) store<u32>(c, 0, 4);
    node = next;
  }
}

/**
 * Moves the first `n` readable bytes (n <= length) into a new chain that shares their
 * blocks; the source advances past them. Returns the new chain, or 0 if out of memory
 * (the source is then unchanged).
 */
export function chainSlice(c: usize, n: usize): usize {
  const out = chainNew(load<u32>(c, 12));
  if (out == 0) return 0;
  let node = head(c);
  let left = n;
  while (left > 0) {
    const start = nodeStart(node);
    let take = nodeEnd(node) - start;
    if (take > left) take = left;
    const copy = newNode(nodeBlock(node), start, start + take, 0);
    if (copy == 0) {
      chainRelease(out);
      return 0;
    }
    blockRetain(nodeBlock(node));
    pushNode(out, copy);
    left -= take;
    node = nodeNext(node);
  }
  store<u32>(out, <u32>n, 8);
  chainSkip(c, n);
  return out;
}

/**
 * Returns the address of the first `n` readable bytes (n <= length) laid out
 * contiguously. When they span nodes they are gathered into a new block at the head;
 * nothing is consumed. Returns 0 if out of memory.
 */
export function chainContiguous(c: usize, n: usize): usize {
  const first = head(c);
  if (nodeEnd(first) - nodeStart(first) >= n) return nodeStart(first);
  const block = blockAlloc(n);
  if (block == 0) return 0;
  const node = newNode(block, block, block + n, OWNER);
  if (node == 0) {
    blockRelease(block);
    return 0;
  }
  let at = block;
  let left = n;
  let cur = first;
  while (left > 0) {
    const start = nodeStart(cur);
    let take = nodeEnd(cur) - start;
    if (take > left) take = left;
    memory.copy(at, start, take);
    at += take;
    left -= take;
    cur = nodeNext(cur);
  }
  // The gathered bytes replace the nodes they came from; counts are unchanged.
  const length = load<u32>(c, 8);
  chainSkip(c, n);
  store<u32>(node, load<u32>(c), 12);
  store<u32>(c, <u32>node);
  if (load<u32>(c, 4) == 0) store<u32>(c, <u32>node, 4);
  store<u32>(c, length, 8);
  return block;
}

/** Reads a big-endian u32 at `offset` from the read position (offset + 4 <= length). */
export function chainPeekU32(c: usize, offset: usize): u32 {
  let node = head(c);
  let value: u32 = 0;
  let need = 4;
  while (need > 0) {
    const start = nodeStart(node);
    const avail = nodeEnd(node) - start;
    if (offset >= avail) {
      offset -= avail;
    } else {
      while (need > 0 && offset < avail) {
        value = (value << 8) | load<u8>(start + offset);
        offset++;
        need--;
      }
      offset = 0;
    }
    node = nodeNext(node);
  }
  return value;
}

/** Releases every node of a chain and the chain itself. */
export function chainRelease(c: usize): void {
  let node = head(c);
  while (node != 0) {
    const next = nodeNext(node);
    freeNode(node);
    node = next;
  }
  blockRelease(c);
}

/** First node of a chain, for the host to walk (layout in this file's header); 0 if empty. */
export function chainHead(c: usize): usize {
  return head(c);
}
