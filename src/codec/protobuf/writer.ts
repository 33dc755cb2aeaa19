/**
 * Protobuf writer straight into engine memory.
 *
 * Scalars are written by JS; packed repeated columns are one engine call each. Nested
 * messages use `fork()`/`join()`: `fork` keeps one byte for the length, `join` writes it,
 * moving the body when the length needs more than one byte (a memmove, cheaper than
 * computing sizes in a separate pass).
 */
import { ErrorCode, KitewireError, outOfRange } from "../../errors.js";
import { PackedKind } from "../../wasm/abi.js";
import { ByteWriter, varintSize } from "../byte-writer.js";
import { copyInt32s, copyInt64s, parts, splitInt64, splitUint64 } from "../int64.js";
import { canonicalizeNaNs, canonicalNaN } from "../nan.js";
import { MAX_FIELD_NUMBER, type WireType } from "./wire-type.js";

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
    this.ensure(1);
    this.forks[this.openForks++] = this.pos - this.block;
    this.pos++;
    return this;
  }

  /** Ends the value `fork()` started, writing its length before it. */
  join(): this {
    if (this.openForks === 0) throw new KitewireError(ErrorCode.INVALID_STATE, "join() without fork()");
    const at = this.forks[--this.openForks]!;
    const start = this.block + at;
    const len = this.pos - start - 1;
    if (len < 0x80) {
      this.engine.u8[start] = len;
      return this;
    }
    const size = varintSize(len);
    this.ensure(size - 1);
    const s = this.block + at;
    this.engine.u8.copyWithin(s + size, s + 1, this.pos);
    this.pos = s;
    this.writeVarint32(len);
    this.pos = s + size + len;
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
    copyInt64s(values, this.engine.u8.buffer as ArrayBuffer, scratch, signed);
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
    const column = new Array(this.engine.u8.buffer as ArrayBuffer, scratch, n);
    column.set(values);
    if (column instanceof Float64Array || column instanceof Float32Array) canonicalizeNaNs(column);
    this.engine.u8.copyWithin(this.pos, scratch, scratch + n * width);
    this.pos += n * width;
    return this;
  }

  private packed32(kind: PackedKind, values: ArrayLike<number>, signed = true): this {
    const n = values.length;
    // Worst case: a 5-byte length and ten bytes per value, then the host-order input.
    this.ensure(5 + n * 14 + 8);
    const scratch = (this.pos + 5 + n * 10 + 7) & ~7;
    copyInt32s(values, this.engine.u8.buffer as ArrayBuffer, scratch, signed);
    this.pos = this.engine.exports.protobufWritePacked(kind, scratch, n, this.pos);
    return this;
  }

  private packed64(kind: PackedKind, values: BigInt64Array | BigUint64Array | readonly bigint[], signed = true): this {
    const n = values.length;
    this.ensure(5 + n * 18 + 8);
    const scratch = (this.pos + 5 + n * 10 + 7) & ~7;
    copyInt64s(values, this.engine.u8.buffer as ArrayBuffer, scratch, signed);
    this.pos = this.engine.exports.protobufWritePacked(kind, scratch, n, this.pos);
    return this;
  }
}

