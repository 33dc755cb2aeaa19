// Whole Protobuf messages: the small (5 fields) and large (20 fields: a nested message, 20
// int32, 5 strings, 3 nested messages, a non-ASCII string, 1 KiB of bytes) messages of
// tests/golden/proto/bench.proto, with the values of messages.bench.mjs, encoded to bytes and
// decoded to objects by:
//  - kitewire's generated code (tests/golden/proto/gen/bench.ts) through
//    encodeProtobuf/decodeProtobuf,
//  - protobufjs 8.8 static code from pbjs (tests/fixtures/protobufjs/bench.js), in its
//    fastest mode (int64 as numbers, `util.Long = null`: exact for these values) only: timed
//    in one process with its `long` mode, as this file once did, its number-mode decode ran
//    10-19 % slower (its code and message objects see both int64 representations), which
//    flattered kitewire's ratios (bench/README.md, section 5b, seventh round),
//  - @bufbuild/protobuf 2.17 running protoc-gen-es 2.13 code (tests/fixtures/protobuf-es/
//    bench_pb.ts) through create/toBinary/fromBinary.
// Encode ends with the bytes in a Uint8Array the caller owns (kitewire: a copy out of engine
// memory; protobufjs: Writer.finish(), a Node Buffer; @bufbuild/protobuf:
// BinaryWriter.finish()). Decode starts from such bytes and ends with a plain object
// (protobufjs: a message instance); protobufjs is also shown decoding a plain Uint8Array.
// Before timing, all three must produce the same bytes, and decode them to the same values.
import { createRequire } from "node:module";
import { Suite, kw, check, checkBytes, machine, isMain, freshInputs } from "./lib.mjs";
import { importGenerated } from "./generated.mjs";
import { smallValue, largeValue } from "./messages.bench.mjs";

const require = createRequire(import.meta.url);
const protobuf = require("protobufjs/minimal.js");
const es = await import("@bufbuild/protobuf");

/** The value as protobufjs static objects: int64 as numbers (all below 2^53). */
function toProtobufjs(v, Type, Inner) {
  const conv = (x) => {
    if (typeof x === "bigint") return Number(x);
    if (Array.isArray(x)) return x.map(conv);
    if (typeof x === "object" && x !== null && !(x instanceof Uint8Array)) return Inner.create(toPlain(x));
    return x;
  };
  const toPlain = (o) => Object.fromEntries(Object.entries(o).map(([k, x]) => [k, conv(x)]));
  return Type.create(toPlain(v));
}

/** The value as a @bufbuild/protobuf message (its create() with the same init). */
function toEs(v, Schema, InnerSchema) {
  const init = {};
  for (const [k, x] of Object.entries(v)) {
    if (Array.isArray(x)) init[k] = x.map((e) => (typeof e === "object" ? es.create(InnerSchema, e) : e));
    else if (typeof x === "object" && x !== null && !(x instanceof Uint8Array)) init[k] = es.create(InnerSchema, x);
    else init[k] = x;
  }
  return es.create(Schema, init);
}

/** Field-for-field equality of a decoded message with the kitewire value (ints by value). */
function sameValue(decoded, value, what) {
  for (const [k, x] of Object.entries(value)) {
    const y = decoded[k];
    if (x instanceof Uint8Array) checkBytes(y, x, `${what}.${k}`);
    else if (Array.isArray(x)) {
      check(Array.isArray(y) && y.length === x.length, `${what}.${k}: length`);
      x.forEach((e, i) => (typeof e === "object" ? sameValue(y[i], e, `${what}.${k}[${i}]`) : check(e === y[i], `${what}.${k}[${i}]`)));
    } else if (typeof x === "object" && x !== null) sameValue(y, x, `${what}.${k}`);
    else check(String(x) === String(y), `${what}.${k}: ${x} vs ${y}`);
  }
}

/** Where each field's values start (after its tag) in the message of [r.pos, end), by field number. */
function fieldPositions(r, end) {
  const at = new Map();
  while (r.pos < end) {
    const tag = r.tag();
    if (!at.has(tag >>> 3)) at.set(tag >>> 3, []);
    at.get(tag >>> 3).push(r.pos);
    r.skip(tag);
  }
  return at;
}

/**
 * The large message decoded with every value's position known in advance: the same reader
 * calls for the values (strings, int64s, the packed column, the payload view, ...) and the
 * same objects and lists built as the generated decode, but no tags, no field dispatch, no
 * nested-message bounds. What no decoder of this value can go below with these primitives;
 * returns a function of the input bytes.
 */
export function largeConstructionFloor(bytes) {
  const r = new kw.ProtobufReader();
  const P = fieldPositions(r.load(Uint8Array.from(bytes)), bytes.length);
  const innerAt = (p) => {
    r.pos = p;
    const len = r.uint32();
    const m = fieldPositions(r, r.pos + len);
    return [1, 2, 3].map((no) => m.get(no)?.[0] ?? -1); // -1: absent (a default value)
  };
  const inners = [innerAt(P.get(12)[0]), ...P.get(15).map(innerAt)];
  const tags = P.get(14);
  const [pId, pName, pAge, pActive, pScore, pEmail, pLevel, pCreated, pUpdated, pTitle, pDescription, pNumbers, pNote, pPayload, pRegion, pFlags, pRatio] =
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 16, 17, 18, 19, 20].map((no) => P.get(no)[0]);
  const readInner = (k) => {
    const [a, b, c] = inners[k];
    let va = 0, vb = "", vc = 0;
    if (a >= 0) { r.pos = a; va = r.int32(); }
    if (b >= 0) { r.pos = b; vb = r.string(); }
    if (c >= 0) { r.pos = c; vc = r.double(); }
    return { a: va, b: vb, c: vc };
  };
  return (input) => {
    r.load(input);
    r.pos = pId; const id = r.int64();
    r.pos = pName; const name = r.string();
    r.pos = pAge; const age = r.int32();
    r.pos = pActive; const active = r.bool();
    r.pos = pScore; const score = r.double();
    r.pos = pEmail; const email = r.string();
    r.pos = pLevel; const level = r.int32();
    r.pos = pCreated; const createdAt = r.int64();
    r.pos = pUpdated; const updatedAt = r.int64();
    r.pos = pTitle; const title = r.string();
    r.pos = pDescription; const description = r.string();
    const inner = readInner(0);
    r.pos = pNumbers; const numbers = r.appendPackedInt32([]);
    const ts = [];
    for (let i = 0; i < tags.length; i++) {
      r.pos = tags[i];
      ts.push(r.string());
    }
    const children = [readInner(1), readInner(2), readInner(3)];
    r.pos = pNote; const note = r.string();
    r.pos = pPayload; const payload = r.bytes();
    r.pos = pRegion; const region = r.int32();
    r.pos = pFlags; const flags = r.int32();
    r.pos = pRatio; const ratio = r.double();
    return { id, name, age, active, score, email, level, createdAt, updatedAt, title, description, inner, numbers, tags: ts, children, note, payload, region, flags, ratio };
  };
}

/** The full Profile message's construction floor, as largeConstructionFloor: its maps built from known positions too. */
export function profileConstructionFloor(bytes) {
  const r = new kw.ProtobufReader();
  const P = fieldPositions(r.load(Uint8Array.from(bytes)), bytes.length);
  // A nested message's (or map entry's) field positions: -1 for an absent field.
  const nested = (p) => {
    r.pos = p;
    const len = r.uint32();
    const m = fieldPositions(r, r.pos + len);
    return [1, 2, 3].map((no) => m.get(no)?.[0] ?? -1);
  };
  const one = (no) => P.get(no)?.[0] ?? -1;
  const labels = (P.get(3) ?? []).map(nested);
  const items = (P.get(4) ?? []).map((p) => {
    const [k, x] = nested(p);
    return [k, nested(x)];
  });
  const aliases = P.get(6) ?? [];
  const friends = (P.get(7) ?? []).map(nested);
  const [pId, pName, pScores, pLevel, pActive, pRating, pEmail, pCreated, pAvatar, pRegion, pFlags, pNote] =
    [1, 2, 5, 8, 9, 10, 11, 12, 13, 14, 15, 16].map(one);
  const readInner = ([a, b, c]) => {
    let va = 0, vb = "", vc = 0;
    if (a >= 0) { r.pos = a; va = r.int32(); }
    if (b >= 0) { r.pos = b; vb = r.string(); }
    if (c >= 0) { r.pos = c; vc = r.double(); }
    return { a: va, b: vb, c: vc };
  };
  return (input) => {
    r.load(input);
    r.pos = pId; const id = r.int64();
    r.pos = pName; const name = r.string();
    const labelMap = new Map();
    for (const [k, x] of labels) {
      r.pos = k; const key = r.string();
      r.pos = x; labelMap.set(key, r.string());
    }
    const itemMap = new Map();
    for (const [k, x] of items) {
      r.pos = k;
      itemMap.set(r.int32(), readInner(x));
    }
    r.pos = pScores; const scores = r.appendPackedInt32([]);
    const al = [];
    for (let i = 0; i < aliases.length; i++) {
      r.pos = aliases[i];
      al.push(r.string());
    }
    const fr = [];
    for (let i = 0; i < friends.length; i++) fr.push(readInner(friends[i]));
    r.pos = pLevel; const level = r.int32();
    r.pos = pActive; const active = r.bool();
    r.pos = pRating; const rating = r.double();
    r.pos = pEmail; const email = r.string();
    r.pos = pCreated; const createdAt = r.int64();
    r.pos = pAvatar; const avatar = r.bytes();
    r.pos = pRegion; const region = r.int32();
    r.pos = pFlags; const flags = r.uint32();
    r.pos = pNote; const note = r.string();
    return { id, name, labels: labelMap, items: itemMap, scores, aliases: al, friends: fr, level, active, rating, email, createdAt, avatar, region, flags, note };
  };
}

export async function run() {
  const engine = await kw.init();
  const gen = await importGenerated("tests/golden/proto/gen/bench.ts");
  const esGen = await importGenerated("tests/fixtures/protobuf-es/bench_pb.ts");
  protobuf.util.Long = null; // int64 as numbers: protobufjs's fastest mode
  protobuf.configure();
  const { bench: pb } = await import("../tests/fixtures/protobufjs/bench.js");
  const suite = new Suite("protobuf", "whole Protobuf messages: kitewire generated code vs protobufjs static code vs @bufbuild/protobuf (protoc-gen-es)");
  suite.note(`machine ${JSON.stringify(machine(engine))}`);

  const shapes = [
    ["small", gen.Small, smallValue(), pb.Small, esGen.SmallSchema],
    ["large", gen.Large, largeValue(gen.Inner), pb.Large, esGen.LargeSchema],
  ];
  for (const [size, Codec, value, PbType, Schema] of shapes) {
    const pbValue = toProtobufjs(value, PbType, pb.Inner);
    const esValue = toEs(value, Schema, esGen.InnerSchema);

    const kwEncode = () => kw.encodeProtobuf(Codec, value);
    const pbEncode = () => PbType.encode(pbValue).finish();
    const esEncode = () => es.toBinary(Schema, esValue);
    const bytes = kwEncode();
    checkBytes(pbEncode(), bytes, `${size}: protobufjs vs kitewire bytes`);
    checkBytes(esEncode(), bytes, `${size}: @bufbuild/protobuf vs kitewire bytes`);

    // protobufjs reads a Node Buffer with its BufferReader and a plain Uint8Array with its
    // Reader; both return bytes fields as views (no copy), and its pbjs code reads proto3
    // strings with `stringVerify` (a JS loop, TextDecoder from 64 bytes) from either. Both
    // inputs are shown. Every decode gets a fresh input object per call, as a server
    // does (lib.mjs freshInputs): Buffers sliced from a shared pool, or plain Uint8Arrays;
    // kitewire from the same input every call is shown as a diagnostic only.
    const [kwInput, kwPlainInput, pbInput, pbPlainInput, esInput] =
      ["pool", "plain", "pool", "plain", "plain"].map((kind) => freshInputs(bytes, kind));
    const kwDecode = () => kw.decodeProtobuf(Codec, kwInput());
    const kwPlainDecode = () => kw.decodeProtobuf(Codec, kwPlainInput());
    const kwSameDecode = () => kw.decodeProtobuf(Codec, bytes);
    const pbDecode = () => PbType.decode(pbInput());
    const pbPlainDecode = () => PbType.decode(pbPlainInput());
    const esDecode = () => es.fromBinary(Schema, esInput());
    sameValue(kwDecode(), value, `${size}: kitewire decode`);
    sameValue(pbDecode(), value, `${size}: protobufjs decode`);
    sameValue(pbPlainDecode(), value, `${size}: protobufjs decode (Uint8Array input)`);
    sameValue(esDecode(), value, `${size}: @bufbuild/protobuf decode`);

    suite.group(`${size}: encode (${bytes.length} B)`, { unit: "msg", bytes: bytes.length })
      .add("kitewire generated", kwEncode)
      .add("protobufjs static", pbEncode)
      .add("@bufbuild/protobuf", esEncode)
      .ratio("kitewire generated", "protobufjs static", { target: 2, label: "kitewire vs protobufjs static (encode)" })
      .ratio("kitewire generated", "@bufbuild/protobuf", { label: "kitewire vs @bufbuild/protobuf (encode)" });
    const decode = suite.group(`${size}: decode (${bytes.length} B)`, { unit: "msg", bytes: bytes.length })
      .add("kitewire generated", kwDecode)
      .add("kitewire generated (plain Uint8Array input)", kwPlainDecode)
      .add("kitewire generated (same input every call: diagnostic)", kwSameDecode)
      .add("protobufjs static", pbDecode)
      .add("protobufjs static (Uint8Array input)", pbPlainDecode)
      .add("@bufbuild/protobuf", esDecode)
      .ratio("kitewire generated", "protobufjs static", { target: 1.5, label: "kitewire vs protobufjs static (decode)" })
      .ratio("kitewire generated (plain Uint8Array input)", "protobufjs static (Uint8Array input)", { label: "kitewire vs protobufjs static (decode, plain Uint8Array input)" })
      .ratio("kitewire generated", "@bufbuild/protobuf", { label: "kitewire vs @bufbuild/protobuf (decode)" });
    if (size === "large") {
      // The bound on kitewire's ratio here: building this value from known positions.
      const floor = largeConstructionFloor(bytes);
      const floorInput = freshInputs(bytes, "pool");
      sameValue(floor(floorInput()), value, `${size}: construction floor`);
      decode.add("construction floor (values at known positions, no parsing)", () => floor(floorInput()))
        .ratio("construction floor (values at known positions, no parsing)", "protobufjs static", { label: "best possible vs protobufjs static (decode)" });
    }
  }
  profileGroups(suite, gen, pb);
  return suite.run();
}

/** The Profile message's values (two maps, three repeated fields): nearly empty, and full. */
export function profileValues(gen) {
  const inner = (i) => gen.Inner.create({ a: i, b: `friend ${i}`, c: i / 4 });
  return {
    sparse: gen.Profile.create({ id: 42n, name: "Ada Lovelace", level: 3, active: true }),
    full: gen.Profile.create({
      id: 9007199254740991n, name: "Ada Lovelace", labels: new Map([["env", "prod"], ["team", "core"], ["tier", "gold"]]),
      items: new Map([[1, inner(1)], [2, inner(2)]]), scores: Array.from({ length: 12 }, (_, i) => i * 37 - 100),
      aliases: ["ada", "countess", "enchantress"], friends: [inner(3), inner(4)], level: 7, active: true, rating: 4.75,
      email: "ada@example.org", createdAt: 1700000000000n, avatar: Uint8Array.from({ length: 48 }, (_, i) => i * 5),
      region: -3, flags: 9, note: "Grüße — こんにちは",
    }),
  };
}

/** The Profile message nearly empty and full: kitewire vs protobufjs. */
function profileGroups(suite, gen, pb) {
  for (const [shape, value] of Object.entries(profileValues(gen))) {
    const bytes = kw.encodeProtobuf(gen.Profile, value);
    const pbValue = pb.Profile.decode(bytes);
    checkBytes(pb.Profile.encode(pbValue).finish(), bytes, `profile ${shape}: protobufjs re-encodes kitewire's bytes`);
    const kwInput = freshInputs(bytes, "pool");
    const pbInput = freshInputs(bytes, "pool");
    const kwDecode = () => kw.decodeProtobuf(gen.Profile, kwInput());
    const pbDecode = () => pb.Profile.decode(pbInput());
    const back = kwDecode();
    checkBytes(kw.encodeProtobuf(gen.Profile, back), bytes, `profile ${shape}: kitewire round trip`);
    check(back.labels.size === Object.keys(pbDecode().labels).length, `profile ${shape}: maps agree`);
    const decode = suite.group(`profile (${shape}): decode (${bytes.length} B)`, { unit: "msg", bytes: bytes.length })
      .add("kitewire generated", kwDecode)
      .add("kitewire generated (same input every call: diagnostic)", () => kw.decodeProtobuf(gen.Profile, bytes))
      .add("protobufjs static", pbDecode)
      .ratio("kitewire generated", "protobufjs static", { target: 1.5, label: `kitewire vs protobufjs static (profile ${shape} decode)` });
    if (shape === "full") {
      const floor = profileConstructionFloor(bytes);
      const floorInput = freshInputs(bytes, "pool");
      checkBytes(kw.encodeProtobuf(gen.Profile, floor(floorInput())), bytes, `profile ${shape}: construction floor`);
      decode.add("construction floor (values at known positions, no parsing)", () => floor(floorInput()))
        .ratio("construction floor (values at known positions, no parsing)", "protobufjs static", { label: `best possible vs protobufjs static (profile ${shape} decode)` });
    }
    suite.group(`profile (${shape}): encode (${bytes.length} B)`, { unit: "msg", bytes: bytes.length })
      .add("kitewire generated", () => kw.encodeProtobuf(gen.Profile, value))
      .add("protobufjs static", () => pb.Profile.encode(pbValue).finish())
      .ratio("kitewire generated", "protobufjs static", { target: 2, label: `kitewire vs protobufjs static (profile ${shape} encode)` });
  }
}

if (isMain(import.meta.url)) await run();
