/** Thrift Compact protocol reader (over engine memory or loaded bytes, see ByteReader). */
import { ErrorCode, KitewireError } from "../../errors.js";
import { ThriftReaderBase } from "./reader-base.js";
import { joinInt64 } from "../int64.js";
import { f64LE, i8 } from "../fixed-width.js";
import type { ThriftReaderOptions } from "./binary-reader.js";
import { FROM_COMPACT, PROTOCOL_ID, TO_COMPACT, VERSION } from "./compact-types.js";
import type { ThriftReader, UnknownField } from "./protocol.js";
import { copyArray } from "../slab.js";
import { TType, type MessageHeader, type MessageType } from "./types.js";

const NO_BOOL = -1;

export class ThriftCompactReader extends ThriftReaderBase implements ThriftReader {
  readonly protocol = "compact";
  private lastFieldId = 0;
  /** Enclosing structs' last field ids, `depth` deep. */
  private readonly fieldIds: number[] = [];
  private depth = 0;
  /** Value of a bool field read with its header: 1 true, 0 false, NO_BOOL none pending. */
  private boolValue = NO_BOOL;

  constructor(options: ThriftReaderOptions = {}) {
    super(options);
  }

  protected override restart(at: number, length: number): void {
    this.lastFieldId = 0;
    this.depth = 0;
    this.boolValue = NO_BOOL;
    super.restart(at, length);
  }

  readMessageBegin(): MessageHeader {
    const at = this.pos;
    if (at + 2 > this.end) throw this.truncated(2);
    const u8 = this.u8;
    const id = u8[at]!;
    const versionAndType = u8[at + 1]!;
    if (id !== PROTOCOL_ID || (versionAndType & 0x1f) !== VERSION) {
      throw new KitewireError(
        ErrorCode.BAD_VERSION,
        `not a Thrift Compact message header: 0x${id.toString(16)} 0x${versionAndType.toString(16)}`,
        { offset: at - this.base },
      );
    }
    this.pos = at + 2;
    const seqid = this.readVarint32() | 0;
    const lengthAt = this.pos;
    const name = this.readName(this.readVarint32(), lengthAt);
    return { name, type: ((versionAndType >> 5) & 0x07) as MessageType, seqid };
  }

  readStructBegin(): void {
    this.enter();
    this.fieldIds[this.depth++] = this.lastFieldId;
    this.lastFieldId = 0;
  }

  readStructEnd(): void {
    this.leave();
    this.lastFieldId = this.depth > 0 ? this.fieldIds[--this.depth]! : 0;
  }

  readFieldBegin(): TType {
    const at = this.pos;
    if (at >= this.end) throw this.truncated(1);
    const head = this.u8[at]!;
    this.pos = at + 1;
    if (head === 0) return TType.STOP;
    const ctype = head & 0x0f;
    const type = FROM_COMPACT[ctype]!; // STOP (0) or -1 for the ids that are no field type
    if (type <= 0) throw this.unknownFieldType(ctype, at);
    const delta = head >> 4;
    // Ids are i16: a delta past 32767 wraps, as peers' int16 arithmetic does.
    const id = delta !== 0 ? ((this.lastFieldId + delta) << 16) >> 16 : this.longFieldId();
    this.fieldId = this.lastFieldId = id;
    if (type === TType.BOOL) this.boolValue = ctype === 1 ? 1 : 0;
    return type as TType;
  }

  /** A field id written in full (a zigzag varint) rather than as a delta in the header. */
  private longFieldId(): number {
    const z = this.readVarint32();
    return (((z >>> 1) ^ -(z & 1)) << 16) >> 16;
  }

  private unknownFieldType(ctype: number, at: number): KitewireError {
    return new KitewireError(ErrorCode.UNKNOWN_TYPE, `unknown Compact field type ${ctype}`, { offset: at - this.base });
  }

  readMapBegin(): number {
    const at = this.pos;
    const size = this.readVarint32() | 0;
    if (size === 0) {
      this.keyType = this.valueType = TType.STOP;
    } else {
      if (this.pos >= this.end) throw this.truncated(1);
      const kv = this.u8[this.pos++]!;
      this.keyType = this.elementOf(kv >> 4, at);
      this.valueType = this.elementOf(kv & 0x0f, at);
    }
    this.checkCount(size, 2, at);
    this.enter();
    return size;
  }

  readListBegin(): number {
    const at = this.pos;
    if (at >= this.end) throw this.truncated(1);
    const head = this.u8[at]!;
    this.pos = at + 1;
    let size = head >> 4;
    if (size === 15) size = this.readVarint32() | 0;
    // Element types of empty containers are not checked: some peers write 0 there.
    this.elementType = size === 0 ? Math.max(FROM_COMPACT[head & 0x0f]!, TType.STOP) as TType : this.elementOf(head & 0x0f, at);
    this.checkCount(size, 1, at);
    this.enter();
    return size;
  }

  private elementOf(ctype: number, at: number): TType {
    const type = ctype === 0 ? -1 : FROM_COMPACT[ctype]!;
    if (type < 0) {
      throw new KitewireError(ErrorCode.UNKNOWN_TYPE, `unknown Compact element type ${ctype}`, { offset: at - this.base });
    }
    return type as TType;
  }

  readBool(): boolean {
    if (this.boolValue !== NO_BOOL) {
      const v = this.boolValue === 1;
      this.boolValue = NO_BOOL;
      return v;
    }
    if (this.pos >= this.end) throw this.truncated(1);
    return this.u8[this.pos++] === 1;
  }

  readByte(): number {
    if (this.pos >= this.end) throw this.truncated(1);
    return i8(this.u8, this.pos++);
  }

  readI16(): number {
    const z = this.readVarint32();
    return (((z >>> 1) ^ -(z & 1)) << 16) >> 16;
  }

  readI32(): number {
    const z = this.readVarint32();
    return (z >>> 1) ^ -(z & 1);
  }

  readI64(): bigint {
    const lo = this.readI64Parts();
    return joinInt64(lo, this.hi);
  }

  /** Reads an i64 as halves: returns the low 32 bits (unsigned) and leaves the high in `hi`. */
  readI64Parts(): number {
    const zlo = this.readVarint64();
    const zhi = this.hi;
    const sign = -(zlo & 1);
    this.hi = ((zhi >>> 1) ^ sign) | 0;
    return (((zlo >>> 1) | (zhi << 31)) ^ sign) >>> 0;
  }

  readDouble(): number {
    const p = this.pos;
    if (p + 8 > this.end) throw this.truncated(8);
    this.pos = p + 8;
    return f64LE(this.u8, p);
  }

  protected readLength(): number {
    const at = this.pos;
    // Unsigned, as the engine reads it: a huge length is LENGTH_LIMIT, not negative.
    const len = this.readVarint32();
    this.checkLength(len, at);
    return len;
  }

  readI32List(): Int32Array {
    const n = this.listOf(TType.I32);
    const shift = this.engineOffset();
    const e = this.engine;
    const scratch = e.scratch(n * 4);
    const result = e.exports.compactReadI32s(this.pos + shift, this.end + shift, n, scratch);
    this.sync();
    this.pos = this.positionFrom(result, shift, "list<i32>");
    return copyArray(e.u8, scratch, n, Int32Array);
  }

  readI64List(): BigInt64Array {
    const n = this.listOf(TType.I64);
    const shift = this.engineOffset();
    const e = this.engine;
    const scratch = e.scratch(n * 8);
    const result = e.exports.compactReadI64s(this.pos + shift, this.end + shift, n, scratch);
    this.sync();
    this.pos = this.positionFrom(result, shift, "list<i64>");
    return copyArray(e.u8, scratch, n, BigInt64Array);
  }

  readDoubleList(): Float64Array {
    const n = this.listOf(TType.DOUBLE);
    if (this.pos + n * 8 > this.end) throw this.truncated(n * 8);
    const out = new Float64Array(n);
    new Uint8Array(out.buffer).set(this.u8.subarray(this.pos, this.pos + n * 8));
    this.pos += n * 8;
    return out;
  }

  override readUnknown(type: TType): UnknownField {
    if (type === TType.BOOL && this.boolValue !== NO_BOOL) {
      const bytes = new Uint8Array(1); // cheaper than from an array literal
      bytes[0] = this.boolValue === 1 ? 1 : 2;
      this.boolValue = NO_BOOL;
      return { id: this.fieldId, type, protocol: this.protocol, bytes };
    }
    return super.readUnknown(type);
  }

  skip(type: TType): void {
    if (type === TType.BOOL && this.boolValue !== NO_BOOL) {
      this.boolValue = NO_BOOL;
      return;
    }
    const ctype = TO_COMPACT[type] ?? -1;
    if (ctype <= 0) {
      throw new KitewireError(ErrorCode.UNKNOWN_TYPE, `cannot skip type ${type}`, { offset: this.pos - this.base });
    }
    if (this.skipScalar(type)) return;
    const shift = this.engineOffset();
    const result = this.engine.exports.thriftCompactSkip(this.pos + shift, this.end + shift, ctype, this.depthLeft);
    this.pos = this.positionFrom(result, shift, "skip");
  }

  /**
   * Steps over a scalar or string value here and returns true, or returns false for the
   * engine's walk: most unknown fields are such values, and the engine would first copy the
   * whole input into engine memory and cost a call. Accepts and ends as the engine does.
   */
  private skipScalar(type: TType): boolean {
    const at = this.pos;
    switch (type) {
      case TType.BOOL: case TType.BYTE: this.pos = this.stepOver(at, 1); return true;
      case TType.DOUBLE: this.pos = this.stepOver(at, 8); return true;
      case TType.UUID: this.pos = this.stepOver(at, 16); return true;
      case TType.I16: case TType.I32: this.readVarint32(); return true;
      case TType.I64: this.readVarint64(); return true;
      case TType.STRING: {
        const length = this.readVarint32();
        if (length > this.end - this.pos) {
          this.pos = at;
          throw new KitewireError(ErrorCode.LENGTH_LIMIT, `skip: binary of ${length} bytes runs past the input`, { offset: at - this.base });
        }
        this.pos += length;
        return true;
      }
      default: return false;
    }
  }

  private stepOver(at: number, width: number): number {
    if (at + width > this.end) throw this.truncated(width);
    return at + width;
  }

  /** Validates a whole message (header and body) from the read position; returns its length. */
  validateMessage(): number {
    const shift = this.engineOffset();
    const result = this.engine.exports.thriftCompactSkipMessage(this.pos + shift, this.end + shift, this.maxDepth);
    return this.positionFrom(result, shift, "message") - this.pos;
  }
}
