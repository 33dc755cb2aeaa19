/** What the Binary and Compact readers share: container state and typed list entry. */
import { ErrorCode, KitewireError } from "../../errors.js";
import { ByteReader } from "../byte-reader.js";
import { plainCopy } from "../slab.js";
import type { ThriftProtocol, UnknownField } from "./protocol.js";
import { readStringTable } from "./string-list.js";
import { TType } from "./types.js";

export abstract class ThriftReaderBase extends ByteReader {
  abstract readonly protocol: ThriftProtocol;
  /** Id of the field whose header was read last. */
  fieldId = 0;
  /** Key and value types of the map whose header was read last. */
  keyType: TType = TType.STOP;
  valueType: TType = TType.STOP;
  /** Element type of the list or set whose header was read last. */
  elementType: TType = TType.STOP;

  abstract readListBegin(): number;
  abstract skip(type: TType): void;
  /** Reads a string or binary length prefix, checked against what is left and the limits. */
  protected abstract readLength(): number;

  readString(): string {
    return this.text(this.readLength());
  }

  readBinary(): Uint8Array {
    return this.takeBytes(this.readLength());
  }

  readUuid(): Uint8Array {
    if (this.pos + 16 > this.end) throw this.truncated(16);
    return this.takeBytes(16);
  }

  readStringList(): string[] {
    const n = this.listOf(TType.STRING);
    const shift = this.engineOffset();
    const { strings, end } = readStringTable(
      this.engine, this.pos + shift, this.end + shift, n, this.protocol === "compact", this.strictUtf8, this.base + shift,
    );
    this.sync();
    this.pos = end - shift;
    return strings;
  }

  readUnknown(type: TType): UnknownField {
    const id = this.fieldId;
    const start = this.pos;
    this.skip(type);
    return { id, type, protocol: this.protocol, bytes: plainCopy(this.u8, start, this.pos) };
  }

  readSetBegin(): number {
    return this.readListBegin();
  }

  readContainerEnd(): void {
    this.leave();
  }

  /** Reads a list header for a batch call and returns its size; throws if its elements are not `type`. */
  protected listOf(type: TType): number {
    const at = this.pos;
    const n = this.readListBegin();
    this.leave();
    if (this.elementType !== type && n > 0) {
      throw new KitewireError(ErrorCode.UNKNOWN_TYPE, `expected a list of type ${type}, got ${this.elementType}`, {
        offset: at - this.base,
      });
    }
    return n;
  }
}
