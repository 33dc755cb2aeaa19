/**
 * A buffer chain in engine memory (Netpoll's LinkBuffer): bytes appended at the tail,
 * frames sliced off the head into chains that share the blocks, consumed bytes released,
 * all without copying. The network layer reads socket chunks into one and hands decoders
 * frames in place.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { ByteWriter } from "../codec/byte-writer.js";
import type { Engine } from "../wasm/engine.js";
import { getEngine } from "../wasm/load.js";

/** Node layout (assembly/memory/chain.ts): +0 block, +4 start, +8 end, +12 next. */
const NODE_START = 4;
const NODE_END = 8;
const NODE_NEXT = 12;

export class BufferChain {
  readonly engine: Engine;
  private handle: number;

  /**
   * Creates an empty chain; new blocks hold `blockSize` bytes (default 8 KiB). Pass
   * `handle` only to wrap a chain the engine made (as `slice` does).
   */
  constructor(engine: Engine = getEngine(), blockSize = 0, handle = 0) {
    this.engine = engine;
    if (handle === 0) {
      handle = engine.exports.chainNew(blockSize);
      engine.refresh();
      if (handle === 0) throw engine.outOfMemory(32);
    }
    this.handle = handle;
  }

  private live(): number {
    if (this.handle === 0) throw new KitewireError(ErrorCode.INVALID_STATE, "buffer chain used after release()");
    return this.handle;
  }

  private checkSpan(n: number): void {
    if (!(Number.isInteger(n) && n >= 0 && n <= this.length)) {
      throw new KitewireError(ErrorCode.INVALID_STATE, `${n} bytes asked of a chain holding ${this.length}`);
    }
  }

  /** Readable bytes. */
  get length(): number {
    return this.engine.exports.chainLength(this.live());
  }

  /** Appends a copy of `bytes` (the one copy from JS into engine memory). */
  append(bytes: Uint8Array): void {
    const c = this.live();
    const e = this.engine;
    if (bytes.length === 0) return;
    const at = e.exports.chainReserve(c, bytes.length);
    e.refresh();
    if (at === 0) throw e.outOfMemory(bytes.length);
    e.u8.set(bytes, at);
    e.exports.chainCommit(c, bytes.length);
  }

  /**
   * Returns the address of `n` writable contiguous bytes at the tail; write them through
   * `engine.u8` and then call `commit(n)`. Nothing else may touch the chain in between.
   */
  reserve(n: number): number {
    const at = this.engine.exports.chainReserve(this.live(), n);
    this.engine.refresh();
    if (at === 0) throw this.engine.outOfMemory(n);
    return at;
  }

  /** Makes `n` bytes written after `reserve` readable. */
  commit(n: number): void {
    this.engine.exports.chainCommit(this.live(), n);
  }

  /** Moves all of `other`'s bytes to the end of this chain without copying; `other` is left empty. */
  appendChain(other: BufferChain): void {
    this.engine.exports.chainAppendChain(this.live(), other.live());
  }

  /**
   * Takes over an engine block holding `length` bytes at its start (a finished writer's
   * arena) and appends it without copying.
   */
  appendBlock(block: number, length: number): void {
    const ok = this.engine.exports.chainAppendBlock(this.live(), block, length);
    this.engine.refresh();
    if (ok === 0) throw this.engine.outOfMemory(32);
  }

  /** Appends what `writer` wrote by taking over its arena (no copy); the writer starts a new one. */
  appendWriter(writer: ByteWriter): void {
    const { block, length } = writer.detach();
    try {
      this.appendBlock(block, length);
    } catch (error) {
      this.engine.release(block);
      throw error;
    }
  }

  /** Drops the first `n` bytes. */
  skip(n: number): void {
    this.checkSpan(n);
    this.engine.exports.chainSkip(this.live(), n);
  }

  /** Moves the first `n` bytes into a new chain sharing their blocks (no copy). */
  slice(n: number): BufferChain {
    this.checkSpan(n);
    const e = this.engine;
    const handle = e.exports.chainSlice(this.live(), n);
    e.refresh();
    if (handle === 0) throw e.outOfMemory(n);
    return new BufferChain(e, 0, handle);
  }

  /**
   * The address of the first `n` bytes laid out contiguously (gathered into one block if
   * they span several). Nothing is consumed.
   */
  contiguous(n: number): number {
    this.checkSpan(n);
    if (n === 0) return 0;
    const e = this.engine;
    const at = e.exports.chainContiguous(this.live(), n);
    e.refresh();
    if (at === 0) throw e.outOfMemory(n);
    return at;
  }

  /** Big-endian u32 at `offset` from the read position, across node boundaries. */
  peekU32(offset: number): number {
    this.checkSpan(offset + 4);
    return this.engine.exports.chainPeekU32(this.live(), offset) >>> 0;
  }

  /** Views of each node's readable bytes, in order (valid until the chain changes). */
  chunks(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const { u8, dv } = this.engine;
    for (let node = this.engine.exports.chainHead(this.live()); node !== 0; node = dv.getUint32(node + NODE_NEXT, true)) {
      const start = dv.getUint32(node + NODE_START, true);
      const end = dv.getUint32(node + NODE_END, true);
      if (end > start) out.push(u8.subarray(start, end));
    }
    return out;
  }

  /** A copy of all readable bytes. */
  toBytes(): Uint8Array {
    const out = new Uint8Array(this.length);
    let at = 0;
    for (const chunk of this.chunks()) {
      out.set(chunk, at);
      at += chunk.length;
    }
    return out;
  }

  /** Returns every block to the engine; the chain is unusable afterwards. */
  release(): void {
    if (this.handle === 0) return;
    this.engine.exports.chainRelease(this.handle);
    this.handle = 0;
  }
}
