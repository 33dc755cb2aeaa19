// Whole messages: the small (5 fields) and large (20 fields: a nested struct, 20 i32, 5
// strings, 3 nested structs, a non-ASCII string, 1 KiB of binary) messages of
// tests/golden/thrift/bench.thrift and tests/golden/proto/bench.proto, encoded to bytes and
// decoded to objects by:
//  - kitewire's generated code (Thrift Binary and Compact) through encodeThrift/decodeThrift,
//  - npm thrift 0.24 running Apache Thrift 0.17's generated js:node code
//    (tests/fixtures/thrift-js/bench_types.js), over the fastest transports found for it,
//  - protobufjs 8.8 static code from pbjs (tests/fixtures/protobufjs/bench.js).
// Encode ends with the bytes in a Uint8Array the caller owns (kitewire: finish(); npm
// thrift: the flushed Buffer; protobufjs: Writer.finish()). Decode starts from such bytes.
import { createRequire } from "node:module";
import { Suite, kw, check, checkBytes, machine, isMain, settleBufferDeprecation } from "./lib.mjs";
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

      const inBuf = Buffer.from(bytes);
      const tin = new TFramedTransport(inBuf);
      const pin = new TP(tin);
      const kwDecode = () => kw.decodeThrift(Codec, bytes, protocol);
      const npmDecode = () => {
        tin.readPos = 0;
        const v = new NpmType();
        v.read(pin);
        return v;
      };
      const pbBytes = pbEncode();
      const pbDecode = () => PbType.decode(pbBytes);
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
      suite.group(`${name}: decode (${bytes.length} B; protobuf ${pbBytes.length} B)`, { unit: "msg" })
        .add("kitewire generated", kwDecode)
        .add("npm thrift generated (TFramedTransport, in place)", npmDecode)
        .add("protobufjs static", pbDecode)
        .ratio("kitewire generated", "npm thrift generated (TFramedTransport, in place)", {
          target: protocol === "binary" ? 3 : 15, label: `kitewire vs npm thrift (${protocol} decode)`,
        })
        .ratio("kitewire generated", "protobufjs static", { target: 1, label: "kitewire vs protobufjs static (decode)" });
    }
  }
  return suite.run();
}

if (isMain(import.meta.url)) await run();
