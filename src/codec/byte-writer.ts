/**
 * The base of every writer: an arena block in engine memory written front to back.
 *
 * Writers put fixed-width values straight into linear memory through the engine's
 * DataView and call into the engine only for bulk work (packed columns, list byte order)
 * and to grow. `reset()` rewinds the arena for the next message; nothing is freed per
 * message.
 */
import type { Engine } from "../wasm/engine.js";
import { getEngine } from "../wasm/load.js";
import { copyBytes, ON_HEAP } from "./slab.js";
import { encodeAscii, encodeUtf8, SHORT_ENCODE } from "./utf8.js";

/** Options shared by all writers. */
export interface WriterOptions {
  /** Engine to write into (default: the one `init()` loaded). */
  engine?: Engine;
  /** Initial arena capacity in bytes (default 1024); it doubles as needed. */
  initialCapacity?: number;
}

const DEFAULT_CAPACITY = 1024;

export class ByteWriter {
  /** The engine whose memory holds the arena. */
  readonly engine: Engine;
  /** Address of the arena block. */
  protected block: number;
  /** Address one past the arena block. */
  protected limit: number;
  /** Address of the next byte to write. */
  pos: number;

  constructor(options: WriterOptions = {}) {
    this.engine = options.engine ?? getEngine();
    this.block = this.engine.alloc(options.initialCapacity ?? DEFAULT_CAPACITY);
    this.limit = this.block + this.capacity(this.block);
    this.pos = this.block;
  }

  private capacity(block: number): number {
    return 2 ** this.engine.dv.getUint32(block - 8, true);
  }

  /** Bytes written since the last reset. */
  get length(): number {
    return this.pos - this.block;
  }

  /** Makes room for `n` more bytes; after it `this.engine.u8`/`dv` may be new views. */
  ensure(n: number): void {
    if (this.pos + n > this.limit) this.grow(n);
  }

  private grow(n: number): void {
    const used = this.pos - this.block;
    this.block = this.engine.grow(this.block, used, used + n);
    this.limit = this.block + this.capacity(this.block);
    this.pos = this.block + used;
  }

  /** Starts a new message in the same arena. */
  reset(): this {
    this.pos = this.block;
    return this;
  }

  /** A copy of the bytes written since the last reset (small ones share a slab, see slab.ts). */
  finish(): Uint8Array {
    const n = this.pos - this.block;
    // Engine memory is a plain Uint8Array, whose `slice` is a copy: what copyBytes does for
    // small results, without asking the array's constructor (~5 ns of a small encode's ~130).
    if (n > 0 && n <= ON_HEAP) return this.engine.u8.slice(this.block, this.pos);
    return copyBytes(this.engine.u8, this.block, n);
  }

  /** The bytes written, as a view into engine memory: valid until the next write or reset. */
  view(): Uint8Array {
    return this.engine.u8.subarray(this.block, this.pos);
  }

  /** Address of the first byte written (for handing the bytes to the engine). */
  get start(): number {
    return this.block;
  }

  /**
   * Gives up the arena holding the bytes written (for `BufferChain.appendBlock`, which
   * takes it over without a copy) and starts a fresh one of the same capacity.
   */
  detach(): { block: number; length: number } {
    const taken = { block: this.block, length: this.pos - this.block };
    this.block = this.engine.alloc(this.limit - this.block);
    this.limit = this.block + this.capacity(this.block);
    this.pos = this.block;
    return taken;
  }

  /** Returns the arena to the engine; the writer is unusable afterwards. */
  dispose(): void {
    if (this.block !== 0) this.engine.release(this.block);
    this.block = this.limit = this.pos = 0;
  }

  /** Overwrites 4 bytes at `offset` from the arena start with big-endian `v` (a length written after the fact). */
  patchU32(offset: number, v: number): void {
    this.engine.dv.setUint32(this.block + offset, v);
  }

  /** Writes raw bytes. */
  writeRaw(bytes: Uint8Array): void {
    this.ensure(bytes.length);
    this.engine.u8.set(bytes, this.pos);
    this.pos += bytes.length;
  }

  /** Writes one byte (the low 8 bits of `v`). */
  writeU8(v: number): void {
    if (this.pos + 1 > this.limit) this.grow(1);
    this.engine.u8[this.pos++] = v;
  }

  /** Writes an unsigned 32-bit varint. */
  writeVarint32(v: number): void {
    if (this.pos + 5 > this.limit) this.grow(5);
    this.pos = putVarint32(this.engine.u8, this.pos, v);
  }

  /** Writes a 64-bit varint given as two 32-bit halves. */
  writeVarint64(lo: number, hi: number): void {
    if (this.pos + 10 > this.limit) this.grow(10);
    this.pos = putVarint64(this.engine.u8, this.pos, lo, hi);
  }

  /**
   * Writes `s` as UTF-8 after a varint length prefix. Short ASCII (the common case) is
   * written by one loop with its one-byte prefix; other text goes to `writeText`.
   */
  writeVarintString(s: string): void {
    const n = s.length;
    if (n <= SHORT_ENCODE) {
      this.ensure(1 + n);
      const u8 = this.engine.u8;
      const end = encodeAscii(s, u8, this.pos + 1);
      if (end >= 0) {
        u8[this.pos] = n;
        this.pos = end;
        return;
      }
    }
    this.writeText(s);
  }

  /**
   * `writeVarintString` for any text. Up to 42 UTF-16 units the prefix is one byte; above,
   * room for the longest prefix is kept and the text moved back if the real one is shorter
   * (a memmove, cheaper than measuring the string first).
   */
  protected writeText(s: string): void {
    const maxBytes = s.length * 3;
    const prefix = maxBytes < 0x80 ? 1 : varintSize(maxBytes);
    this.ensure(prefix + maxBytes);
    const u8 = this.engine.u8;
    const start = this.pos;
    const n = encodeUtf8(s, u8, start + prefix);
    const size = prefix === 1 ? 1 : varintSize(n);
    if (size < prefix) u8.copyWithin(start + size, start + prefix, start + prefix + n);
    // The room for the prefix is already there: write it without another capacity check.
    putVarint32(u8, start, n);
    this.pos = start + size + n;
  }

}

/** Writes the unsigned 32-bit varint `v` at `p` (room checked by the caller); returns the end. */
export function putVarint32(u8: Uint8Array, p: number, v: number): number {
  v >>>= 0;
  while (v > 0x7f) {
    u8[p++] = (v & 0x7f) | 0x80;
    v >>>= 7;
  }
  u8[p++] = v;
  return p;
}

/** Writes the 64-bit varint of halves `lo`, `hi` at `p` (room checked by the caller); returns the end. */
export function putVarint64(u8: Uint8Array, p: number, lo: number, hi: number): number {
  lo >>>= 0;
  hi >>>= 0;
  while (hi !== 0 || lo > 0x7f) {
    u8[p++] = (lo & 0x7f) | 0x80;
    lo = ((lo >>> 7) | (hi << 25)) >>> 0;
    hi >>>= 7;
  }
  u8[p++] = lo;
  return p;
}

/** Bytes an unsigned 32-bit varint of `v` takes. */
export function varintSize(v: number): number {
  v >>>= 0;
  return v < 0x80 ? 1 : v < 0x4000 ? 2 : v < 0x200000 ? 3 : v < 0x10000000 ? 4 : 5;
}
