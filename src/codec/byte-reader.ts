/**
 * The base of every reader: a window [pos, end) on engine memory.
 *
 * Input that starts outside the engine is copied in once (`load`); input already in
 * engine memory, such as a frame in a buffer chain, is read in place (`attach`). Every
 * read checks the window first and throws a KitewireError with the offset from the
 * message start; lengths and counts are checked against what is left and against the
 * configured limits before anything is allocated.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { Engine } from "../wasm/engine.js";
import { getEngine } from "../wasm/load.js";
import { copyBytes } from "./slab.js";
import { decodeUtf8 } from "./utf8.js";

/** Options shared by all readers. */
export interface ReaderOptions {
  /** Engine whose memory holds the input (default: the one `init()` loaded). */
  engine?: Engine;
  /** Deepest nesting of structs, messages and containers (default 64). */
  maxDepth?: number;
  /** Longest string or binary value in bytes (default 64 MiB). */
  maxLength?: number;
  /** Largest container element count (default 16 Mi). */
  maxCount?: number;
  /** Throw on malformed UTF-8 in strings (default true); false replaces it with U+FFFD. */
  strictUtf8?: boolean;
  /** Keep fields the schema does not know (as `$unknown`) so re-encoding loses nothing (default false). */
  keepUnknown?: boolean;
}

/** Names up to this many bytes are remembered by `readName`. */
const MAX_NAME_CACHED = 64;

const DEFAULTS = { maxDepth: 64, maxLength: 64 << 20, maxCount: 16 << 20, strictUtf8: true, keepUnknown: false };

export class ByteReader {
  readonly engine: Engine;
  /** Address of the next byte to read. */
  pos = 0;
  /** Address one past the last readable byte. */
  end = 0;
  /** Address of the message start: offsets in errors count from here. */
  protected base = 0;
  protected readonly maxDepth: number;
  protected readonly maxLength: number;
  protected readonly maxCount: number;
  protected readonly strictUtf8: boolean;
  /** Whether generated code should keep unknown fields rather than skip them. */
  readonly keepUnknown: boolean;
  /** Nesting levels still allowed. */
  protected depthLeft: number;
  /** Block this reader owns for loaded input, and its capacity. */
  private own = 0;
  private ownSize = 0;
  /** The last name `readName` decoded, as bytes and text. */
  private lastName = new Uint8Array(0);
  private lastNameText = "";

  constructor(options: ReaderOptions = {}) {
    this.engine = options.engine ?? getEngine();
    this.maxDepth = options.maxDepth ?? DEFAULTS.maxDepth;
    this.maxLength = options.maxLength ?? DEFAULTS.maxLength;
    this.maxCount = options.maxCount ?? DEFAULTS.maxCount;
    this.strictUtf8 = options.strictUtf8 ?? DEFAULTS.strictUtf8;
    this.keepUnknown = options.keepUnknown ?? DEFAULTS.keepUnknown;
    this.depthLeft = this.maxDepth;
  }

  /** Copies `bytes` into engine memory and starts reading them. */
  load(bytes: Uint8Array): this {
    const n = bytes.length;
    if (this.ownSize < n || this.own === 0) {
      if (this.own !== 0) this.engine.release(this.own);
      this.own = 0;
      this.ownSize = Math.max(n, 256);
      this.own = this.engine.alloc(this.ownSize);
    }
    // One native copy: a JS byte loop is slower even for a few bytes (V8 11, bench/README.md).
    this.engine.u8.set(bytes, this.own);
    return this.attach(this.own, n);
  }

  /** Starts reading `length` bytes already in engine memory at `address`. */
  attach(address: number, length: number): this {
    this.base = this.pos = address;
    this.end = address + length;
    this.depthLeft = this.maxDepth;
    return this;
  }

  /** Returns the reader's own input block to the engine. */
  dispose(): void {
    if (this.own !== 0) this.engine.release(this.own);
    this.own = this.ownSize = 0;
  }

  /** Offset of the read position from the message start. */
  get offset(): number {
    return this.pos - this.base;
  }

  /** Bytes left to read. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** The error for a read of `n` bytes that the input does not have. */
  protected truncated(n: number): KitewireError {
    return new KitewireError(
      ErrorCode.TRUNCATED,
      `input ends before the value it announces: need ${n} bytes, ${this.end - this.pos} left`,
      { offset: this.pos - this.base },
    );
  }

  /** Checks a length prefix read at `at` against what is left and the configured maximum. */
  protected checkLength(len: number, at: number): void {
    if (len < 0) {
      throw new KitewireError(ErrorCode.NEGATIVE_LENGTH, `negative length ${len}`, { offset: at - this.base });
    }
    if (len > this.end - this.pos || len > this.maxLength) {
      throw new KitewireError(
        ErrorCode.LENGTH_LIMIT,
        `length ${len} exceeds ${len > this.maxLength ? `the maximum ${this.maxLength}` : `the ${this.end - this.pos} bytes left`}`,
        { offset: at - this.base },
      );
    }
  }

  /**
   * Checks a container count read at `at`: at most the configured maximum, and at most the
   * bytes left divided by the smallest size an element can have.
   */
  protected checkCount(count: number, minElementSize: number, at: number): void {
    if (count < 0) {
      throw new KitewireError(ErrorCode.NEGATIVE_LENGTH, `negative count ${count}`, { offset: at - this.base });
    }
    if (count > this.maxCount || count * minElementSize > this.end - this.pos) {
      throw new KitewireError(
        ErrorCode.LENGTH_LIMIT,
        `count ${count} exceeds ${count > this.maxCount ? `the maximum ${this.maxCount}` : "what the remaining input can hold"}`,
        { offset: at - this.base },
      );
    }
  }

  /** Enters one nesting level (a struct, message or container); throws DEPTH_LIMIT past the maximum. */
  enter(): void {
    if (--this.depthLeft < 0) {
      this.depthLeft++;
      throw new KitewireError(ErrorCode.DEPTH_LIMIT, `nesting exceeds the maximum depth ${this.maxDepth}`, {
        offset: this.pos - this.base,
      });
    }
  }

  /** Leaves a nesting level entered with `enter()`. */
  leave(): void {
    this.depthLeft++;
  }

  /** Reads `len` bytes of UTF-8 text (len already checked). */
  protected text(len: number): string {
    const p = this.pos;
    this.pos = p + len;
    return decodeUtf8(this.engine, p, p + len, this.strictUtf8, this.base);
  }

  /** Copies out `len` bytes (len already checked); small results share a slab (see slab.ts). */
  protected takeBytes(len: number): Uint8Array {
    const p = this.pos;
    this.pos = p + len;
    return copyBytes(this.engine.u8, p, len);
  }

  /** Reads a big-endian u32 (framing headers). */
  readU32BE(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw this.truncated(4);
    this.pos = p + 4;
    return this.engine.dv.getUint32(p);
  }

  /** Reads `len` bytes of UTF-8 after checking the length against what is left and the limits. */
  readText(len: number): string {
    this.checkLength(len, this.pos);
    return this.text(len);
  }

  /**
   * Like `readText`, for text that recurs message after message (method names): when the
   * bytes equal the last name's, that string is returned again instead of a new one. A bad
   * `len` is reported at offset `lengthAt` (default: here).
   */
  readName(len: number, lengthAt = this.pos): string {
    this.checkLength(len, lengthAt);
    const u8 = this.engine.u8;
    const p = this.pos;
    const last = this.lastName;
    if (last.length === len) {
      let k = 0;
      while (k < len && u8[p + k] === last[k]) k++;
      if (k === len) {
        this.pos = p + len;
        return this.lastNameText;
      }
    }
    const text = this.text(len);
    if (len <= MAX_NAME_CACHED) {
      this.lastName = u8.slice(p, p + len);
      this.lastNameText = text;
    }
    return text;
  }

  /** Reads an unsigned varint of at most 5 bytes as a 32-bit value (for lengths and counts). */
  readVarint32(): number {
    const u8 = this.engine.u8;
    let p = this.pos;
    const end = this.end;
    if (p < end) {
      const b = u8[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return b;
      }
    }
    let result = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (p >= end) throw this.truncatedVarint();
      const b = u8[p++]!;
      result |= (b & 0x7f) << shift;
      if (b < 0x80) {
        this.pos = p;
        return result >>> 0;
      }
    }
    throw new KitewireError(ErrorCode.MALFORMED_VARINT, "varint is longer than 5 bytes", {
      offset: this.pos - this.base,
    });
  }

  /**
   * Reads a varint of at most 10 bytes; returns its low 32 bits and leaves the high 32 bits
   * in `hi`.
   */
  readVarint64(): number {
    const u8 = this.engine.u8;
    let p = this.pos;
    const end = this.end;
    if (p < end && u8[p]! < 0x80) {
      // One byte: small counts, enums, bools.
      this.pos = p + 1;
      this.hi = 0;
      return u8[p]!;
    }
    let lo = 0;
    let hi = 0;
    let b = 0;
    for (let i = 0; i < 4; i++) {
      if (p >= end) throw this.truncatedVarint();
      b = u8[p++]!;
      lo |= (b & 0x7f) << (i * 7);
      if (b < 0x80) {
        this.pos = p;
        this.hi = 0;
        return lo >>> 0;
      }
    }
    if (p >= end) throw this.truncatedVarint();
    b = u8[p++]!;
    lo |= (b & 0x7f) << 28;
    hi = (b & 0x7f) >> 4;
    if (b >= 0x80) {
      for (let i = 0; i < 5; i++) {
        if (p >= end) throw this.truncatedVarint();
        b = u8[p++]!;
        hi |= (b & 0x7f) << (i * 7 + 3);
        if (b < 0x80) break;
        if (i === 4) {
          throw new KitewireError(ErrorCode.MALFORMED_VARINT, "varint is longer than 10 bytes", {
            offset: this.pos - this.base,
          });
        }
      }
    }
    this.pos = p;
    this.hi = hi >>> 0;
    return lo >>> 0;
  }

  /** High 32 bits of the last `readVarint64` (or other two-part 64-bit read). */
  hi = 0;

  private truncatedVarint(): KitewireError {
    return new KitewireError(ErrorCode.TRUNCATED, "input ends inside a varint", { offset: this.pos - this.base });
  }
}
