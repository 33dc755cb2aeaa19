/**
 * Schema-less walkers that read whole values through the JS readers, value by value: the
 * independent counterpart of the engine's skip/validate in differential tests.
 */
import { TType, type ThriftReader, type ProtobufReader } from "../../src/index.js";

/** Reads one value of `type` (strings as bytes, so any byte content is legal). */
export function walkThrift(r: ThriftReader, type: number): unknown {
  switch (type) {
    case TType.BOOL: return r.readBool();
    case TType.BYTE: return r.readByte();
    case TType.I16: return r.readI16();
    case TType.I32: return r.readI32();
    case TType.I64: return r.readI64();
    case TType.DOUBLE: return r.readDouble();
    case TType.STRING: return r.readBinary();
    case TType.UUID: return r.readUuid();
    case TType.STRUCT: {
      const fields: [number, unknown][] = [];
      r.readStructBegin();
      for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
        fields.push([r.fieldId, walkThrift(r, t)]);
      }
      r.readStructEnd();
      return fields;
    }
    case TType.LIST:
    case TType.SET: {
      const n = r.readListBegin();
      const type = r.elementType;
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push(walkThrift(r, type));
      r.readContainerEnd();
      return out;
    }
    case TType.MAP: {
      const n = r.readMapBegin();
      const k = r.keyType;
      const v = r.valueType;
      const out: unknown[] = [];
      for (let i = 0; i < n; i++) out.push([walkThrift(r, k), walkThrift(r, v)]);
      r.readContainerEnd();
      return out;
    }
    default:
      // What generated code does with a field of a type it does not know.
      r.skip(type as TType);
      return undefined;
  }
}

/** Reads a whole message: header, then the body struct. */
export function walkThriftMessage(r: ThriftReader): unknown {
  const header = r.readMessageBegin();
  return [header, walkThrift(r, TType.STRUCT)];
}

/** Reads every field of a Protobuf message to the reader's end (groups through skip). */
export function walkProtobuf(r: ProtobufReader): unknown[] {
  const out: unknown[] = [];
  while (r.pos < r.end) {
    const tag = r.tag();
    switch (tag & 7) {
      case 0: out.push(r.uint64()); break;
      case 1: out.push(r.fixed64()); break;
      case 2: out.push(r.bytes()); break;
      case 3: r.skip(tag); out.push("group"); break;
      case 5: out.push(r.fixed32()); break;
    }
  }
  return out;
}
