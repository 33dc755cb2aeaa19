/**
 * Readers read loaded bytes where they are (ByteReader.load): the same values and the same
 * errors, at the same offsets, as reading a copy in engine memory (attach), including every
 * path that calls the engine (skip, validate, string tables, typed lists, packed columns,
 * non-ASCII text); binary values are plain views of the input unless copyBinary; bytes that
 * are engine memory themselves are read as attached; attached readers take fresh views when
 * memory grows between structs.
 */
import { readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import {
  init, type Engine, KitewireError, loadEngine, ProtobufReader, ProtobufWriter, ThriftBinaryReader,
  ThriftBinaryWriter, ThriftCompactReader, ThriftCompactWriter, TType, WireType,
} from "../../src/runtime/node/index.js";
import { Random } from "../support/random.js";

let engine: Engine;
beforeAll(async () => {
  engine = await init();
});

type Outcome = { ok: true; value: unknown } | { ok: false; code: string; offset: number | undefined };

function outcome(read: () => unknown): Outcome {
  try {
    return { ok: true, value: read() };
  } catch (error) {
    if (!(error instanceof KitewireError)) throw error;
    return { ok: false, code: error.code, offset: error.offset };
  }
}

/** `bytes` inside a larger Node Buffer, at an odd offset, with garbage on both sides. */
function embedded(bytes: Uint8Array): Buffer {
  const outer = Buffer.alloc(bytes.length + 20, 0xee);
  outer.set(bytes, 7);
  return outer.subarray(7, 7 + bytes.length);
}

/**
 * The shapes input arrives in (Buffers from a pool or inside a larger one, plain arrays on
 * and off V8's heap), all read where they are by `load`: every one must read the same.
 */
const INPUT_KINDS: readonly ((bytes: Uint8Array) => Uint8Array)[] = [
  embedded,
  (b) => Buffer.from(b), // sliced from Node's shared pool when small
  (b) => Uint8Array.from(b), // offset 0, on V8's heap when small
  (b) => {
    const outer = new Uint8Array(b.length + 9).fill(0xdd);
    outer.set(b, 5);
    return outer.subarray(5, 5 + b.length);
  },
];

/** The input kind for the `i`th input of a test: every kind gets its share. */
function arriving(bytes: Uint8Array, i: number): Uint8Array {
  return INPUT_KINDS[i % INPUT_KINDS.length]!(bytes);
}

/** `bytes` copied into engine memory, for the attached reader. */
function inEngine(bytes: Uint8Array): number {
  const at = engine.alloc(Math.max(bytes.length, 1));
  engine.u8.set(bytes, at);
  return at;
}

function writeThrift(w: ThriftBinaryWriter | ThriftCompactWriter): Uint8Array {
  w.reset();
  w.writeStructBegin();
  w.writeFieldBegin(TType.STRING, 1);
  w.writeString("plain ascii text, long enough for TextDecoder: 0123456789");
  w.writeFieldBegin(TType.STRING, 2);
  w.writeString("Grüße aus Köln — 東京");
  w.writeFieldBegin(TType.STRING, 3);
  w.writeBinary(Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff));
  w.writeFieldBegin(TType.LIST, 4);
  w.writeI32List([1, -2, 300000, -400000000]);
  w.writeFieldBegin(TType.LIST, 5);
  w.writeListBegin(TType.STRING, 3);
  for (const s of ["a", "bé", "c".repeat(40)]) w.writeString(s);
  w.writeFieldBegin(TType.STRUCT, 6); // skipped by readThrift
  w.writeStructBegin();
  w.writeFieldBegin(TType.I64, 1);
  w.writeI64(-5n);
  w.writeFieldBegin(TType.STRING, 2);
  w.writeString("nested");
  w.writeFieldStop();
  w.writeStructEnd();
  w.writeFieldBegin(TType.DOUBLE, 7);
  w.writeDouble(2.5);
  w.writeFieldStop();
  w.writeStructEnd();
  return w.finish();
}

function readThrift(r: ThriftBinaryReader | ThriftCompactReader): unknown[] {
  const out: unknown[] = [];
  r.readStructBegin();
  for (let t = r.readFieldBegin(); t !== TType.STOP; t = r.readFieldBegin()) {
    const id = r.fieldId;
    if (t === TType.STRING && id === 3) out.push(Array.from(r.readBinary()));
    else if (t === TType.STRING) out.push(r.readString());
    else if (t === TType.LIST && id === 4) out.push(Array.from(r.readI32List()));
    else if (t === TType.LIST && id === 5) out.push(r.readStringList());
    else if (t === TType.DOUBLE) out.push(r.readDouble());
    else r.skip(t);
    out.push(r.offset);
  }
  r.readStructEnd();
  out.push(r.remaining);
  return out;
}

const thrift = [
  ["binary", () => new ThriftBinaryWriter(), (o?: object) => new ThriftBinaryReader(o)],
  ["compact", () => new ThriftCompactWriter(), (o?: object) => new ThriftCompactReader(o)],
] as const;

describe.each(thrift)("Thrift %s", (_name, makeWriter, makeReader) => {
  test("loaded and attached readers agree on every truncation and corruption (values, codes, offsets)", () => {
    const message = writeThrift(makeWriter());
    const loaded = makeReader();
    const attached = makeReader();
    const rnd = new Random(0x10ad);
    const inputs: Uint8Array[] = [message];
    for (let n = 0; n < message.length; n += 3) inputs.push(message.subarray(0, n));
    for (let i = 0; i < 300; i++) {
      const bad = Uint8Array.from(message);
      bad[rnd.int(0, bad.length - 1)] = rnd.u32() & 0xff;
      inputs.push(bad);
    }
    for (const [i, input] of inputs.entries()) {
      const at = inEngine(input);
      const fromLoaded = outcome(() => readThrift(loaded.load(arriving(input, i))));
      const fromAttached = outcome(() => readThrift(attached.attach(at, input.length)));
      expect(fromLoaded).toEqual(fromAttached);
      engine.release(at);
    }
    const whole = outcome(() => readThrift(loaded.load(embedded(message))));
    expect(whole.ok && (whole.value as unknown[])[0]).toBe("plain ascii text, long enough for TextDecoder: 0123456789");
  });

  test("validateMessage on loaded input reports the same length and errors as on engine memory", () => {
    const w = makeWriter();
    w.reset();
    w.writeMessageBegin("call", 1, 9);
    const body = writeThrift(makeWriter());
    const head = w.finish();
    const message = Uint8Array.from([...head, ...body]);
    for (let n = 0; n <= message.length; n += 5) {
      const input = message.subarray(0, n);
      const at = inEngine(input);
      expect(outcome(() => makeReader().load(embedded(input)).validateMessage()))
        .toEqual(outcome(() => makeReader().attach(at, n).validateMessage()));
      engine.release(at);
    }
  });

  test("binary values are plain views of the loaded bytes, or copies with copyBinary", () => {
    const input = embedded(writeThrift(makeWriter()));
    const find = (r: ThriftBinaryReader | ThriftCompactReader): Uint8Array => {
      r.load(input).readStructBegin();
      for (let t = r.readFieldBegin(); ; t = r.readFieldBegin()) {
        if (r.fieldId === 3) return r.readBinary();
        r.skip(t);
      }
    };
    const view = find(makeReader());
    expect(view.constructor).toBe(Uint8Array); // not a Buffer, whose slice() is a view
    expect(view.buffer).toBe(input.buffer);
    const copy = find(makeReader({ copyBinary: true }));
    expect(copy.buffer).not.toBe(input.buffer);
    expect(Array.from(copy)).toEqual(Array.from(view));
    const k = view.byteOffset - input.byteOffset + 5;
    input[k] = (input[k]! + 1) & 0xff;
    expect(view[5]).toBe(input[k]);
    expect(copy[5]).not.toBe(input[k]);
  });
});

describe("Protobuf", () => {
  function writeProtobuf(): Uint8Array {
    const w = new ProtobufWriter();
    w.reset();
    w.tag(1, WireType.LEN).string("ascii text that TextDecoder takes, 0123456789 abcdef");
    w.tag(2, WireType.LEN).string("非ASCII テキスト");
    w.tag(3, WireType.LEN).bytes(Uint8Array.from({ length: 100 }, (_, i) => i));
    w.tag(4, WireType.LEN).packedInt32([1, -1, 1 << 30, 127, 128]);
    w.tag(5, WireType.LEN).packedDouble([0.5, -1e300]);
    w.tag(6, WireType.LEN).packedSint64([-3n, 1n << 60n]);
    w.tag(7, WireType.VARINT).uint64(1n << 63n); // unknown to readProtobuf: skipped
    w.tag(8, WireType.LEN).packedInt32([5, 6]);
    return w.finish();
  }

  function readProtobuf(r: ProtobufReader): unknown[] {
    const out: unknown[] = [];
    while (r.pos < r.end) {
      const tag = r.tag();
      switch (tag >>> 3) {
        case 1:
        case 2:
          out.push(r.string());
          break;
        case 3:
          out.push(Array.from(r.bytes()));
          break;
        case 4:
          out.push(Array.from(r.packedInt32()));
          break;
        case 5:
          out.push(Array.from(r.packedDouble()));
          break;
        case 6:
          out.push(Array.from(r.packedSint64()));
          break;
        case 8:
          out.push(r.appendPackedInt32([]));
          break;
        default:
          r.skip(tag);
      }
      out.push(r.offset);
    }
    return out;
  }

  test("loaded and attached readers agree on every truncation and corruption (values, codes, offsets)", () => {
    const message = writeProtobuf();
    const rnd = new Random(0x9b0f);
    const inputs: Uint8Array[] = [message];
    for (let n = 0; n < message.length; n += 2) inputs.push(message.subarray(0, n));
    for (let i = 0; i < 300; i++) {
      const bad = Uint8Array.from(message);
      bad[rnd.int(0, bad.length - 1)] = rnd.u32() & 0xff;
      inputs.push(bad);
    }
    const loaded = new ProtobufReader();
    const attached = new ProtobufReader();
    for (const [i, input] of inputs.entries()) {
      const at = inEngine(input);
      expect(outcome(() => readProtobuf(loaded.load(arriving(input, i)))))
        .toEqual(outcome(() => readProtobuf(attached.attach(at, input.length))));
      expect(outcome(() => loaded.load(arriving(input, i + 1)).validate()))
        .toEqual(outcome(() => attached.attach(at, input.length).validate()));
      engine.release(at);
    }
    const whole = outcome(() => readProtobuf(loaded.load(embedded(message))));
    expect(whole.ok && (whole.value as unknown[])[2]).toBe("非ASCII テキスト");
  });
});

describe("reuse and growth", () => {
  test("Buffers sliced from one pool, read in turn, each give their own values and views", () => {
    const w = new ProtobufWriter();
    const make = (n: number) => {
      w.reset();
      w.tag(1, WireType.LEN).string(`message ${n} Grüße`); // non-ASCII: read through the engine copy
      w.tag(2, WireType.LEN).bytes(Uint8Array.of(n, n + 1, n + 2));
      w.tag(3, WireType.VARINT).int32(-n - 1);
      return w.finish();
    };
    const buffers = Array.from({ length: 40 }, (_, n) => Buffer.from(make(n)));
    expect(buffers[1]!.buffer).toBe(buffers[0]!.buffer); // one pool
    expect(buffers[1]!.byteOffset).toBeGreaterThan(0);
    const r = new ProtobufReader();
    for (let round = 0; round < 2; round++) {
      for (const [n, input] of buffers.entries()) {
        r.load(input);
        const values: unknown[] = [];
        while (r.pos < r.end) {
          const tag = r.tag();
          values.push(tag === 10 ? r.string() : tag === 18 ? r.bytes() : r.int32());
        }
        expect(values.slice(0, 1)).toEqual([`message ${n} Grüße`]);
        expect(Array.from(values[1] as Uint8Array)).toEqual([n, n + 1, n + 2]);
        expect((values[1] as Uint8Array).buffer).toBe(input.buffer); // a view of the input, not a copy
        expect(values[2]).toBe(-n - 1);
      }
    }
  });

  test("a reader reloading the same bytes object sees their current contents", () => {
    const w = new ThriftBinaryWriter();
    w.reset();
    w.writeI32(1);
    const bytes = w.finish();
    const r = new ThriftBinaryReader();
    expect(r.load(bytes).readI32()).toBe(1);
    bytes[3] = 2;
    expect(r.load(bytes).readI32()).toBe(2);
    expect(r.load(Uint8Array.of(0, 0, 0, 3)).readI32()).toBe(3);
    expect(r.load(bytes).readI32()).toBe(2);
  });

  test("bytes loaded from engine memory (a writer's view) read correctly when the read grows memory", async () => {
    const own = await loadEngine(readFileSync(new URL("../../build/kitewire.wasm", import.meta.url)));
    const w = new ThriftBinaryWriter({ engine: own });
    const n = 4_000_000;
    w.writeString("Grüße");
    // readI32List takes n * 4 bytes of scratch: memory must grow during the read.
    w.writeI32List(Int32Array.from({ length: n }, (_, i) => i - 7));
    w.writeBinary(Uint8Array.of(1, 2, 3));
    w.writeI32(77);
    const r = new ThriftBinaryReader({ engine: own }).load(w.view());
    const before = own.exports.memory.buffer.byteLength;
    expect(r.readString()).toBe("Grüße");
    const list = r.readI32List();
    expect(own.exports.memory.buffer.byteLength).toBeGreaterThan(before);
    expect([list.length, list[0], list[n - 1]]).toEqual([n, -7, n - 8]);
    const binary = r.readBinary();
    expect(Array.from(binary)).toEqual([1, 2, 3]);
    expect(binary.buffer).not.toBe(own.exports.memory.buffer); // a copy: engine memory is reused
    expect(r.readI32()).toBe(77);
  });

  test("a string the engine decodes reads on correctly when its scratch grows memory (attached and loaded engine memory)", async () => {
    for (const how of ["attach", "load"] as const) {
      const own = await loadEngine(readFileSync(new URL("../../build/kitewire.wasm", import.meta.url)));
      const w = new ThriftBinaryWriter({ engine: own });
      // Long enough for the engine's decoder (not the JS one), short enough not to go to TextDecoder.
      const text = "東京からこんにちは".repeat(2000); // 54 KB of UTF-8, 36 KB of UTF-16 scratch
      w.writeString(text);
      w.writeI32(77);
      w.writeString("after");
      // Memory filled up to less than the decoder's scratch, so that taking it grows memory.
      for (let block = own.alloc(4096); own.exports.memory.buffer.byteLength - block > 24 * 1024; block = own.alloc(4096));
      const r = new ThriftBinaryReader({ engine: own });
      if (how === "attach") r.attach(w.start, w.length);
      else r.load(w.view());
      const before = own.exports.memory.buffer.byteLength;
      expect(r.readString()).toBe(text);
      expect(own.exports.memory.buffer.byteLength, how).toBeGreaterThan(before);
      expect(r.readI32(), how).toBe(77);
      expect(r.readString(), how).toBe("after");
    }
  });

  test("copies taken from a loaded Buffer (unknown fields, method names) are copies, not views of its pool", () => {
    const w = new ThriftBinaryWriter();
    w.writeString("ping");
    w.writeI32(7);
    const input = embedded(w.finish());
    const r = new ThriftBinaryReader().load(input);
    expect(r.readName(r.readI32())).toBe("ping");
    r.fieldId = 3;
    const unknown = r.readUnknown(TType.I32);
    expect(unknown.bytes.constructor).toBe(Uint8Array);
    input.fill(0);
    expect(Array.from(unknown.bytes)).toEqual([0, 0, 0, 7]);
    input[3] = 4; // a 4-byte name of zero bytes: equal to the cached name only if that was a view of the input
    expect(r.load(input).readName(r.readI32())).toBe("\0\0\0\0");
  });

  test("a loaded view of engine memory that others grow mid-read is an INVALID_STATE error, never garbage", async () => {
    const own = await loadEngine(readFileSync(new URL("../../build/kitewire.wasm", import.meta.url)));
    const w = new ThriftBinaryWriter({ engine: own });
    for (let i = 0; i < 2; i++) {
      w.writeStructBegin();
      w.writeFieldBegin(TType.I32, 1);
      w.writeI32(i + 40);
      w.writeFieldStop();
      w.writeStructEnd();
    }
    const r = new ThriftBinaryReader({ engine: own }).load(w.view());
    r.readStructBegin();
    r.readFieldBegin();
    expect(r.readI32()).toBe(40);
    expect(r.readFieldBegin()).toBe(TType.STOP);
    r.readStructEnd();
    own.alloc(own.exports.memory.buffer.byteLength); // grows memory: the loaded view is detached
    expect(() => r.readStructBegin()).toThrow(expect.objectContaining({ code: "INVALID_STATE" }));
  });

  test("an attached reader reads on correctly after memory grows between two structs", async () => {
    const own = await loadEngine(readFileSync(new URL("../../build/kitewire.wasm", import.meta.url)));
    const w = new ThriftCompactWriter({ engine: own });
    for (let i = 0; i < 2; i++) {
      w.writeStructBegin();
      w.writeFieldBegin(TType.STRING, 1);
      w.writeString(`struct ${i}`);
      w.writeFieldStop();
      w.writeStructEnd();
    }
    const bytes = w.finish();
    const at = own.alloc(bytes.length);
    own.u8.set(bytes, at);
    const r = new ThriftCompactReader({ engine: own }).attach(at, bytes.length);
    const readOne = (): string => {
      r.readStructBegin();
      r.readFieldBegin();
      const s = r.readString();
      expect(r.readFieldBegin()).toBe(TType.STOP);
      r.readStructEnd();
      return s;
    };
    expect(readOne()).toBe("struct 0");
    const before = own.exports.memory.buffer.byteLength;
    own.alloc(before); // grows memory: the reader's views are now detached
    expect(own.exports.memory.buffer.byteLength).toBeGreaterThan(before);
    expect(readOne()).toBe("struct 1");
    expect(r.remaining).toBe(0);
  });
});
