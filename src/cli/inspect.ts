/**
 * `kitewire inspect`: prints the structure of a Thrift or Protobuf message without its
 * schema (like `protoc --decode_raw`), for looking at captured bytes.
 */
import type { ThriftReader } from "../codec/thrift/protocol.js";
import { ThriftBinaryReader } from "../codec/thrift/binary-reader.js";
import { ThriftCompactReader } from "../codec/thrift/compact-reader.js";
import { ProtobufReader } from "../codec/protobuf/reader.js";
import { TType as T, type TType } from "../codec/thrift/types.js";

/** Wire protocols `inspect` understands. */
export type InspectProtocol = "binary" | "compact" | "protobuf";

const TYPE_NAMES: Record<number, string> = {
  [T.BOOL]: "bool", [T.BYTE]: "byte", [T.DOUBLE]: "double", [T.I16]: "i16", [T.I32]: "i32", [T.I64]: "i64",
  [T.STRING]: "binary", [T.STRUCT]: "struct", [T.MAP]: "map", [T.SET]: "set", [T.LIST]: "list", [T.UUID]: "uuid",
};

/** Renders the message in `bytes` as indented text; throws KitewireError on malformed input. */
export function inspect(bytes: Uint8Array, protocol: InspectProtocol): string {
  const lines: string[] = [];
  if (protocol === "protobuf") {
    protobufFields(new ProtobufReader().load(bytes), "", lines);
    return lines.join("\n");
  }
  const r = protocol === "binary" ? new ThriftBinaryReader({ allowUnversioned: true }) : new ThriftCompactReader();
  r.load(bytes);
  const header = r.readMessageBegin();
  lines.push(`message ${JSON.stringify(header.name)} type=${header.type} seqid=${header.seqid}`);
  thriftValue(r, T.STRUCT, "", lines, "body");
  return lines.join("\n");
}

function text(bytes: Uint8Array): string {
  const s = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  const printable = !s.includes("\ufffd") && !/[\u0000-\u0008\u000e-\u001f]/.test(s);
  return printable ? JSON.stringify(s) : `0x${Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function thriftValue(r: ThriftReader, type: TType, indent: string, lines: string[], label: string): void {
  const name = TYPE_NAMES[type] ?? `type${type}`;
  switch (type) {
    case T.STRUCT: {
      lines.push(`${indent}${label}: struct {`);
      r.readStructBegin();
      for (let t = r.readFieldBegin(); t !== T.STOP; t = r.readFieldBegin()) {
        thriftValue(r, t, indent + "  ", lines, `${r.fieldId}`);
      }
      r.readStructEnd();
      lines.push(`${indent}}`);
      return;
    }
    case T.LIST:
    case T.SET: {
      const n = type === T.LIST ? r.readListBegin() : r.readSetBegin();
      const element = r.elementType;
      lines.push(`${indent}${label}: ${name}<${TYPE_NAMES[element] ?? element}>[${n}] {`);
      for (let i = 0; i < n; i++) thriftValue(r, element, indent + "  ", lines, `[${i}]`);
      r.readContainerEnd();
      lines.push(`${indent}}`);
      return;
    }
    case T.MAP: {
      const n = r.readMapBegin();
      const k = r.keyType;
      const v = r.valueType;
      lines.push(`${indent}${label}: map<${TYPE_NAMES[k] ?? k},${TYPE_NAMES[v] ?? v}>[${n}] {`);
      for (let i = 0; i < n; i++) {
        thriftValue(r, k, indent + "  ", lines, `key[${i}]`);
        thriftValue(r, v, indent + "  ", lines, `value[${i}]`);
      }
      r.readContainerEnd();
      lines.push(`${indent}}`);
      return;
    }
    case T.BOOL: lines.push(`${indent}${label}: bool ${r.readBool()}`); return;
    case T.BYTE: lines.push(`${indent}${label}: byte ${r.readByte()}`); return;
    case T.I16: lines.push(`${indent}${label}: i16 ${r.readI16()}`); return;
    case T.I32: lines.push(`${indent}${label}: i32 ${r.readI32()}`); return;
    case T.I64: lines.push(`${indent}${label}: i64 ${r.readI64()}`); return;
    case T.DOUBLE: lines.push(`${indent}${label}: double ${r.readDouble()}`); return;
    case T.STRING: lines.push(`${indent}${label}: binary ${text(r.readBinary())}`); return;
    case T.UUID: lines.push(`${indent}${label}: uuid ${text(r.readUuid())}`); return;
    default:
      r.skip(type); // throws UNKNOWN_TYPE with the offset
  }
}

function protobufFields(r: ProtobufReader, indent: string, lines: string[]): void {
  while (r.pos < r.end) {
    const tag = r.tag();
    const field = tag >>> 3;
    switch (tag & 7) {
      case 0: lines.push(`${indent}${field}: varint ${r.uint64()}`); break;
      case 1: lines.push(`${indent}${field}: fixed64 ${r.fixed64()}`); break;
      case 5: lines.push(`${indent}${field}: fixed32 ${r.fixed32()}`); break;
      case 3: {
        const start = r.pos;
        r.skip(tag);
        lines.push(`${indent}${field}: group (${r.pos - start} bytes)`);
        break;
      }
      default: {
        // A length-delimited field is shown as a message when it parses as one.
        const bytes = r.bytes();
        const nested: string[] = [];
        try {
          const inner = new ProtobufReader({ engine: r.engine }).load(bytes);
          inner.validate();
          protobufFields(inner, indent + "  ", nested);
        } catch {
          nested.length = 0;
        }
        if (nested.length > 0 && bytes.length > 0) {
          lines.push(`${indent}${field}: message {`, ...nested, `${indent}}`);
        } else {
          lines.push(`${indent}${field}: bytes[${bytes.length}] ${text(bytes)}`);
        }
      }
    }
  }
}
