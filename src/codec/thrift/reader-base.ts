/** What the Binary and Compact readers share: container state and typed list entry. */
import { ErrorCode, KitewireError } from "../../errors.js";
import { ByteReader } from "../byte-reader.js";
import { TType } from "./types.js";

export abstract class ThriftReaderBase extends ByteReader {
  /** Id of the field whose header was read last. */
  fieldId = 0;
  /** Key and value types of the map whose header was read last. */
  keyType: TType = TType.STOP;
  valueType: TType = TType.STOP;
  /** Element type of the list or set whose header was read last. */
  elementType: TType = TType.STOP;

  abstract readListBegin(): number;

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
