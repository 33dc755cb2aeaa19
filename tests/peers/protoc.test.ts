/**
 * protoc 3.21 (Debian's protobuf-compiler, /usr/bin/protoc) as the byte-level oracle for
 * kitewire's generated Protobuf code, over the corpus of tests/interop/proto (see
 * tests/interop/protobuf-generated.test.ts for the npm peers). protoc's --decode and
 * --encode run Google's C++ parser and serializer (DynamicMessage over the descriptors
 * protoc builds from the .proto files) and convert to and from the text format.
 *
 * Process spawns stay bounded: a temporary batch.proto declares one message, Batch, with a
 * repeated field per corpus message type (field i+1 holds type i); a batch of values of
 * every type and seed is one Batch, framed here by hand around kitewire's bytes, so each
 * direction is one protoc run for the whole corpus.
 *
 *  1. protoc decodes kitewire's bytes and encodes the text again: the bytes must come back
 *     unchanged. C++ writes known fields in field-number order, packs what is packed, skips
 *     proto3 defaults and keeps -0.0 (it compares bits), so any other choice kitewire made
 *     shows up as a difference; and a value kitewire wrote wrong (a zigzag, a length) would
 *     read back as a different value and fail step 2.
 *     Map entries: the text format prints them sorted by key (numbers by value, false
 *     before true, strings by bytes), and --encode writes them in the order it reads them;
 *     so for this direction the values' maps are built in that order first (any order is
 *     valid on the wire; kitewire writes its Map's order).
 *  2. Text made here from each value (tests/support/protobuf-corpus.ts `toText`: enums as
 *     numbers, strings and bytes octal-escaped, floats in shortest round-trip form, maps as
 *     entries in the Map's order, which --encode keeps) is encoded by protoc; kitewire must
 *     write the same bytes for the value and read protoc's bytes back as the value.
 *  3. Merging: two encodings concatenated (one Batch item) must re-encode as protoc's merge.
 *     protoc's DynamicMessage keeps every entry of a map as read, duplicate keys included,
 *     where the language guide says the last entry for a key wins (and generated C++
 *     does so): protoc's text is reduced to the last entry per key before --encode.
 *  4. Closed enums: undeclared values must become unknown fields in repeated and map
 *     fields too: kitewire's known fields, re-encoded, must equal protoc's re-encoding of
 *     its own text without the unknown-field lines. For a map entry with an undeclared
 *     value, generated C++ moves the whole entry to the unknown fields, and so does
 *     kitewire; DynamicMessage keeps the entry with value 0 and the value as an unknown
 *     field inside it, so such entries are dropped from protoc's text whole.
 *  5. Enums with negative values (negative.proto, imported apart).
 *
 * Unknown fields are compared against the npm peers only: protoc prints them by number,
 * which --encode does not read back.
 *
 * Here "kitewire" is the built package (dist/): `npm run test:peers` builds first. Without
 * protoc this fails (it is not skipped), naming the apt-get line. Reproduce a failure from
 * the type and seed it prints (or KITEWIRE_SEED=<base>).
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { decodeProtobuf, encodeProtobuf, init } from "kitewire";
import {
  CORPUS_DIR, CORPUS_FILES, importNegative, concat, corpus, firstDifference, hex, lengthDelimited, protocOrder,
  randomMessage, reorderMaps, setAnyPacker, splitLengthDelimited, toText, type Codec, type Msg,
} from "../support/protobuf-corpus.js";
import { Random, seeds } from "../support/random.js";

const PROTOC = "/usr/bin/protoc";
const APT = "sudo apt-get update && sudo apt-get install -y protobuf-compiler";
const SEEDS = seeds(40);
const WKT_FILES = ["any", "duration", "empty", "field_mask", "struct", "timestamp", "wrappers"].map((f) => `google/protobuf/${f}.proto`);

let dir = "";

function protoc(args: string[], input: Uint8Array | string): Buffer {
  const r = spawnSync(PROTOC, [`-I${dir}`, `-I${resolve(CORPUS_DIR)}`, ...args], { input, maxBuffer: 1 << 30 });
  if (r.status !== 0) throw new Error(`protoc ${args.join(" ")} failed (${r.status}):\n${r.stderr?.toString().slice(0, 4000)}`);
  if (r.error) throw r.error;
  return r.stdout;
}

/** A batch.proto with one repeated field per type, and runs of protoc over it. */
class Batch {
  readonly fieldOf = new Map<string, number>();

  constructor(readonly name: string, readonly types: Codec[]) {
    const imports = [...CORPUS_FILES, ...WKT_FILES].map((f) => `import "${f}";`);
    const lines = ['syntax = "proto2";', "package kitewire_batch;", ...imports, `message ${name} {`];
    types.forEach((c, i) => {
      this.fieldOf.set(c.typeName, i + 1);
      lines.push(`  repeated .${c.typeName} m${i + 1} = ${i + 1};`);
    });
    lines.push("}");
    writeFileSync(join(dir, `${name}.proto`), lines.join("\n") + "\n");
  }

  /** `items` ([type, bytes]) framed as one Batch message: items of field 1 first, and so on. */
  frame(items: [Codec, Uint8Array][]): Uint8Array {
    const sorted = [...items].sort((a, b) => this.fieldOf.get(a[0].typeName)! - this.fieldOf.get(b[0].typeName)!);
    return concat(sorted.map(([c, b]) => lengthDelimited(this.fieldOf.get(c.typeName)!, b)));
  }

  decode(bytes: Uint8Array): string {
    return protoc([`--decode=kitewire_batch.${this.name}`, `${this.name}.proto`], bytes).toString("utf8");
  }

  encode(text: string): Uint8Array {
    return new Uint8Array(protoc([`--encode=kitewire_batch.${this.name}`, `${this.name}.proto`], text));
  }
}

function rng(seed: number, typeName: string): Random {
  let h = 0x811c9dc5;
  for (let i = 0; i < typeName.length; i++) h = Math.imul(h ^ typeName.charCodeAt(i), 0x01000193);
  return new Random((seed ^ h) >>> 0);
}

interface Item { c: Codec; seed: number; value: Msg; bytes: Uint8Array }

/** Compares two framed batches item by item, failing on the first difference with its type and seed. */
function sameItems(items: Item[], kitewire: Uint8Array, peer: Uint8Array, what: string, batch: Batch): void {
  if (hex(kitewire) === hex(peer)) return;
  const sorted = [...items].sort((a, b) => batch.fieldOf.get(a.c.typeName)! - batch.fieldOf.get(b.c.typeName)!);
  const ours = splitLengthDelimited(kitewire);
  const theirs = splitLengthDelimited(peer);
  for (let i = 0; i < Math.max(ours.length, theirs.length); i++) {
    const a = ours[i]?.[1] ?? new Uint8Array(0);
    const b = theirs[i]?.[1] ?? new Uint8Array(0);
    if (hex(a) !== hex(b)) {
      const item = sorted[i]!;
      expect.fail(`${what}: ${item.c.typeName}, seed ${item.seed}: bytes differ (${firstDifference(a, b)})\n` +
        `  kitewire: ${hex(a)}\n  protoc:   ${hex(b)}\n  value as text:\n${toText(item.c, item.value, "    ")}`);
    }
  }
  expect.fail(`${what}: framing differs (${firstDifference(kitewire, peer)})`);
}

let batch: Batch;

/** The proto names of the corpus's map fields: blocks with these names in protoc's text are map entries. */
const MAP_FIELDS = new Set(corpus.flatMap((c) => c.fields.filter((f) => f.type.kind === "map").map((f) => f.protoName)));

/** protoc's text with, per map, only the last entry for each key (entries of a key are adjacent: the text is sorted by key). */
function lastEntryPerKey(lines: string[]): string[] {
  const out: string[] = [];
  let previous: { header: string; key: string | undefined; start: number } | undefined;
  for (let i = 0; i < lines.length; i++) {
    const m = /^(\s*)(\w+) \{$/.exec(lines[i]!);
    if (!m) {
      out.push(lines[i]!);
      previous = undefined;
      continue;
    }
    const end = lines.indexOf(`${m[1]}}`, i + 1);
    const inner = lastEntryPerKey(lines.slice(i + 1, end));
    const isEntry = MAP_FIELDS.has(m[2]!);
    const key = isEntry ? inner.find((l) => l.startsWith(`${m[1]}  key: `)) : undefined;
    if (key !== undefined && previous?.header === lines[i] && previous.key === key) out.length = previous.start;
    previous = key !== undefined ? { header: lines[i]!, key, start: out.length } : undefined;
    out.push(lines[i]!, ...inner, lines[end]!);
    i = end;
  }
  return out;
}

/** protoc's text without the unknown fields it prints by number ("2: 1000", "4 {" ... "}"), and without map entries that hold one. */
function knownFieldsOnly(lines: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const block = /^(\s*)(\w+) \{$/.exec(line);
    const end = block ? lines.indexOf(`${block[1]}}`, i + 1) : i;
    const inner = lines.slice(i + 1, end);
    const unknownInside = inner.some((l) => /^\s*[0-9]+(: | \{$)/.test(l));
    if (/^\s*[0-9]+(: | \{$)/.test(line) || (block && MAP_FIELDS.has(block[2]!) && unknownInside)) {
      i = end;
      continue;
    }
    if (block) {
      out.push(line, ...knownFieldsOnly(inner), lines[end]!);
      i = end;
    } else {
      out.push(line);
    }
  }
  return out;
}

beforeAll(async () => {
  if (!existsSync(PROTOC)) throw new Error(`${PROTOC} is missing: install Debian's protoc with \`${APT}\``);
  const version = spawnSync(PROTOC, ["--version"], { encoding: "utf8" }).stdout.trim();
  if (!/^libprotoc 3\.(1[5-9]|2\d)\./.test(version)) throw new Error(`expected protoc 3.15-3.2x (proto3 optional), found ${version}`);
  await init();
  setAnyPacker((c, v) => encodeProtobuf(c, v));
  dir = mkdtempSync(join(tmpdir(), "kitewire-protoc-"));
  batch = new Batch("Batch", corpus);
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("protoc 3.21 as the oracle", () => {
  test("protoc decodes kitewire's bytes and encodes the text to the same bytes (maps in text-format order)", () => {
    const items: Item[] = [];
    for (const c of corpus) {
      for (const seed of SEEDS) {
        const value = reorderMaps(c, randomMessage(rng(seed, c.typeName), c), protocOrder);
        items.push({ c, seed, value, bytes: encodeProtobuf(c, value) });
      }
    }
    const framed = batch.frame(items.map((i) => [i.c, i.bytes]));
    const text = batch.decode(framed);
    sameItems(items, framed, batch.encode(text), "kitewire -> protoc --decode -> protoc --encode", batch);
  });

  test("protoc encodes the text of each value to kitewire's bytes, which kitewire decodes to the value", () => {
    const items: Item[] = [];
    for (const c of corpus) {
      for (const seed of SEEDS) {
        const value = randomMessage(rng(seed + 1, c.typeName), c); // maps in random order: --encode keeps it
        items.push({ c, seed: seed + 1, value, bytes: encodeProtobuf(c, value) });
      }
    }
    const sorted = [...items].sort((a, b) => batch.fieldOf.get(a.c.typeName)! - batch.fieldOf.get(b.c.typeName)!);
    const text = sorted.map((i) => `m${batch.fieldOf.get(i.c.typeName)} {\n${toText(i.c, i.value, "  ")}}\n`).join("");
    const fromProtoc = batch.encode(text);
    sameItems(items, batch.frame(items.map((i) => [i.c, i.bytes])), fromProtoc, "value -> text -> protoc --encode", batch);
    const parts = splitLengthDelimited(fromProtoc);
    expect(parts.length).toBe(sorted.length);
    sorted.forEach((item, i) => {
      expect(decodeProtobuf(item.c, parts[i]![1]), `${item.c.typeName}, seed ${item.seed}: kitewire decodes protoc's bytes`).toEqual(item.value);
    });
  });

  test("two encodings concatenated: kitewire's decoding re-encodes as protoc's merge", () => {
    const items: Item[] = [];
    for (const c of corpus) {
      for (const seed of SEEDS.slice(0, 10)) {
        const a = randomMessage(rng(seed, c.typeName), c);
        const b = randomMessage(rng(seed + 1, c.typeName), c);
        const bytes = concat([encodeProtobuf(c, a), encodeProtobuf(c, b)]);
        const merged = reorderMaps(c, decodeProtobuf(c, bytes), protocOrder);
        items.push({ c, seed, value: merged, bytes });
      }
    }
    const framed = batch.frame(items.map((i) => [i.c, i.bytes]));
    const protocMerge = batch.encode(lastEntryPerKey(batch.decode(framed).split("\n")).join("\n"));
    const kitewire = batch.frame(items.map((i) => [i.c, encodeProtobuf(i.c, i.value)]));
    sameItems(items, kitewire, protocMerge, "merge (seeds seed and seed + 1)", batch);
  });

  test("closed enums: undeclared values are unknown fields, in repeated and map fields too", () => {
    const full = corpus.find((c) => c.typeName === "interop.p2.ClosedEnums")!;
    const old = corpus.find((c) => c.typeName === "interop.evolve2.ClosedEnumsV1")!;
    const items: Item[] = [];
    for (const seed of SEEDS) {
      const rnd = rng(seed, "closed");
      const kind = () => rnd.pick([0, 1, 2, 1000]);
      const v = full.create({
        must: rnd.pick([0, 1, 2]), single: kind(),
        list: Array.from({ length: rnd.int(0, 4) }, kind), packedList: Array.from({ length: rnd.int(0, 4) }, kind),
        byId: new Map(Array.from({ length: rnd.int(0, 3) }, (_, i) => [i, kind()])),
        choice: rnd.bool() ? { case: "cKind", value: kind() } : { case: undefined },
      });
      const bytes = encodeProtobuf(full, v);
      const known = { ...decodeProtobuf(old, bytes), $unknown: undefined };
      items.push({ c: old, seed, value: known, bytes });
    }
    const text = batch.decode(batch.frame(items.map((i) => [i.c, i.bytes])));
    const protocKnown = batch.encode(knownFieldsOnly(text.split("\n")).join("\n"));
    sameItems(items, batch.frame(items.map((i) => [i.c, encodeProtobuf(i.c, i.value)])), protocKnown,
      "ClosedEnums read as ClosedEnumsV1 (which lacks KIND_THOUSAND), known fields re-encoded", batch);
  });

  test("enums with negative values (negative.proto): both directions", async () => {
    const neg = await importNegative();
    const c = neg.Signed as Codec;
    const negBatch = new Batch("NegativeBatch", [c]);
    const items: Item[] = SEEDS.map((seed) => {
      const value = reorderMaps(c, randomMessage(rng(seed, c.typeName), c), protocOrder);
      return { c, seed, value, bytes: encodeProtobuf(c, value) };
    });
    const framed = negBatch.frame(items.map((i) => [i.c, i.bytes]));
    sameItems(items, framed, negBatch.encode(negBatch.decode(framed)), "negative enums, decode then encode", negBatch);
    const fromText = negBatch.encode(items.map((i) => `m1 {\n${toText(c, i.value, "  ")}}\n`).join(""));
    sameItems(items, framed, fromText, "negative enums, text -> protoc --encode", negBatch);
    splitLengthDelimited(fromText).forEach(([, b], i) => expect(decodeProtobuf(c, b)).toEqual(items[i]!.value));
  });
});
