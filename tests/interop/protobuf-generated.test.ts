/**
 * Generated Protobuf code, byte for byte against two independent implementations, over the
 * corpus of tests/interop/proto (every scalar implicit, optional, packed and unpacked;
 * open and closed enums; nested, recursive and out-of-order messages; maps of every key
 * type; oneofs; proto2 required fields, defaults and groups; the well-known types):
 *
 *  - protobufjs 8.8 (full build, reflection over the .proto files parsed at run time),
 *  - @bufbuild/protobuf 2.17 running protoc-gen-es 2.13 code (tests/fixtures/protobuf-es).
 *
 * For random values of every message (seeded; tests/support/protobuf-corpus.ts makes them
 * from kitewire's field tables) kitewire's bytes must equal each peer's, and each side must
 * decode the other's bytes to the value. Both peers keep maps in JS objects, which
 * iterate array-index keys ("0".."4294967294") first in ascending order and the other keys
 * in insertion order; kitewire writes a Map in insertion order. So values are compared with
 * their maps put in object order first (neither peer sorts otherwise); a separate test
 * shows kitewire keeps whatever order it is given.
 *
 * Then: unknown fields (decode with an older schema of tests/interop/proto/evolve*.proto,
 * encode, compare with the original bytes and with both peers doing the same), merging
 * (two encodings concatenated decode as the merged message, as in both peers), and closed
 * enums (values a proto2 enum does not declare become unknown fields, wherever the enum is
 * used; protobufjs follows protoc here and is the reference).
 *
 * Peer differences handled here (each where it applies):
 *  - @bufbuild/protobuf represents google.protobuf.Struct fields as JSON objects, where a
 *    Value without a kind has no representation: the generator always gives Values a kind.
 *  - @bufbuild/protobuf keeps undeclared closed-enum values in repeated and map fields in
 *    the field (protobufjs and protoc move them to the unknown fields), so it is not the
 *    reference for those.
 *  - protobufjs 8.8 drops unknown fields unless `Reader.discardUnknown = false` (set here);
 *    cannot parse a group that is a oneof member (oneof_group.proto is compared with
 *    @bufbuild/protobuf only); fails to skip an unknown group in a message that has no
 *    fields (evolve.Nothing has one field for it); and keys its decoded 64-bit maps by
 *    8-character hash strings, so those keep insertion order (`protobufjsDecodedOrder`).
 *
 * Reproduce a failure from the message and seed it prints (or KITEWIRE_SEED=<base>).
 * The checked-in kitewire code must be what the generator makes now (how to regenerate it
 * and the protoc-gen-es fixtures: tests/interop/proto/README.md).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { decodeProtobuf, encodeProtobuf, init } from "kitewire";
import { generate } from "../../src/codegen/generate.js";
import {
  CORPUS_DIR, CORPUS_FILES, importNegative, codec, concat, corpus, firstDifference, hex, objectOrder, randomMessage, reorderMaps,
  protobufjsDecodedOrder, protobufjsKnows, setAnyPacker, type Codec, type Msg,
} from "../support/protobuf-corpus.js";
import {
  esDecode, esEncode, fromEs, fromProtobufjs, loadProtobufjs, toProtobufjs, type PbType,
} from "../support/protobuf-peers.js";
import { toBinary } from "@bufbuild/protobuf";
import { Random, seeds } from "../support/random.js";

const SEEDS = seeds(40);
const names = corpus.map((c) => c.typeName);
const pbjsNames = names.filter(protobufjsKnows);
let pbjs: ReturnType<typeof loadProtobufjs>;

beforeAll(async () => {
  await init();
  setAnyPacker((c, v) => encodeProtobuf(c, v));
  pbjs = loadProtobufjs();
});

/** A seeded source for one message type, so each type's values do not depend on the others. */
function rng(seed: number, typeName: string): Random {
  let h = 0x811c9dc5;
  for (let i = 0; i < typeName.length; i++) h = Math.imul(h ^ typeName.charCodeAt(i), 0x01000193);
  return new Random((seed ^ h) >>> 0);
}

/** A random value with its maps in JS object order (the order both peers write). */
function valueFor(c: Codec, seed: number): Msg {
  return reorderMaps(c, randomMessage(rng(seed, c.typeName), c), objectOrder);
}

function sameBytes(actual: Uint8Array, expected: Uint8Array, what: string): void {
  if (hex(actual) !== hex(expected)) {
    expect.fail(`${what}: bytes differ (${firstDifference(actual, expected)})\n  kitewire: ${hex(actual)}\n  peer:     ${hex(expected)}`);
  }
}

const pbEncode = (type: PbType, c: Codec, v: Msg) => type.encode(type.fromObject(toProtobufjs(c, v, type))).finish();

// ---------------------------------------------------------------------------------------
// Field numbers in the order they are on the wire (top level), for the field-order check.

function readVarint(b: Uint8Array, at: number): [number, number] {
  let x = 0;
  let mul = 1;
  for (;;) {
    const c = b[at++]!;
    x += (c & 0x7f) * mul;
    if (c < 0x80) return [x, at];
    mul *= 128;
  }
}

function skipValue(b: Uint8Array, at: number, tag: number): number {
  switch (tag % 8) {
    case 0: return readVarint(b, at)[1];
    case 1: return at + 8;
    case 5: return at + 4;
    case 2: {
      const [len, a] = readVarint(b, at);
      return a + len;
    }
    case 3: {
      for (;;) {
        const [t, a] = readVarint(b, at);
        if (t % 8 === 4) return a;
        at = skipValue(b, a, t);
      }
    }
    default: throw new Error(`wire type ${tag % 8}`);
  }
}

function fieldNumbers(b: Uint8Array): number[] {
  const out: number[] = [];
  let at = 0;
  while (at < b.length) {
    const [tag, a] = readVarint(b, at);
    out.push(Math.floor(tag / 8));
    at = skipValue(b, a, tag);
  }
  return out;
}

// ---------------------------------------------------------------------------------------

describe("the corpus", () => {
  test("the checked-in kitewire code is what the generator makes now", () => {
    const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;
    const readFile = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : undefined);
    const result = generate(CORPUS_FILES.map((f) => `${CORPUS_DIR}/${f}`), { version, includeDirs: [CORPUS_DIR], readFile });
    expect(result.ok, result.messages.join("\n")).toBe(true);
    const gen = `${CORPUS_DIR}/gen`;
    const onDisk = readdirSync(gen, { recursive: true, withFileTypes: true }).filter((e) => e.isFile())
      .map((e) => relative(gen, join(e.parentPath, e.name))).sort();
    expect(result.files.map((f) => f.path).sort()).toEqual(onDisk);
    for (const f of result.files) {
      expect(f.content, `${f.path} is stale: regenerate (see the comment at the top of this file)`).toBe(readFileSync(`${gen}/${f.path}`, "utf8"));
    }
  });

  test("the generated corpus passes tsc --strict", () => {
    const tsc = new URL("../../node_modules/typescript/bin/tsc", import.meta.url).pathname;
    let output = "";
    try {
      execFileSync(process.execPath, [tsc, "-p", `${CORPUS_DIR}/tsconfig.json`], { encoding: "utf8" });
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? String(error);
    }
    expect(output).toBe("");
  });

  test("covers every scalar in every position, every map key type, enums, groups, required fields, well-known types", () => {
    const scalars = ["double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64",
      "sfixed32", "sfixed64", "bool", "string", "bytes"];
    const seen = new Set<string>();
    for (const c of corpus) {
      for (const f of c.fields) {
        const t = f.type;
        const scalar = t.kind === "scalar" ? t.type : t.kind === "enum" ? (t.type().closed ? "closed-enum" : "open-enum") : "message";
        if (t.kind === "map") {
          seen.add(`map-key:${t.key}`);
          const v = t.value;
          seen.add(`map-value:${v.kind === "scalar" ? v.type : v.kind === "enum" ? (v.type().closed ? "closed-enum" : "open-enum") : "message"}`);
        } else if (f.repeated) {
          seen.add(`${f.packed ? "packed" : "unpacked"}:${scalar}`);
          if (t.kind === "message" && t.group) seen.add("repeated-group");
        } else if (f.oneof !== undefined) {
          seen.add(`oneof:${scalar}`);
        } else if (f.required) {
          seen.add(`required:${scalar}`);
        } else if (f.presence) {
          seen.add(`optional:${scalar}`);
          if (t.kind === "message" && t.group) seen.add("optional-group");
        } else {
          seen.add(`implicit:${scalar}`);
        }
        if (f.defaultValue !== undefined) seen.add(`default:${scalar}`);
      }
    }
    const missing: string[] = [];
    const want = (k: string) => seen.has(k) || missing.push(k);
    for (const s of scalars) {
      for (const where of ["implicit", "optional", "oneof", "map-value"]) want(`${where}:${s}`);
      if (s !== "string" && s !== "bytes") want(`packed:${s}`);
      want(`unpacked:${s}`);
      want(`default:${s}`);
      if (s !== "double" && s !== "float" && s !== "bytes") want(`map-key:${s}`);
    }
    for (const e of ["open-enum", "closed-enum"]) {
      for (const where of ["optional", "oneof", "map-value", "packed", "unpacked"]) want(`${where}:${e}`);
    }
    for (const k of ["implicit:open-enum", "default:closed-enum", "required:closed-enum", "required:message", "required:int32",
      "optional-group", "repeated-group", "oneof:message", "map-value:message", "unpacked:message"]) want(k);
    expect(missing).toEqual([]);
    for (const t of ["Any", "Duration", "Timestamp", "Struct", "Value", "ListValue", "Empty", "FieldMask", "DoubleValue",
      "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value", "BoolValue", "StringValue", "BytesValue"]) {
      expect(corpus.some((c) => c.typeName === `google.protobuf.${t}`), t).toBe(true);
    }
  });
});

describe("protobufjs 8.8 (full build, .proto parsed at run time)", () => {
  test.each(pbjsNames)("%s: same bytes, and each decodes the other's", (name) => {
    const c = codec(name);
    const type = pbjs.lookup(name);
    for (const seed of SEEDS) {
      const what = `${name}, seed ${seed}`;
      const v = valueFor(c, seed);
      const kw = encodeProtobuf(c, v);
      const pb = pbEncode(type, c, v);
      sameBytes(kw, pb, what);
      const order = fieldNumbers(kw);
      expect(order, `${what}: fields in number order`).toEqual([...order].sort((a, b) => a - b));
      expect(decodeProtobuf(c, pb), what).toEqual(v);
      expect(fromProtobufjs(c, type.decode(kw), type), what).toEqual(v);
    }
  });
});

describe("@bufbuild/protobuf 2.17 (protoc-gen-es 2.13 code)", () => {
  test.each(names)("%s: same bytes, and each decodes the other's", (name) => {
    const c = codec(name);
    for (const seed of SEEDS) {
      const what = `${name}, seed ${seed}`;
      const v = valueFor(c, seed);
      const kw = encodeProtobuf(c, v);
      sameBytes(kw, esEncode(c, v), what);
      expect(decodeProtobuf(c, esEncode(c, v)), what).toEqual(v);
      expect(fromEs(c, esDecode(c, kw)), what).toEqual(v);
    }
  });
});

describe("maps", () => {
  test("kitewire writes entries in insertion order; every order decodes to the same map", () => {
    const c = codec("interop.p3.Maps");
    for (const seed of SEEDS) {
      const v = randomMessage(rng(seed, "maps"), c);
      const bytes = encodeProtobuf(c, v);
      const back = decodeProtobuf(c, bytes);
      for (const f of c.fields) expect([...back[f.localName].keys()], `seed ${seed}: ${f.protoName}`).toEqual([...v[f.localName].keys()]);
      expect(hex(encodeProtobuf(c, back))).toBe(hex(bytes));
    }
  });
});

// ---------------------------------------------------------------------------------------
// Unknown fields: decode with an older schema, encode, compare.

describe("unknown fields", () => {
  /** kitewire, protobufjs and @bufbuild/protobuf each decode `bytes` as `old` and encode it again. */
  function reencoded(old: Codec, bytes: Uint8Array) {
    const type = pbjs.lookup(old.typeName);
    const kwValue = decodeProtobuf(old, bytes);
    const pbMessage = type.decode(bytes);
    const es = esDecode(old, bytes);
    return {
      kwValue,
      kitewire: encodeProtobuf(old, kwValue),
      protobufjs: type.encode(pbMessage).finish(),
      es: toBinary(es.desc, es.message),
      pbValue: fromProtobufjs(old, pbMessage, type),
      esValue: fromEs(old, es),
    };
  }

  test.each(names.filter((n) => n !== "interop.evolve.Nothing"))("%s, decoded as a message that knows no fields, encodes to the same bytes", (name) => {
    const c = codec(name);
    const nothing = codec("interop.evolve.Nothing");
    for (const seed of SEEDS.slice(0, 20)) {
      const v = valueFor(c, seed);
      const bytes = encodeProtobuf(c, v);
      const r = reencoded(nothing, bytes);
      const what = `${name} as Nothing, seed ${seed}`;
      sameBytes(r.kitewire, bytes, what);
      sameBytes(r.kitewire, r.protobufjs, `${what} (protobufjs)`);
      sameBytes(r.kitewire, r.es, `${what} (@bufbuild/protobuf)`);
      expect(hex(concat(r.kwValue.$unknown ?? [])), what).toBe(hex(bytes));
    }
  });

  test.each([
    ["interop.p3.Scalars", "interop.evolve.ScalarsV1"],
    ["interop.p3.Oneofs", "interop.evolve.OneofsV1"],
    ["interop.p3.Maps", "interop.evolve.MapsV1"],
    ["interop.p2.Groups", "interop.evolve2.GroupsV1"],
  ])("%s decoded as %s: known fields first, then the unknown ones as they came, as in both peers", (newName, oldName) => {
    const c = codec(newName);
    const old = codec(oldName);
    const known = new Set(old.fields.map((f) => f.no));
    let prefixCases = 0;
    for (const seed of SEEDS) {
      const v = valueFor(c, seed);
      const bytes = encodeProtobuf(c, v);
      const r = reencoded(old, bytes);
      const what = `${newName} as ${oldName}, seed ${seed}`;
      sameBytes(r.kitewire, r.protobufjs, `${what} (protobufjs)`);
      sameBytes(r.kitewire, r.es, `${what} (@bufbuild/protobuf)`);
      expect(r.kwValue, what).toEqual(r.pbValue);
      // Where no unknown field comes before a known one, the bytes are the original ones.
      const order = fieldNumbers(bytes);
      const firstUnknown = order.findIndex((n) => !known.has(n));
      if (firstUnknown === -1 || order.slice(firstUnknown).every((n) => !known.has(n))) {
        prefixCases++;
        sameBytes(r.kitewire, bytes, `${what} (unknown fields only after the known ones)`);
      }
      // And the full schema reads the re-encoded bytes as the original value.
      expect(decodeProtobuf(c, r.kitewire), what).toEqual(v);
    }
    expect(prefixCases).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------
// Closed enums.

describe("closed enums (proto2): undeclared values are unknown fields", () => {
  const full = () => codec("interop.p2.ClosedEnums");
  const old = () => codec("interop.evolve2.ClosedEnumsV1");

  /** A ClosedEnums value whose Kinds include ones ClosedEnumsV1 lacks (its required `must` excepted). */
  function closedValue(seed: number, where: "singular" | "repeated"): Msg {
    const rnd = rng(seed, "closed");
    const kind = () => rnd.pick([0, 1, 2, -1, 1000, 1000, -1]);
    const v = full().create({ must: rnd.pick([0, 1, 2]) });
    if (where === "singular") {
      v.single = kind();
      v.choice = rnd.bool() ? { case: "cKind", value: kind() } : { case: "cName", value: "x" };
    } else {
      v.list = Array.from({ length: rnd.int(1, 5) }, kind);
      v.packedList = Array.from({ length: rnd.int(1, 5) }, kind);
      v.byId = new Map(Array.from({ length: rnd.int(1, 4) }, (_, i) => [i, kind()]));
    }
    return v;
  }

  test.each(["singular", "repeated"] as const)("%s fields: decode and re-encode as protobufjs (and protoc) do", (where) => {
    for (const seed of SEEDS) {
      const bytes = encodeProtobuf(full(), closedValue(seed, where));
      const type = pbjs.lookup(old().typeName);
      const pbMessage = type.decode(bytes);
      const kwValue = decodeProtobuf(old(), bytes);
      const what = `${where}, seed ${seed}, bytes ${hex(bytes)}`;
      const strip = (v: Msg) => ({ ...v, $unknown: undefined });
      expect(strip(kwValue), `${what}: known fields`).toEqual(strip(fromProtobufjs(old(), pbMessage, type)));
      sameBytes(encodeProtobuf(old(), kwValue), type.encode(pbMessage).finish(), `${what}: re-encoded`);
    }
  });
});

// ---------------------------------------------------------------------------------------
// Enums with negative values (negative.proto, imported apart).

describe("enums with negative values (negative.proto)", () => {
  test("the generated module loads, and its messages match both peers", async () => {
    const neg = await importNegative();
    const c = neg.Signed as Codec;
    const type = pbjs.lookup(c.typeName);
    for (const seed of SEEDS) {
      const what = `${c.typeName}, seed ${seed}`;
      const v = valueFor(c, seed);
      const kw = encodeProtobuf(c, v);
      sameBytes(kw, pbEncode(type, c, v), `${what} (protobufjs)`);
      sameBytes(kw, esEncode(c, v), `${what} (@bufbuild/protobuf)`);
      expect(decodeProtobuf(c, pbEncode(type, c, v)), what).toEqual(v);
      expect(fromProtobufjs(c, type.decode(kw), type), what).toEqual(v);
      expect(fromEs(c, esDecode(c, kw)), what).toEqual(v);
    }
  });
});

// ---------------------------------------------------------------------------------------
// Merging: a message that comes twice on the wire is the two merged.

describe("merging (two encodings concatenated)", () => {
  // "For embedded message fields, the parser merges multiple instances of the same field,
  // as if with the Message::MergeFrom method" (protobuf.dev, Encoding: Last One Wins).
  test.each([
    ["a message field", "interop.p3.Optionals", { oLeaf: { id: 1 } }, { oLeaf: { name: "x" } }, { oLeaf: { id: 1, name: "x" } }],
    ["a message oneof member", "interop.p3.Oneofs", { kind: { case: "kLeaf", value: { id: 1 } } },
      { kind: { case: "kLeaf", value: { name: "x" } } }, { kind: { case: "kLeaf", value: { id: 1, name: "x" } } }],
    ["a group", "interop.p2.Groups", { outer: { x: 1 } }, { outer: { y: "x" } }, { outer: { x: 1, y: "x" } }],
  ] as const)("%s that comes twice is the two merged, as in protobufjs and @bufbuild/protobuf", (_what, name, a, b, merged) => {
    const c = codec(name);
    const fill = (part: object): Msg => {
      const v = c.create();
      for (const [k, x] of Object.entries(part)) {
        const member = (x as { case?: string }).case;
        const f = c.fields.find((f) => (f.oneof === undefined ? f.localName === k : f.oneof === k && f.localName === member))!;
        const child = (f.type as { type: () => Codec }).type();
        const inner = (x as { value?: object }).value ?? x;
        const msg = Object.assign(child.create(), inner);
        v[k] = f.oneof !== undefined ? { case: (x as { case: string }).case, value: msg } : msg;
      }
      return v;
    };
    const bytes = concat([encodeProtobuf(c, fill(a)), encodeProtobuf(c, fill(b))]);
    const expected = fill(merged);
    expect(fromProtobufjs(c, pbjs.lookup(name).decode(bytes), pbjs.lookup(name)), "protobufjs").toEqual(expected);
    expect(fromEs(c, esDecode(c, bytes)), "@bufbuild/protobuf").toEqual(expected);
    expect(decodeProtobuf(c, bytes), `kitewire, bytes ${hex(bytes)}`).toEqual(expected);
  });

  test.each(names)("%s: decodes as both peers merge it", (name) => {
    const c = codec(name);
    const type = protobufjsKnows(name) ? pbjs.lookup(name) : undefined;
    for (const seed of SEEDS.slice(0, 20)) {
      const a = valueFor(c, seed);
      const b = valueFor(c, seed + 1);
      const bytes = concat([encodeProtobuf(c, a), encodeProtobuf(c, b)]);
      const what = `${name}, seeds ${seed} and ${seed + 1}`;
      const kw = decodeProtobuf(c, bytes);
      const es = esDecode(c, bytes);
      expect(kw, `${what} (@bufbuild/protobuf)`).toEqual(fromEs(c, es));
      sameBytes(encodeProtobuf(c, reorderMaps(c, kw, objectOrder)), toBinary(es.desc, es.message), `${what}: re-encoded (@bufbuild/protobuf)`);
      if (type) {
        const pbMessage = type.decode(bytes);
        expect(kw, `${what} (protobufjs)`).toEqual(fromProtobufjs(c, pbMessage, type));
        sameBytes(encodeProtobuf(c, reorderMaps(c, kw, protobufjsDecodedOrder)), type.encode(pbMessage).finish(),
          `${what}: re-encoded (protobufjs)`);
      }
    }
  });
});

