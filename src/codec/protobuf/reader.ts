/**
 * Protobuf reader (over engine memory or loaded bytes, see ByteReader).
 *
 * A message is read as `while (r.pos < r.end) { const tag = r.tag(); ... }`; a nested
 * message with `const saved = r.begin(); ...; r.finish(saved)`, which narrows `end` to
 * the nested length and restores it. Packed columns are decoded by one engine call.
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import { PackedKind } from "../../wasm/abi.js";
import { ByteReader } from "../byte-reader.js";
import { joinInt64, joinUint64 } from "../int64.js";
import { f32LE, f64LE, i32LE, u32LE } from "../fixed-width.js";
import { newList } from "../list.js";
import { copyArray, copyBytes, type TypedArrayOf } from "../slab.js";
import { MAX_FIELD_NUMBER, WireType } from "./wire-type.js";

/**
 * Packed 32-bit columns up to this many bytes are decoded in JS unless the message is in
 * engine memory already: the engine's column decoder is faster per byte, but its fixed
 * costs (the message's copy into engine memory, the call) are those of ~100 bytes in JS.
 */
const JS_PACKED = 128;

export class ProtobufReader extends ByteReader {
  /** Reads a tag and checks its field number and wire type. */
  tag(): number {
    const at = this.pos;
    // Fields 1-15 have one-byte tags, fields 16-2047 two-byte ones: valid when the field
    // is not 0 and the wire type is VARINT, I64, LEN, SGROUP or I32 (bits 0, 1, 2, 3, 5 of
    // 0x2f). Two-byte tags are read here too: once a process has read one through
    // `longTag`, V8 inlines that path into every generated decode, which then runs slower
    // whatever it reads (small messages 15-20 %: bench/README.md, 5b, seventh round).
    if (at + 1 < this.end) {
      const b = this.u8[at]!;
      if (b < 0x80) {
        if (b >= 8 && ((0x2f >> (b & 7)) & 1) !== 0) {
          this.pos = at + 1;
          return b;
        }
      } else {
        const c = this.u8[at + 1]!;
        const t = (b & 0x7f) | (c << 7);
        if (c < 0x80 && t >= 8 && ((0x2f >> (t & 7)) & 1) !== 0) {
          this.pos = at + 2;
          return t;
        }
      }
    }
    // A tag in the last byte has no value after it: `longTag` reads it, the value's read fails.
    return this.longTag(at);
  }

  /** `tag` past the one- and two-byte cases (and every error), kept apart so that those inline. */
  private longTag(at: number): number {
    const tag = this.readVarint32();
    const field = tag >>> 3;
    const wt = tag & 7;
    if (wt > WireType.I32) {
      throw new KitewireError(ErrorCode.UNKNOWN_TYPE, `unknown wire type ${wt} (field ${field})`, { offset: at - this.base });
    }
    if (field === 0 || field > MAX_FIELD_NUMBER || wt === WireType.EGROUP) {
      throw new KitewireError(ErrorCode.INVALID_TAG, `invalid tag ${tag} (field ${field}, wire type ${wt})`, {
        offset: at - this.base,
      });
    }
    return tag;
  }

  // Each read below calls as few helpers as it can (`float`, `double` and `string` check
  // bounds and lengths themselves): V8 inlines a call only while the bytecode it has
  // inlined into one compiled function stays within a budget (920 bytes), and a read that
  // calls three helpers spends more of it; when the budget runs out they stay calls.
  // Measured: a 5-field message decoded in 60-61 ns when every read was inlined and 73-75
  // ns when, in a process that had compiled in another order, the budget ran out
  // (bench/README.md, 5b, eighth round).

  uint32(): number {
    return this.readVarint64();
  }

  int32(): number {
    return this.readVarint64() | 0;
  }

  sint32(): number {
    const z = this.readVarint64();
    return (z >>> 1) ^ -(z & 1);
  }

  uint64(): bigint {
    const lo = this.readVarint64();
    return joinUint64(lo, this.hi);
  }

  int64(): bigint {
    const lo = this.readVarint64();
    return joinInt64(lo, this.hi);
  }

  sint64(): bigint {
    const zlo = this.readVarint64();
    const zhi = this.hi;
    const sign = -(zlo & 1);
    return joinInt64(((zlo >>> 1) | (zhi << 31)) ^ sign, (zhi >>> 1) ^ sign);
  }

  bool(): boolean {
    const lo = this.readVarint64();
    return lo !== 0 || this.hi !== 0;
  }

  private fixed(n: number): number {
    const p = this.pos;
    if (p + n > this.end) throw this.truncated(n);
    this.pos = p + n;
    return p;
  }

  fixed32(): number {
    return u32LE(this.u8, this.fixed(4));
  }

  sfixed32(): number {
    return i32LE(this.u8, this.fixed(4));
  }

  float(): number {
    const p = this.pos;
    if (p + 4 > this.end) throw this.truncated(4);
    this.pos = p + 4;
    return f32LE(this.u8, p);
  }

  double(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw this.truncated(8);
    this.pos = p + 8;
    return f64LE(this.u8, p);
  }

  fixed64(): bigint {
    const p = this.fixed(8);
    const u8 = this.u8;
    return joinUint64(u32LE(u8, p), u32LE(u8, p + 4));
  }

  sfixed64(): bigint {
    const p = this.fixed(8);
    const u8 = this.u8;
    return joinInt64(u32LE(u8, p), i32LE(u8, p + 4));
  }

  private length(): number {
    const at = this.pos;
    const len = this.readVarint32();
    this.checkLength(len, at);
    return len;
  }

  string(): string {
    const at = this.pos;
    const len = this.readVarint32();
    if (len > this.end - this.pos || len > this.maxLength) throw this.badLength(len, at);
    return this.text(len);
  }

  bytes(): Uint8Array {
    return this.takeBytes(this.length());
  }

  /**
   * Enters a length-delimited nested message: narrows `end` to it and returns the outer
   * end, to be passed to `finish`. Counts one nesting level.
   */
  begin(): number {
    const len = this.length();
    this.enter();
    const outer = this.end;
    this.end = this.pos + len;
    return outer;
  }

  /** Leaves a nested message entered with `begin()`; throws if it was not read to its end. */
  finish(outer: number): void {
    if (this.pos !== this.end) {
      throw new KitewireError(ErrorCode.LENGTH_LIMIT, "nested message read past or short of its length", {
        offset: this.pos - this.base,
      });
    }
    this.end = outer;
    this.leave();
  }

  /** A copy of the bytes from position `start` (a field's tag, say) up to the read position. */
  raw(start: number): Uint8Array {
    return copyBytes(this.u8, start, this.pos - start);
  }

  /** Skips the value of a field whose tag was just read (groups up to their end tag). */
  skip(tag: number): void {
    const shift = this.engineOffset();
    const result = this.engine.exports.protobufSkip(this.pos + shift, this.end + shift, tag, this.depthLeft);
    this.pos = this.positionFrom(result, shift, "skip");
  }

  /** Checks the wire structure of the rest of the input without decoding it. */
  validate(): void {
    const shift = this.engineOffset();
    this.positionFrom(this.engine.exports.protobufValidate(this.pos + shift, this.end + shift, this.maxDepth), shift, "message");
  }

  /** Reads a packed `repeated int32` body (length and values). */
  packedInt32(): Int32Array {
    return this.packedColumn(PackedKind.INT32, Int32Array);
  }

  /** Reads a packed `repeated uint32` body. */
  packedUint32(): Uint32Array {
    return this.packedColumn(PackedKind.UINT32, Uint32Array);
  }

  /** Reads a packed `repeated sint32` body. */
  packedSint32(): Int32Array {
    return this.packedColumn(PackedKind.SINT32, Int32Array);
  }

  /**
   * Reads a packed `repeated int32` (or enum) body and returns `list` with its values
   * appended: `list` itself, or a new array when `list` is empty.
   */
  appendPackedInt32<T extends number = number>(list: T[]): T[] {
    // Enum lists too: numeric enum values are numbers, and open enums keep unknown ones.
    return this.appendPacked32(PackedKind.INT32, list as number[], true) as T[];
  }

  /** Like `appendPackedInt32`, for `repeated uint32`. */
  appendPackedUint32(list: number[]): number[] {
    return this.appendPacked32(PackedKind.UINT32, list, false);
  }

  /** Like `appendPackedInt32`, for `repeated sint32`. */
  appendPackedSint32(list: number[]): number[] {
    return this.appendPacked32(PackedKind.SINT32, list, true);
  }

  /** Reads a packed `repeated int64` body. */
  packedInt64(): BigInt64Array {
    return this.packedColumn(PackedKind.INT64, BigInt64Array);
  }

  /** Reads a packed `repeated uint64` body. */
  packedUint64(): BigUint64Array {
    return this.packedColumn(PackedKind.INT64, BigUint64Array);
  }

  /** Reads a packed `repeated sint64` body. */
  packedSint64(): BigInt64Array {
    return this.packedColumn(PackedKind.SINT64, BigInt64Array);
  }

  /** Reads a packed `repeated bool` body. */
  packedBool(): boolean[] {
    const scratch = this.decodeColumn(PackedKind.BOOL, 1);
    const n = this.columnCount;
    const u8 = this.engine.u8;
    const out = new Array<boolean>(n);
    for (let i = 0; i < n; i++) out[i] = u8[scratch + i] === 1;
    return out;
  }

  /** Reads a packed `repeated double` body. */
  packedDouble(): Float64Array {
    return this.packedFixed(Float64Array);
  }

  /** Reads a packed `repeated float` body. */
  packedFloat(): Float32Array {
    return this.packedFixed(Float32Array);
  }

  /** Reads a packed `repeated fixed32` body. */
  packedFixed32(): Uint32Array {
    return this.packedFixed(Uint32Array);
  }

  /** Reads a packed `repeated sfixed32` body. */
  packedSfixed32(): Int32Array {
    return this.packedFixed(Int32Array);
  }

  /** Reads a packed `repeated fixed64` body. */
  packedFixed64(): BigUint64Array {
    return this.packedFixed(BigUint64Array);
  }

  /** Reads a packed `repeated sfixed64` body. */
  packedSfixed64(): BigInt64Array {
    return this.packedFixed(BigInt64Array);
  }

  private packedFixed<T extends ArrayBufferView>(Out: TypedArrayOf<T>): T {
    const at = this.pos;
    const len = this.length();
    const width = Out.BYTES_PER_ELEMENT;
    if (len % width !== 0) {
      throw new KitewireError(ErrorCode.LENGTH_LIMIT, `packed length ${len} is not a multiple of ${width}`, {
        offset: at - this.base,
      });
    }
    const p = this.pos;
    this.pos = p + len;
    return copyArray(this.u8, p, len / width, Out);
  }

  /** A varint column decoded by the engine, copied out as `Out` (its element size is the scratch width). */
  private packedColumn<T extends Int32Array | Uint32Array | BigInt64Array | BigUint64Array>(kind: PackedKind, Out: TypedArrayOf<T>): T {
    const scratch = this.decodeColumn(kind, Out.BYTES_PER_ELEMENT);
    return copyArray(this.engine.u8, scratch, this.columnCount, Out);
  }

  // Straight from engine memory into the list: a typed array made first costs more than
  // decoding a short column. An empty list is replaced by one made for the count; either
  // way the values are stored in order from the list's end (see newList). Short columns
  // are decoded here, which spares the engine's copy of the message.
  private appendPacked32(kind: PackedKind, list: number[], signed: boolean): number[] {
    const len = this.length();
    if (len <= JS_PACKED && !this.engineReady) {
      const out = this.appendShortPacked32(len, kind === PackedKind.SINT32, signed, list);
      if (out !== null) return out;
    }
    const at = this.decodeColumnOf(len, kind, 4) >>> 2;
    const n = this.columnCount;
    const u32 = this.engine.u32;
    const base = list.length;
    const out = base === 0 ? newList<number>(n) : list;
    if (signed) for (let i = 0; i < n; i++) out[base + i] = u32[at + i]! | 0;
    else for (let i = 0; i < n; i++) out[base + i] = u32[at + i]!;
    return out;
  }

  /**
   * `appendPacked32` for the body of `len` bytes at the read position, in JS; null (nothing
   * read) when a varint is cut short or longer than ten bytes, for the engine to report.
   */
  private appendShortPacked32(len: number, zigzag: boolean, signed: boolean, list: number[]): number[] | null {
    const u8 = this.u8;
    let p = this.pos;
    const stop = p + len;
    if (len !== 0 && u8[stop - 1]! >= 0x80) return null; // the last varint is cut short
    const base = list.length;
    const out = base === 0 ? [] : list;
    // Unrolled as protobufjs does: faster here than a loop over the bytes, and than
    // counting the values first to pre-size the list.
    while (p < stop) {
      let b = u8[p++]!;
      let v = b & 0x7f;
      if (b >= 0x80) {
        b = u8[p++]!;
        v |= (b & 0x7f) << 7;
        if (b >= 0x80) {
          b = u8[p++]!;
          v |= (b & 0x7f) << 14;
          if (b >= 0x80) {
            b = u8[p++]!;
            v |= (b & 0x7f) << 21;
            if (b >= 0x80) {
              b = u8[p++]!;
              v |= b << 28;
              // 32-bit kinds keep the low 32 bits of up to ten bytes, as the engine and protoc do.
              for (let k = 0; b >= 0x80; k++) {
                if (k === 5) {
                  out.length = base;
                  return null;
                }
                b = u8[p++]!;
              }
            }
          }
        }
      }
      out.push(zigzag ? (v >>> 1) ^ -(v & 1) : signed ? v | 0 : v >>> 0);
    }
    this.pos = stop;
    return out;
  }

  /** Values the last `decodeColumn` wrote. */
  private columnCount = 0;

  /**
   * Reads a packed body's length and has the engine decode it into scratch memory,
   * `width` bytes per value; returns the scratch address and sets `columnCount`.
   */
  private decodeColumn(kind: PackedKind, width: number): number {
    return this.decodeColumnOf(this.length(), kind, width);
  }

  /** `decodeColumn` of a body whose length `len` was read. */
  private decodeColumnOf(len: number, kind: PackedKind, width: number): number {
    const shift = this.engineOffset();
    const e = this.engine;
    const scratch = e.scratch(len * width); // may grow memory: views are read after it
    const n = e.exports.protobufReadPacked(kind, this.pos + shift, this.pos + len + shift, scratch);
    this.sync();
    if (n < 0) throw e.error(n, this.base + shift, "packed column");
    this.pos += len;
    this.columnCount = n;
    return scratch;
  }
}
