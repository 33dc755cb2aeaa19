/**
 * The message envelope inside a frame: method name, message type and sequence id ahead
 * of the payload. Thrift writes it with the payload protocol's own message header; Kitex
 * Protobuf writes `u32 0x9001xxxx | u32 length + name | u32 seqid` before the message.
 */
import type { ByteWriter } from "../codec/byte-writer.js";
import { ProtobufReader } from "../codec/protobuf/reader.js";
import { ProtobufWriter } from "../codec/protobuf/writer.js";
import { ThriftBinaryReader } from "../codec/thrift/binary-reader.js";
import { ThriftBinaryWriter } from "../codec/thrift/binary-writer.js";
import { ThriftCompactReader } from "../codec/thrift/compact-reader.js";
import { ThriftCompactWriter } from "../codec/thrift/compact-writer.js";
import type { ThriftReader, ThriftWriter } from "../codec/thrift/protocol.js";
import type { MessageHeader, MessageType } from "../codec/thrift/types.js";
import { ErrorCode, KitewireError } from "../errors.js";
import type { Engine } from "../wasm/engine.js";
import type { PayloadProtocol } from "./transport.js";

const KITEX_PROTOBUF_MAGIC = 0x90010000 | 0;

export type PayloadWriter = ThriftBinaryWriter | ThriftCompactWriter | ProtobufWriter;
export type PayloadReader = ThriftBinaryReader | ThriftCompactReader | ProtobufReader;

/** A writer for `protocol` in `engine`. */
export function payloadWriter(protocol: PayloadProtocol, engine: Engine): PayloadWriter {
  if (protocol === "binary") return new ThriftBinaryWriter({ engine });
  if (protocol === "compact") return new ThriftCompactWriter({ engine });
  return new ProtobufWriter({ engine });
}

/** A reader for `protocol` in `engine`. */
export function payloadReader(protocol: PayloadProtocol, engine: Engine, options: { maxDepth?: number } = {}): PayloadReader {
  if (protocol === "binary") return new ThriftBinaryReader({ engine, ...options });
  if (protocol === "compact") return new ThriftCompactReader({ engine, ...options });
  return new ProtobufReader({ engine, ...options });
}

/** Writes the envelope of a message. */
export function writeEnvelope(w: PayloadWriter, protocol: PayloadProtocol, header: MessageHeader): void {
  if (protocol !== "protobuf") {
    (w as ThriftWriter).writeMessageBegin(header.name, header.type, header.seqid);
    return;
  }
  const name = new TextEncoder().encode(header.name);
  const head = new Uint8Array(12 + name.length);
  const dv = new DataView(head.buffer);
  dv.setInt32(0, KITEX_PROTOBUF_MAGIC | header.type);
  dv.setUint32(4, name.length);
  head.set(name, 8);
  dv.setInt32(8 + name.length, header.seqid);
  (w as ByteWriter).writeRaw(head);
}

/** Reads the envelope of a message; the reader is left at the payload. */
export function readEnvelope(r: PayloadReader, protocol: PayloadProtocol): MessageHeader {
  if (protocol !== "protobuf") return (r as ThriftReader).readMessageBegin();
  const at = r.offset;
  const word = r.readU32BE() | 0;
  if ((word & 0xffff0000) !== KITEX_PROTOBUF_MAGIC) {
    throw new KitewireError(ErrorCode.BAD_VERSION, `not a Kitex Protobuf message: 0x${(word >>> 0).toString(16)}`, {
      offset: at,
    });
  }
  const name = r.readName(r.readU32BE());
  const seqid = r.readU32BE() | 0;
  return { name, type: (word & 0xff) as MessageType, seqid };
}

/**
 * The sequence id of the message in a frame, without decoding the rest (a client routes
 * replies by it). TTHeader and THeader frames carry it in the header (Apache THeader
 * servers copy the request's there, even in the error replies whose message says 0).
 */
export function frameSeqid(frame: { header?: { seqid: number }; bytes: { contiguous(n: number): number }; messageOffset: number;
  messageLength: number; transport: { protocol: PayloadProtocol } }, reader: PayloadReader): number {
  if (frame.header) return frame.header.seqid;
  const start = frame.bytes.contiguous(frame.messageOffset + frame.messageLength) + frame.messageOffset;
  reader.attach(start, frame.messageLength);
  return readEnvelope(reader, frame.transport.protocol).seqid;
}
