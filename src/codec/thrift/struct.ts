/**
 * The contract between generated Thrift code and the runtime: a codec per struct, union
 * and exception, and one-call encode/decode with a chosen protocol.
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import type { Engine } from "../../wasm/engine.js";
import { getEngine } from "../../wasm/load.js";
import { ThriftBinaryReader, type ThriftReaderOptions } from "./binary-reader.js";
import { ThriftBinaryWriter } from "./binary-writer.js";
import { ThriftCompactReader } from "./compact-reader.js";
import { ThriftCompactWriter } from "./compact-writer.js";
import type { ThriftProtocol, ThriftReader, ThriftWriter } from "./protocol.js";

/** What generated code provides for each struct, union and exception. */
export interface ThriftStructCodec<T> {
  /** The IDL name (not `name`: exceptions are classes, whose `name` is taken). */
  readonly typeName: string;
  /** Writes `value` as a struct (field headers, fields, STOP). */
  write(w: ThriftWriter, value: T): void;
  /** Reads a struct; throws MISSING_FIELD if a required field is absent. */
  read(r: ThriftReader): T;
}

/** Options of the one-call `decodeThrift`. */
export interface DecodeOptions extends ThriftReaderOptions {
  /** Accept bytes after the struct (default false: TRAILING_BYTES). */
  allowTrailing?: boolean;
}

/** Writers and readers reused by the one-call API, one per engine and protocol. */
const shared = new WeakMap<Engine, {
  binaryWriter?: ThriftBinaryWriter;
  compactWriter?: ThriftCompactWriter;
  binaryReader?: ThriftBinaryReader;
  compactReader?: ThriftCompactReader;
}>();

function pool(engine: Engine) {
  let entry = shared.get(engine);
  if (!entry) shared.set(engine, (entry = {}));
  return entry;
}

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
  r.load(bytes);
  const value = codec.read(r);
  if (r.remaining !== 0 && !options?.allowTrailing) {
    throw new KitewireError(ErrorCode.TRAILING_BYTES, `${r.remaining} bytes after ${codec.typeName}`, { offset: r.offset });
  }
  if (options !== undefined) r.dispose();
  return value;
}

/** The error generated readers throw when a required field is absent. */
export function missingField(struct: string, field: string, r: ThriftReader): KitewireError {
  return new KitewireError(ErrorCode.MISSING_FIELD, `required field ${struct}.${field} is missing`, { offset: r.offset });
}

/** The error generated readers throw when a union carries more than one field. */
export function unionOverflow(union: string, r: ThriftReader): KitewireError {
  return new KitewireError(ErrorCode.INVALID_VALUE, `union ${union} has more than one field set`, { offset: r.offset });
}
