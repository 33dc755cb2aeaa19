// Whole messages: the small (5 fields) and large (20 fields: a nested struct, 20 i32, 5
// strings, 3 nested structs, a non-ASCII string, 1 KiB of binary) messages of
// tests/golden/thrift/bench.thrift and tests/golden/proto/bench.proto, encoded to bytes and
// decoded to objects by:
//  - kitewire's generated code (Thrift Binary and Compact) through encodeThrift/decodeThrift,
//  - npm thrift 0.24 running Apache Thrift 0.17's generated js:node code
//    (tests/fixtures/thrift-js/bench_types.js), over the fastest transports found for it,
//  - protobufjs 8.8 static code from pbjs (tests/fixtures/protobufjs/bench.js).
// Encode ends with the bytes in a Uint8Array the caller owns (kitewire: finish(); npm
// thrift: the flushed Buffer; protobufjs: Writer.finish()). Decode starts from such bytes,
// a fresh input object per call as a server gets them (lib.mjs freshInputs: Buffers sliced
// from a shared pool; kitewire also from plain Uint8Arrays, and from the same input every
// call as a diagnostic only).
import { createRequire } from "node:module";
import { Suite, kw, check, checkBytes, machine, isMain, settleBufferDeprecation, freshInputs } from "./lib.mjs";
import { importGenerated } from "./generated.mjs";

const require = createRequire(import.meta.url);
const thrift = require("thrift");
const { TBinaryProtocol, TCompactProtocol, TBufferedTransport, TFramedTransport, Int64 } = thrift;
const npm = require("../tests/fixtures/thrift-js/bench_types.js");
const protobuf = require("protobufjs/minimal.js");

export function smallValue() {
  return { id: 1234567890123n, name: "kitewire", age: 42, active: true, score: 98.6 };
}

export function largeValue(Inner) {
  const inner = (i) => Inner.create({ a: i, b: `inner ${i}`, c: i / 3 });
  return {
    id: 9007199254740991n, name: "Large message", age: 33, active: true, score: 0.125,
    email: "someone@example.org", level: 7, createdAt: 1700000000000n, updatedAt: 1700000123456n,
    title: "The title of a large message", description: "A description long enough to be a realistic one.",
    inner: inner(0), numbers: Array.from({ length: 20 }, (_, i) => (i * 7919) % 100000 - 500),
    tags: ["alpha", "beta", "gamma", "delta", "epsilon"], children: [inner(1), inner(2), inner(3)],
    note: "Grüße aus Köln — 東京からこんにちは", payload: Uint8Array.from({ length: 1024 }, (_, i) => (i * 31) & 0xff),
    region: -12, flags: 5, ratio: 2.718281828,
  };
}

/** The same value as npm thrift's generated objects (Int64, Buffer). */
function toNpm(v, Type) {
  const out = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x === "bigint") out[k] = new Int64(Number(x));
    else if (x instanceof Uint8Array) out[k] = Buffer.from(x);
    else if (Array.isArray(x)) out[k] = x.map((e) => (typeof e === "object" ? new npm.Inner(e) : e));
    else if (typeof x === "object" && x !== null) out[k] = new npm.Inner(x);
    else out[k] = x;
  }
  return new Type(out);
}

/** The same value as protobufjs static objects (numbers for int64: all are below 2^53). */
function toProtobuf(v, Type) {
  const out = {};
  for (const [k, x] of Object.entries(v)) out[k] = typeof x === "bigint" ? Number(x) : x;
  return Type.fromObject ? Type.fromObject(out) : new Type(out);
}

/**
 * Where each field's value starts in a Binary struct at the read position of `r`, by field
 * id; list fields give the positions of their elements, struct fields (and struct elements)
 * their own maps.
 */
function valuePositions(r) {
  const at = new Map();
  r.readStructBegin();
  for (let t = r.readFieldBegin(); t !== kw.TType.STOP; t = r.readFieldBegin()) {
    if (t === kw.TType.STRUCT) at.set(r.fieldId, valuePositions(r));
    else if (t === kw.TType.LIST) {
      const id = r.fieldId;
      const n = r.readListBegin();
      const type = r.elementType;
      const elements = [];
      for (let i = 0; i < n; i++) {
        if (type === kw.TType.STRUCT) elements.push(valuePositions(r));
        else {
          elements.push(r.pos);
          r.skip(type);
        }
      }
      r.readContainerEnd();
      at.set(id, elements);
    } else {
      at.set(r.fieldId, r.pos);
      r.skip(t);
    }
  }
  r.readStructEnd();
  return at;
}

/**
 * The large struct decoded with every value's position known in advance: the same reader
 * calls for the values (strings, i64s, the payload view, ...) and the same objects and
 * lists built, but no field headers, no field loop, no type checks. What no Binary or
 * Compact decoder of this value can go below with these primitives.
 */
function constructionFloor(bytes, input) {
  const r = new kw.ThriftBinaryReader();
  // Positions are relative to the message's first byte (`base`, where `load` starts reading).
  const P = valuePositions(r.load(new Uint8Array(bytes)));
  let base = 0;
  const inner = P.get(12);
  const innerAt = (m) => [m.get(1), m.get(2), m.get(3)];
  const inners = [innerAt(inner), ...P.get(15).map(innerAt)];
  const numbers = P.get(13);
  const tags = P.get(14);
  const f = (id) => P.get(id);
  const [pId, pName, pAge, pActive, pScore, pEmail, pLevel, pCreated, pUpdated, pTitle, pDescription, pNote, pPayload, pRegion, pFlags, pRatio] =
    [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 16, 17, 18, 19, 20].map(f);
  const readInner = (k) => {
    const [a, b, c] = inners[k];
    r.pos = base + a;
    const va = r.readI32();
    r.pos = base + b;
    const vb = r.readString();
    r.pos = base + c;
    return { a: va, b: vb, c: r.readDouble() };
  };
  return () => {
    base = r.load(input()).pos;
    r.pos = base + pId; const id = r.readI64();
    r.pos = base + pName; const name = r.readString();
    r.pos = base + pAge; const age = r.readI32();
    r.pos = base + pActive; const active = r.readBool();
    r.pos = base + pScore; const score = r.readDouble();
    r.pos = base + pEmail; const email = r.readString();
    r.pos = base + pLevel; const level = r.readI32();
    r.pos = base + pCreated; const createdAt = r.readI64();
    r.pos = base + pUpdated; const updatedAt = r.readI64();
    r.pos = base + pTitle; const title = r.readString();
    r.pos = base + pDescription; const description = r.readString();
    const innerValue = readInner(0);
    const ns = new Array(numbers.length);
    for (let i = 0; i < numbers.length; i++) {
      r.pos = base + numbers[i];
      ns[i] = r.readI32();
    }
    const ts = new Array(tags.length);
    for (let i = 0; i < tags.length; i++) {
      r.pos = base + tags[i];
      ts[i] = r.readString();
    }
    const children = [readInner(1), readInner(2), readInner(3)];
    r.pos = base + pNote; const note = r.readString();
    r.pos = base + pPayload; const payload = r.readBinary();
    r.pos = base + pRegion; const region = r.readI16();
    r.pos = base + pFlags; const flags = r.readByte();
    r.pos = base + pRatio; const ratio = r.readDouble();
    return {
      id, name, age, active, score, email, level, createdAt, updatedAt, title, description, inner: innerValue,
      numbers: ns, tags: ts, children, note, payload, region, flags, ratio,
    };
  };
}

export async function run() {
  const engine = await kw.init();
  settleBufferDeprecation();
  protobuf.util.Long = null; // int64 as numbers: exact for these values, protobufjs's fastest mode
  protobuf.configure();
  const { bench: pb } = await import("../tests/fixtures/protobufjs/bench.js");
  const gen = await importGenerated("tests/golden/thrift/gen/bench.ts");
  const suite = new Suite("messages", "whole messages: kitewire generated code vs npm thrift generated code vs protobufjs static code");
  suite.note(`machine ${JSON.stringify(machine(engine))}`);

  const shapes = [
    ["small", gen.Small, smallValue(), npm.Small, pb.Small],
    ["large", gen.Large, largeValue(gen.Inner), npm.Large, pb.Large],
  ];
  for (const [size, Codec, value, NpmType, PbType] of shapes) {
    const npmValue = toNpm(value, NpmType);
    const pbValue = toProtobuf(value, PbType);
    for (const [protocol, TP] of [["binary", TBinaryProtocol], ["compact", TCompactProtocol]]) {
      const name = `${size}, Thrift ${protocol}`;
      let flushed = null;
      const transport = new TBufferedTransport(undefined, (b) => {
        flushed = b;
      });
      const out = new TP(transport);
      const kwEncode = () => kw.encodeThrift(Codec, value, protocol);
      const npmEncode = () => {
        npmValue.write(out);
        out.flush();
        return flushed;
      };
      const pbEncode = () => PbType.encode(pbValue).finish();
      const bytes = kwEncode();
      checkBytes(npmEncode(), bytes, `${name}: kitewire vs npm thrift bytes`);
      check(Codec.read !== undefined, "generated codec");

      const tin = new TFramedTransport(Buffer.from(bytes));
      const pin = new TP(tin);
      const kwInput = freshInputs(bytes, "pool");
      const kwPlainInput = freshInputs(bytes, "plain");
      const npmInput = freshInputs(bytes, "pool");
      const kwDecode = () => kw.decodeThrift(Codec, kwInput(), protocol);
      const kwPlainDecode = () => kw.decodeThrift(Codec, kwPlainInput(), protocol);
      const kwSameDecode = () => kw.decodeThrift(Codec, bytes, protocol);
      const npmDecode = () => {
        tin.inBuf = npmInput();
        tin.readPos = 0;
        const v = new NpmType();
        v.read(pin);
        return v;
      };
      const pbBytes = pbEncode();
      const pbInput = freshInputs(pbBytes, "pool");
      const pbDecode = () => PbType.decode(pbInput());
      const back = kwDecode();
      check(back.name === value.name && back.id === value.id, `${name}: kitewire decodes`);
      check(npmDecode().name === value.name, `${name}: npm thrift decodes`);
      check(pbDecode().name === value.name, `${name}: protobufjs decodes`);

      suite.group(`${name}: encode (${bytes.length} B; protobuf ${pbBytes.length} B)`, { unit: "msg" })
        .add("kitewire generated", kwEncode)
        .add("npm thrift generated (TBufferedTransport)", npmEncode)
        .add("protobufjs static", pbEncode)
        .ratio("kitewire generated", "npm thrift generated (TBufferedTransport)", {
          target: protocol === "binary" ? 10 : 15, label: `kitewire vs npm thrift (${protocol} encode)`,
        })
        .ratio("kitewire generated", "protobufjs static", { target: 1, label: "kitewire vs protobufjs static (encode)" });
      const decode = suite.group(`${name}: decode (${bytes.length} B; protobuf ${pbBytes.length} B)`, { unit: "msg" })
        .add("kitewire generated", kwDecode)
        .add("kitewire generated (plain Uint8Array input)", kwPlainDecode)
        .add("kitewire generated (same input every call: diagnostic)", kwSameDecode)
        .add("npm thrift generated (TFramedTransport, in place)", npmDecode)
        .add("protobufjs static", pbDecode)
        .ratio("kitewire generated", "npm thrift generated (TFramedTransport, in place)", {
          target: protocol === "binary" ? 3 : 15, label: `kitewire vs npm thrift (${protocol} decode)`,
        })
        .ratio("kitewire generated", "protobufjs static", { target: 1, label: "kitewire vs protobufjs static (decode)" });
      if (size === "large") {
        // The bound on any decoder's ratio here: building this value from known positions
        // (Binary: a Compact decoder builds the same value and reads no cheaper values).
        const floorBytes = protocol === "binary" ? bytes : kw.encodeThrift(Codec, value, "binary");
        const floor = constructionFloor(floorBytes, freshInputs(floorBytes, "pool"));
        const floorValue = floor();
        check(JSON.stringify(floorValue, (k, x) => (typeof x === "bigint" ? `${x}` : x instanceof Uint8Array ? Array.from(x) : x)) ===
          JSON.stringify(back, (k, x) => (typeof x === "bigint" ? `${x}` : x instanceof Uint8Array ? Array.from(x) : x)), `${name}: floor value`);
        decode.add("construction floor (values at known positions, no parsing)", floor)
          .ratio("construction floor (values at known positions, no parsing)", "npm thrift generated (TFramedTransport, in place)", {
            label: `best possible vs npm thrift (${protocol} decode)`,
          });
      }
    }
  }
  return suite.run();
}

if (isMain(import.meta.url)) await run();
