/**
 * The contract between generated Protobuf code and the runtime: a codec per message with
 * its field table (what ProtoJSON and generic calls walk), enum tables, and one-call
 * encode/decode.
 */
import { ErrorCode, KitewireError } from "../../errors.js";
import { getEngine } from "../../wasm/load.js";
import { perEngine } from "../../wasm/per-engine.js";
import type { ReaderOptions } from "../byte-reader.js";
import { varintSize } from "../byte-writer.js";
import { ProtobufReader } from "./reader.js";
import { ProtobufWriter } from "./writer.js";

/** Protobuf scalar types. */
export type ScalarType =
  | "double" | "float" | "int32" | "int64" | "uint32" | "uint64" | "sint32" | "sint64"
  | "fixed32" | "fixed64" | "sfixed32" | "sfixed64" | "bool" | "string" | "bytes";

/** A generated enum's table. */
export interface ProtobufEnumInfo {
  /** Full name, e.g. `pkg.Color`. */
  readonly typeName: string;
  /** Number of each value name. */
  readonly values: Readonly<Record<string, number>>;
  /** Name of each number (the first name for aliases). */
  readonly names: Readonly<Record<number, string>>;
  /** proto2 enums are closed: unknown numbers go to unknown fields. */
  readonly closed: boolean;
}

/** What a field holds: a scalar, an enum, a message, or (for maps) a key and a value. */
export type FieldType =
  | { readonly kind: "scalar"; readonly type: ScalarType }
  | { readonly kind: "enum"; readonly type: () => ProtobufEnumInfo }
  | { readonly kind: "message"; readonly type: () => ProtobufMessageCodec<unknown>; readonly group?: boolean }
  | { readonly kind: "map"; readonly key: ScalarType; readonly value: Exclude<FieldType, { kind: "map" }> };

/** One field of a message, as generated code describes it. */
export interface ProtobufField {
  readonly no: number;
  /** Name in the .proto file. */
  readonly protoName: string;
  /** ProtoJSON name. */
  readonly jsonName: string;
  /** Property name in the TypeScript message (inside the oneof object for oneof members). */
  readonly localName: string;
  readonly type: FieldType;
  readonly repeated: boolean;
  /** Whether a repeated scalar is written packed. */
  readonly packed: boolean;
  /** Whether absence is distinguishable from the default (optional, message, oneof member). */
  readonly presence: boolean;
  readonly required: boolean;
  /** The oneof's TypeScript property name, for oneof members. */
  readonly oneof?: string;
  /** proto2 `[default = ...]`, as the TypeScript value. */
  readonly defaultValue?: unknown;
}

/** What generated code provides for each message. */
export interface ProtobufMessageCodec<T> {
  /** Full name, e.g. `pkg.Outer.Inner`. */
  readonly typeName: string;
  readonly fields: readonly ProtobufField[];
  /** A message with every field at its default, then `init`. */
  create(init?: Partial<T>): T;
  /** Writes the message's fields (no length prefix). */
  encode(w: ProtobufWriter, value: T): void;
  /**
   * Reads fields up to `r.end`; throws MISSING_FIELD for absent proto2 required fields.
   * Given `into`, returns `into` merged with what is read (as Protobuf merges a message
   * field that comes twice): a new object, which may share and extend `into`'s lists.
   */
  decode(r: ProtobufReader, into?: T): T;
}

/** Options of `decodeProtobuf`. */
export type ProtobufDecodeOptions = ReaderOptions;

/** The writer and reader reused by the one-call API, one per engine. */
const pool = perEngine((engine) => ({ writer: new ProtobufWriter({ engine }), reader: new ProtobufReader({ engine }) }));

/** Encodes one message and returns its bytes. */
export function encodeProtobuf<T>(codec: ProtobufMessageCodec<T>, value: T): Uint8Array {
  const w = pool(getEngine()).writer;
  w.reset();
  codec.encode(w, value);
  return w.finish();
}

/** Decodes one message from `bytes`. */
export function decodeProtobuf<T>(codec: ProtobufMessageCodec<T>, bytes: Uint8Array, options?: ProtobufDecodeOptions): T {
  // The reader made for options in a function of its own: its bytecode would count against
  // V8's inlining budget wherever this call is inlined (see reader.ts).
  if (options !== undefined) return decodeWithOptions(codec, bytes, options);
  return codec.decode(pool(getEngine()).reader.load(bytes));
}

function decodeWithOptions<T>(codec: ProtobufMessageCodec<T>, bytes: Uint8Array, options: ProtobufDecodeOptions): T {
  const r = new ProtobufReader(options);
  try {
    return codec.decode(r.load(bytes));
  } finally {
    r.dispose();
  }
}

/** The error generated decoders throw when a proto2 required field is absent. */
export function missingRequired(message: string, field: string, r: ProtobufReader): KitewireError {
  return new KitewireError(ErrorCode.MISSING_FIELD, `required field ${message}.${field} is missing`, { offset: r.offset });
}

/** Reads a length-delimited nested message (its tag already read), merged into `into` if given. */
export function decodeNested<T>(r: ProtobufReader, codec: ProtobufMessageCodec<T>, into?: T): T {
  const outer = r.begin();
  const value = codec.decode(r, into);
  r.finish(outer);
  return value;
}

/** Reads a proto2 group (its start tag `tag` already read) up to its end tag, merged into `into` if given. */
export function decodeGroup<T>(r: ProtobufReader, codec: ProtobufMessageCodec<T>, tag: number, into?: T): T {
  const start = r.pos;
  r.skip(tag); // the engine finds the matching end tag, checking everything in between
  const after = r.pos;
  const endTag = ((tag >>> 3) << 3) | 4;
  const outer = r.end;
  r.pos = start;
  r.end = after - varintSize(endTag);
  r.enter();
  const value = codec.decode(r, into);
  r.leave();
  r.pos = after;
  r.end = outer;
  return value;
}

/** The error generated encoders throw when a proto2 required field is not set. */
export function unsetRequired(message: string, field: string): KitewireError {
  return new KitewireError(ErrorCode.MISSING_FIELD, `required field ${message}.${field} is not set`);
}

/** The bytes of a varint field `no = value` (a packed closed-enum value kept as an unknown field). */
export function unknownVarint(no: number, value: number): Uint8Array {
  const out: number[] = [];
  const push = (lo: number, hi: number) => {
    while (hi !== 0 || lo > 0x7f) {
      out.push((lo & 0x7f) | 0x80);
      lo = ((lo >>> 7) | (hi << 25)) >>> 0;
      hi >>>= 7;
    }
    out.push(lo);
  };
  push((no * 8) >>> 0, Math.floor((no * 8) / 2 ** 32));
  push(value >>> 0, value < 0 ? 0xffffffff : 0);
  return new Uint8Array(out);
}
