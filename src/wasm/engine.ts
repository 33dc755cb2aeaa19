/**
 * One instantiated engine: its exports, and views over its linear memory.
 *
 * Views go stale when memory grows (the old ArrayBuffer is detached: typed arrays then
 * drop writes silently). The rule that keeps them right: every export that can grow
 * memory is called through a method here that refreshes the views afterwards, and
 * readers and writers take `u8`/`dv` from the engine after any such call, never caching
 * them across one.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { ENGINE_ERRORS, type EngineExports } from "./abi.js";

const ENGINE_MESSAGES: Record<string, string> = {
  TRUNCATED: "input ends before the value it announces",
  LENGTH_LIMIT: "length or count exceeds the remaining input",
  DEPTH_LIMIT: "nesting exceeds the maximum depth",
  INVALID_UTF8: "invalid UTF-8",
  UNKNOWN_TYPE: "unknown type id or wire type",
  BAD_VERSION: "bad protocol id or version in message header",
  MALFORMED_VARINT: "varint is too long",
  NEGATIVE_LENGTH: "negative length",
  OUT_OF_MEMORY: "engine memory exhausted",
  INVALID_TAG: "invalid field tag",
};

/** Options of an engine. */
export interface EngineOptions {
  /** Most linear memory the engine may use, in bytes (default 1 GiB, at most 2 GiB - 64 KiB). */
  memoryLimit?: number;
}

/** Hard cap: addresses must stay below 2^31 because failing calls return negative numbers. */
const MAX_MEMORY = 32767 * 65536;
const DEFAULT_MEMORY_LIMIT = 1 << 30;

/** An instantiated kitewire engine. */
export class Engine {
  /** The raw exports; prefer the methods below for anything that allocates. */
  readonly exports: EngineExports;
  /** Whether the SIMD build was loaded. */
  readonly simd: boolean;
  /** Most linear memory the engine may use, in bytes. */
  readonly memoryLimit: number;
  /** Linear memory's ArrayBuffer (current until the next growth; a view's `.buffer` costs a builtin call). */
  buffer!: ArrayBuffer;
  /** Byte view of all of linear memory (current until the next growth). */
  u8!: Uint8Array;
  /** DataView of all of linear memory (current until the next growth). */
  dv!: DataView;
  /** UTF-16 unit view of all of linear memory (index = address / 2). */
  u16!: Uint16Array;
  /** u32 view of all of linear memory (index = address / 4). */
  u32!: Uint32Array;
  private scratchBlock = 0;
  private scratchSize = 0;

  constructor(instance: WebAssembly.Instance, options: EngineOptions = {}) {
    this.exports = instance.exports as unknown as EngineExports;
    this.simd = this.exports.simd() === 1;
    const limit = options.memoryLimit ?? DEFAULT_MEMORY_LIMIT;
    if (!(limit > 0 && limit <= MAX_MEMORY)) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `memoryLimit must be in (0, ${MAX_MEMORY}], got ${limit}`);
    }
    this.exports.setMemoryLimit(limit);
    this.memoryLimit = limit;
    this.refresh();
  }

  /** Re-creates the views if linear memory has grown since they were made. */
  refresh(): void {
    // Growth detaches the old buffer, which empties every view on it: a length check is
    // far cheaper than fetching `memory.buffer` after each call that might have grown it.
    if (this.u8 !== undefined && this.u8.length !== 0) return;
    const buffer = this.exports.memory.buffer;
    this.buffer = buffer;
    this.u8 = new Uint8Array(buffer);
    this.dv = new DataView(buffer);
    this.u16 = new Uint16Array(buffer);
    this.u32 = new Uint32Array(buffer);
  }

  /** Allocates a block of at least `size` bytes; throws OUT_OF_MEMORY when it cannot. */
  alloc(size: number): number {
    const block = this.exports.blockAlloc(size);
    this.refresh();
    if (block === 0) throw this.outOfMemory(size);
    return block;
  }

  /** Returns a block to the engine. */
  release(block: number): void {
    this.exports.blockRelease(block);
  }

  /**
   * Moves an arena block to one of at least `need` bytes, keeping `used` bytes; returns the
   * new block. The old block is released (on failure it is kept and this throws).
   */
  grow(block: number, used: number, need: number): number {
    const next = this.exports.arenaGrow(block, used, need);
    this.refresh();
    if (next === 0) throw this.outOfMemory(need);
    return next;
  }

  /**
   * A temporary 8-aligned area of at least `size` bytes, valid until the next `scratch`
   * call: room for a bulk call's host-order input or output.
   */
  scratch(size: number): number {
    if (size > this.scratchSize) {
      const next = this.alloc(Math.max(size, this.scratchSize * 2, 1024));
      if (this.scratchBlock !== 0) this.release(this.scratchBlock);
      this.scratchBlock = next;
      this.scratchSize = 2 ** this.dv.getUint32(next - 8, true);
    }
    return this.scratchBlock;
  }

  /** Wraps a negative engine result as a KitewireError at an offset relative to `base`. */
  error(result: number, base: number, context: string): KitewireError {
    const code = (ENGINE_ERRORS[-result] ?? ErrorCode.INVALID_STATE) as ErrorCode;
    const offset = this.exports.lastErrorAt() - base;
    return new KitewireError(code, `${context}: ${ENGINE_MESSAGES[code] ?? code}`, { offset });
  }

  /** The error for an allocation that memory could not satisfy. */
  outOfMemory(size: number): KitewireError {
    return new KitewireError(ErrorCode.OUT_OF_MEMORY, `cannot allocate ${size} bytes in engine memory`);
  }
}
