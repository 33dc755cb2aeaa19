/**
 * The bytes a connection received and has not yet handed to the engine: a partial frame,
 * or whole frames left unserved while the connection is paused.
 *
 * They are held in a JS buffer of their own, not in engine memory: WebAssembly memory
 * never shrinks, so a burst of large partial frames kept there would keep the process's
 * RSS at its peak for good. The engine sees a frame only once it is whole, for the moment
 * it is decoded; the engine blocks that held it go back to its free lists and are reused
 * by the next frame.
 *
 * A large partial frame lives in a resizable ArrayBuffer: it grows in place as bytes
 * arrive (no copies, no garbage), and is shrunk to nothing the moment it is let go, which
 * returns its pages to the system at once rather than whenever the garbage collector next
 * runs (an idle server may not run it for a long time). A small one lives in an ordinary
 * buffer. Every growth is first asked of the server's PartialFrameBudget, which is
 * charged the buffer's size.
 */
import type { PartialFrameBudget, PartialFrameHolder } from "./budgets.js";

/** Up to this size, an ordinary buffer (below 4 KiB Node serves it from a shared pool). */
const SMALL_BYTES = 64 * 1024;
const MIN_BYTES = 1024;

interface Resizable extends ArrayBuffer {
  readonly maxByteLength: number;
  resize(byteLength: number): void;
}

const ResizableArrayBuffer = ArrayBuffer as unknown as new (length: number, options: { maxByteLength: number }) => Resizable;

export class Inbound implements PartialFrameHolder {
  /** Bytes charged to the budget: the size of the buffer. */
  held = 0;
  private bytes: Uint8Array | undefined;
  /** The resizable buffer under `bytes`, for a large frame. */
  private large: Resizable | undefined;
  private used = 0;

  /**
   * @param maxFrameSize the most a frame can hold (the room reserved for a frame of unknown size).
   * @param onEvicted called when the budget takes this connection's bytes back to make room
   *   for another's: the connection must close.
   */
  constructor(private readonly budget: PartialFrameBudget, private readonly maxFrameSize: number, private readonly onEvicted: () => void) {}

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
   * Appends a copy of `chunk`. `frameSize` is the size the frame being held announced, 0 if
   * unknown (the buffer may then grow up to maxFrameSize plus a read). Returns false,
   * keeping nothing more, when the budget refuses to grow because this is the largest holder.
   */
  keep(chunk: Uint8Array, frameSize = 0): boolean {
    if (chunk.length === 0) return true;
    const need = this.used + chunk.length;
    if (need > (this.bytes?.length ?? 0)) {
      if (need <= SMALL_BYTES && this.large === undefined) {
        const size = Math.max(MIN_BYTES, 2 * (this.bytes?.length ?? 0), need);
        if (!this.budget.grow(this, size - this.held)) return false;
        const grown = Buffer.allocUnsafe(size);
        if (this.used > 0) grown.set(this.bytes!.subarray(0, this.used));
        this.bytes = grown;
      } else {
        if (!this.budget.grow(this, need - this.held)) return false;
        if (this.large !== undefined && need <= this.large.maxByteLength) {
          this.large.resize(need);
        } else {
          // Room for the frame and a read past it (the start of the next frame).
          const room = Math.max(need, (frameSize >= this.used ? frameSize : this.maxFrameSize) + SMALL_BYTES);
          const large = new ResizableArrayBuffer(need, { maxByteLength: room });
          if (this.used > 0) new Uint8Array(large).set(this.bytes!.subarray(0, this.used));
          this.large?.resize(0);
          this.large = large;
        }
        this.bytes = new Uint8Array(this.large);
      }
    }
    this.bytes!.set(chunk, this.used);
    this.used = need;
    return true;
  }

  /**
   * Hands every byte held to `use` and lets go of them (the budget gets them back; a large
   * buffer is shrunk to nothing once `use` returns). `use` may keep bytes again.
   */
  take<T>(use: (bytes: Uint8Array) => T): T {
    const large = this.large;
    const bytes = this.bytes?.subarray(0, this.used) ?? new Uint8Array(0);
    this.drop();
    this.budget.release(this);
    try {
      return use(bytes);
    } finally {
      large?.resize(0);
    }
  }

  /** Drops what is held. */
  clear(): void {
    this.large?.resize(0);
    this.drop();
    this.budget.release(this);
  }

  evict(): void {
    this.large?.resize(0);
    this.drop();
    this.onEvicted();
  }

  private drop(): void {
    this.bytes = undefined;
    this.large = undefined;
    this.used = 0;
  }
}
