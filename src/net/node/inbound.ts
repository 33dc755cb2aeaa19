/**
 * The bytes a connection received and has not yet handed to the engine: a partial frame,
 * or whole frames left unserved while the connection is paused.
 *
 * They are held in a JS buffer of their own, not in engine memory: WebAssembly memory
 * never shrinks, so a burst of large partial frames kept there would keep the process's
 * RSS at its peak for good. Here they are returned to the system once the connection
 * lets go of them (a buffer of this size is its own allocation), and the engine sees a
 * frame only when it is whole, for the moment it is decoded; the engine blocks that held
 * it go back to its free lists and are reused by the next frame.
 *
 * The buffer grows geometrically up to the size its frame announced, and every growth is
 * first asked of the server's PartialFrameBudget.
 */
import type { PartialFrameBudget, PartialFrameHolder } from "./budgets.js";

/** Smallest buffer kept (below 4 KiB Node serves it from a shared pool). */
const MIN_BYTES = 1024;

export class Inbound implements PartialFrameHolder {
  /** Bytes charged to the budget: the buffer's capacity. */
  held = 0;
  private bytes: Uint8Array | undefined;
  private used = 0;

  /**
   * @param onEvicted called when the budget takes this connection's bytes back to make room
   *   for another's: the connection must close.
   */
  constructor(private readonly budget: PartialFrameBudget, private readonly onEvicted: () => void) {}

  /** Bytes held. */
  get length(): number {
    return this.used;
  }

  /** The big-endian u32 at the start (callers check `length >= 4`). */
  peekU32(): number {
    const b = this.bytes!;
    return ((b[0]! << 24) | (b[1]! << 16) | (b[2]! << 8) | b[3]!) >>> 0;
  }

  /**
   * Appends a copy of `chunk`. `frameSize` is the size the frame being held announced
   * (0 if unknown): the buffer grows no further than needed for it. Returns false, keeping
   * nothing more, when the budget refuses the growth because this is the largest holder.
   */
  keep(chunk: Uint8Array, frameSize = 0): boolean {
    if (chunk.length === 0) return true;
    const need = this.used + chunk.length;
    if (this.bytes === undefined || need > this.bytes.length) {
      let size = Math.max(MIN_BYTES, 2 * (this.bytes?.length ?? 0));
      if (frameSize > 0) size = Math.min(size, frameSize);
      size = Math.max(size, need);
      if (!this.budget.grow(this, size - this.held)) return false;
      const grown = Buffer.allocUnsafe(size);
      if (this.used > 0) grown.set(this.bytes!.subarray(0, this.used));
      this.bytes = grown;
    }
    this.bytes.set(chunk, this.used);
    this.used = need;
    return true;
  }

  /** Takes every byte held (a view, valid until the next `keep`); the budget gets them back. */
  take(): Uint8Array {
    const out = this.bytes?.subarray(0, this.used) ?? new Uint8Array(0);
    this.clear();
    return out;
  }

  /** Drops what is held. */
  clear(): void {
    this.bytes = undefined;
    this.used = 0;
    this.budget.release(this);
  }

  evict(): void {
    this.bytes = undefined;
    this.used = 0;
    this.onEvicted();
  }
}
