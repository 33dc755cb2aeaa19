/**
 * Binary generic (Thrift): whole messages passed through untouched, for proxies. A caller
 * gives a complete Thrift message (envelope and arguments struct, in the transport's
 * protocol); the client sends its arguments bytes as they are under a new envelope (the
 * method name it is called with, the client's own seqid) and gives back the reply as a
 * complete message carrying the caller's seqid. A handler gets the call the same way and
 * returns the reply message. No IDL is needed to call; serving takes the method names of
 * one. The bytes are checked only for being one well-formed struct (depth-bounded, in the
 * engine), never decoded.
 */
import type { ByteWriter } from "../codec/byte-writer.js";
import { ThriftBinaryReader } from "../codec/thrift/binary-reader.js";
import { ThriftBinaryWriter } from "../codec/thrift/binary-writer.js";
import { ThriftCompactReader } from "../codec/thrift/compact-reader.js";
import { ThriftCompactWriter } from "../codec/thrift/compact-writer.js";
import type { ThriftProtocol, ThriftReader, ThriftWriter } from "../codec/thrift/protocol.js";
import type { ThriftStructCodec } from "../codec/thrift/struct.js";
import { MessageType, TType, type MessageHeader } from "../codec/thrift/types.js";
import { ErrorCode, KitewireError } from "../errors.js";
import type { ThriftMethod, ThriftService } from "../service/thrift.js";
import { getEngine } from "../wasm/load.js";
import { perEngine } from "../wasm/per-engine.js";

/** Writes `bytes`, a struct already encoded in the writer's protocol, as they are. */
function writeRawStruct(w: ThriftWriter, bytes: Uint8Array | undefined): void {
  if (bytes === undefined) {
    w.writeStructBegin();
    w.writeFieldStop();
    w.writeStructEnd();
  } else {
    (w as unknown as ByteWriter).writeRaw(bytes);
  }
}

/** Reads one struct as its bytes (checked well-formed and skipped in the engine). */
function readRawStruct(r: ThriftReader): Uint8Array {
  return r.readUnknown(TType.STRUCT).bytes;
}

/** A method-table entry for `name` whose arguments (`payload`) and result (`success`) are struct bytes. */
export function rawMethod(name: string, oneway: boolean): ThriftMethod {
  const args: ThriftStructCodec<{ payload?: Uint8Array }> = {
    typeName: `${name}$args`,
    write: (w, v) => writeRawStruct(w, v.payload),
    read: (r) => ({ payload: readRawStruct(r) }),
  };
  const result: ThriftStructCodec<{ success?: Uint8Array }> = {
    typeName: `${name}$result`,
    write: (w, v) => writeRawStruct(w, v.success),
    read: (r) => ({ success: readRawStruct(r) }),
  };
  return { name, oneway, void: false, params: ["payload"], args, result, exceptions: {} } as ThriftMethod;
}

/** A method table of raw methods. */
export function rawService(name: string, methods: Iterable<{ name: string; oneway: boolean }>): ThriftService {
  const table: Record<string, ThriftMethod> = {};
  for (const m of methods) table[m.name] = rawMethod(m.name, m.oneway);
  return { name, idl: "(binary generic)", methods: table };
}

const codecs = perEngine((engine) => ({
  binary: { writer: new ThriftBinaryWriter({ engine }), reader: new ThriftBinaryReader({ engine }) },
  compact: { writer: new ThriftCompactWriter({ engine }), reader: new ThriftCompactReader({ engine }) },
}));

/**
 * The envelope of a whole Thrift message and the struct bytes after it, checked to be one
 * well-formed struct with nothing after it (TRUNCATED, TRAILING_BYTES, ... otherwise).
 */
export function splitMessage(message: Uint8Array, protocol: ThriftProtocol): { header: MessageHeader; body: Uint8Array } {
  if (!(message instanceof Uint8Array)) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, "binary generic: a call takes a whole Thrift message as a Uint8Array");
  }
  const r = codecs(getEngine())[protocol].reader;
  r.load(message);
  const header = r.readMessageBegin();
  const start = r.offset;
  r.skip(TType.STRUCT);
  if (r.remaining !== 0) {
    throw new KitewireError(ErrorCode.TRAILING_BYTES, `${r.remaining} bytes after the message's struct`, { offset: r.offset });
  }
  return { header, body: message.subarray(start) };
}

/** A whole Thrift message: the envelope, then `body` as it is. */
export function joinMessage(header: MessageHeader, body: Uint8Array, protocol: ThriftProtocol): Uint8Array {
  const w = codecs(getEngine())[protocol].writer;
  w.reset();
  w.writeMessageBegin(header.name, header.type, header.seqid);
  w.writeRaw(body);
  return w.finish();
}

/** The payload protocol of a Thrift transport; throws for Protobuf, which binary generic does not carry. */
export function thriftProtocolOf(protocol: string): ThriftProtocol {
  if (protocol === "binary" || protocol === "compact") return protocol;
  throw new KitewireError(ErrorCode.INVALID_VALUE, `binary generic carries Thrift messages, not ${protocol}`);
}

export { MessageType };
