/** Thrift Compact protocol writer, straight into engine memory. */
import { ErrorCode, KitewireError, outOfRange } from "../../errors.js";
import { copyInt32s, copyInt64s, parts, splitInt64 } from "../int64.js";
import { alignedScratch, checkSize } from "./binary-writer.js";
import { canonicalizeNaNs, canonicalNaN } from "../nan.js";
import { PROTOCOL_ID, TO_COMPACT, VERSION } from "./compact-types.js";
import { ThriftWriterBase } from "./writer-base.js";
import type { ThriftWriter } from "./protocol.js";
import { TType, type MessageType } from "./types.js";

export class ThriftCompactWriter extends ThriftWriterBase implements ThriftWriter {
  readonly protocol = "compact";
  private lastFieldId = 0;
  /** Enclosing structs' last field ids, `depth` deep (an index, not push/pop: cheaper per struct). */
  private readonly fieldIds: number[] = [];
  private depth = 0;
  /** A bool field whose header waits for its value (Compact folds them together), and its id. */
  private boolPending = false;
  private boolFieldId = 0;

  override reset(): this {
    this.lastFieldId = 0;
    this.depth = 0;
    this.boolPending = false;
    return super.reset();
  }

  writeMessageBegin(name: string, type: MessageType, seqid: number): void {
    this.ensure(2);
    const u8 = this.engine.u8;
    u8[this.pos] = PROTOCOL_ID;
    u8[this.pos + 1] = ((type << 5) & 0xe0) | VERSION;
    this.pos += 2;
    this.writeVarint32(seqid);
    this.writeVarintString(name);
  }

  writeStructBegin(): void {
    this.fieldIds[this.depth++] = this.lastFieldId;
    this.lastFieldId = 0;
  }

  writeStructEnd(): void {
    if (this.depth === 0) {
      throw new KitewireError(ErrorCode.INVALID_STATE, "writeStructEnd without writeStructBegin");
    }
    this.lastFieldId = this.fieldIds[--this.depth]!;
  }

  writeFieldBegin(type: TType, id: number): void {
    if ((id << 16) >> 16 !== id) throw outOfRange("field id", id);
    if (type === TType.BOOL) {
      this.boolPending = true;
      this.boolFieldId = id;
      return;
    }
    const ctype = TO_COMPACT[type] ?? -1;
    if (ctype <= 0) throw outOfRange("field type", type);
    this.fieldHeader(ctype, id);
  }

  private fieldHeader(ctype: number, id: number): void {
    const delta = id - this.lastFieldId;
    if (delta > 0 && delta <= 15) {
      if (this.pos >= this.limit) this.ensure(1);
      this.engine.u8[this.pos++] = (delta << 4) | ctype;
    } else {
      this.writeU8(ctype);
      this.writeVarint32((id << 1) ^ (id >> 31));
    }
    this.lastFieldId = id;
  }

  writeFieldStop(): void {
    this.writeU8(0);
  }

  writeMapBegin(keyType: TType, valueType: TType, size: number): void {
    checkSize(size);
    if (size === 0) {
      this.writeU8(0);
      return;
    }
    this.writeVarint32(size);
    this.writeU8((elementType(keyType) << 4) | elementType(valueType));
  }

  writeListBegin(type: TType, size: number): void {
    checkSize(size);
    const ctype = elementType(type);
    if (size <= 14) {
      this.writeU8((size << 4) | ctype);
    } else {
      this.writeU8(0xf0 | ctype);
      this.writeVarint32(size);
    }
  }

  writeBool(v: boolean): void {
    if (this.boolPending) {
      this.boolPending = false;
      this.fieldHeader(v ? 1 : 2, this.boolFieldId);
    } else {
      this.writeU8(v ? 1 : 2);
    }
  }

  writeByte(v: number): void {
    if ((v << 24) >> 24 !== v) throw outOfRange("byte", v);
    this.writeU8(v);
  }

  writeI16(v: number): void {
    if ((v << 16) >> 16 !== v) throw outOfRange("i16", v);
    this.writeVarint32((v << 1) ^ (v >> 31));
  }

  writeI32(v: number): void {
    if ((v | 0) !== v) throw outOfRange("i32", v);
    this.writeVarint32((v << 1) ^ (v >> 31));
  }

  writeI64(v: bigint): void {
    splitInt64(v);
    this.writeI64Parts(parts.lo, parts.hi);
  }

  /** Writes an i64 given as its low and high 32 bits. */
  writeI64Parts(lo: number, hi: number): void {
    const sign = hi >> 31;
    this.writeVarint64((lo << 1) ^ sign, ((hi << 1) | (lo >>> 31)) ^ sign);
  }

  writeDouble(v: number): void {
    this.ensure(8);
    this.engine.dv.setFloat64(this.pos, canonicalNaN(v), true);
    this.pos += 8;
  }

  writeString(v: string): void {
    this.writeVarintString(v);
  }

  writeBinary(v: Uint8Array): void {
    this.writeVarint32(v.length);
    this.writeRaw(v);
  }

  writeI32List(values: ArrayLike<number>): void {
    const n = values.length;
    this.writeListBegin(TType.I32, n);
    this.ensure(n * 9 + 8);
    const scratch = alignedScratch(this.pos, n * 5);
    copyInt32s(values, this.engine.buffer, scratch);
    this.pos = this.engine.exports.compactWriteI32s(scratch, n, this.pos);
  }

  writeI64List(values: BigInt64Array | BigUint64Array | readonly bigint[]): void {
    const n = values.length;
    this.writeListBegin(TType.I64, n);
    this.ensure(n * 18 + 8);
    const scratch = alignedScratch(this.pos, n * 10);
    copyInt64s(values, this.engine.buffer, scratch);
    this.pos = this.engine.exports.compactWriteI64s(scratch, n, this.pos);
  }

  writeDoubleList(values: ArrayLike<number>): void {
    const n = values.length;
    this.writeListBegin(TType.DOUBLE, n);
    this.ensure(n * 16 + 8);
    const scratch = alignedScratch(this.pos, n * 8);
    const column = new Float64Array(this.engine.buffer, scratch, n);
    column.set(values);
    canonicalizeNaNs(column);
    this.engine.u8.copyWithin(this.pos, scratch, scratch + n * 8);
    this.pos += n * 8;
  }
}

function elementType(type: TType): number {
  const ctype = TO_COMPACT[type] ?? -1;
  if (ctype <= 0) throw outOfRange("element type", type);
  return ctype;
}


