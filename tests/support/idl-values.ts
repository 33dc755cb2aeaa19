/**
 * The types of tests/golden/thrift/{example,base,bench}.thrift described by hand from the
 * IDL (field ids, names, types, requiredness, defaults), independently of what kitewire
 * generated from it, and used by the tests that hold kitewire's *generated code* against
 * other Thrift implementations' generated code (tests/interop/generated-npm-thrift.test.ts,
 * tests/peers/python-thrift.test.ts):
 *
 *  - `generate`: a seeded random value of a struct in the form kitewire's generated TS
 *    uses (i64 → bigint, binary → Uint8Array, set → Set, map → Map, unions as
 *    `{ case, value }`, exceptions as instances of their generated class);
 *  - `canon`: that value as plain JSON, which is also how values cross to and from the
 *    Python peer: i64 as a decimal string, double as the 16 hex digits of its big-endian
 *    IEEE bits (so -0, NaN and every payload compare exactly), binary as hex, a list or
 *    set as an array in iteration order, a map as an array of [key, value] pairs in
 *    iteration order, a struct/union/exception as an object holding the fields that are
 *    set. `canon` also checks the value's shape, so a decoded value with, say, a number
 *    where a bigint belongs fails with its path;
 *  - `decoded`: what a reader makes of a canonical value: fields the wire leaves out
 *    take their IDL default (kitewire, npm thrift and Apache Thrift's Python all do this,
 *    so an optional field with a default, Address.city, reads back as "Paris");
 *  - `unorderSets` / `reorderSets`: set order, for peers whose sets are hash tables.
 */
import { expect } from "vitest";
import type { ThriftStructCodec } from "kitewire";
import * as base from "../golden/thrift/gen/base.js";
import * as bench from "../golden/thrift/gen/bench.js";
import * as ex from "../golden/thrift/gen/example.js";
import { Random } from "./random.js";

// ---------------------------------------------------------------------------------------
// Schema.

export type Ty =
  | "bool" | "i8" | "i16" | "i32" | "i64" | "double" | "string" | "binary"
  /** An enum: an i32 on the wire; `values` are the named ones. */
  | { readonly enum: string; readonly values: readonly number[] }
  | { readonly list: Ty }
  | { readonly set: Ty }
  | { readonly map: readonly [Ty, Ty] }
  | { readonly struct: StructDef };

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export interface FieldDef {
  readonly id: number;
  readonly name: string;
  readonly type: Ty;
  readonly req: "required" | "default" | "optional";
  /** The IDL default, canonical. */
  readonly default?: Json;
}

export interface StructDef {
  /** "User", or "UserService.getUser.args" for a method's args/result struct. */
  readonly name: string;
  readonly kind: "struct" | "union" | "exception";
  /** kitewire's generated codec (for an exception, the generated class); one type for all structs. */
  readonly codec: ThriftStructCodec<any>;
  /** Apache Thrift's Python class, "module:Class"; null where the Python generator makes none. */
  readonly py: string | null;
  /** npm thrift's (js:node) constructor: file under tests/fixtures/thrift-js and name. */
  readonly npm: { readonly file: string; readonly name: string };
  readonly fields: readonly FieldDef[];
}

const f = (id: number, name: string, type: Ty, req: FieldDef["req"] = "default", dflt?: Json): FieldDef =>
  dflt === undefined ? { id, name, type, req } : { id, name, type, req, default: dflt };
const list = (t: Ty): Ty => ({ list: t });
const set = (t: Ty): Ty => ({ set: t });
const map = (k: Ty, v: Ty): Ty => ({ map: [k, v] });
const struct = (d: StructDef): Ty => ({ struct: d });

const Status: Ty = { enum: "Status", values: [1, 2, 16, -1] };

// base.thrift
export const TrafficEnv: StructDef = {
  name: "TrafficEnv", kind: "struct", codec: base.TrafficEnv, py: "base.ttypes:TrafficEnv",
  npm: { file: "base_types", name: "TrafficEnv" },
  fields: [f(1, "Open", "bool", "default", false), f(2, "Env", "string", "default", "")],
};
export const Base: StructDef = {
  name: "Base", kind: "struct", codec: base.Base, py: "base.ttypes:Base", npm: { file: "base_types", name: "Base" },
  fields: [
    f(1, "LogID", "string", "default", ""), f(2, "Caller", "string", "default", ""),
    f(3, "Addr", "string", "default", ""), f(4, "Client", "string", "default", ""),
    f(5, "TrafficEnv", struct(TrafficEnv), "optional"), f(6, "Extra", map("string", "string"), "optional"),
  ],
};
export const BaseResp: StructDef = {
  name: "BaseResp", kind: "struct", codec: base.BaseResp, py: "base.ttypes:BaseResp",
  npm: { file: "base_types", name: "BaseResp" },
  fields: [
    f(1, "StatusMessage", "string", "default", ""), f(2, "StatusCode", "i32", "default", 0),
    f(3, "Extra", map("string", "string"), "optional"),
  ],
};

// example.thrift
export const Address: StructDef = {
  name: "Address", kind: "struct", codec: ex.Address, py: "example.ttypes:Address",
  npm: { file: "example_types", name: "Address" },
  fields: [f(1, "street", "string"), f(2, "city", "string", "optional", "Paris"), f(3, "zip", "i32")],
};
export const User: StructDef = {
  name: "User", kind: "struct", codec: ex.User, py: "example.ttypes:User", npm: { file: "example_types", name: "User" },
  fields: [
    f(1, "id", "i64", "required"),
    f(2, "name", "string", "required"),
    f(3, "email", "string", "optional"),
    f(4, "status", Status, "default", 1),
    f(5, "tags", list("string")),
    f(6, "addresses", map("string", list(struct(Address)))),
    f(7, "friends", set("i64"), "optional"),
    f(8, "home", struct(Address)),
    f(9, "avatar", "binary"),
    f(10, "score", "double", "default", "3fe0000000000000"),
    f(11, "level", "i8"),
    f(12, "flags", "i8", "default", -1),
    f(13, "verified", "bool"),
    f(14, "token", "string", "optional"),
    f(15, "matrix", list(list("i32"))),
    f(16, "base", struct(Base), "optional"),
    // No id in the IDL: the compilers number it -1, and it is declared last.
    f(-1, "legacy", "i32"),
  ],
};
export const Contact: StructDef = {
  name: "Contact", kind: "union", codec: ex.Contact, py: "example.ttypes:Contact",
  npm: { file: "example_types", name: "Contact" },
  fields: [f(1, "phone", "string"), f(2, "address", struct(Address)), f(3, "emails", list("string"))],
};
export const NotFound: StructDef = {
  name: "NotFound", kind: "exception", codec: ex.NotFound, py: "example.ttypes:NotFound",
  npm: { file: "example_types", name: "NotFound" },
  fields: [f(1, "message", "string"), f(2, "id", "i64")],
};
export const Invalid: StructDef = {
  name: "Invalid", kind: "exception", codec: ex.Invalid, py: "example.ttypes:Invalid",
  npm: { file: "example_types", name: "Invalid" },
  fields: [f(1, "code", "i32"), f(2, "fields", map("string", "string"), "optional")],
};

// bench.thrift
export const Small: StructDef = {
  name: "Small", kind: "struct", codec: bench.Small, py: "bench.ttypes:Small", npm: { file: "bench_types", name: "Small" },
  fields: [f(1, "id", "i64"), f(2, "name", "string"), f(3, "age", "i32"), f(4, "active", "bool"), f(5, "score", "double")],
};
export const Inner: StructDef = {
  name: "Inner", kind: "struct", codec: bench.Inner, py: "bench.ttypes:Inner", npm: { file: "bench_types", name: "Inner" },
  fields: [f(1, "a", "i32"), f(2, "b", "string"), f(3, "c", "double")],
};
export const Large: StructDef = {
  name: "Large", kind: "struct", codec: bench.Large, py: "bench.ttypes:Large", npm: { file: "bench_types", name: "Large" },
  fields: [
    f(1, "id", "i64"), f(2, "name", "string"), f(3, "age", "i32"), f(4, "active", "bool"), f(5, "score", "double"),
    f(6, "email", "string"), f(7, "level", "i32"), f(8, "createdAt", "i64"), f(9, "updatedAt", "i64"),
    f(10, "title", "string"), f(11, "description", "string"), f(12, "inner", struct(Inner)),
    f(13, "numbers", list("i32")), f(14, "tags", list("string")), f(15, "children", list(struct(Inner))),
    f(16, "note", "string"), f(17, "payload", "binary"), f(18, "region", "i16"), f(19, "flags", "i8"),
    f(20, "ratio", "double"),
  ],
};

// Service methods: args/result structs (result: field 0 `success`, then the exceptions).
function method(
  service: "UserService" | "BaseService", method: string, args: FieldDef[], result: FieldDef[] | null, pyResult = true,
): StructDef[] {
  const table = service === "UserService" ? ex.UserService : base.BaseService;
  const m = table.methods[method]!;
  const pyModule = service === "UserService" ? "example.UserService" : "base.BaseService";
  const make = (part: "args" | "result", fields: FieldDef[], py: boolean): StructDef => ({
    name: `${service}.${method}.${part}`, kind: "struct", codec: m[part], py: py ? `${pyModule}:${method}_${part}` : null,
    npm: { file: service, name: `${service}_${method}_${part}` }, fields,
  });
  return [make("args", args, true), make("result", result ?? [], pyResult)];
}

export const METHOD_STRUCTS: readonly StructDef[] = [
  ...method("BaseService", "ping", [f(1, "message", "string")], [f(0, "success", "string", "optional")]),
  ...method("UserService", "getUser", [f(1, "id", "i64"), f(2, "base", struct(Base))],
    [f(0, "success", struct(User), "optional"), f(1, "notFound", struct(NotFound), "optional")]),
  ...method("UserService", "listUsers", [f(1, "page", "i32", "default", 1), f(2, "size", "i32")],
    [f(0, "success", list(struct(User)), "optional")]),
  ...method("UserService", "updateUser", [f(1, "user", struct(User))],
    [f(1, "notFound", struct(NotFound), "optional"), f(2, "invalid", struct(Invalid), "optional")]),
  // oneway: Apache Thrift's Python generator makes no touch_result.
  ...method("UserService", "touch", [f(1, "id", "i64")], [], false),
  ...method("UserService", "contactOf", [f(1, "id", "i64"), f(2, "hint", struct(Contact))],
    [f(0, "success", struct(Contact), "optional")]),
  ...method("UserService", "statuses", [f(1, "ids", set("i64"))], [f(0, "success", map("i64", Status), "optional")]),
];

export const ALL_STRUCTS: readonly StructDef[] = [
  TrafficEnv, Base, BaseResp, Address, User, Contact, NotFound, Invalid, Small, Inner, Large, ...METHOD_STRUCTS,
];

/** Every struct type reachable from `ty`. */
function* structsIn(ty: Ty, seen = new Set<StructDef>()): Generator<StructDef> {
  if (typeof ty === "string" || "enum" in ty) return;
  if ("list" in ty) yield* structsIn(ty.list, seen);
  else if ("set" in ty) yield* structsIn(ty.set, seen);
  else if ("map" in ty) {
    yield* structsIn(ty.map[0], seen);
    yield* structsIn(ty.map[1], seen);
  } else if (!seen.has(ty.struct)) {
    seen.add(ty.struct);
    yield ty.struct;
    for (const fd of ty.struct.fields) yield* structsIn(fd.type, seen);
  }
}

/** Whether `def` or a struct inside it declares its fields out of field-id order (User: -1 last). */
export function hasUnsortedFields(def: StructDef): boolean {
  for (const s of structsIn(struct(def))) {
    for (let i = 1; i < s.fields.length; i++) if (s.fields[i]!.id < s.fields[i - 1]!.id) return true;
  }
  return false;
}

/** Whether a struct of `def`'s type appears anywhere inside `def` (itself included). */
export function contains(def: StructDef, inner: StructDef): boolean {
  for (const s of structsIn(struct(def))) if (s === inner) return true;
  return false;
}

/** Whether a map with keys of type `key` appears anywhere inside `def`. */
export function hasMapKey(def: StructDef, key: Ty): boolean {
  for (const s of structsIn(struct(def))) {
    const walk = (t: Ty): boolean =>
      typeof t !== "string" && !("enum" in t) && !("struct" in t) &&
      ("list" in t ? walk(t.list) : "set" in t ? walk(t.set) : t.map[0] === key || walk(t.map[0]) || walk(t.map[1]));
    if (s.fields.some((fd) => walk(fd.type))) return true;
  }
  return false;
}

// ---------------------------------------------------------------------------------------
// Generator.

export interface GenOptions {
  /** Whether doubles may be -0 (npm thrift writes -0 as +0). */
  negativeZero: boolean;
  /** Whether doubles may be NaN (only the canonical quiet NaN, 0x7ff8000000000000). */
  nan: boolean;
  /**
   * Put the entries of map<string, _> and map<i64, _> in the order a JS object iterates
   * their keys (as decimal strings for i64): array indices ascending, then the rest in
   * insertion order. And leave out the string keys an object cannot hold as plain data
   * ("__proto__", and "hasOwnProperty", which js:node code calls).
   */
  jsObjectKeys: boolean;
  /** Bound (exclusive) on |key| of map<i64, _> keys. */
  i64KeyLimit?: bigint;
}

/** A stable 32-bit hash of a type name, so each type draws its own values from a seed. */
function nameHash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

class ValueGen {
  budget = 260;

  constructor(readonly r: Random, readonly o: GenOptions) {}

  /** Container sizes: mostly small, sometimes past the Compact short form (14 elements). */
  size(): number {
    if (this.budget <= 0) return 0;
    const r = this.r;
    switch (r.int(0, 11)) {
      case 0: return 0;
      case 9: case 10: return r.int(5, 16);
      case 11: return r.int(13, 40);
      default: return r.int(1, 4);
    }
  }

  /** Random.signed(8) ignores `bits` in one of its cases, so i8 gets its own draw. */
  i8(): number {
    const r = this.r;
    return r.int(0, 2) === 0 ? r.pick([0, 1, -1, 127, -128]) : r.int(-128, 127);
  }

  double(): number {
    const r = this.r;
    if (this.o.nan && r.int(0, 40) === 0) return NaN;
    const d = r.double();
    return !this.o.negativeZero && Object.is(d, -0) ? 0 : d;
  }

  text(): string {
    const r = this.r;
    // Sometimes past 127 UTF-8 bytes, so Compact lengths take two varint bytes.
    return r.string(r.int(0, 7) === 0 ? 200 : 20);
  }

  mapKey(): string {
    const r = this.r;
    switch (r.int(0, 7)) {
      // Array-index keys, which JS objects iterate first and in ascending order.
      case 0: return String(r.int(0, 30));
      case 1: return r.pick(["4294967294", "4294967295", "-1", "01", "1e3", "", " ", "constructor", "toString"]);
      default: return this.text();
    }
  }

  value(ty: Ty): unknown {
    const r = this.r;
    this.budget--;
    if (typeof ty === "string") {
      switch (ty) {
        case "bool": return r.bool();
        case "i8": return this.i8();
        case "i16": return r.signed(16);
        case "i32": return r.signed(32);
        case "i64": return r.int64();
        case "double": return this.double();
        case "string": return this.text();
        case "binary": return r.bytes(r.int(0, 7) === 0 ? 300 : 24);
      }
    }
    // Enums are open on the wire: now and then a value the IDL does not name.
    if ("enum" in ty) return r.int(0, 5) === 0 ? r.signed(32) : r.pick(ty.values);
    if ("list" in ty) return Array.from({ length: this.size() }, () => this.value(ty.list));
    if ("set" in ty) {
      const out = new Map<string, unknown>();
      for (let n = this.size(); n > 0; n--) {
        const e = this.value(ty.set);
        out.set(JSON.stringify(canon(ty.set, e)), e);
      }
      return new Set(out.values());
    }
    if ("map" in ty) {
      const [kt, vt] = ty.map;
      const entries = new Map<unknown, unknown>();
      for (let n = this.size(); n > 0; n--) {
        let k: unknown;
        if (kt === "string") {
          k = this.mapKey();
          if (this.o.jsObjectKeys && (k === "__proto__" || k === "hasOwnProperty")) continue;
        } else if (kt === "i64" && this.o.i64KeyLimit !== undefined) {
          k = r.int64() % this.o.i64KeyLimit;
        } else {
          k = this.value(kt);
        }
        entries.set(k, this.value(vt));
      }
      if (this.o.jsObjectKeys && (kt === "string" || kt === "i64")) {
        // The order a JS object gives these keys (i64 ones as decimal strings), asked of a JS object.
        const probe: Record<string, unknown> = {};
        for (const k of entries.keys()) probe[String(k)] = k;
        return new Map(Object.values(probe).map((k) => [k, entries.get(k)]));
      }
      return entries;
    }
    return this.struct(ty.struct);
  }

  struct(def: StructDef): unknown {
    const r = this.r;
    if (def.kind === "union") {
      const n = r.int(0, def.fields.length * 4);
      if (n >= def.fields.length * 4 - 1 || this.budget <= 0) return { case: undefined };
      const fd = def.fields[n % def.fields.length]!;
      return { case: fd.name, value: this.value(fd.type) };
    }
    const v: Record<string, unknown> = {};
    for (const fd of def.fields) {
      const isStruct = typeof fd.type === "object" && "struct" in fd.type;
      // Optional fields, and struct-typed default ones (which kitewire types as optional),
      // are sometimes left unset; everything else is always set, as generated code expects.
      const unset = fd.req === "optional" ? r.int(0, 2) === 0 : fd.req === "default" && isStruct && r.int(0, 3) === 0;
      if (unset) v[fd.name] = undefined;
      else if (fd.default !== undefined && r.int(0, 5) === 0) v[fd.name] = fromCanon(fd.type, fd.default);
      else v[fd.name] = this.value(fd.type);
    }
    if (def.kind === "exception") return new (def.codec as unknown as new (init: object) => object)(v);
    return v;
  }
}

/** A random value of `def` in kitewire's generated form, the same for the same seed. */
export function generate(def: StructDef, seed: number, options: GenOptions): unknown {
  return new ValueGen(new Random((seed ^ nameHash(def.name)) >>> 0), options).struct(def);
}

// ---------------------------------------------------------------------------------------
// Canonical JSON.

export function hex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString("hex");
}

export function doubleBits(d: number): string {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setFloat64(0, d);
  return hex(new Uint8Array(dv.buffer));
}

export function bitsDouble(bits: string): number {
  return new DataView(Uint8Array.from(Buffer.from(bits, "hex")).buffer).getFloat64(0);
}

function shape(path: string, want: string, v: unknown): Error {
  const got = v === null ? "null" : typeof v === "object" ? (v as object).constructor?.name ?? "object" : typeof v;
  return new Error(`${path}: expected ${want}, got ${got} ${typeof v === "object" ? "" : String(v)}`);
}

function int(path: string, v: unknown, bits: number): number {
  const lim = 2 ** (bits - 1);
  if (typeof v !== "number" || !Number.isInteger(v) || v < -lim || v >= lim) throw shape(path, `i${bits}`, v);
  return v;
}

/** A kitewire value as canonical JSON, checking its shape on the way. */
export function canon(ty: Ty, v: unknown, path = "value"): Json {
  if (typeof ty === "string") {
    switch (ty) {
      case "bool":
        if (typeof v !== "boolean") throw shape(path, "boolean", v);
        return v;
      case "i8": return int(path, v, 8);
      case "i16": return int(path, v, 16);
      case "i32": return int(path, v, 32);
      case "i64":
        if (typeof v !== "bigint" || BigInt.asIntN(64, v) !== v) throw shape(path, "i64 bigint", v);
        return v.toString();
      case "double":
        if (typeof v !== "number") throw shape(path, "number", v);
        return doubleBits(v);
      case "string":
        if (typeof v !== "string") throw shape(path, "string", v);
        return v;
      case "binary":
        if (!(v instanceof Uint8Array)) throw shape(path, "Uint8Array", v);
        return hex(v);
    }
  }
  if ("enum" in ty) return int(path, v, 32);
  if ("list" in ty) {
    if (!Array.isArray(v)) throw shape(path, "array", v);
    return v.map((e, i) => canon(ty.list, e, `${path}[${i}]`));
  }
  if ("set" in ty) {
    if (!(v instanceof Set)) throw shape(path, "Set", v);
    return [...v].map((e, i) => canon(ty.set, e, `${path}{${i}}`));
  }
  if ("map" in ty) {
    if (!(v instanceof Map)) throw shape(path, "Map", v);
    return [...v].map(([k, x], i) => [canon(ty.map[0], k, `${path}<key ${i}>`), canon(ty.map[1], x, `${path}<${i}>`)]);
  }
  return canonStruct(ty.struct, v, path);
}

export function canonStruct(def: StructDef, v: unknown, path = def.name): JsonObject {
  if (typeof v !== "object" || v === null) throw shape(path, def.name, v);
  const out: JsonObject = {};
  if (def.kind === "union") {
    const u = v as { case?: string; value?: unknown };
    if (u.case === undefined) return out;
    const fd = def.fields.find((x) => x.name === u.case);
    if (!fd) throw new Error(`${path}: union case ${u.case} is not a field`);
    out[fd.name] = canon(fd.type, u.value, `${path}.${fd.name}`);
    return out;
  }
  if (def.kind === "exception" && !(v instanceof (def.codec as unknown as abstract new () => object))) {
    throw shape(path, `an instance of the generated ${def.name} class`, v);
  }
  for (const fd of def.fields) {
    const x = (v as Record<string, unknown>)[fd.name];
    if (x !== undefined) out[fd.name] = canon(fd.type, x, `${path}.${fd.name}`);
  }
  return out;
}

/** The kitewire value of canonical JSON (for IDL defaults and reordering). */
export function fromCanon(ty: Ty, j: Json): unknown {
  if (typeof ty === "string") {
    switch (ty) {
      case "i64": return BigInt(j as string);
      case "double": return bitsDouble(j as string);
      case "binary": return Uint8Array.from(Buffer.from(j as string, "hex"));
      default: return j;
    }
  }
  if ("enum" in ty) return j;
  if ("list" in ty) return (j as Json[]).map((e) => fromCanon(ty.list, e));
  if ("set" in ty) return new Set((j as Json[]).map((e) => fromCanon(ty.set, e)));
  if ("map" in ty) return new Map((j as [Json, Json][]).map(([k, x]) => [fromCanon(ty.map[0], k), fromCanon(ty.map[1], x)]));
  const def = ty.struct;
  const o = j as JsonObject;
  if (def.kind === "union") {
    const fd = def.fields.find((x) => o[x.name] !== undefined);
    return fd ? { case: fd.name, value: fromCanon(fd.type, o[fd.name]!) } : { case: undefined };
  }
  const v: Record<string, unknown> = {};
  for (const fd of def.fields) v[fd.name] = o[fd.name] === undefined ? undefined : fromCanon(fd.type, o[fd.name]!);
  return def.kind === "exception" ? new (def.codec as unknown as new (init: object) => object)(v) : v;
}

interface CanonHooks {
  struct?: (def: StructDef, o: JsonObject) => JsonObject;
  set?: (elem: Ty, xs: Json[]) => Json[];
  map?: (key: Ty, entries: [Json, Json][]) => [Json, Json][];
}

/** Rebuilds canonical JSON `j` of type `ty` bottom-up, passing structs, sets and maps through `hooks`. */
function mapCanon(ty: Ty, j: Json, hooks: CanonHooks): Json {
  if (typeof ty === "string" || "enum" in ty) return j;
  if ("list" in ty) return (j as Json[]).map((e) => mapCanon(ty.list, e, hooks));
  if ("set" in ty) {
    const xs = (j as Json[]).map((e) => mapCanon(ty.set, e, hooks));
    return hooks.set ? hooks.set(ty.set, xs) : xs;
  }
  if ("map" in ty) {
    const es = (j as [Json, Json][]).map(([k, x]): [Json, Json] => [mapCanon(ty.map[0], k, hooks), mapCanon(ty.map[1], x, hooks)]);
    return hooks.map ? hooks.map(ty.map[0], es) : es;
  }
  const def = ty.struct;
  const o = j as JsonObject;
  const out: JsonObject = {};
  for (const fd of def.fields) if (o[fd.name] !== undefined) out[fd.name] = mapCanon(fd.type, o[fd.name]!, hooks);
  return hooks.struct ? hooks.struct(def, out) : out;
}

const byJson = (a: Json, b: Json) => {
  const x = JSON.stringify(a);
  const y = JSON.stringify(b);
  return x < y ? -1 : x > y ? 1 : 0;
};

/** What a reader makes of `j`: unset fields that have an IDL default take it (not in unions). */
export function decoded(def: StructDef, j: JsonObject): JsonObject {
  return mapCanon(struct(def), j, {
    struct: (d, o) => {
      if (d.kind === "union") return o;
      const out: JsonObject = {};
      for (const fd of d.fields) {
        const x = o[fd.name] ?? fd.default;
        if (x !== undefined) out[fd.name] = x;
      }
      return out;
    },
  }) as JsonObject;
}

/** `j` with every set sorted: for comparing values whose sets went through a hash table. */
export function unorderSets(def: StructDef, j: JsonObject): JsonObject {
  return mapCanon(struct(def), j, { set: (_, xs) => [...xs].sort(byJson) }) as JsonObject;
}

/** `j` with the entries of every map whose keys are of type `key` sorted by key. */
export function unorderMaps(def: StructDef, j: JsonObject, key: Ty): JsonObject {
  return mapCanon(struct(def), j, { map: (kt, es) => (kt === key ? [...es].sort((a, b) => byJson(a[0], b[0])) : es) }) as JsonObject;
}

/**
 * A copy of kitewire value `v` whose sets iterate in the order of the corresponding sets in
 * `order` (canonical JSON of the same value with its sets possibly reordered).
 */
export function reorderSets(def: StructDef, v: unknown, order: JsonObject): unknown {
  const walk = (ty: Ty, x: unknown, j: Json): unknown => {
    if (typeof ty === "string" || "enum" in ty) return x;
    if ("list" in ty) return (x as unknown[]).map((e, i) => walk(ty.list, e, (j as Json[])[i]!));
    if ("set" in ty) {
      const byKey = new Map([...(x as Set<unknown>)].map((e) => [JSON.stringify(canon(ty.set, e)), e]));
      return new Set((j as Json[]).map((e) => {
        const key = JSON.stringify(e);
        if (!byKey.has(key)) throw new Error(`reorderSets: ${key} is not in the set`);
        return byKey.get(key);
      }));
    }
    if ("map" in ty) {
      return new Map([...(x as Map<unknown, unknown>)].map(([k, y], i) => [k, walk(ty.map[1], y, (j as [Json, Json][])[i]![1])]));
    }
    const d = ty.struct;
    const o = j as JsonObject;
    if (d.kind === "union") {
      const u = x as { case?: string; value?: unknown };
      if (u.case === undefined) return u;
      return { case: u.case, value: walk(d.fields.find((fd) => fd.name === u.case)!.type, u.value, o[u.case]!) };
    }
    const out: Record<string, unknown> = {};
    for (const fd of d.fields) {
      const y = (x as Record<string, unknown>)[fd.name];
      out[fd.name] = y === undefined ? undefined : walk(fd.type, y, o[fd.name]!);
    }
    return d.kind === "exception" ? new (d.codec as unknown as new (init: object) => object)(out) : out;
  };
  return walk(struct(def), v, order);
}

/** The schema as plain JSON (struct types by name), for the Python peer's helper. */
export function schemaJson(): Record<string, { py: string | null; fields: [number, string, Json][] }> {
  const ty = (t: Ty): Json => {
    if (typeof t === "string") return t;
    if ("enum" in t) return "i32";
    if ("list" in t) return { list: ty(t.list) };
    if ("set" in t) return { set: ty(t.set) };
    if ("map" in t) return { map: [ty(t.map[0]), ty(t.map[1])] };
    return { struct: t.struct.name };
  };
  return Object.fromEntries(ALL_STRUCTS.map((d) => [d.name, { py: d.py, fields: d.fields.map((fd) => [fd.id, fd.name, ty(fd.type)]) }]));
}

// ---------------------------------------------------------------------------------------
// Assertions.

/** Describes where two byte strings first differ, with the bytes around that offset. */
export function byteDiff(actual: Uint8Array, expected: Uint8Array, names: [string, string]): string | undefined {
  let i = 0;
  while (i < actual.length && i < expected.length && actual[i] === expected[i]) i++;
  if (i === actual.length && i === expected.length) return undefined;
  const around = (b: Uint8Array) => `${hex(b.subarray(Math.max(0, i - 12), i))}|${hex(b.subarray(i, i + 12))}`;
  return `bytes differ at offset ${i}: ${names[0]} (${actual.length} bytes) ${around(actual)}` +
    ` vs ${names[1]} (${expected.length} bytes) ${around(expected)}`;
}

export function expectSameBytes(actual: Uint8Array, expected: Uint8Array, names: [string, string], what: string): void {
  const diff = byteDiff(actual, expected, names);
  expect(diff, `${what}: ${diff}`).toBeUndefined();
}

/** Bytes kitewire returned earlier (`was`: their hex then) must still be what they were. */
export function expectUnchanged(bytes: Uint8Array, was: string, what: string): void {
  const diff = byteDiff(bytes, Uint8Array.from(Buffer.from(was, "hex")), ["now", "as returned"]);
  expect(diff, `${what}: ${diff} (${bytes.length} bytes at offset ${bytes.byteOffset} of a ${bytes.buffer.byteLength}-byte buffer)`)
    .toBeUndefined();
}
