// Skip/validate throughput (MB/s) of a realistic ~1.4 KB message: Thrift Binary, Thrift
// Compact and Protobuf, each built by kitewire and checked byte for byte against the
// peer's encoding of the same content.
//
// The message: 20 top-level fields — scalars of every width, short strings, a nested
// struct, list<i32> of 20, list<string> of 5, list<struct> of 3, a non-ASCII string and
// 1 KiB of binary.
//
// kitewire: the reader's validateMessage() (Thrift) / validate() (Protobuf), one engine
// call over the whole message; the raw exports (thriftBinarySkipMessage,
// thriftCompactSkipMessage, protobufValidate) without the reader around them; and a
// JS-driven walk (Thrift: readMessageBegin + skip(STRUCT); Protobuf: tag() + skip() per
// field, one engine call per field).
// Peers: npm thrift `readMessageBegin(); skip(STRUCT)` over a TFramedTransport reading in
// place; protobufjs `Reader.skipType` per top-level field. Protobuf validation walks the
// top level only on both sides (a length-delimited field cannot be told from a nested
// message without the schema).
import { createRequire } from "node:module";
import { Suite, kw, check, checkBytes, machine, isMain, settleBufferDeprecation } from "./lib.mjs";

const require = createRequire(import.meta.url);
const thrift = require("thrift");
const protobuf = require("protobufjs/minimal.js");
const { TBinaryProtocol, TCompactProtocol, TBufferedTransport, TFramedTransport, Int64 } = thrift;
const T = thrift.Thrift.Type;

const NAME = "getUserProfile";
const LIST_I32 = Array.from({ length: 20 }, (_, i) => (i % 3 === 0 ? -i * 1237 : i * 99991));
const LIST_STR = ["alpha", "bravo-charlie", "delta", "echo.foxtrot", "golf-hotel-india"];
const NON_ASCII = "Grüße aus Zürich — 東京からこんにちは 👋";
const BLOB = Uint8Array.from({ length: 1024 }, (_, i) => (i * 131 + 7) & 0xff);
const ITEMS = [
  { id: 1001, label: "primary", enabled: true },
  { id: 2002, label: "secondary", enabled: false },
  { id: 9_007_199_254, label: "archived-item", enabled: true },
];

/**
 * Writes the message through a protocol-neutral facade: `f` maps calls onto kitewire's
 * writers or npm thrift's protocols (whose method names differ only in field names and
 * int64 types).
 */
function writeThriftMessage(f) {
  f.messageBegin(NAME, 1, 42);
  f.structBegin();
  f.field(T.I32, 1); f.i32(123456);
  f.field(T.I64, 2); f.i64(1_700_000_000_123);
  f.field(T.STRING, 3); f.string("Ada Lovelace");
  f.field(T.STRING, 4); f.string("ada@analytical.engine");
  f.field(T.BOOL, 5); f.bool(true);
  f.field(T.DOUBLE, 6); f.double(98.6);
  f.field(T.I16, 7); f.i16(36);
  f.field(T.BYTE, 8); f.byte(-3);
  f.field(T.STRUCT, 9);
  f.structBegin();
  f.field(T.STRING, 1); f.string("12 Babbage Row");
  f.field(T.STRING, 2); f.string("London");
  f.field(T.I32, 3); f.i32(10115);
  f.field(T.DOUBLE, 4); f.double(51.5072);
  f.field(T.DOUBLE, 5); f.double(-0.1276);
  f.stop();
  f.structEnd();
  f.field(T.LIST, 10); f.listBegin(T.I32, LIST_I32.length);
  for (const v of LIST_I32) f.i32(v);
  f.listEnd();
  f.field(T.LIST, 11); f.listBegin(T.STRING, LIST_STR.length);
  for (const v of LIST_STR) f.string(v);
  f.listEnd();
  f.field(T.LIST, 12); f.listBegin(T.STRUCT, ITEMS.length);
  for (const it of ITEMS) {
    f.structBegin();
    f.field(T.I64, 1); f.i64(it.id);
    f.field(T.STRING, 2); f.string(it.label);
    f.field(T.BOOL, 3); f.bool(it.enabled);
    f.stop();
    f.structEnd();
  }
  f.listEnd();
  f.field(T.STRING, 13); f.string(NON_ASCII);
  f.field(T.STRING, 14); f.binary(BLOB);
  f.field(T.I64, 15); f.i64(-42);
  f.field(T.I32, 16); f.i32(-1);
  f.field(T.DOUBLE, 17); f.double(1e-9);
  f.field(T.STRING, 18); f.string("en-GB");
  f.field(T.BOOL, 19); f.bool(false);
  f.field(T.I32, 20); f.i32(2147483647);
  f.stop();
  f.structEnd();
  f.messageEnd();
}

function kitewireFacade(w) {
  return {
    messageBegin: (n, t, s) => w.writeMessageBegin(n, t, s),
    structBegin: () => w.writeStructBegin(),
    structEnd: () => w.writeStructEnd(),
    field: (t, id) => w.writeFieldBegin(t, id),
    stop: () => w.writeFieldStop(),
    listBegin: (t, n) => w.writeListBegin(t, n),
    listEnd: () => {},
    messageEnd: () => {},
    i32: (v) => w.writeI32(v),
    i64: (v) => w.writeI64(BigInt(v)),
    i16: (v) => w.writeI16(v),
    byte: (v) => w.writeByte(v),
    bool: (v) => w.writeBool(v),
    double: (v) => w.writeDouble(v),
    string: (v) => w.writeString(v),
    binary: (v) => w.writeBinary(v),
  };
}

function thriftFacade(p) {
  return {
    messageBegin: (n, t, s) => p.writeMessageBegin(n, t, s),
    structBegin: () => p.writeStructBegin("S"),
    structEnd: () => p.writeStructEnd(),
    field: (t, id) => p.writeFieldBegin("f", t, id),
    stop: () => p.writeFieldStop(),
    listBegin: (t, n) => p.writeListBegin(t, n),
    listEnd: () => p.writeListEnd(),
    messageEnd: () => p.writeMessageEnd(),
    i32: (v) => p.writeI32(v),
    i64: (v) => p.writeI64(new Int64(v)),
    i16: (v) => p.writeI16(v),
    byte: (v) => p.writeByte(v),
    bool: (v) => p.writeBool(v),
    double: (v) => p.writeDouble(v),
    string: (v) => p.writeString(v),
    binary: (v) => p.writeBinary(Buffer.from(v)),
  };
}

/** The same content as Protobuf; `f` maps onto kitewire's ProtobufWriter or protobufjs' Writer. */
function writeProtobufMessage(w, i64) {
  w.tag(1, 0).int32(123456);
  w.tag(2, 0).int64(i64(1_700_000_000_123));
  w.tag(3, 2).string("Ada Lovelace");
  w.tag(4, 2).string("ada@analytical.engine");
  w.tag(5, 0).bool(true);
  w.tag(6, 1).double(98.6);
  w.tag(7, 0).int32(36);
  w.tag(8, 0).sint32(-3);
  w.tag(9, 2).fork();
  w.tag(1, 2).string("12 Babbage Row");
  w.tag(2, 2).string("London");
  w.tag(3, 0).int32(10115);
  w.tag(4, 1).double(51.5072);
  w.tag(5, 1).double(-0.1276);
  w.join();
  w.tag(10, 2).packed(LIST_I32);
  for (const s of LIST_STR) w.tag(11, 2).string(s);
  for (const it of ITEMS) {
    w.tag(12, 2).fork();
    w.tag(1, 0).int64(i64(it.id));
    w.tag(2, 2).string(it.label);
    w.tag(3, 0).bool(it.enabled);
    w.join();
  }
  w.tag(13, 2).string(NON_ASCII);
  w.tag(14, 2).bytes(BLOB);
  w.tag(15, 0).sint64(i64(-42));
  w.tag(16, 5).sfixed32(-1);
  w.tag(17, 1).double(1e-9);
  w.tag(18, 2).string("en-GB");
  w.tag(19, 0).bool(false);
  w.tag(20, 0).int32(2147483647);
}

function protobufjsFacade(pw) {
  const f = {
    tag: (field, wt) => {
      pw.uint32((field << 3) | wt);
      return f;
    },
    fork: () => pw.fork(),
    join: () => pw.ldelim(),
    packed: (vs) => pw.int32s(vs),
  };
  for (const m of ["int32", "int64", "sint32", "sint64", "string", "bool", "double", "bytes", "sfixed32"]) {
    f[m] = (v) => pw[m](v);
  }
  return f;
}

function kitewireProtobufFacade(w) {
  const f = {
    tag: (field, wt) => {
      w.tag(field, wt);
      return f;
    },
    fork: () => w.fork(),
    join: () => w.join(),
    packed: (vs) => w.packedInt32(vs),
  };
  for (const m of ["int32", "int64", "sint32", "sint64", "string", "bool", "double", "bytes", "sfixed32"]) {
    f[m] = (v) => w[m](v);
  }
  return f;
}

export async function run() {
  const engine = await kw.init();
  settleBufferDeprecation();
  const X = engine.exports;
  const suite = new Suite("skip", "skip/validate throughput of a ~1.4 KB message: kitewire vs npm thrift " +
    `${require("thrift/package.json").version} and protobufjs ${require("protobufjs/package.json").version}`);
  suite.note(`machine ${JSON.stringify(machine(engine))}`);

  // ------------------------------------------------------------------ Thrift
  for (const [name, KW, KR, TP, rawSkip] of [
    ["Binary", kw.ThriftBinaryWriter, kw.ThriftBinaryReader, TBinaryProtocol,
      (p, end) => X.thriftBinarySkipMessage(p, end, 64, 0)],
    ["Compact", kw.ThriftCompactWriter, kw.ThriftCompactReader, TCompactProtocol,
      (p, end) => X.thriftCompactSkipMessage(p, end, 64)],
  ]) {
    const w = new KW({ initialCapacity: 4096 });
    writeThriftMessage(kitewireFacade(w));
    const bytes = w.finish();
    let flushed = null;
    const t = new TBufferedTransport(undefined, (msg) => {
      flushed = msg;
    });
    const p = new TP(t);
    writeThriftMessage(thriftFacade(p));
    p.flush();
    checkBytes(bytes, flushed, `${name} message: kitewire vs npm thrift`);
    const len = bytes.length;

    const at = engine.alloc(len);
    engine.u8.set(bytes, at);
    const r = new KR();
    const kwValidate = () => r.attach(at, len).validateMessage();
    const raw = () => rawSkip(at, at + len);
    const kwWalk = () => {
      r.attach(at, len);
      r.readMessageBegin();
      r.skip(T.STRUCT);
      return r.remaining;
    };
    const tr = new TFramedTransport(Buffer.from(bytes));
    const pr = new TP(tr);
    const thSkip = () => {
      tr.readPos = 0;
      pr.readMessageBegin();
      pr.skip(T.STRUCT);
      pr.readMessageEnd();
      return tr.readPos;
    };

    check(kwValidate() === len, `${name}: validateMessage length`);
    check(raw() === at + len, `${name}: raw skip end`);
    check(kwWalk() === 0, `${name}: readMessageBegin + skip`);
    check(thSkip() === len, `${name}: npm thrift skip`);
    // A broken message must fail, so a validator that accepts anything cannot look fast.
    engine.u8[at + len - 1] = 0x0f; // the final STOP becomes a field header, then truncation
    let failed = false;
    try {
      kwValidate();
    } catch {
      failed = true;
    }
    check(failed && raw() < 0, `${name}: a corrupted message fails validation`);
    engine.u8[at + len - 1] = 0;
    check(kwValidate() === len, `${name}: restored`);

    suite.group(`Thrift ${name}: skip/validate a ${len} B message`, { unit: "message", bytes: len })
      .add("kitewire validateMessage()", kwValidate)
      .add(`kitewire raw ${name === "Binary" ? "thriftBinarySkipMessage" : "thriftCompactSkipMessage"}`, raw)
      .add("kitewire readMessageBegin + skip(STRUCT)", kwWalk)
      .add("npm thrift readMessageBegin + skip(STRUCT)", thSkip)
      .ratio("kitewire validateMessage()", "npm thrift readMessageBegin + skip(STRUCT)", { label: "kitewire vs npm thrift" })
      .throughput("kitewire validateMessage()", 1000, "kitewire validateMessage() throughput");
  }

  // ------------------------------------------------------------------ Protobuf
  const pw = new kw.ProtobufWriter({ initialCapacity: 4096 });
  writeProtobufMessage(kitewireProtobufFacade(pw), (v) => BigInt(v));
  const bytes = pw.finish();
  const jw = protobuf.Writer.create();
  writeProtobufMessage(protobufjsFacade(jw), (v) => v);
  checkBytes(bytes, jw.finish(), "Protobuf message: kitewire vs protobufjs");
  const len = bytes.length;
  const at = engine.alloc(len);
  engine.u8.set(bytes, at);
  const r = new kw.ProtobufReader();
  const kwValidate = () => r.attach(at, len).validate();
  const raw = () => X.protobufValidate(at, at + len, 64);
  const kwWalk = () => {
    r.attach(at, len);
    let n = 0;
    while (r.pos < r.end) {
      r.skip(r.tag());
      n++;
    }
    return n;
  };
  const jr = protobuf.Reader.create(Buffer.from(bytes));
  const pjsSkip = () => {
    jr.pos = 0;
    let n = 0;
    while (jr.pos < jr.len) {
      const tag = jr.uint32();
      jr.skipType(tag & 7);
      n++;
    }
    return n;
  };
  kwValidate();
  const fields = 20 + LIST_STR.length - 1 + ITEMS.length - 1;
  check(raw() === at + len, "Protobuf: raw validate end");
  check(kwWalk() === fields, "Protobuf: tag + skip walk");
  check(pjsSkip() === fields, "Protobuf: protobufjs skipType walk");
  engine.u8[at + len - 1] = 0x80; // the last varint now runs past the end
  check(raw() < 0, "Protobuf: a corrupted message fails validation");
  engine.u8[at + len - 1] = bytes[len - 1];
  check(raw() === at + len, "Protobuf: restored");

  suite.group(`Protobuf: validate/skip a ${len} B message (top level)`, { unit: "message", bytes: len })
    .add("kitewire validate()", kwValidate)
    .add("kitewire raw protobufValidate", raw)
    .add("kitewire tag() + skip() per field", kwWalk)
    .add("protobufjs uint32() + skipType() per field", pjsSkip)
    .ratio("kitewire validate()", "protobufjs uint32() + skipType() per field", { label: "kitewire vs protobufjs" })
    .throughput("kitewire validate()", 1000, "kitewire validate() throughput");

  return suite.run();
}

if (isMain(import.meta.url)) await run();
