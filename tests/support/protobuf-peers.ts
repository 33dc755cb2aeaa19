/**
 * The two npm Protobuf peers of tests/interop/protobuf-generated.test.ts, driven from
 * kitewire values through the field tables of kitewire's generated codecs (fields are
 * matched by number, so naming differences cannot hide anything):
 *
 *  - protobufjs 8.8, full build, reflection: the corpus .proto files are parsed at run
 *    time (`keepCase`, so property names are the .proto names); values go in through
 *    `Type.fromObject` (64-bit values as `long` Longs built from the exact bits, map keys as
 *    the decimal strings protobufjs accepts) and come out of `Type.decode` as message
 *    instances (own properties = fields present on the wire; Longs; 64-bit map keys as
 *    protobufjs's 8-character hash strings; bytes as Buffers), with unknown fields kept
 *    (`Reader.discardUnknown = false`; protobufjs 8 drops them by default).
 *  - @bufbuild/protobuf 2.17 running protoc-gen-es 2.13 code (tests/fixtures/protobuf-es),
 *    through its reflection API (`reflect`, ReflectList/ReflectMap), which converts to and
 *    from its local representation (unboxed wrappers, Struct fields as JSON objects).
 */
import { createRequire } from "node:module";
import { join } from "node:path";
import { createRegistry, fromBinary, toBinary, type DescField, type DescMessage } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage, type ReflectList, type ReflectMap } from "@bufbuild/protobuf/reflect";
import {
  file_google_protobuf_any, file_google_protobuf_duration, file_google_protobuf_empty, file_google_protobuf_field_mask,
  file_google_protobuf_struct, file_google_protobuf_timestamp, file_google_protobuf_wrappers,
} from "@bufbuild/protobuf/wkt";
import type { ProtobufField, ScalarType } from "kitewire";
import { file_evolve } from "../fixtures/protobuf-es/evolve_pb.js";
import { file_evolve2 } from "../fixtures/protobuf-es/evolve2_pb.js";
import { file_negative } from "../fixtures/protobuf-es/negative_pb.js";
import { file_oneof_group } from "../fixtures/protobuf-es/oneof_group_pb.js";
import { file_types2 } from "../fixtures/protobuf-es/types2_pb.js";
import { file_types3 } from "../fixtures/protobuf-es/types3_pb.js";
import { file_wkt } from "../fixtures/protobuf-es/wkt_pb.js";
import {
  CORPUS_DIR, PROTOBUFJS_FILES, concat, fieldValue, is64, isImplicit, isUnsigned64, objectKey, setField, varint,
  type Codec, type MapKey, type Msg,
} from "./protobuf-corpus.js";

type ValueType = Exclude<ProtobufField["type"], { kind: "map" }>;

// ---------------------------------------------------------------------------------------
// protobufjs

interface LongValue { low: number; high: number; unsigned: boolean }
interface PbField { name: string; id: number; resolvedType: PbType | null }
export interface PbType {
  fullName: string;
  fieldsById: Record<number, PbField>;
  fromObject(o: Record<string, unknown>): PbMessage;
  encode(m: PbMessage): { finish(): Uint8Array };
  decode(b: Uint8Array): PbMessage;
}
export type PbMessage = Record<string, unknown> & { $unknowns?: Uint8Array[] };
interface PbRoot {
  resolvePath: (origin: string, target: string) => string;
  loadSync(files: string[], options: { keepCase: boolean }): PbRoot;
  lookupType(name: string): PbType;
}

const require = createRequire(import.meta.url);
const protobuf = require("protobufjs") as {
  Root: new () => PbRoot;
  Reader: { discardUnknown: boolean };
  util: { Long: unknown; longFromHash(hash: string, unsigned: boolean): LongValue };
  configure(): void;
};
const Long = require("long") as { fromBits(low: number, high: number, unsigned: boolean): LongValue };

/** The corpus, parsed by protobufjs (its bundled google/protobuf files for the imports). */
export function loadProtobufjs(): { lookup(typeName: string): PbType } {
  protobuf.util.Long = Long; // exact 64-bit values (the default when `long` is installed)
  protobuf.configure();
  protobuf.Reader.discardUnknown = false; // keep unknown fields (protobufjs drops them by default)
  const root = new protobuf.Root();
  const dir = join(process.cwd(), CORPUS_DIR);
  root.resolvePath = (_origin, target) => (target.startsWith(dir) ? target : join(dir, target));
  root.loadSync(PROTOBUFJS_FILES, { keepCase: true });
  return { lookup: (name) => root.lookupType(name) };
}

const toLong = (x: bigint, unsigned: boolean): LongValue =>
  Long.fromBits(Number(BigInt.asUintN(32, x)), Number(BigInt.asUintN(32, x >> 32n)), unsigned);

function fromLong(x: unknown, t: ScalarType): bigint {
  if (typeof x === "number") throw new Error(`protobufjs returned a number for a ${t}: util.Long is not set`);
  const l = x as LongValue;
  const bits = (BigInt(l.high >>> 0) << 32n) | BigInt(l.low >>> 0);
  return isUnsigned64(t) ? bits : BigInt.asIntN(64, bits);
}

/** A kitewire value as the plain object protobufjs's `fromObject` takes. */
export function toProtobufjs(c: Codec, v: Msg, type: PbType): Record<string, unknown> {
  const o: Record<string, unknown> = {};
  const one = (t: ValueType, x: unknown, pf: PbField): unknown => {
    if (t.kind === "message") return toProtobufjs(t.type() as Codec, x as Msg, pf.resolvedType!);
    if (t.kind === "scalar" && is64(t.type)) return toLong(x as bigint, isUnsigned64(t.type));
    return x;
  };
  for (const f of c.fields) {
    const x = fieldValue(v, f);
    if (x === undefined) continue;
    const pf = type.fieldsById[f.no];
    if (!pf) throw new Error(`protobufjs: ${type.fullName} has no field ${f.no}`);
    const t = f.type;
    if (t.kind === "map") {
      const m: Record<string, unknown> = {};
      for (const [k, e] of x as Map<MapKey, unknown>) m[objectKey(k)] = one(t.value, e, pf);
      o[pf.name] = m;
    } else if (f.repeated) {
      o[pf.name] = (x as unknown[]).map((e) => one(t, e, pf));
    } else {
      o[pf.name] = one(t, x, pf);
    }
  }
  return o;
}

function protobufjsKey(t: ScalarType, k: string): MapKey {
  if (is64(t)) {
    if (/^-?[0-9]+$/.test(k)) return isUnsigned64(t) ? BigInt.asUintN(64, BigInt(k)) : BigInt.asIntN(64, BigInt(k));
    return fromLong(protobuf.util.longFromHash(k, isUnsigned64(t)), t);
  }
  if (t === "bool") return k === "true";
  if (t === "string") return k;
  return Number(k);
}

/** A message protobufjs decoded, as the kitewire value it stands for. */
export function fromProtobufjs(c: Codec, m: PbMessage, type: PbType): Msg {
  const v = c.create();
  const one = (t: ValueType, x: unknown, pf: PbField): unknown => {
    if (t.kind === "message") return fromProtobufjs(t.type() as Codec, x as PbMessage, pf.resolvedType!);
    if (t.kind === "scalar" && is64(t.type)) return fromLong(x, t.type);
    if (t.kind === "scalar" && t.type === "bytes") return new Uint8Array(x as Uint8Array);
    return x;
  };
  for (const f of c.fields) {
    const pf = type.fieldsById[f.no]!;
    const own = Object.prototype.hasOwnProperty.call(m, pf.name) && m[pf.name] != null;
    const x = m[pf.name];
    const t = f.type;
    if (t.kind === "map") {
      const map = new Map<MapKey, unknown>();
      if (own) for (const [k, e] of Object.entries(x as object)) map.set(protobufjsKey(t.key, k), one(t.value, e, pf));
      v[f.localName] = map;
    } else if (f.repeated) {
      v[f.localName] = own ? (x as unknown[]).map((e) => one(t, e, pf)) : [];
    } else if (own) {
      setField(v, f, one(t, x, pf));
    } else if (f.oneof === undefined && f.presence && !f.required) {
      v[f.localName] = undefined;
    }
  }
  if (m.$unknowns !== undefined) v.$unknown = m.$unknowns.map((u) => new Uint8Array(u));
  return v;
}

// ---------------------------------------------------------------------------------------
// @bufbuild/protobuf

export const esRegistry = createRegistry(
  file_types3, file_types2, file_wkt, file_evolve, file_evolve2, file_negative, file_oneof_group,
  file_google_protobuf_any, file_google_protobuf_duration, file_google_protobuf_empty, file_google_protobuf_field_mask,
  file_google_protobuf_struct, file_google_protobuf_timestamp, file_google_protobuf_wrappers,
);

export function esDesc(typeName: string): DescMessage {
  const d = esRegistry.getMessage(typeName);
  if (!d) throw new Error(`@bufbuild/protobuf: no message ${typeName} in the protoc-gen-es code`);
  return d;
}

function esField(r: ReflectMessage, f: ProtobufField): DescField {
  const ef = r.findNumber(f.no);
  if (!ef) throw new Error(`@bufbuild/protobuf: ${r.desc.typeName} has no field ${f.no}`);
  return ef;
}

/** A kitewire value as a @bufbuild/protobuf message (through its reflection API). */
export function toEs(c: Codec, v: Msg, desc: DescMessage = esDesc(c.typeName)): ReflectMessage {
  const r = reflect(desc);
  for (const f of c.fields) {
    const x = fieldValue(v, f);
    if (x === undefined) continue;
    const ef = esField(r, f);
    const t = f.type;
    const one = (vt: ValueType, e: unknown): unknown =>
      vt.kind === "message" ? toEs(vt.type() as Codec, e as Msg, ef.message!) : e;
    if (t.kind === "map") {
      const m = r.get(ef) as ReflectMap;
      for (const [k, e] of x as Map<MapKey, unknown>) m.set(k, one(t.value, e));
    } else if (f.repeated) {
      const l = r.get(ef) as ReflectList;
      for (const e of x as unknown[]) l.add(one(t, e));
    } else {
      r.set(ef, one(t, x));
    }
  }
  return r;
}

/** A @bufbuild/protobuf message as the kitewire value it stands for. */
export function fromEs(c: Codec, r: ReflectMessage): Msg {
  const v = c.create();
  for (const f of c.fields) {
    const ef = esField(r, f);
    const t = f.type;
    const one = (vt: ValueType, e: unknown): unknown =>
      vt.kind === "message" ? fromEs(vt.type() as Codec, e as ReflectMessage) : e;
    if (t.kind === "map") {
      const m = new Map<MapKey, unknown>();
      for (const [k, e] of r.get(ef) as ReflectMap) m.set(k as MapKey, one(t.value, e));
      v[f.localName] = m;
    } else if (f.repeated) {
      v[f.localName] = [...(r.get(ef) as ReflectList)].map((e) => one(t, e));
    } else if (f.oneof !== undefined) {
      if (r.isSet(ef)) setField(v, f, one(t, r.get(ef)));
    } else if (isImplicit(f) || f.required) {
      v[f.localName] = one(t, r.get(ef));
    } else {
      v[f.localName] = r.isSet(ef) ? one(t, r.get(ef)) : undefined;
    }
  }
  const unknown = r.getUnknown();
  if (unknown !== undefined && unknown.length > 0) {
    v.$unknown = unknown.map((u) => concat([Uint8Array.from(varint((u.no << 3) | u.wireType)), u.data]));
  }
  return v;
}

export function esEncode(c: Codec, v: Msg): Uint8Array {
  const r = toEs(c, v);
  return toBinary(r.desc, r.message);
}

export function esDecode(c: Codec, bytes: Uint8Array): ReflectMessage {
  const desc = esDesc(c.typeName);
  return reflect(desc, fromBinary(desc, bytes));
}
