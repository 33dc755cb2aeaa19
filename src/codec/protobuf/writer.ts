/**
 * Protobuf writer straight into engine memory.
 *
 * Scalars are written by JS; packed repeated columns are one engine call each, except
 * short 32-bit ones, which a JS loop writes faster than the call costs. Nested messages
 * use `openField(tag)`/`closeField(mark)` (or `fork()`/`join()`, which keep the marks on
 * a stack): the open keeps one byte for the length, the close writes it, moving the body
 * when the length needs more than one byte (a memmove, cheaper than computing sizes in a
 * separate pass).
 *
 * Generated encode bodies write each field with one `<type>Field(tag, value)` call (tag
 * and value together) rather than a tag call and a value call: V8 inlines calls into a
 * function only up to a budget (~920 bytecodes in all), which a message of a dozen fields
 * exhausts, so past it every call is a real one and half as many calls is measurably
 * faster (bench/README.md, section 5b).
 */
import { ErrorCode, KitewireError, outOfRange } from "../../errors.js";
import { PackedKind } from "../../wasm/abi.js";
import { ByteWriter, putVarint32, putVarint64, varintSize } from "../byte-writer.js";
import { encodeAscii, SHORT_ENCODE } from "../utf8.js";
import { copyInt32s, copyInt64s, parts, splitInt64, splitUint64 } from "../int64.js";
import { canonicalizeNaNs, canonicalNaN } from "../nan.js";
import { MAX_FIELD_NUMBER, type WireType } from "./wire-type.js";

/** Up to this many values a packed 32-bit varint column is written by JS (bench/README.md, 5b). */
const JS_PACKED = 32;

export class ProtobufWriter extends ByteWriter {
  /** Offsets (from the arena start) of the length bytes of open forks: the first `openForks`. */
  private readonly forks: number[] = [];
  private openForks = 0;

  override reset(): this {
    // A counter, not `forks.length = 0`: setting an array's length costs ~25 ns, as much
    // as encoding a small message.
    this.openForks = 0;
    return super.reset();
  }

  /** Writes a field tag. */
  tag(field: number, wireType: WireType): this {
    if (!(field >= 1 && field <= MAX_FIELD_NUMBER && (field | 0) === field)) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `field number out of range: ${field}`);
    }
    this.writeVarint32(((field << 3) | wireType) >>> 0);
    return this;
  }

  uint32(v: number): this {
    if (!(v >= 0 && v <= 0xffffffff && v === Math.floor(v))) throw outOfRange("uint32", v);
    this.writeVarint32(v);
    return this;
  }

  int32(v: number): this {
    if ((v | 0) !== v) throw outOfRange("int32", v);
    // Negative int32 is sign-extended to 64 bits: ten bytes on the wire.
    if (v < 0) this.writeVarint64(v, -1);
    else this.writeVarint32(v);
    return this;
  }

  sint32(v: number): this {
    if ((v | 0) !== v) throw outOfRange("sint32", v);
    this.writeVarint32((v << 1) ^ (v >> 31));
    return this;
  }

  int64(v: bigint): this {
    splitInt64(v);
    this.writeVarint64(parts.lo, parts.hi);
    return this;
  }

  uint64(v: bigint): this {
    splitUint64(v);
    this.writeVarint64(parts.lo, parts.hi);
    return this;
  }

  sint64(v: bigint): this {
    splitInt64(v);
    const { lo, hi } = parts;
    const sign = hi >> 31;
    this.writeVarint64((lo << 1) ^ sign, ((hi << 1) | (lo >>> 31)) ^ sign);
    return this;
  }

  bool(v: boolean): this {
    this.writeU8(v ? 1 : 0);
    return this;
  }

  fixed32(v: number): this {
    if (!(v >= 0 && v <= 0xffffffff && v === Math.floor(v))) throw outOfRange("fixed32", v);
    this.ensure(4);
    this.engine.dv.setUint32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  sfixed32(v: number): this {
    if ((v | 0) !== v) throw outOfRange("sfixed32", v);
    this.ensure(4);
    this.engine.dv.setInt32(this.pos, v, true);
    this.pos += 4;
    return this;
  }

  float(v: number): this {
    this.ensure(4);
    this.engine.dv.setFloat32(this.pos, canonicalNaN(v), true);
    this.pos += 4;
    return this;
  }

  double(v: number): this {
    this.ensure(8);
    this.engine.dv.setFloat64(this.pos, canonicalNaN(v), true);
    this.pos += 8;
    return this;
  }

  fixed64(v: bigint): this {
    splitUint64(v);
    return this.fixed64Parts(parts.lo, parts.hi);
  }

  sfixed64(v: bigint): this {
    splitInt64(v);
    return this.fixed64Parts(parts.lo, parts.hi);
  }

  private fixed64Parts(lo: number, hi: number): this {
    this.ensure(8);
    const dv = this.engine.dv;
    dv.setInt32(this.pos, lo, true);
    dv.setInt32(this.pos + 4, hi, true);
    this.pos += 8;
    return this;
  }

  string(v: string): this {
    this.writeVarintString(v);
    return this;
  }

  bytes(v: Uint8Array): this {
    this.writeVarint32(v.length);
    this.writeRaw(v);
    return this;
  }

  /** Starts a length-delimited value (a nested message); close it with `join()`. */
  fork(): this {
    this.forks[this.openForks++] = this.openLength();
    return this;
  }

  /** Ends the value `fork()` started, writing its length before it. */
  join(): this {
    if (this.openForks === 0) throw new KitewireError(ErrorCode.INVALID_STATE, "join() without fork()");
    this.closeField(this.forks[--this.openForks]!);
    return this;
  }

  /**
   * Starts a length-delimited field (a nested message, a map entry): writes `tag` and keeps
   * a byte for the length. Returns the mark to give `closeField` once the value is
   * written; fields opened inside it must be closed first.
   */
  openField(tag: number): number {
    this.head(tag, 1);
    return this.openLength();
  }

  /** Ends the field `openField` (or `fork`) started at `mark`, writing its length before it. */
  closeField(mark: number): void {
    const start = this.block + mark;
    const len = this.pos - start - 1;
    if (len < 0x80) this.engine.u8[start] = len;
    else this.moveForLength(mark, len);
  }

  /** Keeps one byte for a length; returns its offset from the arena start (growth moves the arena, not offsets). */
  private openLength(): number {
    this.ensure(1);
    return this.pos++ - this.block;
  }

  /** A length of two bytes or more: the body moves up to make room for it. */
  private moveForLength(mark: number, len: number): void {
    const size = varintSize(len);
    this.ensure(size - 1);
    const s = this.block + mark;
    this.engine.u8.copyWithin(s + size, s + 1, this.pos);
    putVarint32(this.engine.u8, s, len);
    this.pos = s + size + len;
  }

  /** Writes a field's tag (`tag` = field number << 3 | wire type), with room for `room` bytes after it. */
  private head(tag: number, room: number): void {
    this.ensure(5 + room);
    if (tag < 0x80) this.engine.u8[this.pos++] = tag;
    else this.pos = putVarint32(this.engine.u8, this.pos, tag);
  }

  // Field writers: `tag` (field number << 3 | wire type, as generated code computes it; not
  // checked, unlike `tag()`) and the value, checked as the value writers above check it.

  int32Field(tag: number, v: number): this {
    if ((v | 0) !== v) throw outOfRange("int32", v);
    this.head(tag, 10);
    this.pos = v >= 0 ? putVarint32(this.engine.u8, this.pos, v) : putVarint64(this.engine.u8, this.pos, v, -1);
    return this;
  }

  uint32Field(tag: number, v: number): this {
    if (!(v >= 0 && v <= 0xffffffff && v === Math.floor(v))) throw outOfRange("uint32", v);
    this.head(tag, 5);
    this.pos = putVarint32(this.engine.u8, this.pos, v);
    return this;
  }

  sint32Field(tag: number, v: number): this {
    if ((v | 0) !== v) throw outOfRange("sint32", v);
    this.head(tag, 5);
    this.pos = putVarint32(this.engine.u8, this.pos, (v << 1) ^ (v >> 31));
    return this;
  }

  int64Field(tag: number, v: bigint): this {
    splitInt64(v);
    this.head(tag, 10);
    this.pos = putVarint64(this.engine.u8, this.pos, parts.lo, parts.hi);
    return this;
  }

  uint64Field(tag: number, v: bigint): this {
    splitUint64(v);
    this.head(tag, 10);
    this.pos = putVarint64(this.engine.u8, this.pos, parts.lo, parts.hi);
    return this;
  }

  sint64Field(tag: number, v: bigint): this {
    this.head(tag, 0);
    return this.sint64(v);
  }

  boolField(tag: number, v: boolean): this {
    this.head(tag, 1);
    this.engine.u8[this.pos++] = v ? 1 : 0;
    return this;
  }

  fixed32Field(tag: number, v: number): this {
    this.head(tag, 0);
    return this.fixed32(v);
  }

  sfixed32Field(tag: number, v: number): this {
    this.head(tag, 0);
    return this.sfixed32(v);
  }

  fixed64Field(tag: number, v: bigint): this {
    this.head(tag, 0);
    return this.fixed64(v);
  }

  sfixed64Field(tag: number, v: bigint): this {
    this.head(tag, 0);
    return this.sfixed64(v);
  }

  floatField(tag: number, v: number): this {
    this.head(tag, 4);
    this.engine.dv.setFloat32(this.pos, canonicalNaN(v), true);
    this.pos += 4;
    return this;
  }

  doubleField(tag: number, v: number): this {
    this.head(tag, 8);
    this.engine.dv.setFloat64(this.pos, canonicalNaN(v), true);
    this.pos += 8;
    return this;
  }

  /** A string field; short ASCII with a one-byte tag is written in one step (tag, length, text). */
  stringField(tag: number, v: string): this {
    const n = v.length;
    if (n <= SHORT_ENCODE && tag < 0x80) {
      this.ensure(2 + n);
      const u8 = this.engine.u8;
      const end = encodeAscii(v, u8, this.pos + 2);
      if (end >= 0) {
        u8[this.pos] = tag;
        u8[this.pos + 1] = n;
        this.pos = end;
        return this;
      }
    }
    this.head(tag, 0);
    this.writeText(v);
    return this;
  }

  bytesField(tag: number, v: Uint8Array): this {
    this.head(tag, 5);
    this.pos = putVarint32(this.engine.u8, this.pos, v.length);
    this.writeRaw(v);
    return this;
  }

  /** Writes a packed `repeated int32` body (length and values; the tag is the caller's). */
  packedInt32(values: ArrayLike<number>): this {
    return this.packed32(PackedKind.INT32, values);
  }

  /** Writes a packed `repeated uint32` body; values must be in [0, 2^32). */
  packedUint32(values: ArrayLike<number>): this {
    return this.packed32(PackedKind.UINT32, values, false);
  }

  /** Writes a packed `repeated sint32` body. */
  packedSint32(values: ArrayLike<number>): this {
    return this.packed32(PackedKind.SINT32, values);
  }

  /** Writes a packed `repeated int64` body. */
  packedInt64(values: BigInt64Array | BigUint64Array | readonly bigint[]): this {
    return this.packed64(PackedKind.INT64, values);
  }

  /** Writes a packed `repeated uint64` body. */
  packedUint64(values: BigInt64Array | BigUint64Array | readonly bigint[]): this {
    return this.packed64(PackedKind.INT64, values, false);
  }

  /** Writes a packed `repeated sint64` body. */
  packedSint64(values: BigInt64Array | BigUint64Array | readonly bigint[]): this {
    return this.packed64(PackedKind.SINT64, values);
  }

  /** Writes a packed `repeated bool` body. */
  packedBool(values: ArrayLike<boolean>): this {
    const n = values.length;
    this.writeVarint32(n);
    this.ensure(n);
    const u8 = this.engine.u8;
    for (let i = 0; i < n; i++) u8[this.pos + i] = values[i] ? 1 : 0;
    this.pos += n;
    return this;
  }

  /** Writes a packed `repeated double` body. */
  packedDouble(values: ArrayLike<number>): this {
    return this.packedFixed(values, 8, Float64Array);
  }

  /** Writes a packed `repeated float` body. */
  packedFloat(values: ArrayLike<number>): this {
    return this.packedFixed(values, 4, Float32Array);
  }

  /** Writes a packed `repeated fixed32` body. */
  packedFixed32(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) {
      if (values[i]! >>> 0 !== values[i]) throw outOfRange(`fixed32 at index ${i}`, values[i]);
    }
    return this.packedFixed(values, 4, Uint32Array);
  }

  /** Writes a packed `repeated sfixed32` body. */
  packedSfixed32(values: ArrayLike<number>): this {
    for (let i = 0; i < values.length; i++) {
      if ((values[i]! | 0) !== values[i]) throw outOfRange(`sfixed32 at index ${i}`, values[i]);
    }
    return this.packedFixed(values, 4, Int32Array);
  }

  /** Writes a packed `repeated fixed64` body. */
  packedFixed64(values: BigInt64Array | BigUint64Array | readonly bigint[]): this {
    return this.packedFixed64s(values, false);
  }

  /** Writes a packed `repeated sfixed64` body. */
  packedSfixed64(values: BigInt64Array | BigUint64Array | readonly bigint[]): this {
    return this.packedFixed64s(values, true);
  }

  private packedFixed64s(values: BigInt64Array | BigUint64Array | readonly bigint[], signed: boolean): this {
    const n = values.length;
    this.writeVarint32(n * 8);
    this.ensure(n * 16 + 8);
    const scratch = (this.pos + n * 8 + 7) & ~7;
    copyInt64s(values, this.engine.buffer, scratch, signed);
    this.engine.u8.copyWithin(this.pos, scratch, scratch + n * 8);
    this.pos += n * 8;
    return this;
  }

  private packedFixed(values: ArrayLike<number>, width: number,
    Array: { new (b: ArrayBuffer, o: number, n: number): Float64Array | Float32Array | Uint32Array | Int32Array }): this {
    const n = values.length;
    this.writeVarint32(n * width);
    this.ensure(n * width * 2 + 8);
    const scratch = (this.pos + n * width + 7) & ~7;
    const column = new Array(this.engine.buffer, scratch, n);
    column.set(values);
    if (column instanceof Float64Array || column instanceof Float32Array) canonicalizeNaNs(column);
    this.engine.u8.copyWithin(this.pos, scratch, scratch + n * width);
    this.pos += n * width;
    return this;
  }

  private packed32(kind: PackedKind, values: ArrayLike<number>, signed = true): this {
    const n = values.length;
    if (n <= JS_PACKED) return this.packedVarints32(kind, values);
    // Worst case: a 5-byte length and ten bytes per value, then the host-order input.
    this.ensure(5 + n * 14 + 8);
    const scratch = (this.pos + 5 + n * 10 + 7) & ~7;
    copyInt32s(values, this.engine.buffer, scratch, signed);
    this.pos = this.engine.exports.protobufWritePacked(kind, scratch, n, this.pos);
    return this;
  }

  /**
   * A short packed int32/uint32/sint32 column written by JS: a length byte kept, the values,
   * then the length written (moving the values up if it needs two bytes).
   */
  private packedVarints32(kind: PackedKind, values: ArrayLike<number>): this {
    const n = values.length;
    const mark = this.openLength();
    this.ensure(n * 10);
    const u8 = this.engine.u8;
    let p = this.pos;
    for (let i = 0; i < n; i++) {
      let v = values[i]!;
      if (kind === PackedKind.UINT32) {
        if (v >>> 0 !== v) throw outOfRange(`u32 at index ${i}`, v);
      } else {
        if ((v | 0) !== v) throw outOfRange(`i32 at index ${i}`, v);
        if (kind === PackedKind.SINT32) v = ((v << 1) ^ (v >> 31)) >>> 0;
        else if (v < 0) {
          // A negative int32 is its 64-bit sign extension: the low 32 bits, then all ones.
          u8[p] = v | 0x80;
          u8[p + 1] = (v >>> 7) | 0x80;
          u8[p + 2] = (v >>> 14) | 0x80;
          u8[p + 3] = (v >>> 21) | 0x80;
          u8[p + 4] = (v >>> 28) | 0xf0;
          u8[p + 5] = u8[p + 6] = u8[p + 7] = u8[p + 8] = 0xff;
          u8[p + 9] = 1;
          p += 10;
          continue;
        }
      }
      while (v > 0x7f) {
        u8[p++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
      u8[p++] = v;
    }
    this.pos = p;
    this.closeField(mark);
    return this;
  }

  private packed64(kind: PackedKind, values: BigInt64Array | BigUint64Array | readonly bigint[], signed = true): this {
    const n = values.length;
    this.ensure(5 + n * 18 + 8);
    const scratch = (this.pos + 5 + n * 10 + 7) & ~7;
    copyInt64s(values, this.engine.buffer, scratch, signed);
    this.pos = this.engine.exports.protobufWritePacked(kind, scratch, n, this.pos);
    return this;
  }
}

