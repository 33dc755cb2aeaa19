/**
 * The Protobuf interop corpus (tests/interop/proto/*.proto, kitewire code in
 * tests/interop/proto/gen) and what the differential tests do with it, driven by the field
 * tables of kitewire's generated codecs:
 *  - random values of any corpus message (seeded),
 *  - map entry orders: the order a JS object keeps (the peers' maps are objects) and the
 *    order protoc's text format prints (sorted by key),
 *  - the protobuf text format of a value, for `protoc --encode`,
 *  - hex dumps and small wire helpers.
 *
 * Imported by tests/interop/protobuf-generated.test.ts (where "kitewire" is src/) and
 * tests/peers/protoc.test.ts (where it is the built dist/); both only use `import type`
 * from "kitewire" here, and take the codecs from the generated modules.
 */
import type { ProtobufEnumInfo, ProtobufField, ProtobufMessageCodec, ScalarType } from "kitewire";
import * as evolve from "../interop/proto/gen/evolve.js";
import * as evolve2 from "../interop/proto/gen/evolve2.js";
import * as gAny from "../interop/proto/gen/google/protobuf/any.js";
import * as gDuration from "../interop/proto/gen/google/protobuf/duration.js";
import * as gEmpty from "../interop/proto/gen/google/protobuf/empty.js";
import * as gFieldMask from "../interop/proto/gen/google/protobuf/field_mask.js";
import * as gStruct from "../interop/proto/gen/google/protobuf/struct.js";
import * as gTimestamp from "../interop/proto/gen/google/protobuf/timestamp.js";
import * as gWrappers from "../interop/proto/gen/google/protobuf/wrappers.js";
import * as oneofGroup from "../interop/proto/gen/oneof_group.js";
import * as types2 from "../interop/proto/gen/types2.js";
import * as types3 from "../interop/proto/gen/types3.js";
import * as wkt from "../interop/proto/gen/wkt.js";
import type { Random } from "./random.js";

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Msg = Record<string, any>;
export type Codec = ProtobufMessageCodec<Msg>;
export type MapKey = number | bigint | boolean | string;

/** Where the corpus .proto files are (the -I folder), relative to the repository root. */
export const CORPUS_DIR = "tests/interop/proto";
/** The corpus files, as protoc and kitewire gen take them (relative to CORPUS_DIR). */
export const CORPUS_FILES = [
  "types3.proto", "types2.proto", "wkt.proto", "evolve.proto", "evolve2.proto", "oneof_group.proto", "negative.proto",
];
/** What protobufjs 8.8 can parse: all but oneof_group.proto (see there). */
export const PROTOBUFJS_FILES = CORPUS_FILES.filter((f) => f !== "oneof_group.proto");
export const protobufjsKnows = (typeName: string) => !typeName.startsWith("interop.og.");
/** The generated module of negative.proto, imported apart (see that file) when a test asks. */
export const importNegative = () => import("../interop/proto/gen/negative.js") as Promise<Record<string, unknown>>;

export const modules = { types3, types2, wkt, evolve, evolve2, oneofGroup };
const wktModules = [gAny, gDuration, gEmpty, gFieldMask, gStruct, gTimestamp, gWrappers];

function codecsIn(mod: Record<string, unknown>): Codec[] {
  return Object.values(mod).filter((x): x is Codec =>
    typeof x === "object" && x !== null && typeof (x as Codec).typeName === "string" && Array.isArray((x as Codec).fields)
    && typeof (x as Codec).encode === "function");
}

/** Every message of the corpus files (nested ones and group types included), by full name. */
export const corpus: Codec[] = [...Object.values(modules), ...wktModules]
  .flatMap((m) => codecsIn(m as Record<string, unknown>))
  .sort((a, b) => a.typeName.localeCompare(b.typeName));

export const byName = new Map(corpus.map((c) => [c.typeName, c]));

export function codec(typeName: string): Codec {
  const c = byName.get(typeName);
  if (!c) throw new Error(`no corpus message ${typeName}`);
  return c;
}

/** Fields in field-number order (the order encoders write them). */
export function sortedFields(c: Codec): ProtobufField[] {
  return [...c.fields].sort((a, b) => a.no - b.no);
}

export const is64 = (t: ScalarType) => t === "int64" || t === "uint64" || t === "sint64" || t === "fixed64" || t === "sfixed64";
export const isUnsigned64 = (t: ScalarType) => t === "uint64" || t === "fixed64";

/** The proto3 zero of a scalar, as kitewire represents it. */
export function scalarZero(t: ScalarType): unknown {
  if (is64(t)) return 0n;
  switch (t) {
    case "bool": return false;
    case "string": return "";
    case "bytes": return new Uint8Array(0);
    default: return 0;
  }
}

export function isScalarZero(t: ScalarType, x: unknown): boolean {
  if (t === "bytes") return (x as Uint8Array).length === 0;
  if (t === "double" || t === "float") return Object.is(x, 0);
  return x === scalarZero(t);
}

/** A singular field whose absence is its default (proto3 implicit presence). */
export function isImplicit(f: ProtobufField): boolean {
  return !f.presence && !f.repeated && f.oneof === undefined && !f.required;
}

/** The value of field `f` in `v`, or undefined when a oneof member is not the chosen one. */
export function fieldValue(v: Msg, f: ProtobufField): unknown {
  if (f.oneof !== undefined) {
    const o = v[f.oneof] as { case?: string; value?: unknown };
    return o.case === f.localName ? o.value : undefined;
  }
  return v[f.localName];
}

/** Sets field `f` of `v` (choosing the oneof member). */
export function setField(v: Msg, f: ProtobufField, x: unknown): void {
  if (f.oneof !== undefined) v[f.oneof] = { case: f.localName, value: x };
  else v[f.localName] = x;
}

/** Whether the field's value would be written. */
export function isSet(v: Msg, f: ProtobufField): boolean {
  const x = fieldValue(v, f);
  if (x === undefined) return false;
  if (f.type.kind === "map") return (x as Map<unknown, unknown>).size > 0;
  if (f.repeated) return (x as unknown[]).length > 0;
  if (isImplicit(f)) return f.type.kind === "scalar" ? !isScalarZero(f.type.type, x) : x !== 0;
  return true;
}

// ---------------------------------------------------------------------------------------
// Random values.

export interface RandomOptions {
  /** Message nesting below which message fields stay unset. */
  maxDepth?: number;
  /** Largest repeated field / map (occasionally exceeded, for multi-byte lengths). */
  maxItems?: number;
}

const FLOAT_EDGES = [0, -0, 1, -1, Infinity, -Infinity, 3.4028234663852886e38, -3.4028234663852886e38,
  1.401298464324817e-45, -1.401298464324817e-45, 1.1754943508222875e-38, 16777216, 0.1].map(Math.fround);
/** Strings that are array indices (or almost) as JS object keys: they reorder object keys. */
const INDEX_LIKE = ["0", "1", "5", "42", "4294967294", "4294967295", "-1", "01", "1.5", "9007199254740993"];

export function randomFloat(rnd: Random): number {
  switch (rnd.int(0, 3)) {
    case 0: return rnd.pick(FLOAT_EDGES);
    case 1: return Math.fround(rnd.int(-1e6, 1e6) / rnd.pick([1, 2, 8, 1000]));
    default: {
      const f = new Float32Array(new Uint32Array([rnd.u32()]).buffer)[0]!;
      return Number.isNaN(f) ? 0.25 : f;
    }
  }
}

export function randomScalar(rnd: Random, t: ScalarType, key = false): unknown {
  switch (t) {
    case "double": return rnd.double();
    case "float": return randomFloat(rnd);
    case "int32": case "sint32": case "sfixed32": return rnd.signed(32);
    case "uint32": case "fixed32": return rnd.unsigned32();
    case "int64": case "sint64": case "sfixed64": return rnd.int64();
    case "uint64": case "fixed64": return rnd.uint64();
    case "bool": return rnd.bool();
    case "string":
      if (key && rnd.int(0, 3) === 0) return rnd.pick(INDEX_LIKE);
      return rnd.string(rnd.int(0, 12) === 0 ? 200 : 12);
    case "bytes": return rnd.bytes(rnd.int(0, 12) === 0 ? 300 : 12);
  }
}

function randomEnum(rnd: Random, info: ProtobufEnumInfo): number {
  const declared = Object.keys(info.names).map(Number);
  if (!info.closed && rnd.int(0, 7) === 0) return rnd.signed(32); // open: any int32 is a value
  return rnd.pick(declared);
}

interface Ctx { rnd: Random; maxDepth: number; maxItems: number }

function count(ctx: Ctx): number {
  const r = ctx.rnd.int(0, 15);
  if (r < 4) return 0;
  if (r === 15) return ctx.rnd.int(ctx.maxItems, ctx.maxItems * 12);
  return ctx.rnd.int(1, ctx.maxItems);
}

type ValueType = Exclude<ProtobufField["type"], { kind: "map" }>;

function randomOf(ctx: Ctx, t: ValueType, depth: number): unknown {
  switch (t.kind) {
    case "scalar": return randomScalar(ctx.rnd, t.type);
    case "enum": return randomEnum(ctx.rnd, t.type());
    case "message": return randomMsg(ctx, t.type() as Codec, depth + 1);
  }
}

/** A zero-ish value for a field that has presence (so "set to the default" is covered). */
function defaultOf(t: ValueType): unknown {
  switch (t.kind) {
    case "scalar": return scalarZero(t.type);
    case "enum": {
      const info = t.type();
      return info.closed ? Number(Object.keys(info.names)[0]) : 0;
    }
    case "message": return (t.type() as Codec).create();
  }
}

function canNest(ctx: Ctx, t: ValueType, depth: number, required: boolean): boolean {
  return t.kind !== "message" || required || depth < ctx.maxDepth;
}

function randomMsg(ctx: Ctx, c: Codec, depth: number): Msg {
  const { rnd } = ctx;
  const v = c.create();
  if (c.typeName === "google.protobuf.Any" && rnd.bool()) {
    // A packed interop.p3.Leaf, as Any holds in practice (protoc may print it expanded).
    const leaf = codec("interop.p3.Leaf");
    v.typeUrl = "type.googleapis.com/interop.p3.Leaf";
    v.value = anyPacker(leaf, randomMsg(ctx, leaf, depth + 1));
    return v;
  }
  for (const f of c.fields) {
    if (f.oneof !== undefined) continue;
    const t = f.type;
    if (t.kind === "map") {
      const m = new Map<MapKey, unknown>();
      if (depth < ctx.maxDepth || t.value.kind !== "message") {
        const n = count(ctx);
        for (let i = 0; i < n; i++) m.set(randomScalar(rnd, t.key, true) as MapKey, randomOf(ctx, t.value, depth));
      }
      v[f.localName] = m;
    } else if (f.repeated) {
      const items: unknown[] = [];
      if (canNest(ctx, t, depth, false)) {
        const n = count(ctx);
        for (let i = 0; i < n; i++) items.push(randomOf(ctx, t, depth));
      }
      v[f.localName] = items;
    } else if (f.required) {
      v[f.localName] = randomOf(ctx, t, depth);
    } else if (f.presence) {
      const r = rnd.int(0, 5);
      if (r < 2 || !canNest(ctx, t, depth, false)) v[f.localName] = undefined;
      else v[f.localName] = r === 2 ? defaultOf(t) : randomOf(ctx, t, depth);
    } else {
      v[f.localName] = rnd.int(0, 2) === 0 ? defaultOf(t) : randomOf(ctx, t, depth);
    }
  }
  const oneofs = new Map<string, ProtobufField[]>();
  for (const f of c.fields) if (f.oneof !== undefined) oneofs.set(f.oneof, [...(oneofs.get(f.oneof) ?? []), f]);
  for (const [name, members] of oneofs) {
    // google.protobuf.Value always has a kind: @bufbuild/protobuf keeps Struct fields as
    // JSON objects, where a Value without a kind has no representation.
    const always = c.typeName === "google.protobuf.Value";
    const choices = members.filter((f) => canNest(ctx, f.type as ValueType, depth, false));
    if (choices.length === 0 || (!always && rnd.int(0, 4) === 0)) {
      v[name] = { case: undefined };
      continue;
    }
    const f = always && depth >= ctx.maxDepth
      ? rnd.pick(choices.filter((m) => m.type.kind !== "message"))
      : rnd.pick(choices);
    const t = f.type as ValueType;
    v[name] = { case: f.localName, value: rnd.int(0, 3) === 0 ? defaultOf(t) : randomOf(ctx, t, depth) };
  }
  return v;
}

let anyPacker: (c: Codec, v: Msg) => Uint8Array = () => {
  throw new Error("call setAnyPacker(encodeProtobuf) first");
};

/** How Any payloads are encoded (encodeProtobuf of whichever "kitewire" the test uses). */
export function setAnyPacker(encode: (c: Codec, v: Msg) => Uint8Array): void {
  anyPacker = encode;
}

/** A random value of message `c`. */
export function randomMessage(rnd: Random, c: Codec, options: RandomOptions = {}): Msg {
  return randomMsg({ rnd, maxDepth: options.maxDepth ?? 3, maxItems: options.maxItems ?? 4 }, c, 0);
}

// ---------------------------------------------------------------------------------------
// Map entry orders.

/** The string a map key becomes as a JS object key (protobufjs and @bufbuild/protobuf maps). */
export function objectKey(k: MapKey): string {
  return String(k);
}

function isArrayIndex(s: string): boolean {
  return /^(0|[1-9][0-9]*)$/.test(s) && Number(s) <= 4294967294;
}

/** JS object key order: array-index keys ascending, then the others in insertion order. */
export function objectOrder(keys: MapKey[]): MapKey[] {
  const index = keys.filter((k) => isArrayIndex(objectKey(k))).sort((a, b) => Number(objectKey(a)) - Number(objectKey(b)));
  return [...index, ...keys.filter((k) => !isArrayIndex(objectKey(k)))];
}

const utf8 = new TextEncoder();

/** protoc's text format order: by key (numbers by value, false before true, strings by UTF-8 bytes). */
export function protocOrder(keys: MapKey[]): MapKey[] {
  return [...keys].sort((a, b) => {
    if (typeof a === "string") return Buffer.compare(utf8.encode(a), utf8.encode(b as string));
    if (typeof a === "boolean") return Number(a) - Number(b);
    return a < (b as number) ? -1 : a > (b as number) ? 1 : 0;
  });
}

/**
 * protobufjs's decoded maps: 64-bit keys become 8-character hash strings (never array
 * indices), so those maps keep insertion order; other keys are as in `objectOrder`.
 */
export function protobufjsDecodedOrder(keys: MapKey[], keyType: ScalarType): MapKey[] {
  return is64(keyType) ? keys : objectOrder(keys);
}

/** A copy of `v` whose maps (at any depth) have their entries in `order`. */
export function reorderMaps(c: Codec, v: Msg, order: (keys: MapKey[], keyType: ScalarType) => MapKey[]): Msg {
  const out: Msg = { ...v };
  const one = (t: ValueType, x: unknown): unknown => (t.kind === "message" ? reorderMaps(t.type() as Codec, x as Msg, order) : x);
  for (const f of c.fields) {
    const x = fieldValue(v, f);
    if (x === undefined) continue;
    const t = f.type;
    let y: unknown;
    if (t.kind === "map") {
      const m = x as Map<MapKey, unknown>;
      y = new Map(order([...m.keys()], t.key).map((k) => [k, one(t.value, m.get(k))]));
    } else if (f.repeated) {
      y = (x as unknown[]).map((e) => one(t, e));
    } else {
      y = one(t, x);
    }
    setField(out, f, y);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Text format (what `protoc --encode` reads).

function quote(bytes: Uint8Array): string {
  let s = '"';
  for (const b of bytes) {
    if (b >= 0x20 && b < 0x7f && b !== 0x22 && b !== 0x5c && b !== 0x27) s += String.fromCharCode(b);
    else s += "\\" + b.toString(8).padStart(3, "0");
  }
  return s + '"';
}

function floatText(x: number): string {
  if (Number.isNaN(x)) return "nan";
  if (x === Infinity) return "inf";
  if (x === -Infinity) return "-inf";
  if (Object.is(x, -0)) return "-0";
  return String(x);
}

export function scalarText(t: ScalarType, x: unknown): string {
  switch (t) {
    case "double": case "float": return floatText(x as number);
    case "bool": return String(x);
    case "string": return quote(utf8.encode(x as string));
    case "bytes": return quote(x as Uint8Array);
    default: return String(x);
  }
}

/** The text-format name of a field: a group is named by its type. */
function textName(f: ProtobufField): string {
  if (f.type.kind === "message" && f.type.group) {
    const name = f.type.type().typeName;
    return name.slice(name.lastIndexOf(".") + 1);
  }
  return f.protoName;
}

/** `v` in protobuf text format (enums as numbers, maps as repeated entries in map order). */
export function toText(c: Codec, v: Msg, indent = ""): string {
  let out = "";
  const value = (t: ValueType, x: unknown, name: string): void => {
    if (t.kind === "message") {
      out += `${indent}${name} {\n${toText(t.type() as Codec, x as Msg, indent + "  ")}${indent}}\n`;
    } else {
      out += `${indent}${name}: ${t.kind === "enum" ? String(x) : scalarText(t.type, x)}\n`;
    }
  };
  for (const f of sortedFields(c)) {
    if (!isSet(v, f)) continue;
    const x = fieldValue(v, f);
    const t = f.type;
    const name = textName(f);
    if (t.kind === "map") {
      for (const [k, e] of x as Map<MapKey, unknown>) {
        out += `${indent}${name} {\n${indent}  key: ${scalarText(t.key, k)}\n`;
        const inner = indent;
        indent += "  ";
        value(t.value, e, "value");
        indent = inner;
        out += `${indent}}\n`;
      }
    } else if (f.repeated) {
      for (const e of x as unknown[]) value(t, e, name);
    } else {
      value(t, x, name);
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Wire helpers.

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

export function varint(n: number | bigint): number[] {
  let x = BigInt.asUintN(64, BigInt(n));
  const out: number[] = [];
  while (x >= 0x80n) {
    out.push(Number(x & 0x7fn) | 0x80);
    x >>= 7n;
  }
  out.push(Number(x));
  return out;
}

export function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Field `no` holding `bytes` as a length-delimited field. */
export function lengthDelimited(no: number, bytes: Uint8Array): Uint8Array {
  return concat([Uint8Array.from(varint(no * 8 + 2)), Uint8Array.from(varint(bytes.length)), bytes]);
}

function readVarint(b: Uint8Array, at: number): [bigint, number] {
  let x = 0n;
  let shift = 0n;
  for (;;) {
    const c = b[at++]!;
    x |= BigInt(c & 0x7f) << shift;
    if (c < 0x80) return [x, at];
    shift += 7n;
  }
}

/** The fields of a message whose fields are all length-delimited: [number, payload][]. */
export function splitLengthDelimited(b: Uint8Array): [number, Uint8Array][] {
  const out: [number, Uint8Array][] = [];
  let at = 0;
  while (at < b.length) {
    const [tag, a] = readVarint(b, at);
    const [len, c] = readVarint(b, a);
    if ((tag & 7n) !== 2n) throw new Error(`field ${tag >> 3n}: wire type ${tag & 7n}, not length-delimited`);
    out.push([Number(tag >> 3n), b.subarray(c, c + Number(len))]);
    at = c + Number(len);
  }
  return out;
}

/** A short description of where two byte strings first differ. */
export function firstDifference(a: Uint8Array, b: Uint8Array): string {
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  const at = (x: Uint8Array) => hex(x.subarray(Math.max(0, i - 8), i + 24));
  return `lengths ${a.length} vs ${b.length}; first difference at byte ${i}: ...${at(a)} vs ...${at(b)}`;
}
