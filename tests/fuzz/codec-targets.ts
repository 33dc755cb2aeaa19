/**
 * Fuzz targets of the payload decoders: generated Thrift (Binary, Compact) and Protobuf
 * read paths, the engine's skip/validate paths (checked against a walk with the TS
 * readers), and ProtoJSON parsing.
 *
 * Inputs: the first byte picks the codec (its low 7 bits, modulo the number of codecs) and
 * an option (its high bit); the rest is the encoded value. Properties: a KitewireError or
 * nothing is thrown; what decodes re-encodes, and decode -> encode -> decode -> encode
 * gives the same bytes (through the other protocol too, for Thrift).
 */
import {
  ThriftBinaryReader, ThriftCompactReader, ProtobufReader, TType, createTypeRegistry, decodeProtobuf, decodeThrift,
  encodeProtobuf, encodeThrift, fromJsonString, toJsonString, type ProtobufMessageCodec, type ThriftProtocol,
  type ThriftReader, type ThriftStructCodec,
} from "kitewire";
import * as tBase from "../golden/thrift/gen/base.js";
import * as tBench from "../golden/thrift/gen/bench.js";
import * as tExample from "../golden/thrift/gen/example.js";
import * as tModern from "../golden/thrift/gen/modern.js";
import * as tNames from "../golden/thrift/gen/names.js";
import * as tTypedefTypes from "../golden/thrift/gen/typedef_types.js";
import * as tTypedefs from "../golden/thrift/gen/typedefs.js";
import * as pBench from "../golden/proto/gen/bench.js";
import * as pExample from "../golden/proto/gen/example.js";
import * as pExtensions from "../golden/proto/gen/extensions.js";
import * as pLegacy from "../golden/proto/gen/legacy.js";
import { corpus } from "../support/protobuf-corpus.js";
import { FuzzFinding, holds, rejectsCleanly, sameBytes } from "./check.js";

/** Decoder limits of the fuzz runs: small enough that no input can use much memory. */
const LIMITS = { maxDepth: 32, maxLength: 1 << 20, maxCount: 1 << 16 };

type AnyThrift = ThriftStructCodec<unknown>;
type AnyProto = ProtobufMessageCodec<unknown>;

function codecsIn<T>(modules: object[], isCodec: (x: Record<string, unknown>) => boolean): T[] {
  const found = new Set<T>();
  for (const m of modules) {
    for (const x of Object.values(m)) {
      if ((typeof x === "object" || typeof x === "function") && x !== null && typeof (x as { typeName?: unknown }).typeName === "string"
        && isCodec(x as Record<string, unknown>)) found.add(x as T);
    }
  }
  return [...found].sort((a, b) => (a as { typeName: string }).typeName.localeCompare((b as { typeName: string }).typeName));
}

/** Every struct, union and exception codec of the golden Thrift files, by type name. */
export const THRIFT_CODECS: AnyThrift[] = codecsIn([tBase, tBench, tExample, tModern, tNames, tTypedefTypes, tTypedefs],
  (x) => typeof x.read === "function" && typeof x.write === "function");
/** Every message codec of the golden and interop Protobuf files, by type name. */
export const PROTO_CODECS: AnyProto[] = codecsIn([pBench, pExample, pExtensions, pLegacy, Object.fromEntries(corpus.map((c) => [c.typeName, c]))],
  (x) => typeof x.decode === "function" && typeof x.encode === "function" && Array.isArray(x.fields));

const registry = createTypeRegistry(...PROTO_CODECS);

/** The first-byte selector of an input: index `codec` of a list, `flag` in the high bit. */
export function selector(codec: number, flag = false): number {
  return (codec & 0x7f) | (flag ? 0x80 : 0);
}

function pick<T>(list: readonly T[], data: Uint8Array): { item: T; flag: boolean; rest: Uint8Array } {
  const sel = data[0]!;
  return { item: list[(sel & 0x7f) % list.length]!, flag: sel >= 0x80, rest: data.subarray(1) };
}

const OTHER: Record<ThriftProtocol, ThriftProtocol> = { binary: "compact", compact: "binary" };

/** Generated Thrift read path; the flag keeps unknown fields. */
export function thriftGenerated(protocol: ThriftProtocol): (data: Uint8Array) => void {
  return (data) => {
    if (data.length === 0) return;
    const { item: codec, flag: keepUnknown, rest } = pick(THRIFT_CODECS, data);
    const options = { ...LIMITS, keepUnknown };
    const value = rejectsCleanly(() => decodeThrift(codec, rest, protocol, options));
    if (value === undefined) return;
    const what = `${codec.typeName} (${protocol}${keepUnknown ? ", keepUnknown" : ""})`;
    const once = encodeThrift(codec, value, protocol);
    const again = encodeThrift(codec, decodeThrift(codec, once, protocol, options), protocol);
    sameBytes(again, once, `${what}: encode(decode(encode(decode(x)))) vs encode(decode(x))`);
    // Through the other protocol, kept unknown fields are transcoded, which makes
    // non-canonical bytes canonical (a Binary bool 0x52 becomes 0x01): the trip must be
    // stable from the second time on.
    const via = (v: unknown) => {
      const other = encodeThrift(codec, v, OTHER[protocol]);
      return encodeThrift(codec, decodeThrift(codec, other, OTHER[protocol], options), protocol);
    };
    const first = via(value);
    sameBytes(via(decodeThrift(codec, first, protocol, options)), first, `${what}: through ${OTHER[protocol]} and back, twice`);
  };
}

/** Generated Protobuf read path (unknown fields are always kept); the flag decodes with the pooled reader. */
export function protobufGenerated(data: Uint8Array): void {
  if (data.length === 0) return;
  const { item: codec, flag: pooled, rest } = pick(PROTO_CODECS, data);
  const decode = (bytes: Uint8Array) => (pooled ? decodeProtobuf(codec, bytes) : decodeProtobuf(codec, bytes, LIMITS));
  const value = rejectsCleanly(() => decode(rest));
  if (value === undefined) return;
  const once = encodeProtobuf(codec, value);
  const again = encodeProtobuf(codec, decode(once));
  sameBytes(again, once, `${codec.typeName}: encode(decode(encode(decode(x)))) vs encode(decode(x))`);
}

/** ProtoJSON parsing; the flag ignores unknown fields. Text that parses prints, and the print parses to the same message. */
export function protoJson(data: Uint8Array): void {
  if (data.length === 0) return;
  const { item: codec, flag: ignoreUnknownFields, rest } = pick(PROTO_CODECS, data);
  const text = new TextDecoder().decode(rest);
  const options = { typeRegistry: registry, ignoreUnknownFields, maxDepth: LIMITS.maxDepth };
  const value = rejectsCleanly(() => fromJsonString(codec, text, options));
  if (value === undefined) return;
  const print = (v: unknown) => toJsonString(codec, v, { typeRegistry: registry });
  const printed = print(value);
  const reparsed = fromJsonString(codec, printed, options);
  holds(print(reparsed) === printed, `${codec.typeName}: toJson(fromJson(toJson(fromJson(x)))) differs from toJson(fromJson(x)) = ${printed}`);
  // Map entries come in JSON object order ("1" before "01"), so the binary is compared from the second trip on.
  const again = fromJsonString(codec, print(reparsed), options);
  sameBytes(encodeProtobuf(codec, again), encodeProtobuf(codec, reparsed), `${codec.typeName}: binary of the JSON round trip`);
}

/**
 * Reads one value of `type` with the TS reader's typed calls, as generated code does for a
 * schema it does not know (the independent check of the engine's skip).
 */
function walk(r: ThriftReader, type: number): void {
  switch (type) {
    case TType.BOOL: r.readBool(); return;
    case TType.BYTE: r.readByte(); return;
    case TType.I16: r.readI16(); return;
    case TType.I32: r.readI32(); return;
    case TType.I64: r.readI64(); return;
    case TType.DOUBLE: r.readDouble(); return;
    case TType.STRING: r.readBinary(); return;
    case TType.UUID: r.readUuid(); return;
    case TType.STRUCT: {
      r.readStructBegin();
      for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) walk(r, t);
      r.readStructEnd();
      return;
    }
    case TType.MAP: {
      const n = r.readMapBegin();
      const k = r.keyType;
      const v = r.valueType;
      for (let i = 0; i < n; i++) {
        walk(r, k);
        walk(r, v);
      }
      r.readContainerEnd();
      return;
    }
    case TType.SET: case TType.LIST: {
      const n = r.readListBegin();
      const e = r.elementType;
      for (let i = 0; i < n; i++) walk(r, e);
      r.readContainerEnd();
      return;
    }
    default: r.skip(type as TType); // not a type: generated code skips it, which must throw
      throw new FuzzFinding(`skip of type ${type} did not throw`);
  }
}

/**
 * The engine's skip and message validation. The selector picks the mode: skip a struct, or
 * validate a message (flag: allow unversioned Binary headers). A value the engine accepts
 * must read with the TS reader to the same end, and the other way round.
 */
export function thriftSkip(protocol: ThriftProtocol): (data: Uint8Array) => void {
  // Lenient UTF-8: the engine's walk does not look inside strings (not even message names).
  const make = (allowUnversioned: boolean) => protocol === "binary"
    ? new ThriftBinaryReader({ ...LIMITS, allowUnversioned, strictUtf8: false })
    : new ThriftCompactReader({ ...LIMITS, allowUnversioned, strictUtf8: false });
  const readers = [make(false), make(true)];
  return (data) => {
    if (data.length === 0) return;
    const message = (data[0]! & 1) === 1;
    const flag = data[0]! >= 0x80;
    const rest = data.subarray(1);
    const r = readers[flag ? 1 : 0]!;
    const engineEnd = rejectsCleanly(() => {
      r.load(rest);
      if (message) return r.validateMessage();
      r.skip(TType.STRUCT);
      return r.offset;
    });
    const walker = readers[flag ? 1 : 0]!;
    const tsEnd = rejectsCleanly(() => {
      walker.load(rest);
      if (message) walker.readMessageBegin();
      walk(walker, TType.STRUCT);
      return walker.offset;
    });
    holds(engineEnd === tsEnd,
      `${protocol} ${message ? "message" : "struct"}: the engine's ${message ? "validateMessage" : "skip"} ends at ${engineEnd}, the TS reader at ${tsEnd}`);
  };
}

/** The engine's Protobuf validate and skip: `validate()` accepts exactly what a tag-by-tag skip of the whole input accepts. */
export function protobufSkip(data: Uint8Array): void {
  const r = new ProtobufReader(LIMITS);
  const validated = rejectsCleanly(() => {
    r.load(data).validate();
    return true;
  }) ?? false;
  const skipped = rejectsCleanly(() => {
    r.load(data);
    while (r.pos < r.end) r.skip(r.tag());
    return true;
  }) ?? false;
  r.dispose();
  holds(validated === skipped, `protobuf: validate() ${validated ? "accepts" : "rejects"}, skipping field by field ${skipped ? "accepts" : "rejects"}`);
}
