/**
 * Schema-less transcoding of one Thrift value from a reader to a writer (any protocol to
 * any protocol): the fallback for unknown fields written in another protocol than they
 * were read in, and the basis of generic calls.
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import type { Engine } from "../../wasm/engine.js";
import { ThriftBinaryReader } from "./binary-reader.js";
import { ThriftCompactReader } from "./compact-reader.js";
import type { ThriftReader, ThriftWriter, UnknownField } from "./protocol.js";
import { TO_COMPACT } from "./compact-types.js";
import { TType } from "./types.js";

/** Reads one value of `type` from `r` and writes it to `w`. */
export function copyThriftValue(r: ThriftReader, w: ThriftWriter, type: TType): void {
  switch (type) {
    case TType.BOOL: return w.writeBool(r.readBool());
    case TType.BYTE: return w.writeByte(r.readByte());
    case TType.I16: return w.writeI16(r.readI16());
    case TType.I32: return w.writeI32(r.readI32());
    case TType.I64: return w.writeI64(r.readI64());
    case TType.DOUBLE: return w.writeDouble(r.readDouble());
    case TType.STRING: return w.writeBinary(r.readBinary());
    case TType.UUID: return w.writeUuid(r.readUuid());
    case TType.STRUCT: {
      r.readStructBegin();
      w.writeStructBegin();
      for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
        w.writeFieldBegin(t, r.fieldId);
        copyThriftValue(r, w, t);
      }
      w.writeFieldStop();
      w.writeStructEnd();
      r.readStructEnd();
      return;
    }
    case TType.LIST:
    case TType.SET: {
      const n = r.readListBegin();
      const element = n === 0 ? emptyElementType(r.elementType) : r.elementType;
      if (type === TType.LIST) w.writeListBegin(element, n);
      else w.writeSetBegin(element, n);
      for (let i = 0; i < n; i++) copyThriftValue(r, w, element);
      r.readContainerEnd();
      return;
    }
    case TType.MAP: {
      const n = r.readMapBegin();
      const k = r.keyType;
      const v = r.valueType;
      w.writeMapBegin(k, v, n);
      for (let i = 0; i < n; i++) {
        copyThriftValue(r, w, k);
        copyThriftValue(r, w, v);
      }
      r.readContainerEnd();
      return;
    }
    default:
      throw new KitewireError(ErrorCode.UNKNOWN_TYPE, `cannot copy a value of type ${type}`);
  }
}

/**
 * The element type to write for an empty list or set: readers do not check it (peers write
 * 0 there, and Binary carries any byte), but a writer refuses a type that has no form in
 * its protocol, so such a type becomes BYTE (which neither protocol's reader looks at).
 */
function emptyElementType(type: TType): TType {
  return (TO_COMPACT[type] ?? -1) > 0 ? type : TType.BYTE;
}

/**
 * Writes kept unknown fields: as they were when they came in this writer's protocol,
 * transcoded through `copyThriftValue` when they came in the other.
 */
export function writeUnknownFields(
  w: ThriftWriter & { readonly engine: Engine; writeRaw(bytes: Uint8Array): void }, fields: readonly UnknownField[],
): void {
  // One reader for all the fields that came in the other protocol (making one costs more than copying a small field).
  let r: ThriftBinaryReader | ThriftCompactReader | undefined;
  try {
    for (const field of fields) {
      if (field.protocol === w.protocol) {
        w.writeFieldBegin(field.type, field.id);
        // A Compact bool's value belongs in its field header, which writeBool completes.
        if (field.type === TType.BOOL && field.protocol === "compact") w.writeBool(field.bytes[0] === 1);
        else w.writeRaw(field.bytes);
        continue;
      }
      r ??= field.protocol === "binary" ? new ThriftBinaryReader({ engine: w.engine }) : new ThriftCompactReader({ engine: w.engine });
      r.load(field.bytes);
      w.writeFieldBegin(field.type, field.id);
      copyThriftValue(r, w, field.type);
    }
  } finally {
    r?.dispose();
  }
}
