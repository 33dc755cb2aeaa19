/**
 * `kitewire inspect`: prints the structure of a Thrift or Protobuf message without its
 * schema (like `protoc --decode_raw`), for looking at captured bytes. It recognizes the
 * framing around the message the way a kitewire server does (Buffered, Framed, TTHeader,
 * TTHeader-Framed, Apache THeader with its transforms, Kitex Protobuf) and, failing that,
 * reads a bare struct (what `encodeThrift` writes), and says which it found.
 */
import type { ThriftReader } from "../codec/thrift/protocol.js";
import { ThriftBinaryReader } from "../codec/thrift/binary-reader.js";
import { ThriftCompactReader } from "../codec/thrift/compact-reader.js";
import { ProtobufReader } from "../codec/protobuf/reader.js";
import { TType as T, type TType } from "../codec/thrift/types.js";
import { ErrorCode, KitewireError } from "../errors.js";
import { detectTransport } from "../remote/detect.js";
import { decodeTHeader } from "../remote/theader.js";
import { transformById, transformName } from "../remote/transform.js";
import type { Framing, Transport } from "../remote/transport.js";
import { decodeTTHeader, type TTHeaderInfo } from "../remote/ttheader.js";

/** Wire protocols `inspect` understands. */
export type InspectProtocol = "binary" | "compact" | "protobuf";

export interface InspectOptions {
  /** The payload protocol; detected from the bytes when absent. */
  protocol?: InspectProtocol;
  /** The framing, or "none" for a bare message or struct; detected when absent. */
  framing?: Framing | "none";
}

const TYPE_NAMES: Record<number, string> = {
  [T.BOOL]: "bool", [T.BYTE]: "byte", [T.DOUBLE]: "double", [T.I16]: "i16", [T.I32]: "i32", [T.I64]: "i64",
  [T.STRING]: "binary", [T.STRUCT]: "struct", [T.MAP]: "map", [T.SET]: "set", [T.LIST]: "list", [T.UUID]: "uuid",
};

/** Largest inflated THeader payload `inspect` accepts. */
const MAX_INFLATED = 64 << 20;

/**
 * Renders what `bytes` hold as indented text: a first line naming the framing found (and
 * its header), then the message or struct. Throws KitewireError on malformed input.
 */
export function inspect(bytes: Uint8Array, options: InspectOptions | InspectProtocol = {}): string {
  const o: InspectOptions = typeof options === "string" ? { protocol: options } : options;
  const lines: string[] = [];
  const framed = o.framing === "none" ? undefined : frameOf(bytes, o);
  if (framed === undefined) {
    lines.push(...bare(bytes, o.protocol));
    return lines.join("\n");
  }
  lines.push(framed.describe);
  const envelope = ["kitex-protobuf", "ttheader", "ttheader-framed"].includes(framed.transport.framing);
  message(framed.message, o.protocol ?? framed.transport.protocol, envelope, lines);
  return lines.join("\n");
}

interface Framed {
  transport: Transport;
  describe: string;
  message: Uint8Array;
}

/** The framing of `bytes`, as given or detected; undefined for input no framing explains. */
function frameOf(bytes: Uint8Array, o: InspectOptions): Framed | undefined {
  let transport: Transport | null = null;
  if (o.framing !== undefined) {
    transport = { framing: o.framing as Framing, protocol: o.protocol ?? "binary" };
  } else {
    try {
      transport = detectTransport((i) => bytes[i] ?? -1, bytes.length);
    } catch {
      transport = null;
    }
    // A detected length prefix must match the input, or it was not one.
    if (transport !== null && transport.framing !== "buffered" && u32(bytes, 0) !== bytes.length - 4) transport = null;
  }
  if (transport === null) return undefined;
  const length = () => {
    if (bytes.length < 4 || u32(bytes, 0) !== bytes.length - 4) {
      throw new KitewireError(ErrorCode.MALFORMED_FRAME, `frame length says ${u32(bytes, 0)} bytes, ${bytes.length - 4} follow`, { offset: 0 });
    }
  };
  switch (transport.framing) {
    case "buffered":
      return { transport, describe: `framing: buffered (unframed ${transport.protocol} message)`, message: bytes };
    case "framed":
    case "kitex-protobuf":
      length();
      return { transport, describe: `framing: ${transport.framing} (${bytes.length - 4} bytes)`, message: bytes.subarray(4) };
    case "ttheader":
    case "ttheader-framed": {
      length();
      const { info, payloadOffset } = decodeTTHeader(bytes);
      let message = bytes.subarray(payloadOffset);
      if (transport.framing === "ttheader-framed") {
        if (message.length < 4 || u32(message, 0) !== message.length - 4) {
          throw new KitewireError(ErrorCode.MALFORMED_FRAME, "TTHeader-Framed payload length does not match the frame", { offset: payloadOffset });
        }
        message = message.subarray(4);
      }
      return { transport, describe: `framing: ${transport.framing} ${headerText(info, "TTHeader")}`, message };
    }
    case "theader": {
      length();
      const { info, payloadOffset } = decodeTHeader(bytes);
      let message = bytes.subarray(payloadOffset);
      for (let i = info.transforms.length - 1; i >= 0; i--) {
        const transform = transformById(info.transforms[i]!);
        if (transform === undefined) {
          throw new KitewireError(ErrorCode.MALFORMED_FRAME, `THeader transform ${transformName(info.transforms[i]!)} is not available`, { offset: 14 });
        }
        message = transform.decode(message, MAX_INFLATED);
      }
      const protocol = info.protocol === 2 ? "compact" : "binary";
      return { transport: { framing: "theader", protocol }, describe: `framing: theader ${headerText(info, "THeader")}`, message };
    }
  }
}

/** One line of a TTHeader's or THeader's fields. */
function headerText(info: TTHeaderInfo, kind: string): string {
  let s = `(${kind} seqid=${info.seqid} flags=0x${info.flags.toString(16)} protocol=${info.protocol}`;
  if (info.transforms.length > 0) s += ` transforms=${info.transforms.map(transformName).join(",")}`;
  if (info.intInfo.size > 0) s += ` int=${JSON.stringify(Object.fromEntries(info.intInfo))}`;
  if (info.strInfo.size > 0) s += ` str=${JSON.stringify(Object.fromEntries(info.strInfo))}`;
  if (info.token !== undefined) s += ` token=${JSON.stringify(info.token)}`;
  return `${s})`;
}

/** The message inside a frame: a Thrift message, or Protobuf (after its Kitex envelope, with `envelope`). */
function message(bytes: Uint8Array, protocol: InspectProtocol, envelope: boolean, lines: string[]): void {
  if (protocol === "protobuf") {
    const r = new ProtobufReader().load(bytes);
    if (envelope) {
      const word = r.readU32BE();
      if ((word >>> 16) !== 0x9001) {
        throw new KitewireError(ErrorCode.BAD_VERSION, `not a Kitex Protobuf message: 0x${word.toString(16)}`, { offset: 0 });
      }
      const name = r.readName(r.readU32BE());
      lines.push(`message ${JSON.stringify(name)} type=${word & 0xff} seqid=${r.readU32BE() | 0}`);
    }
    protobufFields(r, "", lines);
    return;
  }
  const r = protocol === "binary" ? new ThriftBinaryReader({ allowUnversioned: true }) : new ThriftCompactReader();
  r.load(bytes);
  const header = r.readMessageBegin();
  lines.push(`message ${JSON.stringify(header.name)} type=${header.type} seqid=${header.seqid}`);
  thriftValue(r, T.STRUCT, "", lines, "body");
}

/**
 * Bytes no framing explains: a bare message (old unversioned binary included), or a bare
 * struct as `encodeThrift` writes it; with no protocol given, the first of binary,
 * compact and protobuf that reads all of the input.
 */
function bare(bytes: Uint8Array, protocol: InspectProtocol | undefined): string[] {
  const attempts: (() => string[])[] = [];
  for (const p of protocol ? [protocol] : ["binary", "compact", "protobuf"] as const) {
    if (p !== "protobuf") {
      attempts.push(() => {
        const lines = [`framing: none (a bare ${p} message)`];
        message(bytes, p, false, lines);
        return lines;
      });
    }
    attempts.push(() => {
      const lines = [`framing: none (a bare ${p} ${p === "protobuf" ? "message" : "struct"})`];
      if (p === "protobuf") {
        protobufFields(new ProtobufReader().load(bytes), "", lines);
        return lines;
      }
      const r = p === "binary" ? new ThriftBinaryReader() : new ThriftCompactReader();
      r.load(bytes);
      thriftValue(r, T.STRUCT, "", lines, "struct");
      if (r.remaining > 0) throw new KitewireError(ErrorCode.TRAILING_BYTES, `${r.remaining} bytes after the struct`, { offset: r.offset });
      return lines;
    });
  }
  let first: unknown;
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch (error) {
      first ??= error;
    }
  }
  throw first;
}

function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
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
