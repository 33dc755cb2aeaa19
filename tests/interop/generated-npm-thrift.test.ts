/**
 * kitewire's generated code against Apache Thrift 0.17's generated JavaScript (`--gen
 * js:node`, checked in at tests/fixtures/thrift-js/, on the npm `thrift` 0.24 runtime) for
 * the same IDL: example.thrift (with base.thrift) and bench.thrift, every struct, union
 * and exception, and every args/result struct of UserService and BaseService.
 *
 * For each seed and type: a random value (tests/support/idl-values.ts) is encoded by
 * kitewire (`encodeThrift`) and, converted to npm thrift's object form, by the npm
 * generated struct's `write()`, in Binary and in Compact; the bytes must be identical.
 * Then each side decodes the other's bytes and must get the value back (with IDL defaults
 * for the fields left out, as every implementation here reads them), and both re-encode
 * what they decoded to identical bytes. At the end of each type's run, every encoding and
 * decoded value kitewire returned is checked again: later encodes and decodes must not
 * have changed it.
 *
 * npm thrift's object form: i64 → node-int64 `Int64` (converted exactly with the
 * package's fromBigInt/toBigInt), binary → Buffer, list and set → arrays (sets keep their
 * order), map → a plain object iterated with `for..in`, union → a struct object with one
 * field set, unset fields → null. js:node keeps a service's args/result constructors
 * module-private; `serviceStructs` gets them out of the checked-in file.
 *
 * Where npm thrift cannot express a value, the generator is constrained for that case
 * only (GEN below):
 *  - doubles are never -0: npm thrift's writeDouble (both protocols) writes -0 as +0
 *    (its hand-written IEEE encoder tests `v < 0`). tests/interop/thrift-interop.ts keeps
 *    a test of that quirk. (NaN is generated: the canonical quiet NaN, which is what
 *    npm thrift writes for any NaN.)
 *  - map<string, _> entries come in the order a JS object iterates its keys (array-index
 *    keys such as "7" first, ascending; then insertion order), because that is the only
 *    order js:node code can write; the keys "__proto__" (an object assignment changes the
 *    prototype instead) and "hasOwnProperty" (js:node's writer calls
 *    `map.hasOwnProperty(k)`) are left out.
 *  - map<i64, _> (UserService.statuses' result): js:node keeps it as an object, so its
 *    keys are strings, and each protocol turns a key string back into an i64 its own way:
 *    TBinaryProtocol.writeI64 with `new Int64(key)`, which parses *hex*, and
 *    TCompactProtocol.writeI64 with `parseInt(key, 10)`, a Number. So keys are handed to
 *    Binary as 16 hex digits (two's complement) and to Compact in decimal, kept below 2^53
 *    in magnitude (also because js:node's reader makes keys with Int64#toString(), through
 *    a Number, "Infinity" from 2^53 on), and put in the order a JS object gives their
 *    decimal strings. The reader's entry order is the object's, not the wire's, so those
 *    maps are compared as unordered, and npm thrift's re-encoding of such a decoded map
 *    (keys now decimal, which Binary would parse as hex) is not compared.
 * uuid does not occur in these IDLs (modern.thrift has no js:node fixture).
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import { decodeThrift, encodeThrift, init, type ThriftProtocol } from "kitewire";
import {
  ALL_STRUCTS, canonStruct, decoded, doubleBits, expectSameBytes, expectUnchanged, generate, hasMapKey, hex, unorderMaps,
  type GenOptions, type Json, type JsonObject, type StructDef, type Ty,
} from "../support/idl-values.js";
import { seeds } from "../support/random.js";
import {
  forSeeds, npmBytes, npmReader, thrift, type NpmInt64, type NpmProtocol, type NpmProtocolClass,
} from "./thrift-interop.js";

beforeAll(async () => {
  await init();
});

const SEEDS = seeds(250);

const GEN: GenOptions = { negativeZero: false, nan: true, jsObjectKeys: true, i64KeyLimit: 2n ** 53n };

// ---------------------------------------------------------------------------------------
// The js:node fixtures.

interface NpmStruct {
  read(p: NpmProtocol): void;
  write(p: NpmProtocol): void;
  [field: string]: unknown;
}
type NpmCtor = new () => NpmStruct;

const FIXTURES = fileURLToPath(new URL("../fixtures/thrift-js/", import.meta.url));
const requireFixture = createRequire(FIXTURES);

/**
 * A service file's `<Service>_<method>_args/_result` constructors, which js:node keeps
 * module-private (only Client and Processor are exported): the file is run the way
 * CommonJS runs it, with one line appended that returns them.
 */
function serviceStructs(file: string): Record<string, NpmCtor> {
  const path = `${FIXTURES}${file}.js`;
  const source = readFileSync(path, "utf8");
  const names = [...source.matchAll(/^var (\w+_(?:args|result)) = function/gm)].map((m) => m[1]!);
  const module = { exports: {} };
  const body = `${source}\n;return { ${names.join(", ")} };`;
  const run = new Function("exports", "require", "module", "__filename", "__dirname", body) as
    (...args: unknown[]) => Record<string, NpmCtor>;
  return run(module.exports, createRequire(path), module, path, dirname(path));
}

const NPM: Record<string, Record<string, NpmCtor>> = {
  example_types: requireFixture("./example_types.js"),
  base_types: requireFixture("./base_types.js"),
  bench_types: requireFixture("./bench_types.js"),
  UserService: serviceStructs("UserService"),
  BaseService: serviceStructs("BaseService"),
};

function npmCtor(def: StructDef): NpmCtor {
  const ctor = NPM[def.npm.file]?.[def.npm.name];
  if (typeof ctor !== "function") throw new Error(`no js:node constructor ${def.npm.file}.${def.npm.name}`);
  return ctor;
}

// ---------------------------------------------------------------------------------------
// kitewire values → npm thrift objects, and npm thrift objects → canonical JSON.

/**
 * An i64 map key as js:node's writer needs it (see the header): Binary's `new Int64(key)`
 * parses hex, Compact's `parseInt(key, 10)` decimal.
 */
function i64Key(k: bigint, protocol: ThriftProtocol): string {
  return protocol === "binary" ? BigInt.asUintN(64, k).toString(16).padStart(16, "0") : k.toString();
}

function toNpm(ty: Ty, v: unknown, protocol: ThriftProtocol): unknown {
  if (typeof ty === "string") {
    if (ty === "i64") return thrift.fromBigInt(v as bigint);
    if (ty === "binary") return Buffer.from(v as Uint8Array);
    return v;
  }
  if ("enum" in ty) return v;
  if ("list" in ty) return (v as unknown[]).map((e) => toNpm(ty.list, e, protocol));
  if ("set" in ty) return [...(v as Set<unknown>)].map((e) => toNpm(ty.set, e, protocol));
  if ("map" in ty) {
    const [kt, vt] = ty.map;
    if (kt !== "string" && kt !== "i64") throw new Error(`js:node map keys of type ${JSON.stringify(kt)}`);
    const o: Record<string, unknown> = {};
    for (const [k, x] of v as Map<unknown, unknown>) o[kt === "i64" ? i64Key(k as bigint, protocol) : (k as string)] = toNpm(vt, x, protocol);
    return o;
  }
  return toNpmStruct(ty.struct, v, protocol);
}

function toNpmStruct(def: StructDef, v: unknown, protocol: ThriftProtocol): NpmStruct {
  const o = new (npmCtor(def))();
  if (def.kind === "union") {
    const u = v as { case?: string; value?: unknown };
    for (const fd of def.fields) o[fd.name] = u.case === fd.name ? toNpm(fd.type, u.value, protocol) : null;
    return o;
  }
  for (const fd of def.fields) {
    const x = (v as Record<string, unknown>)[fd.name];
    o[fd.name] = x === undefined ? null : toNpm(fd.type, x, protocol);
  }
  return o;
}

function npmCanon(ty: Ty, x: unknown, path: string): Json {
  const bad = (want: string) => new Error(`${path}: npm thrift gave ${typeof x} ${String(x)}, expected ${want}`);
  if (typeof ty === "string") {
    switch (ty) {
      case "i64":
        if (typeof x !== "object" || x === null || !("buffer" in x)) throw bad("Int64");
        return thrift.toBigInt(x as NpmInt64).toString();
      case "double":
        if (typeof x !== "number") throw bad("number");
        return doubleBits(x);
      case "binary":
        if (!Buffer.isBuffer(x)) throw bad("Buffer");
        return hex(x);
      case "bool":
        if (typeof x !== "boolean") throw bad("boolean");
        return x;
      case "string":
        if (typeof x !== "string") throw bad("string");
        return x;
      default:
        if (typeof x !== "number") throw bad("number");
        return x;
    }
  }
  if ("enum" in ty) return npmCanon("i32", x, path);
  if ("list" in ty || "set" in ty) {
    if (!Array.isArray(x)) throw bad("array");
    const et = "list" in ty ? ty.list : ty.set;
    return x.map((e, i) => npmCanon(et, e, `${path}[${i}]`));
  }
  if ("map" in ty) {
    if (typeof x !== "object" || x === null) throw bad("object");
    const [kt, vt] = ty.map;
    return Object.keys(x).map((k): [Json, Json] => {
      // js:node's reader stores an i64 key as Int64#toString(): decimal, via a Number.
      const key = kt === "i64" ? BigInt(k).toString() : k;
      return [key, npmCanon(vt, (x as Record<string, unknown>)[k], `${path}<${k}>`)];
    });
  }
  return npmCanonStruct(ty.struct, x, path);
}

function npmCanonStruct(def: StructDef, x: unknown, path: string): JsonObject {
  if (!(x instanceof npmCtor(def))) throw new Error(`${path}: not a js:node ${def.npm.name}`);
  const out: JsonObject = {};
  for (const fd of def.fields) {
    const v = (x as NpmStruct)[fd.name];
    if (v !== null && v !== undefined) out[fd.name] = npmCanon(fd.type, v, `${path}.${fd.name}`);
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Encoding and decoding with npm thrift.

const PROTOCOLS: [ThriftProtocol, NpmProtocolClass][] = [
  ["binary", thrift.TBinaryProtocol],
  ["compact", thrift.TCompactProtocol],
];

function npmEncode(P: NpmProtocolClass, o: NpmStruct): Uint8Array {
  return npmBytes(P, (p) => o.write(p));
}

function npmDecode(P: NpmProtocolClass, def: StructDef, bytes: Uint8Array): { value: NpmStruct; consumed: boolean } {
  const { p, done } = npmReader(P, bytes);
  const value = new (npmCtor(def))();
  value.read(p);
  return { value, consumed: done() };
}


// ---------------------------------------------------------------------------------------

let cases = 0;

describe.each(PROTOCOLS)("generated code vs js:node generated code, %s", (protocol, Npm) => {
  test.each(ALL_STRUCTS.map((d) => [d.name, d] as const))("%s", (_, def) => {
    // map<i64, _>: js:node's decoded keys lose their order and cannot be re-encoded (see the header).
    const i64Keys = hasMapKey(def, "i64");
    const unordered = (j: JsonObject) => (i64Keys ? unorderMaps(def, j, "i64") : j);
    // What kitewire returned, checked again once every seed has run.
    const held: { what: string; kw: Uint8Array; kwHex: string; back: unknown; backCanon: JsonObject }[] = [];
    forSeeds(SEEDS, (seed) => {
      const what = `seed ${seed}, ${def.name}, ${protocol}`;
      const value = generate(def, seed, GEN);
      const expected = decoded(def, canonStruct(def, value));

      const kw = encodeThrift(def.codec, value, protocol);
      const npm = npmEncode(Npm, toNpmStruct(def, value, protocol));
      expectSameBytes(kw, npm, ["kitewire", "npm thrift"], `${what}: encoding`);

      const back = decodeThrift(def.codec, npm, protocol);
      const backCanon = canonStruct(def, back);
      expect(backCanon, `${what}: kitewire decoding npm thrift's bytes`).toEqual(expected);
      held.push({ what, kw, kwHex: hex(kw), back, backCanon });

      const { value: npmBack, consumed } = npmDecode(Npm, def, kw);
      expect(consumed, `${what}: npm thrift read all of kitewire's bytes`).toBe(true);
      expect(unordered(npmCanonStruct(def, npmBack, def.name)), `${what}: npm thrift decoding kitewire's bytes`)
        .toEqual(unordered(expected));

      // Both re-encode what they decoded (defaults now filled in) to the same bytes.
      const kwAgain = encodeThrift(def.codec, back, protocol);
      if (!i64Keys) expectSameBytes(kwAgain, npmEncode(Npm, npmBack), ["kitewire", "npm thrift"], `${what}: re-encoding`);
      expect(canonStruct(def, decodeThrift(def.codec, kwAgain, protocol)), `${what}: kitewire round trip`).toEqual(expected);
      cases++;
    });
    for (const h of held) {
      expectUnchanged(h.kw, h.kwHex, `${h.what}: kitewire's encoding, after later encodes and decodes`);
      expect(canonStruct(def, h.back), `${h.what}: a value kitewire decoded, after later encodes and decodes`).toEqual(h.backCanon);
    }
  });
});

test("every case ran", () => {
  expect(cases).toBe(SEEDS.length * ALL_STRUCTS.length * PROTOCOLS.length);
});
