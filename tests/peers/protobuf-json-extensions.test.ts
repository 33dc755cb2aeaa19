/**
 * kitewire's ProtoJSON of extensions against the protobuf package's json_format (Debian's
 * python3-protobuf 4.21, C++-backed): protoc (/usr/bin/protoc) generates Python for
 * tests/golden/proto/{extensions,legacy}.proto into a temporary directory, and one
 * /usr/bin/python3 run of python/protobuf_json_extensions.py answers a batch of requests.
 * Here "kitewire" is the built package (dist/), as `npm run test:peers` builds it first.
 *
 * Python prints the messages kitewire encodes (every extension of Host; subsets of them;
 * extensions of an imported message) and kitewire's toJson must be that JSON, keys in the
 * same order (fields and extensions by number); each side parses the other's JSON to the
 * same bytes. Two quirks of json_format 4.21 are pinned below rather than followed: it
 * prints a repeated extension under its plain field name instead of "[full.name]", and it
 * cannot parse a repeated extension at all. So repeated extensions are compared on printing
 * only, with Python's key renamed, and parsing is compared on singular extensions.
 *
 * Without protoc or python3-protobuf this fails (it is not skipped), naming the apt-get line.
 */
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  clearExtension, createTypeRegistry, decodeProtobuf, encodeProtobuf, fromJson, init, setExtension, toJson, toJsonString, type JsonObject,
  type JsonWriteOptions, type ProtobufExtension, type ProtobufMessageCodec,
} from "kitewire";
import * as ext from "../golden/proto/gen/extensions.js";
import * as legacy from "../golden/proto/gen/legacy.js";
import { ALL, hostWithAll } from "../support/protobuf-extensions.js";
import { Random, seeds } from "../support/random.js";

const PROTOC = "/usr/bin/protoc";
const PYTHON = "/usr/bin/python3";
const APT = "sudo apt-get update && sudo apt-get install -y protobuf-compiler python3-protobuf";
const HELPER = fileURLToPath(new URL("./python/protobuf_json_extensions.py", import.meta.url));
const GOLDEN = resolve("tests/golden/proto");

type Codec = ProtobufMessageCodec<unknown>;
type AnyExtension = ProtobufExtension<unknown, unknown>;
const EXTENSIONS: AnyExtension[] = [...ALL.map(([e]) => e as AnyExtension), ext.deltas, ext.kind_ext, ext.Scope_note];
const registry = createTypeRegistry(...EXTENSIONS);
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

interface Request { op: "toJson" | "parse"; type: string; hex?: string; json?: string; useProtoNames?: boolean; enumAsInteger?: boolean }
interface Reply { json?: string; hex?: string; rejected?: string }

let genDir: string | undefined;

beforeAll(async () => {
  const missing = [PROTOC, PYTHON].filter((p) => !existsSync(p));
  if (missing.length) throw new Error(`These tests need ${missing.join(" and ")}. Install them with:\n  ${APT}`);
  await init();
  genDir = mkdtempSync(join(tmpdir(), "kitewire-pyjson-ext-"));
  execFileSync(PROTOC, ["-I", GOLDEN, `--python_out=${genDir}`, "extensions.proto", "legacy.proto"], { stdio: "pipe" });
});

afterAll(() => {
  if (genDir) rmSync(genDir, { recursive: true, force: true });
});

/** Runs the helper once over `requests`. */
function python(requests: Request[]): Reply[] {
  const out = execFileSync(PYTHON, [HELPER, genDir!], { input: JSON.stringify(requests), maxBuffer: 64 << 20 });
  return JSON.parse(out.toString()) as Reply[];
}

interface Case { what: string; codec: Codec; message: unknown }

/** A Host with a random subset of hostWithAll's extensions (and maybe its name). */
function randomHost(seed: number): ext.Host {
  const r = new Random(seed);
  const h = ext.Host.create(r.bool() ? { name: `n${seed}` } : {});
  for (const [e, value] of ALL) if (r.bool()) setExtension(h, e, value);
  return h;
}

function record(): legacy.Record$ {
  const rec = legacy.Record$.create({ id: 4, name: "r", values: [1] });
  setExtension(rec, ext.kind_ext, legacy.Kind.KIND_A);
  setExtension(rec, ext.deltas, [-1, 1]);
  setExtension(rec, ext.Scope_note, "n");
  return rec;
}

/** The messages compared; built in the tests, as setExtension needs init(). */
const cases = (): Case[] => [
  { what: "every extension of Host", codec: ext.Host as Codec, message: hostWithAll() },
  { what: "extensions of legacy.Record", codec: legacy.Record$ as Codec, message: record() },
  ...seeds(40).map((seed) => ({ what: `seed ${seed}: a random subset`, codec: ext.Host as Codec, message: randomHost(seed) })),
];

/** The repeated extensions of `codec`'s type, by the key json_format 4.21 prints them under. */
function repeatedKeys(codec: Codec, o: JsonWriteOptions): Map<string, string> {
  return new Map(registry.extensionsOf!(codec.typeName).filter((e) => e.field.repeated)
    .map((e) => [o.useProtoNames ? e.field.protoName : e.field.jsonName, `[${e.typeName}]`]));
}

/** Python's JSON with its repeated extensions renamed to "[full.name]" (the first quirk), in place. */
function renamed(json: JsonObject, keys: Map<string, string>): JsonObject {
  return Object.fromEntries(Object.entries(json).map(([k, v]) => [keys.get(k) ?? k, v]));
}

const OPTIONS: JsonWriteOptions[] = [{}, { useProtoNames: true, enumAsInteger: true }];

test.each(OPTIONS.map((o) => [JSON.stringify(o), o] as const))("kitewire's toJson is Python's MessageToJson, options %s", (_, o) => {
  const all = cases();
  const replies = python(all.map((c) => ({
    op: "toJson", type: c.codec.typeName, hex: hex(encodeProtobuf(c.codec, c.message)),
    useProtoNames: o.useProtoNames === true, enumAsInteger: o.enumAsInteger === true,
  })));
  all.forEach((c, i) => {
    const pyJson = renamed(JSON.parse(replies[i]!.json!) as JsonObject, repeatedKeys(c.codec, o));
    const mine = toJson(c.codec, c.message, { ...o, typeRegistry: registry }) as JsonObject;
    expect(mine, `${c.what}: kitewire's JSON vs Python's ${replies[i]!.json}`).toEqual(pyJson);
    expect(Object.keys(mine), `${c.what}: key order`).toEqual(Object.keys(pyJson));
  });
  // Not vacuous: the first case holds Host's name and all 20 of its extensions.
  expect(Object.keys(JSON.parse(replies[0]!.json!) as object)).toHaveLength(21);
});

test("singular extensions: each side parses the other's JSON to the same bytes", () => {
  const singular = cases().map((c) => {
    // A copy without the repeated extensions, which Python 4.21 cannot parse (the second quirk).
    const m = decodeProtobuf(c.codec, encodeProtobuf(c.codec, c.message)) as object;
    for (const e of registry.extensionsOf!(c.codec.typeName)) if (e.field.repeated) clearExtension(m, e as ProtobufExtension<object, unknown>);
    return { ...c, message: m, bytes: encodeProtobuf(c.codec, m) };
  });
  const replies = python(singular.flatMap((c) => [
    { op: "parse" as const, type: c.codec.typeName, json: toJsonString(c.codec, c.message, { typeRegistry: registry }) },
    { op: "toJson" as const, type: c.codec.typeName, hex: hex(c.bytes), useProtoNames: false, enumAsInteger: false },
  ]));
  singular.forEach((c, i) => {
    const [parsed, printed] = [replies[2 * i]!, replies[2 * i + 1]!];
    expect(parsed.rejected, `${c.what}: Python parsing kitewire's JSON`).toBeUndefined();
    expect(parsed.hex, `${c.what}: Python parsing kitewire's JSON`).toBe(hex(c.bytes));
    const back = fromJson(c.codec, JSON.parse(printed.json!) as JsonObject, { typeRegistry: registry });
    expect(hex(encodeProtobuf(c.codec, back)), `${c.what}: kitewire parsing ${printed.json}`).toBe(hex(c.bytes));
  });
});

test("json_format 4.21 quirks, pinned: a repeated extension prints under its plain name, and does not parse", () => {
  const h = ext.Host.create();
  setExtension(h, ext.samples, [1]);
  setExtension(h, ext.count, 2);
  const [printed, parsed] = python([
    { op: "toJson", type: "extensions.Host", hex: hex(encodeProtobuf(ext.Host, h)), useProtoNames: false, enumAsInteger: false },
    { op: "parse", type: "extensions.Host", json: toJsonString(ext.Host, h, { typeRegistry: registry }) },
  ]);
  // The spec's key, and kitewire's, is "[extensions.samples]". When these fail, Python is fixed: drop the workarounds above.
  expect(JSON.parse(printed!.json!)).toEqual({ "[extensions.count]": 2, samples: [1] });
  expect(parsed!.rejected).toContain(`Failed to parse [extensions.samples] field`);
});
