// Thrift Binary and Compact primitives: a struct of 10 fields (field header + i32, i64,
// double, short string, bool, twice: 21 protocol writes with the STOP byte) written and
// read by kitewire and by npm `thrift`, and whole list<i32> of 1000 values written and
// read in one call (writeI32List/readI32List) or element by element.
//
// Driving npm thrift (read from its source, lib/nodejs/lib/thrift): every protocol write
// allocates a small Buffer and hands it to `transport.write`, which pushes it onto an
// array; `flush()` concatenates them into one Buffer and passes it to `onFlush` — the
// point where the bytes are ready for a socket. TBufferedTransport does that with one
// copy; TFramedTransport with two (and a 4-byte frame header). A third, hand-written
// transport that copies each piece into one preallocated Buffer (no array, no concat) is
// the fastest way we found to drive the stock protocols. Reads: TFramedTransport reads in
// place from a Buffer (slices, no copies) and can be rewound by setting `readPos = 0`;
// TBufferedTransport copies for i64/binary. Ratios use the fastest peer variant.
//
// kitewire writes into its arena after reset(); the bytes are then ready for the network
// layer in engine memory (`view()`), so that is the comparable point. A variant that also
// copies them out (`finish()`) is shown. Reads start from bytes already in engine memory.
import { createRequire } from "node:module";
import { Suite, kw, check, checkBytes, checkValues, rng, machine, isMain, settleBufferDeprecation } from "./lib.mjs";

const require = createRequire(import.meta.url);
const thrift = require("thrift");
const { TBinaryProtocol, TCompactProtocol, TBufferedTransport, TFramedTransport, Int64 } = thrift;

/** An independent copy of a closure-free function: its own inline caches, so one protocol's shapes do not pollute another's. */
function fresh(fn) {
  return new Function(`return (${fn.toString()})`)();
}

// ------------------------------------------------------------------ the field sequence
// Type ids: I32 8, I64 10, DOUBLE 4, STRING 11, BOOL 2.
const S1 = "hello, kitewire";
const S2 = "svc.Method";

function kwWriteSeq(w, v) {
  w.reset();
  w.writeStructBegin();
  w.writeFieldBegin(8, 1); w.writeI32(12345);
  w.writeFieldBegin(10, 2); w.writeI64(v.i64a);
  w.writeFieldBegin(4, 3); w.writeDouble(3.14159);
  w.writeFieldBegin(11, 4); w.writeString(v.s1);
  w.writeFieldBegin(2, 5); w.writeBool(true);
  w.writeFieldBegin(8, 6); w.writeI32(-42);
  w.writeFieldBegin(10, 7); w.writeI64(v.i64b);
  w.writeFieldBegin(4, 8); w.writeDouble(-0.5);
  w.writeFieldBegin(11, 9); w.writeString(v.s2);
  w.writeFieldBegin(2, 10); w.writeBool(false);
  w.writeFieldStop();
  w.writeStructEnd();
  return w.pos;
}

function thriftWriteSeq(p, t, v) {
  p.writeStructBegin("Seq");
  p.writeFieldBegin("a", 8, 1); p.writeI32(12345); p.writeFieldEnd();
  p.writeFieldBegin("b", 10, 2); p.writeI64(v.i64a); p.writeFieldEnd();
  p.writeFieldBegin("c", 4, 3); p.writeDouble(3.14159); p.writeFieldEnd();
  p.writeFieldBegin("d", 11, 4); p.writeString(v.s1); p.writeFieldEnd();
  p.writeFieldBegin("e", 2, 5); p.writeBool(true); p.writeFieldEnd();
  p.writeFieldBegin("f", 8, 6); p.writeI32(-42); p.writeFieldEnd();
  p.writeFieldBegin("g", 10, 7); p.writeI64(v.i64b); p.writeFieldEnd();
  p.writeFieldBegin("h", 4, 8); p.writeDouble(-0.5); p.writeFieldEnd();
  p.writeFieldBegin("i", 11, 9); p.writeString(v.s2); p.writeFieldEnd();
  p.writeFieldBegin("j", 2, 10); p.writeBool(false); p.writeFieldEnd();
  p.writeFieldStop();
  p.writeStructEnd();
  t.flush();
  return t;
}

/** What generated code does: dispatch on field id, check the type, skip what it does not know. */
function kwReadSeq(r, at, len, o) {
  r.attach(at, len);
  r.readStructBegin();
  for (;;) {
    const t = r.readFieldBegin();
    if (t === 0) break;
    switch (r.fieldId) {
      case 1: if (t === 8) o.a = r.readI32(); else r.skip(t); break;
      case 2: if (t === 10) o.b = r.readI64(); else r.skip(t); break;
      case 3: if (t === 4) o.c = r.readDouble(); else r.skip(t); break;
      case 4: if (t === 11) o.d = r.readString(); else r.skip(t); break;
      case 5: if (t === 2) o.e = r.readBool(); else r.skip(t); break;
      case 6: if (t === 8) o.f = r.readI32(); else r.skip(t); break;
      case 7: if (t === 10) o.g = r.readI64(); else r.skip(t); break;
      case 8: if (t === 4) o.h = r.readDouble(); else r.skip(t); break;
      case 9: if (t === 11) o.i = r.readString(); else r.skip(t); break;
      case 10: if (t === 2) o.j = r.readBool(); else r.skip(t); break;
      default: r.skip(t);
    }
  }
  r.readStructEnd();
  return o;
}

function thriftReadSeq(p, rewind, o) {
  rewind();
  p.readStructBegin();
  for (;;) {
    const f = p.readFieldBegin();
    const t = f.ftype;
    if (t === 0) break;
    switch (f.fid) {
      case 1: if (t === 8) o.a = p.readI32(); else p.skip(t); break;
      case 2: if (t === 10) o.b = p.readI64(); else p.skip(t); break;
      case 3: if (t === 4) o.c = p.readDouble(); else p.skip(t); break;
      case 4: if (t === 11) o.d = p.readString(); else p.skip(t); break;
      case 5: if (t === 2) o.e = p.readBool(); else p.skip(t); break;
      case 6: if (t === 8) o.f = p.readI32(); else p.skip(t); break;
      case 7: if (t === 10) o.g = p.readI64(); else p.skip(t); break;
      case 8: if (t === 4) o.h = p.readDouble(); else p.skip(t); break;
      case 9: if (t === 11) o.i = p.readString(); else p.skip(t); break;
      case 10: if (t === 2) o.j = p.readBool(); else p.skip(t); break;
      default: p.skip(t);
    }
    p.readFieldEnd();
  }
  p.readStructEnd();
  return o;
}

function newRecord() {
  return { a: 0, b: null, c: 0, d: "", e: false, f: 0, g: null, h: 0, i: "", j: false };
}

const EXPECTED = { a: 12345, b: 1234567890123, c: 3.14159, d: S1, e: true, f: -42, g: -7, h: -0.5, i: S2, j: false };

function checkRecord(o, toNumber, what) {
  for (const [k, v] of Object.entries(EXPECTED)) {
    const got = k === "b" || k === "g" ? toNumber(o[k]) : o[k];
    check(got === v, `${what}: field ${k}: ${got} vs ${v}`);
  }
}

function thriftWriteList(p, t, vs) {
  p.writeListBegin(8, vs.length);
  for (let i = 0; i < vs.length; i++) p.writeI32(vs[i]);
  p.writeListEnd();
  t.flush();
  return t;
}

/** A transport that copies each piece into one preallocated Buffer: no array, no concat. */
class PreallocTransport {
  constructor(size) {
    this.buf = Buffer.alloc(size);
    this.pos = 0;
  }
  write(b) {
    if (typeof b === "string") b = Buffer.from(b);
    b.copy(this.buf, this.pos);
    this.pos += b.length;
  }
  flush() {
    const n = this.pos;
    this.pos = 0;
    this.last = n;
  }
  setCurrSeqId() {}
  bytes() {
    return this.buf.subarray(0, this.last);
  }
}

/** 1000 i32 of mixed Compact (zigzag varint) sizes incl. negatives. */
function listValues() {
  const r = rng(7);
  return Array.from({ length: 1000 }, () => {
    const k = r();
    const mag = k < 0.4 ? 64 : k < 0.7 ? 8192 : k < 0.9 ? 1 << 20 : 2 ** 31;
    const v = Math.floor(r() * mag);
    return r() < 0.5 ? v : -v - 1 < -(2 ** 31) ? -(2 ** 31) : -v - 1;
  });
}

export async function run() {
  const engine = await kw.init();
  settleBufferDeprecation();
  const suite = new Suite("thrift", "Thrift Binary/Compact primitive writes and reads: kitewire vs npm thrift " +
    require("thrift/package.json").version);
  suite.note(`machine ${JSON.stringify(machine(engine))}`);

  const kwValues = { i64a: 1234567890123n, i64b: -7n, s1: S1, s2: S2 };
  const thValues = { i64a: new Int64(1234567890123), i64b: new Int64(-7), s1: S1, s2: S2 };

  const protocols = [
    ["Binary", kw.ThriftBinaryWriter, kw.ThriftBinaryReader, TBinaryProtocol],
    ["Compact", kw.ThriftCompactWriter, kw.ThriftCompactReader, TCompactProtocol],
  ];

  for (const [name, KW, KR, TP] of protocols) {
    // ------------------------------------------------------------ field sequence writes
    const w = new KW({ initialCapacity: 16 * 1024 });
    const kwWrite = fresh(kwWriteSeq);
    const kwWriteView = () => kwWrite(w, kwValues);
    const kwWriteCopy = () => {
      kwWrite(w, kwValues);
      return w.finish();
    };
    // The same copy through Node's pooled Buffer allocator (for comparison with finish()).
    const kwWritePooled = () => {
      kwWrite(w, kwValues);
      return Buffer.from(w.view());
    };

    let flushed = null;
    const onFlush = (msg) => {
      flushed = msg;
    };
    const tb = new TBufferedTransport(undefined, onFlush);
    const pb = new TP(tb);
    const tf = new TFramedTransport(undefined, onFlush);
    const pf = new TP(tf);
    const tpre = new PreallocTransport(16 * 1024);
    const ppre = new TP(tpre);
    const thWriteB = fresh(thriftWriteSeq);
    const thWriteF = fresh(thriftWriteSeq);
    const thWriteP = fresh(thriftWriteSeq);
    const thBuffered = () => thWriteB(pb, tb, thValues);
    const thFramed = () => thWriteF(pf, tf, thValues);
    const thPrealloc = () => thWriteP(ppre, tpre, thValues);

    kwWriteView();
    const expected = w.finish();
    thBuffered();
    checkBytes(flushed, expected, `${name} sequence: kitewire vs npm thrift (buffered)`);
    thFramed();
    check(flushed.readInt32BE(0) === expected.length, `${name} sequence: frame length`);
    checkBytes(flushed.subarray(4), expected, `${name} sequence: kitewire vs npm thrift (framed)`);
    thPrealloc();
    checkBytes(tpre.bytes(), expected, `${name} sequence: kitewire vs npm thrift (prealloc)`);
    checkBytes(kwWriteCopy(), expected, `${name} sequence: finish()`);
    checkBytes(kwWritePooled(), expected, `${name} sequence: Buffer.from(view())`);

    const bytes = expected.length;
    suite.group(`${name}: write 10 fields (21 writes, ${bytes} B)`, { unit: "struct" })
      .add("kitewire (bytes in arena, view())", kwWriteView)
      .add("kitewire + finish() copy out", kwWriteCopy)
      .add("kitewire + Buffer.from(view()) copy out (Node pool)", kwWritePooled)
      .add("npm thrift TBufferedTransport + flush", thBuffered)
      .add("npm thrift TFramedTransport + flush", thFramed)
      .add("npm thrift prealloc transport (best case)", thPrealloc)
      .ratio("kitewire (bytes in arena, view())", "npm thrift TBufferedTransport + flush", { target: 10, label: "kitewire vs npm thrift (TBufferedTransport)" })
      .ratio("kitewire (bytes in arena, view())", ["npm thrift TBufferedTransport + flush", "npm thrift TFramedTransport + flush",
        "npm thrift prealloc transport (best case)"], { target: 10, label: "kitewire vs npm thrift (fastest driver)" })
      .ratio("kitewire + finish() copy out", "npm thrift TBufferedTransport + flush", { label: "kitewire+finish() vs npm thrift (TBufferedTransport)" });

    // ------------------------------------------------------------ field sequence reads
    const at = engine.alloc(bytes);
    engine.u8.set(expected, at);
    const r = new KR();
    const kwRead = fresh(kwReadSeq);
    const o1 = newRecord();
    const kwReadTask = () => kwRead(r, at, bytes, o1);

    const buf = Buffer.from(expected);
    const trf = new TFramedTransport(buf);
    const prf = new TP(trf);
    const rewindF = () => {
      trf.readPos = 0;
    };
    const trb = new TBufferedTransport();
    trb.inBuf = Buffer.from(expected);
    trb.writeCursor = bytes;
    const prb = new TP(trb);
    const rewindB = () => {
      trb.readCursor = 0;
    };
    const thReadF = fresh(thriftReadSeq);
    const thReadB = fresh(thriftReadSeq);
    const o2 = newRecord();
    const o3 = newRecord();
    const thFramedRead = () => thReadF(prf, rewindF, o2);
    const thBufferedRead = () => thReadB(prb, rewindB, o3);

    checkRecord(kwReadTask(), Number, `${name} read: kitewire`);
    checkRecord(thFramedRead(), (v) => v.toNumber(), `${name} read: npm thrift (framed)`);
    checkRecord(thBufferedRead(), (v) => v.toNumber(), `${name} read: npm thrift (buffered)`);

    suite.group(`${name}: read 10 fields (${bytes} B)`, {
      unit: "struct",
      note: "i64 as each library's own type: bigint (kitewire), node-int64 Int64 (npm thrift)",
    })
      .add("kitewire (bytes in engine memory)", kwReadTask)
      .add("npm thrift TFramedTransport (in place)", thFramedRead)
      .add("npm thrift TBufferedTransport", thBufferedRead)
      .ratio("kitewire (bytes in engine memory)", ["npm thrift TFramedTransport (in place)", "npm thrift TBufferedTransport"],
        { label: "kitewire vs npm thrift (fastest driver)" });

    // ------------------------------------------------------------ list<i32> of 1000
    const values = listValues();
    const typed = Int32Array.from(values);
    const wl = new KW({ initialCapacity: 16 * 1024 });
    const kwListTyped = () => {
      wl.reset();
      wl.writeI32List(typed);
      return wl.pos;
    };
    const kwListArray = () => {
      wl.reset();
      wl.writeI32List(values);
      return wl.pos;
    };
    const kwElementWise = fresh(function (w, vs) {
      w.reset();
      w.writeListBegin(8, vs.length);
      for (let i = 0; i < vs.length; i++) w.writeI32(vs[i]);
      return w.pos;
    });
    const kwListElems = () => kwElementWise(wl, values);
    const thList = fresh(thriftWriteList);
    const tlb = new TBufferedTransport(undefined, onFlush);
    const plb = new TP(tlb);
    const tlp = new PreallocTransport(16 * 1024);
    const plp = new TP(tlp);
    const thListBuffered = () => thList(plb, tlb, values);
    const thListPrealloc = fresh(thriftWriteList);
    const thListPre = () => thListPrealloc(plp, tlp, values);

    kwListTyped();
    const listBytes = wl.finish();
    thListBuffered();
    checkBytes(flushed, listBytes, `${name} list: kitewire writeI32List vs npm thrift`);
    thListPre();
    checkBytes(tlp.bytes(), listBytes, `${name} list: kitewire vs npm thrift (prealloc)`);
    kwListArray();
    checkBytes(wl.finish(), listBytes, `${name} list: writeI32List(number[])`);
    kwListElems();
    checkBytes(wl.finish(), listBytes, `${name} list: element-wise`);

    const thListPeers = ["npm thrift writeListBegin + writeI32 x1000 (buffered)", "npm thrift writeListBegin + writeI32 x1000 (prealloc)"];
    suite.group(`${name}: write list<i32> of 1000 (${listBytes.length} B)`, { unit: "list", bytes: listBytes.length })
      .add("kitewire writeI32List(Int32Array)", kwListTyped)
      .add("kitewire writeI32List(number[])", kwListArray)
      .add("kitewire writeListBegin + writeI32 x1000", kwListElems)
      .add("npm thrift writeListBegin + writeI32 x1000 (buffered)", thListBuffered)
      .add("npm thrift writeListBegin + writeI32 x1000 (prealloc)", thListPre)
      .ratio("kitewire writeI32List(Int32Array)", "kitewire writeListBegin + writeI32 x1000", { label: "batch(Int32Array) vs element-wise (kitewire)" })
      .ratio("kitewire writeI32List(number[])", "kitewire writeListBegin + writeI32 x1000", { label: "batch(number[]) vs element-wise (kitewire)" })
      .ratio("kitewire writeI32List(number[])", thListPeers, { target: 10, label: "kitewire batch(number[]) vs npm thrift (fastest driver)" })
      .ratio("kitewire writeListBegin + writeI32 x1000", thListPeers, { target: 10, label: "kitewire element-wise vs npm thrift (fastest driver)" });

    const lat = engine.alloc(listBytes.length);
    engine.u8.set(listBytes, lat);
    const rl = new KR();
    const kwReadList = () => rl.attach(lat, listBytes.length).readI32List();
    // Not an API: the engine call of readI32List into a reused Int32Array, to show what the
    // fresh result array costs (see README).
    const X = engine.exports;
    const scratch = engine.alloc(4 * values.length);
    const reused = new Int32Array(values.length);
    const headerSize = name === "Binary" ? 5 : 3; // Binary: type + i32 count; Compact: 0xf5 + varint 1000
    const kwReadListInto = name === "Binary"
      ? () => {
        X.byteSwapCopy(lat + headerSize, values.length, scratch, 4);
        reused.set(new Int32Array(X.memory.buffer, scratch, values.length));
        return reused;
      }
      : () => {
        X.compactReadI32s(lat + headerSize, lat + listBytes.length, values.length, scratch);
        reused.set(new Int32Array(X.memory.buffer, scratch, values.length));
        return reused;
      };
    const kwReadElems = fresh(function (r, at, len) {
      r.attach(at, len);
      const n = r.readListBegin();
      const out = new Array(n);
      for (let i = 0; i < n; i++) out[i] = r.readI32();
      r.readContainerEnd();
      return out;
    });
    const kwReadElemsTask = () => kwReadElems(rl, lat, listBytes.length);
    const tlr = new TFramedTransport(Buffer.from(listBytes));
    const plr = new TP(tlr);
    const thReadList = fresh(function (p, t) {
      t.readPos = 0;
      const h = p.readListBegin();
      const out = new Array(h.size);
      for (let i = 0; i < h.size; i++) out[i] = p.readI32();
      p.readListEnd();
      return out;
    });
    const thReadListTask = () => thReadList(plr, tlr);

    checkValues(kwReadList(), values, `${name} list: kitewire readI32List`);
    checkValues(kwReadListInto(), values, `${name} list: engine call into a reused array`);
    checkValues(kwReadElemsTask(), values, `${name} list: kitewire element-wise`);
    checkValues(thReadListTask(), values, `${name} list: npm thrift`);

    suite.group(`${name}: read list<i32> of 1000 (${listBytes.length} B)`, { unit: "list", bytes: listBytes.length })
      .add("kitewire readI32List -> Int32Array", kwReadList)
      .add("engine call -> reused Int32Array (no API)", kwReadListInto)
      .add("kitewire readListBegin + readI32 x1000 -> number[]", kwReadElemsTask)
      .add("npm thrift readListBegin + readI32 x1000 (framed)", thReadListTask)
      .ratio("kitewire readI32List -> Int32Array", "kitewire readListBegin + readI32 x1000 -> number[]", { label: "batch vs element-wise (kitewire)" })
      .ratio("kitewire readI32List -> Int32Array", "npm thrift readListBegin + readI32 x1000 (framed)", { label: "kitewire batch vs npm thrift" });
  }

  return suite.run();
}

if (isMain(import.meta.url)) await run();
