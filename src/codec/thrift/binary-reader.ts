/** Thrift Binary protocol reader (over engine memory or loaded bytes, see ByteReader). */
import { ErrorCode, KitewireError } from "../../errors.js";
import { ThriftReaderBase } from "./reader-base.js";
import type { ReaderOptions } from "../byte-reader.js";
import { joinInt64 } from "../int64.js";
import { f64BE, i16BE, i32BE, i8, u32BE } from "../fixed-width.js";
import type { ThriftReader } from "./protocol.js";
import { copyArray, type TypedArrayOf } from "../slab.js";
import { TType, type MessageHeader, type MessageType } from "./types.js";

/** Options of Thrift readers. */
export interface ThriftReaderOptions extends ReaderOptions {
  /** Accept old unversioned Binary message headers (default false, as Kitex). */
  allowUnversioned?: boolean;
}

/** Smallest wire size of a value of each Binary type (0: not a valid element type). */
const MIN_SIZE: readonly number[] = [0, 0, 1, 1, 8, 0, 2, 0, 4, 0, 8, 4, 1, 6, 5, 5, 16];
/** Wire size of each fixed-width Binary type (bool, byte, double, i16, i32, i64, uuid; 0: not fixed). */
const FIXED_SIZE: readonly number[] = [0, 0, 1, 1, 8, 0, 2, 0, 4, 0, 8, 0, 0, 0, 0, 0, 16];

export class ThriftBinaryReader extends ThriftReaderBase implements ThriftReader {
  readonly protocol = "binary";
  private readonly allowUnversioned: boolean;

  constructor(options: ThriftReaderOptions = {}) {
    super(options);
    this.allowUnversioned = options.allowUnversioned ?? false;
  }

  readMessageBegin(): MessageHeader {
    const at = this.pos;
    const word = this.readI32();
    if (word < 0) {
      if ((word & 0xffff0000) !== (0x80010000 | 0)) throw this.badVersion(at, word);
      const lengthAt = this.pos;
      const name = this.readName(this.readI32(), lengthAt);
      return { name, type: (word & 0xff) as MessageType, seqid: this.readI32() };
    }
    if (!this.allowUnversioned) throw this.badVersion(at, word);
    const name = this.readName(word, at);
    const type = this.readByte() as MessageType;
    return { name, type, seqid: this.readI32() };
  }

  private badVersion(at: number, word: number): KitewireError {
    return new KitewireError(
      ErrorCode.BAD_VERSION,
      `not a Thrift Binary message header: 0x${(word >>> 0).toString(16).padStart(8, "0")}`,
      { offset: at - this.base },
    );
  }

  readStructBegin(): void {
    this.enter();
  }

  readStructEnd(): void {
    this.leave();
  }

  readFieldBegin(): TType {
    const p = this.pos;
    if (p >= this.end) throw this.truncated(1);
    const u8 = this.u8;
    const type = u8[p]! as TType;
    if (type === TType.STOP) {
      this.pos = p + 1;
      return type;
    }
    if (p + 3 > this.end) throw this.truncated(3);
    this.fieldId = i16BE(u8, p + 1);
    this.pos = p + 3;
    return type;
  }

  readMapBegin(): number {
    if (this.pos + 6 > this.end) throw this.truncated(6);
    const at = this.pos;
    const u8 = this.u8;
    this.keyType = u8[at]! as TType;
    this.valueType = u8[at + 1]! as TType;
    const size = i32BE(u8, at + 2);
    this.pos = at + 6;
    if (size > 0) this.checkCount(size, this.elementSize(this.keyType, at) + this.elementSize(this.valueType, at + 1), at + 2);
    else this.checkCount(size, 0, at + 2);
    this.enter();
    return size;
  }

  readListBegin(): number {
    if (this.pos + 5 > this.end) throw this.truncated(5);
    const at = this.pos;
    const u8 = this.u8;
    this.elementType = u8[at]! as TType;
    const size = i32BE(u8, at + 1);
    this.pos = at + 5;
    this.checkCount(size, size > 0 ? this.elementSize(this.elementType, at) : 0, at + 1);
    this.enter();
    return size;
  }

  private elementSize(type: number, at: number): number {
    const size = MIN_SIZE[type] ?? 0;
    if (size === 0) {
      throw new KitewireError(ErrorCode.UNKNOWN_TYPE, `unknown element type ${type}`, { offset: at - this.base });
    }
    return size;
  }

  readBool(): boolean {
    if (this.pos >= this.end) throw this.truncated(1);
    return this.u8[this.pos++] !== 0;
  }

  readByte(): number {
    if (this.pos >= this.end) throw this.truncated(1);
    return i8(this.u8, this.pos++);
  }

  readI16(): number {
    const p = this.pos;
    if (p + 2 > this.end) throw this.truncated(2);
    this.pos = p + 2;
    return i16BE(this.u8, p);
  }

  readI32(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw this.truncated(4);
    this.pos = p + 4;
    return i32BE(this.u8, p);
  }

  readI64(): bigint {
    const p = this.pos;
    if (p + 8 > this.end) throw this.truncated(8);
    this.pos = p + 8;
    const u8 = this.u8;
    return joinInt64(u32BE(u8, p + 4), i32BE(u8, p));
  }

  /** Reads an i64 as halves: returns the low 32 bits (unsigned) and leaves the high in `hi`. */
  readI64Parts(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw this.truncated(8);
    this.pos = p + 8;
    const u8 = this.u8;
    this.hi = i32BE(u8, p);
    return u32BE(u8, p + 4);
  }

  readDouble(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw this.truncated(8);
    this.pos = p + 8;
    return f64BE(this.u8, p);
  }

  protected readLength(): number {
    // readI32's body, not a call to it: one level less for V8's inlining budget.
    const p = this.pos;
    if (p + 4 > this.end) throw this.truncated(4);
    this.pos = p + 4;
    const len = i32BE(this.u8, p);
    this.checkLength(len, p);
    return len;
  }

  readI32List(): Int32Array {
    return this.fixedList(TType.I32, 4, Int32Array);
  }

  readI64List(): BigInt64Array {
    return this.fixedList(TType.I64, 8, BigInt64Array);
  }

  readDoubleList(): Float64Array {
    return this.fixedList(TType.DOUBLE, 8, Float64Array);
  }

  private fixedList<T extends Int32Array | BigInt64Array | Float64Array>(
    type: TType, width: number, Out: TypedArrayOf<T>,
  ): T {
    const n = this.listOf(type);
    const shift = this.engineOffset();
    const e = this.engine;
    const scratch = e.scratch(n * width);
    e.exports.byteSwapCopy(this.pos + shift, n, scratch, width);
    this.sync();
    this.pos += n * width;
    return copyArray(e.u8, scratch, n, Out);
  }

  skip(type: TType): void {
    // A fixed-width value is stepped over here: most unknown fields are scalars, and the
    // engine's walk would first copy the whole input into engine memory and cost a call.
    const width = FIXED_SIZE[type] ?? 0;
    if (width !== 0) {
      if (this.pos + width > this.end) throw this.truncated(width);
      this.pos += width;
      return;
    }
    const shift = this.engineOffset();
    const result = this.engine.exports.thriftBinarySkip(this.pos + shift, this.end + shift, type, this.depthLeft);
    this.pos = this.positionFrom(result, shift, "skip");
  }

  /**
   * Validates a whole message (header and body) from the read position without decoding
   * it, and returns its length in bytes.
   */
  validateMessage(): number {
    const shift = this.engineOffset();
    const result = this.engine.exports.thriftBinarySkipMessage(this.pos + shift, this.end + shift, this.maxDepth, this.allowUnversioned ? 1 : 0);
    return this.positionFrom(result, shift, "message") - this.pos;
  }
}
