/** What the Binary and Compact writers share. */
import { outOfRange } from "../../errors.js";
import { ByteWriter } from "../byte-writer.js";
import { writeUnknownFields } from "./copy.js";
import type { ThriftProtocol, ThriftWriter, UnknownField } from "./protocol.js";
import type { TType } from "./types.js";

export abstract class ThriftWriterBase extends ByteWriter {
  abstract readonly protocol: ThriftProtocol;
  abstract writeListBegin(elementType: TType, size: number): void;

  /** Sets are written as lists are. */
  writeSetBegin(elementType: TType, size: number): void {
    this.writeListBegin(elementType, size);
  }

  writeUuid(v: Uint8Array): void {
    if (v.length !== 16) throw outOfRange("uuid length", v.length);
    this.writeRaw(v);
  }

  writeUnknown(this: ThriftWriter & ThriftWriterBase, fields: readonly UnknownField[]): void {
    writeUnknownFields(this, fields);
  }
}
