/**
 * The base of every reader: a window [pos, end) on the memory `u8`/`dv` view.
 *
 * That memory is either engine memory (`attach`: a frame in a buffer chain, say) or the
 * caller's own bytes (`load`), read where they are: copying them into the engine first
 * costs more than a small message's whole decode. The engine's exports (skip, validate,
 * string tables, packed columns) need the input in its memory, so a loaded input is
 * copied in once, on the first such call (`engineOffset`), and positions stay the caller's.
 * Every read checks the window first and throws a KitewireError with the offset from the
 * message start; lengths and counts are checked against what is left and against the
 * configured limits before anything is allocated.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { Engine } from "../wasm/engine.js";
import { getEngine } from "../wasm/load.js";
import { u32BE } from "./fixed-width.js";
import { copyBytes, emptyBytes, plainCopy, plainView } from "./slab.js";
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
  /**
   * Copy binary/bytes values out of loaded input (default false: they are views of the
   * bytes given to `load`, as protobufjs, protobuf-es and npm thrift return them, so they
   * change if those bytes are overwritten). Input read from engine memory is always copied.
   */
  copyBinary?: boolean;
}

/** What a reader reads before its first message. */
const EMPTY_INPUT = new Uint8Array(0);

/** Names up to this many bytes are remembered by `readName`. */
const MAX_NAME_CACHED = 64;

/** Whether loaded input is engine memory: not yet asked, yes, no. */
const UNKNOWN = 0;
const YES = 1;
const NO = 2;

/** Loaded input that became unreadable during the read. */
function detached(): KitewireError {
  return new KitewireError(
    ErrorCode.INVALID_STATE,
    "the loaded input was detached while being read (engine memory it viewed grew); load a copy, or attach engine memory",
  );
}

const DEFAULTS = { maxDepth: 64, maxLength: 64 << 20, maxCount: 16 << 20, strictUtf8: true, keepUnknown: false, copyBinary: false };

export class ByteReader {
  readonly engine: Engine;
  /** Index in `u8` of the next byte to read. */
  pos = 0;
  /** Index in `u8` one past the last readable byte. */
  end = 0;
  /** Index in `u8` of the message start: offsets in errors count from here. */
  protected base = 0;
  /**
   * The memory read: engine memory after `attach` (taken afresh by `sync`, since growth
   * replaces it), the bytes given to `load` after that. Generated decoders read one-byte
   * tags and values from it at `pos` (before `end`); nothing outside the readers writes it.
   */
  u8: Uint8Array = EMPTY_INPUT;
  /** Whether `u8` is engine memory given by `attach` rather than the bytes given to `load`. */
  private attached = false;
  /**
   * Whether the bytes loaded (`u8`) are a view of engine memory: UNKNOWN until a
   * read needs to know (an engine call, a binary value), since asking costs more than a
   * small message's whole decode (bench/README.md, "Decode as a server sees it").
   */
  private lastInEngine = UNKNOWN;
  /** Byte offset (the engine address, when they are engine memory) and length of the last bytes loaded, once classified. */
  private lastAddress = 0;
  private lastLength = 0;
  /** The ArrayBuffer of the last bytes loaded, once classified, when they start past its first byte (else null). */
  private lastBuffer: ArrayBufferLike | null = null;
  /** Engine address of the loaded input's copy minus its index, once `hasShift` (a copy is made, or input is attached). */
  private shift = 0;
  private hasShift = false;
  private readonly copyBinary: boolean;
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
    this.copyBinary = options.copyBinary ?? DEFAULTS.copyBinary;
    this.depthLeft = this.maxDepth;
  }

  /**
   * Starts reading `bytes` where they are. They must not change until the read is done;
   * binary values read from them are plain Uint8Array views of them unless `copyBinary` is
   * set or they are in engine memory (then values are copies). The reader holds on to them
   * until it loads others or is disposed.
   */
  load(bytes: Uint8Array): this {
    // Any Uint8Array (a Buffer too) is read as it is: no view, no `.buffer`, no `byteOffset`.
    if (bytes !== this.u8 || this.attached) this.lastInEngine = UNKNOWN;
    this.u8 = bytes;
    this.attached = false;
    this.hasShift = false;
    this.restart(0, bytes.length);
    return this;
  }

  /**
   * Whether the loaded input is a view of engine memory (a writer's `view()`, say). Such
   * input is read in place, but its binary values are copied (engine memory is reused) and
   * its view is taken afresh when memory grows (`sync`).
   */
  private inEngine(): boolean {
    if (this.lastInEngine === UNKNOWN) this.classify(this.u8);
    return this.lastInEngine === YES;
  }

  private classify(input: Uint8Array): void {
    if (input.length < this.end) throw detached();
    // No engine allocation sits at address 0, and an array at offset 0 is left alone:
    // asking a small on-heap array for its `.buffer` makes V8 allocate one.
    const offset = input.byteOffset;
    const buffer = offset !== 0 ? input.buffer : null;
    const yes = buffer === this.engine.buffer;
    this.lastInEngine = yes ? YES : NO;
    this.lastAddress = offset;
    this.lastLength = input.length;
    // Kept for binary values' views: a Buffer's accessors cost ~10-20 ns each (section 5b).
    this.lastBuffer = buffer;
  }

  /** Starts reading `length` bytes already in engine memory at `address`. */
  attach(address: number, length: number): this {
    this.attached = true;
    this.shift = 0;
    this.hasShift = true;
    this.sync();
    this.restart(address, length);
    return this;
  }

  /** Sets the window to `length` bytes at `at` for a new message. */
  protected restart(at: number, length: number): void {
    this.base = this.pos = at;
    this.end = at + length;
    this.depthLeft = this.maxDepth;
  }

  /** Takes the engine's views afresh when reading engine memory (after calls that may grow it). */
  sync(): void {
    if (this.attached) this.u8 = this.engine.u8;
    else if (this.u8.length < this.end) this.reattach();
  }

  /** Loaded engine memory whose view growth detached: a new view of the same bytes. */
  private reattach(): void {
    if (this.lastInEngine !== YES) throw detached();
    this.u8 = new Uint8Array(this.engine.buffer, this.lastAddress, this.lastLength);
  }

  /**
   * What to add to a position to address the input in engine memory, for the engine's
   * exports: 0 for attached input; for loaded input, its copy's offset (made on first use,
   * once per message: one native copy of the whole message costs about what copying one
   * short string does).
   */
  engineOffset(): number {
    if (!this.hasShift) {
      if (this.inEngine()) {
        this.shift = this.lastAddress;
      } else {
        // The whole input, not just to `end`: a nested message narrows `end` while it is read.
        const n = this.u8.length;
        if (this.ownSize < n || this.own === 0) {
          if (this.own !== 0) this.engine.release(this.own);
          this.own = 0;
          this.ownSize = Math.max(n, 256);
          this.own = this.engine.alloc(this.ownSize);
        }
        this.engine.u8.set(this.u8, this.own);
        this.shift = this.own;
      }
      this.hasShift = true;
    }
    return this.shift;
  }

  /** Whether the engine's exports can read the input without a copy first (attached, or copied already). */
  protected get engineReady(): boolean {
    return this.hasShift;
  }

  /**
   * A read position the engine returned for input addressed at `shift` (see engineOffset),
   * as this reader's position; a negative result is the engine's error, thrown with its
   * offset from the message start.
   */
  protected positionFrom(result: number, shift: number, context: string): number {
    if (result < 0) throw this.engine.error(result, this.base + shift, context);
    return result - shift;
  }

  /** Returns the reader's engine copy of loaded input to the engine and forgets the input. */
  dispose(): void {
    if (this.own !== 0) this.engine.release(this.own);
    this.own = this.ownSize = 0;
    this.hasShift = false;
    this.attached = false;
    this.u8 = EMPTY_INPUT;
    this.lastInEngine = UNKNOWN;
    this.lastBuffer = null;
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
    // The test alone here, the error in a method of its own: hot methods stay small enough
    // for V8 to inline them into generated code (bench/README.md, section 5).
    if (len < 0 || len > this.end - this.pos || len > this.maxLength) throw this.badLength(len, at);
  }

  protected badLength(len: number, at: number): KitewireError {
    if (len < 0) return new KitewireError(ErrorCode.NEGATIVE_LENGTH, `negative length ${len}`, { offset: at - this.base });
    return new KitewireError(
      ErrorCode.LENGTH_LIMIT,
      `length ${len} exceeds ${len > this.maxLength ? `the maximum ${this.maxLength}` : `the ${this.end - this.pos} bytes left`}`,
      { offset: at - this.base },
    );
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
    // Memory may have grown since the read began (a handler's own calls, say): a struct or
    // message boundary is where engine views are taken afresh, at no per-value cost.
    this.sync();
    if (--this.depthLeft < 0) throw this.tooDeep();
  }

  private tooDeep(): KitewireError {
    this.depthLeft++;
    return new KitewireError(ErrorCode.DEPTH_LIMIT, `nesting exceeds the maximum depth ${this.maxDepth}`, {
      offset: this.pos - this.base,
    });
  }

  /** Leaves a nesting level entered with `enter()`. */
  leave(): void {
    this.depthLeft++;
  }

  /** Reads `len` bytes of UTF-8 text (len already checked). */
  protected text(len: number): string {
    const p = this.pos;
    this.pos = p + len;
    // decodeUtf8 calls `sync` if its engine call may have grown memory.
    return decodeUtf8(this.engine, this.u8, p, p + len, this.strictUtf8, this.base, this);
  }

  /**
   * The next `len` bytes (len already checked): a view of loaded input, else a copy (small
   * ones share a slab, see slab.ts).
   */
  protected takeBytes(len: number): Uint8Array {
    const p = this.pos;
    this.pos = p + len;
    if (!this.attached && !this.copyBinary && !this.inEngine()) {
      if (len === 0) return emptyBytes();
      // The view `plainView` would make, from what `classify` read already.
      const buffer = this.lastBuffer;
      return buffer !== null ? new Uint8Array(buffer, this.lastAddress + p, len) : plainView(this.u8, p, p + len);
    }
    return copyBytes(this.u8, p, len);
  }

  /** Reads a big-endian u32 (framing headers). */
  readU32BE(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw this.truncated(4);
    this.pos = p + 4;
    return u32BE(this.u8, p);
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
    const u8 = this.u8;
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
      this.lastName = plainCopy(u8, p, p + len);
      this.lastNameText = text;
    }
    return text;
  }

  /** Reads an unsigned varint of at most 5 bytes as a 32-bit value (for lengths and counts). */
  readVarint32(): number {
    const p = this.pos;
    if (p < this.end) {
      const b = this.u8[p]!;
      if (b < 0x80) {
        this.pos = p + 1;
        return b;
      }
    }
    return this.longVarint32();
  }

  /** `readVarint32` past one byte, kept apart so that the one-byte case inlines. */
  private longVarint32(): number {
    const u8 = this.u8;
    let p = this.pos;
    const end = this.end;
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
    const p = this.pos;
    if (p < this.end) {
      const b = this.u8[p]!;
      if (b < 0x80) {
        // One byte: small counts, enums, bools.
        this.pos = p + 1;
        this.hi = 0;
        return b;
      }
    }
    return this.longVarint64();
  }

  /** `readVarint64` past one byte, kept apart so that the one-byte case inlines. */
  private longVarint64(): number {
    const u8 = this.u8;
    let p = this.pos;
    const end = this.end;
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
