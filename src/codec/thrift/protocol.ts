/**
 * The Thrift protocol contract that generated code is written against: one writer and one
 * reader interface, implemented by the Binary and Compact protocols.
 *
 * Writing a struct: `writeStructBegin()`, then per set field `writeFieldBegin(type, id)`
 * and its value, then `writeFieldStop()` and `writeStructEnd()`. Reading mirrors it:
 * `readFieldBegin()` returns the type (STOP ends the struct) and leaves the id in
 * `fieldId`. Containers: `writeListBegin(elementType, size)` then the elements;
 * `readListBegin()` returns the size and leaves the element type in `elementType`.
 */
import type { MessageHeader, MessageType, TType } from "./types.js";

/** The two Thrift wire protocols. */
export type ThriftProtocol = "binary" | "compact";

/**
 * A field a reader did not know, kept so that writing the struct again loses nothing:
 * its id and type, and its value encoded in `protocol` (a Compact bool field's value,
 * which lives in its header there, is kept as one byte: 1 true, 2 false).
 */
export interface UnknownField {
  id: number;
  type: TType;
  protocol: ThriftProtocol;
  bytes: Uint8Array;
}

export interface ThriftWriter {
  readonly protocol: ThriftProtocol;
  writeMessageBegin(name: string, type: MessageType, seqid: number): void;
  writeStructBegin(): void;
  writeStructEnd(): void;
  writeFieldBegin(type: TType, id: number): void;
  writeFieldStop(): void;
  writeMapBegin(keyType: TType, valueType: TType, size: number): void;
  writeListBegin(elementType: TType, size: number): void;
  writeSetBegin(elementType: TType, size: number): void;
  writeBool(v: boolean): void;
  writeByte(v: number): void;
  writeI16(v: number): void;
  writeI32(v: number): void;
  writeI64(v: bigint): void;
  writeDouble(v: number): void;
  writeString(v: string): void;
  writeBinary(v: Uint8Array): void;
  writeUuid(v: Uint8Array): void;
  /** Writes fields kept by `ThriftReader.readUnknown` (re-encoded if they came in another protocol). */
  writeUnknown(fields: readonly UnknownField[]): void;
  /** A whole `list<i32>` (header and elements) in one call. */
  writeI32List(values: ArrayLike<number>): void;
  /** A whole `list<i64>` (header and elements) in one call. */
  writeI64List(values: BigInt64Array | readonly bigint[]): void;
  /** A whole `list<double>` (header and elements) in one call. */
  writeDoubleList(values: ArrayLike<number>): void;
  /** Bytes written since the last reset. */
  readonly length: number;
  /** A copy of the bytes written. */
  finish(): Uint8Array;
  /** Starts a new message in the same arena. */
  reset(): this;
}

export interface ThriftReader {
  readonly protocol: ThriftProtocol;
  readMessageBegin(): MessageHeader;
  readStructBegin(): void;
  readStructEnd(): void;
  /** Returns the next field's type (TType.STOP at the end) and sets `fieldId`. */
  readFieldBegin(): TType;
  readonly fieldId: number;
  /** Returns the entry count and sets `keyType` and `valueType`. */
  readMapBegin(): number;
  /** Returns the element count and sets `elementType`. */
  readListBegin(): number;
  readSetBegin(): number;
  /** Leaves a container entered with readMapBegin/readListBegin/readSetBegin. */
  readContainerEnd(): void;
  readonly keyType: TType;
  readonly valueType: TType;
  readonly elementType: TType;
  readBool(): boolean;
  readByte(): number;
  readI16(): number;
  readI32(): number;
  readI64(): bigint;
  readDouble(): number;
  readString(): string;
  readBinary(): Uint8Array;
  readUuid(): Uint8Array;
  /** A whole `list<string>` decoded through the engine's string table in one call. */
  readStringList(): string[];
  /** A whole `list<i32>` in one call; throws UNKNOWN_TYPE if the list holds another type. */
  readI32List(): Int32Array;
  /** A whole `list<i64>` in one call. */
  readI64List(): BigInt64Array;
  /** A whole `list<double>` in one call. */
  readDoubleList(): Float64Array;
  /** Skips a value of `type` without decoding it (depth-bounded, in the engine). */
  skip(type: TType): void;
  /** Skips the value of the field just begun, keeping a copy of it. */
  readUnknown(type: TType): UnknownField;
  /** Bytes left to read. */
  readonly remaining: number;
  /** Offset of the read position from the message start (for error reports). */
  readonly offset: number;
  /** Whether unknown fields should be kept (`readUnknown`) rather than skipped. */
  readonly keepUnknown: boolean;
}
