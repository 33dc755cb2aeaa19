/**
 * The contract between generated Thrift code and the runtime: a codec per struct, union
 * and exception, and one-call encode/decode with a chosen protocol.
 */
import { ErrorCode, KitewireError, outOfRange } from "../../errors.js";
import { getEngine } from "../../wasm/load.js";
import { perEngine } from "../../wasm/per-engine.js";
import { ThriftBinaryReader, type ThriftReaderOptions } from "./binary-reader.js";
import { ThriftBinaryWriter } from "./binary-writer.js";
import { ThriftCompactReader } from "./compact-reader.js";
import { ThriftCompactWriter } from "./compact-writer.js";
import type { ThriftProtocol, ThriftReader, ThriftWriter } from "./protocol.js";
import type { TType } from "./types.js";

/** What generated code provides for each struct, union and exception. */
export interface ThriftStructCodec<T> {
  /** The IDL name (not `name`: exceptions are classes, whose `name` is taken). */
  readonly typeName: string;
  /** Writes `value` as a struct (field headers, fields, STOP). */
  write(w: ThriftWriter, value: T): void;
  /** Reads a struct; throws MISSING_FIELD if a required field is absent. */
  read(r: ThriftReader): T;
  /**
   * `read` for Binary readers only, which generated code adds so that each body sees one
   * reader class (V8 optimizes such calls better); `readStruct` picks it for Binary input.
   */
  readBinaryProtocol?(r: ThriftBinaryReader): T;
}

/** Reads a struct with `codec`: through `readBinaryProtocol` when `r` is a Binary reader and the codec has it. */
export function readStruct<T>(codec: ThriftStructCodec<T>, r: ThriftReader): T {
  return r instanceof ThriftBinaryReader && codec.readBinaryProtocol !== undefined ? codec.readBinaryProtocol(r) : codec.read(r);
}

/** Options of the one-call `decodeThrift`. */
export interface DecodeOptions extends ThriftReaderOptions {
  /** Accept bytes after the struct (default false: TRAILING_BYTES). */
  allowTrailing?: boolean;
}

/** Writers and readers reused by the one-call API, one per engine and protocol, made on first use. */
const pool = perEngine((): {
  binaryWriter?: ThriftBinaryWriter;
  compactWriter?: ThriftCompactWriter;
  binaryReader?: ThriftBinaryReader;
  compactReader?: ThriftCompactReader;
} => ({}));

/** Encodes one struct with `protocol` (default Binary) and returns its bytes. */
export function encodeThrift<T>(codec: ThriftStructCodec<T>, value: T, protocol: ThriftProtocol = "binary"): Uint8Array {
  const p = pool(getEngine());
  const w = protocol === "compact"
    ? (p.compactWriter ??= new ThriftCompactWriter())
    : (p.binaryWriter ??= new ThriftBinaryWriter());
  w.reset();
  codec.write(w, value);
  return w.finish();
}

/** Decodes one struct from `bytes` with `protocol` (default Binary). */
export function decodeThrift<T>(
  codec: ThriftStructCodec<T>, bytes: Uint8Array, protocol: ThriftProtocol = "binary", options?: DecodeOptions,
): T {
  let r: ThriftBinaryReader | ThriftCompactReader;
  if (options === undefined) {
    const p = pool(getEngine());
    r = protocol === "compact"
      ? (p.compactReader ??= new ThriftCompactReader())
      : (p.binaryReader ??= new ThriftBinaryReader());
  } else {
    r = protocol === "compact" ? new ThriftCompactReader(options) : new ThriftBinaryReader(options);
  }
  try {
    r.load(bytes);
    const value = readStruct(codec, r);
    if (r.remaining !== 0 && !options?.allowTrailing) {
      throw new KitewireError(ErrorCode.TRAILING_BYTES, `${r.remaining} bytes after ${codec.typeName}`, { offset: r.offset });
    }
    return value;
  } finally {
    // A reader made for these options dies here, failed or not: its engine copy of the input goes back.
    if (options !== undefined) r.dispose();
  }
}

/** The error generated readers throw when a required field is absent. */
export function missingField(struct: string, field: string, r: ThriftReader): KitewireError {
  return new KitewireError(ErrorCode.MISSING_FIELD, `required field ${struct}.${field} is missing`, { offset: r.offset });
}

/** The error generated readers throw when a union carries more than one field. */
export function unionOverflow(union: string, r: ThriftReader): KitewireError {
  return new KitewireError(ErrorCode.INVALID_VALUE, `union ${union} has more than one field set`, { offset: r.offset });
}

/** The error generated writers throw when a required field is not set. */
export function unsetField(struct: string, field: string): KitewireError {
  return new KitewireError(ErrorCode.MISSING_FIELD, `required field ${struct}.${field} is not set`);
}

/** Checks a list or set header against the element type the schema expects. */
export function expectElements(r: ThriftReader, size: number, type: TType): void {
  if (size > 0 && r.elementType !== type) {
    throw new KitewireError(ErrorCode.UNKNOWN_TYPE, `expected elements of type ${type}, found ${r.elementType}`, {
      offset: r.offset,
    });
  }
}

/** Checks a map header against the key and value types the schema expects. */
export function expectEntries(r: ThriftReader, size: number, keyType: TType, valueType: TType): void {
  if (size > 0 && (r.keyType !== keyType || r.valueType !== valueType)) {
    throw new KitewireError(
      ErrorCode.UNKNOWN_TYPE,
      `expected map<${keyType},${valueType}>, found map<${r.keyType},${r.valueType}>`,
      { offset: r.offset },
    );
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The 16 bytes of a UUID in canonical text form; throws INVALID_VALUE for anything else. */
export function uuidToBytes(uuid: string): Uint8Array {
  if (typeof uuid !== "string" || !UUID.test(uuid)) throw outOfRange("uuid", uuid);
  const hex = uuid.replace(/-/g, "");
  const out = new Uint8Array(16);
  for (let i = 0; i < 16; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

/** The canonical (lowercase) text form of 16 UUID bytes. */
export function uuidFromBytes(bytes: Uint8Array): string {
  let hex = "";
  for (let i = 0; i < 16; i++) hex += bytes[i]!.toString(16).padStart(2, "0");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
