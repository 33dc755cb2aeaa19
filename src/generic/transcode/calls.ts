/**
 * JSON generic calls on Thrift through the engine transcoder. A JSON-kind client or
 * server uses method tables whose struct codecs pass structs the engine made as they are:
 * a `TranscodedStruct` (Thrift bytes made from JSON text) is written without re-encoding,
 * and a struct read off the wire becomes `JsonText` (JSON made from its bytes) without a
 * JS value per field. Whatever the engine leaves goes through the map-generic codecs, as
 * before, so values and errors are the JS path's.
 *
 * Middleware sees such a call's arguments as the arguments object with the transcoded
 * struct (or its JSON text) in the first parameter's place.
 */
import type { ByteWriter } from "../../codec/byte-writer.js";
import type { ThriftProtocol, ThriftReader, ThriftWriter } from "../../codec/thrift/protocol.js";
import { decodeThrift, readStruct, type ThriftStructCodec } from "../../codec/thrift/struct.js";
import { TType } from "../../codec/thrift/types.js";
import type { ThriftMethod, ThriftService } from "../../service/thrift.js";
import { getEngine } from "../../wasm/load.js";
import type { ThriftMethodDescriptor, ThriftServiceDescriptor, ThriftStructDescriptor } from "../thrift/descriptor.js";
import { onlyFieldToJsonInEngine, thriftToJsonTextInEngine } from "./transcode.js";

/** A whole struct's Thrift bytes, transcoded from JSON in the engine. */
export class TranscodedStruct {
  constructor(readonly bytes: Uint8Array, readonly protocol: ThriftProtocol) {}
}

/** JSON text the engine made from a struct's (or a result's success value's) bytes. */
export class JsonText {
  constructor(readonly text: string) {}
}

/** Writes `raw` as it is when it is in the writer's protocol, else re-encoded through `codec`. */
function writeTranscoded(w: ThriftWriter, raw: TranscodedStruct, codec: ThriftStructCodec<unknown>): void {
  if (raw.protocol === w.protocol) (w as unknown as ByteWriter).writeRaw(raw.bytes);
  else codec.write(w, decodeThrift(codec, raw.bytes, raw.protocol, {}));
}

/** Reads one struct's bytes (checked well-formed in the engine). */
export function structBytes(r: ThriftReader): Uint8Array {
  return r.readUnknown(TType.STRUCT).bytes;
}

/** The arguments codec: a TranscodedStruct in the first parameter's place is the whole struct. */
export function argsCodec(m: ThriftMethodDescriptor): ThriftStructCodec<unknown> {
  const s = m.argsStruct;
  const first = m.params[0]?.name;
  return {
    get typeName() {
      return s.name;
    },
    write(w, v) {
      const raw = first === undefined ? undefined : (v as Record<string, unknown>)[first];
      if (raw instanceof TranscodedStruct) writeTranscoded(w, raw, s.codec);
      else s.codec.write(w, v);
    },
    read(r) {
      if (first === undefined) return readStruct(s.codec, r);
      const bytes = structBytes(r);
      const text = thriftToJsonTextInEngine(getEngine(), s, bytes, r.protocol);
      return text !== undefined ? { [first]: new JsonText(text) } : decodeThrift(s.codec, bytes, r.protocol, {});
    },
  };
}

/** The result codec: a TranscodedStruct success is the whole result struct; a success read is JsonText. */
function resultCodec(s: ThriftStructDescriptor): ThriftStructCodec<unknown> {
  return {
    get typeName() {
      return s.name;
    },
    write(w, v) {
      const success = (v as { success?: unknown }).success;
      if (success instanceof TranscodedStruct) writeTranscoded(w, success, s.codec);
      else s.codec.write(w, v);
    },
    read(r) {
      const bytes = structBytes(r);
      const got = onlyFieldToJsonInEngine(getEngine(), s, bytes, r.protocol);
      if (got?.field?.id === 0) return { success: new JsonText(got.text) };
      return decodeThrift(s.codec, bytes, r.protocol, {});
    },
  };
}

const tables = new WeakMap<ThriftServiceDescriptor, ThriftService>();

/** `table` (a service's map-generic method table) with the transcoding codecs of JSON calls. */
export function jsonServiceTable(service: ThriftServiceDescriptor, table: ThriftService): ThriftService {
  let json = tables.get(service);
  if (json === undefined) {
    const methods: Record<string, ThriftMethod> = {};
    for (const m of service.methods.values()) {
      methods[m.name] = { ...table.methods[m.name]!, args: argsCodec(m), result: resultCodec(m.resultStruct) };
    }
    tables.set(service, (json = { ...table, methods }));
  }
  return json;
}
