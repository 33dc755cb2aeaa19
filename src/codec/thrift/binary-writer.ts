/**
 * Thrift Binary protocol writer (strict: versioned message headers), straight into engine
 * memory.
 */
import { outOfRange } from "../../errors.js";
import { encodeUtf8 } from "../utf8.js";
import { canonicalizeNaNs, canonicalNaN } from "../nan.js";
import { copyInt32s, copyInt64s, parts, splitInt64 } from "../int64.js";
import { ThriftWriterBase } from "./writer-base.js";
import type { ThriftWriter } from "./protocol.js";
import { TType, type MessageType } from "./types.js";

const VERSION_1 = 0x80010000 | 0;

export class ThriftBinaryWriter extends ThriftWriterBase implements ThriftWriter {
  readonly protocol = "binary";
  writeMessageBegin(name: string, type: MessageType, seqid: number): void {
    this.ensure(4);
    this.engine.dv.setInt32(this.pos, VERSION_1 | type);
    this.pos += 4;
    this.writeString(name);
    this.writeI32(seqid);
  }

  writeStructBegin(): void {}

  writeStructEnd(): void {}

  writeFieldBegin(type: TType, id: number): void {
    if ((id << 16) >> 16 !== id) throw outOfRange("field id", id);
    if (this.pos + 3 > this.limit) this.ensure(3);
    const dv = this.engine.dv;
    dv.setUint8(this.pos, type);
    dv.setInt16(this.pos + 1, id);
    this.pos += 3;
  }

  writeFieldStop(): void {
    this.writeU8(TType.STOP);
  }

  writeMapBegin(keyType: TType, valueType: TType, size: number): void {
    checkSize(size);
    this.ensure(6);
    const dv = this.engine.dv;
    dv.setUint8(this.pos, keyType);
    dv.setUint8(this.pos + 1, valueType);
    dv.setInt32(this.pos + 2, size);
    this.pos += 6;
  }

  writeListBegin(elementType: TType, size: number): void {
    checkSize(size);
    this.ensure(5);
    const dv = this.engine.dv;
    dv.setUint8(this.pos, elementType);
    dv.setInt32(this.pos + 1, size);
    this.pos += 5;
  }

  writeBool(v: boolean): void {
    this.writeU8(v ? 1 : 0);
  }

  writeByte(v: number): void {
    if ((v << 24) >> 24 !== v) throw outOfRange("byte", v);
    this.writeU8(v);
  }

  writeI16(v: number): void {
    if ((v << 16) >> 16 !== v) throw outOfRange("i16", v);
    if (this.pos + 2 > this.limit) this.ensure(2);
    this.engine.dv.setInt16(this.pos, v);
    this.pos += 2;
  }

  writeI32(v: number): void {
    if ((v | 0) !== v) throw outOfRange("i32", v);
    if (this.pos + 4 > this.limit) this.ensure(4);
    this.engine.dv.setInt32(this.pos, v);
    this.pos += 4;
  }

  writeI64(v: bigint): void {
    splitInt64(v);
    this.writeI64Parts(parts.lo, parts.hi);
  }

  /** Writes an i64 given as its low and high 32 bits. */
  writeI64Parts(lo: number, hi: number): void {
    if (this.pos + 8 > this.limit) this.ensure(8);
    const dv = this.engine.dv;
    dv.setInt32(this.pos, hi);
    dv.setInt32(this.pos + 4, lo);
    this.pos += 8;
  }

  writeDouble(v: number): void {
    if (this.pos + 8 > this.limit) this.ensure(8);
    this.engine.dv.setFloat64(this.pos, canonicalNaN(v));
    this.pos += 8;
  }

  writeString(v: string): void {
    this.ensure(4 + v.length * 3);
    const n = encodeUtf8(v, this.engine.u8, this.pos + 4);
    this.engine.dv.setInt32(this.pos, n);
    this.pos += 4 + n;
  }

  writeBinary(v: Uint8Array): void {
    this.ensure(4 + v.length);
    this.engine.dv.setInt32(this.pos, v.length);
    this.engine.u8.set(v, this.pos + 4);
    this.pos += 4 + v.length;
  }

  writeI32List(values: ArrayLike<number>): void {
    const n = values.length;
    this.writeListBegin(TType.I32, n);
    this.ensure(n * 8 + 8);
    const scratch = alignedScratch(this.pos, n * 4);
    copyInt32s(values, this.engine.buffer, scratch);
    this.engine.exports.byteSwapCopy(scratch, n, this.pos, 4);
    this.pos += n * 4;
  }

  writeI64List(values: BigInt64Array | BigUint64Array | readonly bigint[]): void {
    const n = values.length;
    this.writeListBegin(TType.I64, n);
    this.ensure(n * 16 + 8);
    const scratch = alignedScratch(this.pos, n * 8);
    copyInt64s(values, this.engine.buffer, scratch);
    this.engine.exports.byteSwapCopy(scratch, n, this.pos, 8);
    this.pos += n * 8;
  }

  writeDoubleList(values: ArrayLike<number>): void {
    const n = values.length;
    this.writeListBegin(TType.DOUBLE, n);
    this.ensure(n * 16 + 8);
    const scratch = alignedScratch(this.pos, n * 8);
    const column = new Float64Array(this.engine.buffer, scratch, n);
    column.set(values);
    canonicalizeNaNs(column);
    this.engine.exports.byteSwapCopy(scratch, n, this.pos, 8);
    this.pos += n * 8;
  }

}


/** An 8-aligned address past `bytes` of output at `pos`, for values in host order. */
export function alignedScratch(pos: number, bytes: number): number {
  return (pos + bytes + 7) & ~7;
}

/** Throws INVALID_VALUE unless `size` is a container size (an i32 that is not negative). */
export function checkSize(size: number): void {
  if ((size | 0) !== size || size < 0) throw outOfRange("container size", size);
}
