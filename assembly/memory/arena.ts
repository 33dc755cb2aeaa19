/**
 * The per-message arena: one block the host writes a message into, front to back.
 *
 * The host keeps the write position itself (it writes fixed-width fields through a
 * DataView, which is faster than a call per field) and only calls in here when the block
 * is full. Resetting is the host setting its position back to the block's start.
 */
import { blockAlloc, blockCapacity, blockRelease } from "./blocks";

/**
 * Moves an arena to a block of at least `need` bytes (and at least twice its old size),
 * keeping its first `used` bytes. Returns the new block, or 0 if memory is exhausted,
 * in which case the old block is still valid.
 */
export function arenaGrow(block: usize, used: usize, need: usize): usize {
  let size = blockCapacity(block) << 1;
  if (size < need) size = need;
  const next = blockAlloc(size);
  if (next == 0) return 0;
  memory.copy(next, block, used);
  blockRelease(block);
  return next;
}
