/**
 * Messages of a gRPC method on the wire: encoded by the engine's Protobuf writer (Thrift
 * Binary for `application/grpc+thrift`) straight behind a reserved 5-byte prefix, copied
 * out once (the HTTP/2 layer keeps what it is given until sent); decoded in place from the
 * received bytes.
 */
import type { ProtobufMessageCodec } from "../codec/protobuf/message.js";
import { ProtobufReader } from "../codec/protobuf/reader.js";
import { ProtobufWriter } from "../codec/protobuf/writer.js";
import { ThriftBinaryReader } from "../codec/thrift/binary-reader.js";
import { ThriftBinaryWriter } from "../codec/thrift/binary-writer.js";
import type { ByteWriter } from "../codec/byte-writer.js";
import { copyBytes } from "../codec/slab.js";
import { ErrorCode, KitewireError } from "../errors.js";
import type { Engine } from "../wasm/engine.js";
import { PREFIX_BYTES, writePrefix, type GrpcCompression } from "./message.js";

/** A writer and reader per engine, shared by every call of a server or client. */
export class GrpcCodec {
  private readonly writer: ProtobufWriter;
  private readonly reader: ProtobufReader;
  private thriftWriter: ThriftBinaryWriter | undefined;
  private thriftReader: ThriftBinaryReader | undefined;

  constructor(readonly engine: Engine, private readonly maxDepth = 64) {
    this.writer = new ProtobufWriter({ engine });
    this.reader = new ProtobufReader({ engine, maxDepth });
  }

  /** The Thrift Binary reader of `application/grpc+thrift` messages, loaded with `bytes`. */
  thrift(bytes: Uint8Array): ThriftBinaryReader {
    return (this.thriftReader ??= new ThriftBinaryReader({ engine: this.engine, maxDepth: this.maxDepth })).load(bytes);
  }

  /** One Length-Prefixed-Message written by `write` with the Thrift Binary writer (see `encode`). */
  encodeThrift(write: (w: ThriftBinaryWriter) => void, maxBytes: number, compression?: GrpcCompression): Uint8Array {
    const w = (this.thriftWriter ??= new ThriftBinaryWriter({ engine: this.engine }));
    w.reset();
    w.ensure(PREFIX_BYTES);
    w.pos += PREFIX_BYTES;
    write(w);
    return this.finish(w, "thrift message", maxBytes, compression);
  }

  /**
   * `value` as one Length-Prefixed-Message (a fresh copy), compressed with `compression`
   * when given. Throws LENGTH_LIMIT (with the method's name) when the message is over `maxBytes`.
   */
  encode<T>(codec: ProtobufMessageCodec<T>, value: T, maxBytes: number, compression?: GrpcCompression): Uint8Array {
    const w = this.writer;
    w.reset();
    w.ensure(PREFIX_BYTES);
    w.pos += PREFIX_BYTES;
    codec.encode(w, value);
    return this.finish(w, codec.typeName, maxBytes, compression);
  }

  private finish(w: ByteWriter, type: string, maxBytes: number, compression: GrpcCompression | undefined): Uint8Array {
    const length = w.length - PREFIX_BYTES;
    if (length > maxBytes) throw tooLarge(type, length, maxBytes);
    if (compression !== undefined) {
      const packed = compression.compress(this.engine.u8.subarray(w.start + PREFIX_BYTES, w.pos));
      const out = new Uint8Array(PREFIX_BYTES + packed.length);
      writePrefix(out, 0, true, packed.length);
      out.set(packed, PREFIX_BYTES);
      return out;
    }
    writePrefix(this.engine.u8, w.start, false, length);
    return copyBytes(this.engine.u8, w.start, w.length);
  }

  /** Decodes one message (its bytes without the prefix, already inflated). */
  decode<T>(codec: ProtobufMessageCodec<T>, bytes: Uint8Array): T {
    return codec.decode(this.reader.load(bytes));
  }

  /** Returns the writer's arena to the engine. */
  dispose(): void {
    this.writer.dispose();
    this.reader.dispose();
    this.thriftWriter?.dispose();
    this.thriftReader?.dispose();
  }
}

function tooLarge(type: string, length: number, max: number): KitewireError {
  return new KitewireError(ErrorCode.LENGTH_LIMIT, `${type}: a message of ${length} bytes is over the send limit of ${max}`);
}
