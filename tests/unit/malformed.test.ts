/**
 * Malformed input: truncations, huge lengths, deep nesting and random bytes give typed
 * KitewireErrors with an offset, never another exception, a hang or an allocation driven
 * by an unchecked length. The engine's skip/validate and the JS readers are checked
 * against each other on every input.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  init, type Engine, KitewireError, ProtobufReader, ProtobufWriter, ThriftBinaryReader, ThriftBinaryWriter,
  ThriftCompactReader, ThriftCompactWriter, TType, MessageType, type ThriftReader, type ThriftWriter,
} from "../../src/runtime/node/index.js";
import { Random } from "../support/random.js";
import { walkProtobuf, walkThriftMessage } from "../support/walk.js";

let engine: Engine;
beforeAll(async () => {
  engine = await init();
});

type Outcome = { ok: true; consumed: number } | { ok: false; error: KitewireError };

/** Runs `fn`, demanding that it either returns or throws a KitewireError with an offset in range. */
function outcome(input: Uint8Array, fn: () => number): Outcome {
  try {
    return { ok: true, consumed: fn() };
  } catch (error) {
    if (!(error instanceof KitewireError)) throw new Error(`non-Kitewire error on ${hex(input)}: ${String(error)}`);
    if (error.offset !== undefined && !(error.offset >= 0 && error.offset <= input.length)) {
      throw new Error(`offset ${error.offset} outside input of ${input.length} bytes: ${error.message}`);
    }
    return { ok: false, error };
  }
}

function hex(b: Uint8Array): string {
  return Buffer.from(b).toString("hex");
}

const THRIFT = [
  { name: "binary", W: ThriftBinaryWriter, R: ThriftBinaryReader },
  { name: "compact", W: ThriftCompactWriter, R: ThriftCompactReader },
] as const;

/** A message using every type, nested structs and containers. */
function sampleMessage(w: ThriftWriter): Uint8Array {
  w.reset();
  w.writeMessageBegin("method", MessageType.CALL, 42);
  w.writeStructBegin();
  w.writeFieldBegin(TType.BOOL, 1); w.writeBool(true);
  w.writeFieldBegin(TType.BYTE, 2); w.writeByte(-7);
  w.writeFieldBegin(TType.I16, 3); w.writeI16(-300);
  w.writeFieldBegin(TType.I32, 4); w.writeI32(123456);
  w.writeFieldBegin(TType.I64, 40); w.writeI64(-9876543210n);
  w.writeFieldBegin(TType.DOUBLE, 41); w.writeDouble(3.25);
  w.writeFieldBegin(TType.STRING, 42); w.writeString("grüße 🌍");
  w.writeFieldBegin(TType.UUID, 43); w.writeUuid(new Uint8Array(16).fill(9));
  w.writeFieldBegin(TType.LIST, 44); w.writeListBegin(TType.STRUCT, 2);
  for (let i = 0; i < 2; i++) {
    w.writeStructBegin();
    w.writeFieldBegin(TType.I32, 1); w.writeI32(i);
    w.writeFieldBegin(TType.BOOL, 2); w.writeBool(i === 0);
    w.writeFieldStop(); w.writeStructEnd();
  }
  w.writeFieldBegin(TType.MAP, 45); w.writeMapBegin(TType.STRING, TType.LIST, 2);
  w.writeString("a"); w.writeListBegin(TType.BOOL, 3); w.writeBool(true); w.writeBool(false); w.writeBool(true);
  w.writeString("b"); w.writeI32List([1, -1, 1 << 30]);
  w.writeFieldBegin(TType.SET, 46); w.writeSetBegin(TType.DOUBLE, 0);
  w.writeFieldBegin(TType.LIST, -5); w.writeI64List([1n, -(1n << 63n)]);
  w.writeFieldStop();
  w.writeStructEnd();
  return w.finish();
}

function compareThrift(R: typeof THRIFT[number]["R"], input: Uint8Array, options = {}): [Outcome, Outcome] {
  const viaEngine = outcome(input, () => new R(options).load(input).validateMessage());
  const viaJs = outcome(input, () => {
    const r = new R(options).load(input);
    walkThriftMessage(r as unknown as ThriftReader);
    return r.offset;
  });
  return [viaEngine, viaJs];
}

/** The two must agree on success and length; a JS-only failure may only be the name's UTF-8. */
function expectAgreement([viaEngine, viaJs]: [Outcome, Outcome], input: Uint8Array): void {
  if (viaEngine.ok && viaJs.ok) {
    expect(viaJs.consumed, hex(input)).toBe(viaEngine.consumed);
  } else if (viaEngine.ok !== viaJs.ok) {
    const jsError = viaJs.ok ? undefined : viaJs.error;
    expect(jsError?.code, `engine ${viaEngine.ok ? "accepted" : "rejected"} ${hex(input)}`).toBe("INVALID_UTF8");
  }
}

describe.each(THRIFT)("thrift $name", ({ W, R }) => {
  test("every truncation of a valid message is a TRUNCATED or LENGTH_LIMIT error", () => {
    const full = sampleMessage(new W());
    expect(new R().load(full).validateMessage()).toBe(full.length);
    for (let n = 0; n < full.length; n++) {
      const cut = full.subarray(0, n);
      const [viaEngine, viaJs] = compareThrift(R, cut);
      for (const o of [viaEngine, viaJs]) {
        expect(o.ok, `prefix of ${n} bytes accepted`).toBe(false);
        if (!o.ok) expect(["TRUNCATED", "LENGTH_LIMIT", "INVALID_UTF8"]).toContain(o.error.code);
      }
    }
  });

  test("huge lengths and counts fail before any allocation", () => {
    const w = new W();
    const cases: Uint8Array[] = [];
    for (const [type, begin] of [
      [TType.LIST, (w: ThriftWriter) => w.writeListBegin(TType.I64, 0x7fffffff)],
      [TType.MAP, (w: ThriftWriter) => w.writeMapBegin(TType.STRING, TType.STRUCT, 0x7fffffff)],
      [TType.SET, (w: ThriftWriter) => w.writeSetBegin(TType.BOOL, 100000)],
    ] as const) {
      w.reset();
      w.writeMessageBegin("m", MessageType.CALL, 1);
      w.writeStructBegin();
      w.writeFieldBegin(type, 1);
      begin(w);
      cases.push(w.finish());
    }
    // A string whose length prefix says 2 GiB.
    w.reset();
    w.writeMessageBegin("m", MessageType.CALL, 1);
    w.writeStructBegin();
    w.writeFieldBegin(TType.STRING, 1);
    const prefix = w.finish();
    cases.push(new Uint8Array([...prefix, ...(W === ThriftBinaryWriter ? [0x7f, 0xff, 0xff, 0xff] : [0xff, 0xff, 0xff, 0xff, 0x07])]));
    const before = engine.exports.memory.buffer.byteLength;
    for (const input of cases) {
      const [viaEngine, viaJs] = compareThrift(R, input);
      expect(viaEngine.ok).toBe(false);
      expect(viaJs.ok).toBe(false);
      if (!viaJs.ok) expect(["LENGTH_LIMIT", "TRUNCATED"]).toContain(viaJs.error.code);
    }
    expect(engine.exports.memory.buffer.byteLength).toBe(before);
  });

  test("configured maxLength and maxCount are honoured", () => {
    const w = new W();
    w.writeMessageBegin("m", MessageType.CALL, 1);
    w.writeStructBegin();
    w.writeFieldBegin(TType.STRING, 1); w.writeString("x".repeat(100));
    w.writeFieldBegin(TType.LIST, 2); w.writeI32List(new Int32Array(50));
    w.writeFieldStop(); w.writeStructEnd();
    const input = w.finish();
    const read = (options: object) => outcome(input, () => {
      const r = new R(options).load(input);
      walkThriftMessage(r as unknown as ThriftReader);
      return r.offset;
    });
    expect(read({}).ok).toBe(true);
    const long = read({ maxLength: 99 });
    expect(!long.ok && long.error.code).toBe("LENGTH_LIMIT");
    const many = read({ maxCount: 49 });
    expect(!many.ok && many.error.code).toBe("LENGTH_LIMIT");
  });

  /** A message whose body nests `depth` levels: structs in structs, or lists in lists. */
  function nested(depth: number, lists: boolean): Uint8Array {
    const w = new W();
    w.writeMessageBegin("deep", MessageType.CALL, 1);
    w.writeStructBegin();
    if (lists) {
      if (depth > 1) {
        w.writeFieldBegin(TType.LIST, 1);
        for (let i = 2; i < depth; i++) w.writeListBegin(TType.LIST, 1);
        w.writeListBegin(TType.I32, 1);
        w.writeI32(7);
      }
    } else {
      for (let i = 1; i < depth; i++) {
        w.writeFieldBegin(TType.STRUCT, 1);
        w.writeStructBegin();
      }
      for (let i = 1; i < depth; i++) {
        w.writeFieldStop();
        w.writeStructEnd();
      }
    }
    w.writeFieldStop();
    w.writeStructEnd();
    return w.finish();
  }

  test.each([false, true])("nesting is bounded by maxDepth, the same in the engine and in JS (lists: %s)", (lists) => {
    for (const depth of [1, 2, 10, 64, 65, 200, 5000]) {
      const input = nested(depth, lists);
      const [viaEngine, viaJs] = compareThrift(R, input);
      expect(viaEngine.ok, `depth ${depth}`).toBe(depth <= 64);
      expect(viaJs.ok, `depth ${depth}`).toBe(depth <= 64);
      for (const o of [viaEngine, viaJs]) if (!o.ok) expect(o.error.code).toBe("DEPTH_LIMIT");
      const shallow = compareThrift(R, input, { maxDepth: 8 });
      expect(shallow[0].ok, `depth ${depth} of 8`).toBe(depth <= 8);
      expect(shallow[1].ok, `depth ${depth} of 8`).toBe(depth <= 8);
    }
  });

  test("random and mutated bytes: typed errors only, engine and JS agree (bounded fuzz)", () => {
    const rnd = new Random(0xf022);
    const valid = sampleMessage(new W());
    const deadline = Date.now() + 4000;
    let runs = 0;
    for (; runs < 20000 && Date.now() < deadline; runs++) {
      let input: Uint8Array;
      if (rnd.int(0, 3) === 0) {
        input = rnd.bytes(64);
      } else {
        input = valid.slice(0, rnd.int(1, valid.length));
        for (let m = rnd.int(1, 4); m > 0; m--) input[rnd.int(0, input.length - 1)] = rnd.u32() & 0xff;
      }
      expectAgreement(compareThrift(R, input), input);
    }
    expect(runs).toBeGreaterThan(1000);
  });

  test("unknown type ids are UNKNOWN_TYPE with the offset of the id", () => {
    const w = new W();
    w.writeMessageBegin("m", MessageType.CALL, 1);
    w.writeStructBegin();
    const at = w.length;
    const input = new Uint8Array([...w.finish(), W === ThriftBinaryWriter ? 0x07 : 0x1e, 0, 1, 0]);
    const viaEngine = outcome(input, () => new R().load(input).validateMessage());
    expect(!viaEngine.ok && viaEngine.error.code).toBe("UNKNOWN_TYPE");
    expect(!viaEngine.ok && viaEngine.error.offset).toBe(W === ThriftBinaryWriter ? at + 3 : at);
  });
});

describe("thrift message headers", () => {
  test("bad versions are BAD_VERSION", () => {
    for (const input of [
      new Uint8Array([0x80, 0x02, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
      new Uint8Array([0x00, 0x00, 0, 1, 0x41, 1, 0, 0, 0, 0, 0]),
    ]) {
      const e = outcome(input, () => new ThriftBinaryReader().load(input).validateMessage());
      expect(!e.ok && e.error.code).toBe("BAD_VERSION");
      const j = outcome(input, () => (new ThriftBinaryReader().load(input).readMessageBegin(), 0));
      expect(!j.ok && j.error.code).toBe("BAD_VERSION");
    }
    const compact = new Uint8Array([0x82, 0x22, 0, 0, 0]);
    const c = outcome(compact, () => new ThriftCompactReader().load(compact).validateMessage());
    expect(!c.ok && c.error.code).toBe("BAD_VERSION");
  });

  test("unversioned binary headers only when allowed", () => {
    const input = new Uint8Array([0, 0, 0, 1, 0x6d, 1, 0, 0, 0, 9, 0]);
    expect(outcome(input, () => new ThriftBinaryReader().load(input).validateMessage()).ok).toBe(false);
    const r = new ThriftBinaryReader({ allowUnversioned: true }).load(input);
    expect(r.validateMessage()).toBe(input.length);
    expect(new ThriftBinaryReader({ allowUnversioned: true }).load(input).readMessageBegin()).toEqual({
      name: "m", type: 1, seqid: 9,
    });
  });
});

describe("protobuf", () => {
  function sample(): Uint8Array {
    const w = new ProtobufWriter();
    w.tag(1, 0).int32(-1).tag(2, 1).fixed64(1n << 60n).tag(3, 2).string("ok").tag(4, 5).float(1.5);
    w.tag(5, 2).fork().tag(1, 0).uint32(300).tag(2, 2).bytes(new Uint8Array(200)).join();
    w.tag(6, 2).packedSint32([-1, 2, -3]);
    w.tag(7, 3).tag(1, 0).uint32(5).tag(7, 4);
    w.tag(536870911, 0).bool(true);
    return w.finish();
  }

  function compare(input: Uint8Array, options = {}): [Outcome, Outcome] {
    return [
      outcome(input, () => (new ProtobufReader(options).load(input).validate(), input.length)),
      outcome(input, () => {
        const r = new ProtobufReader(options).load(input);
        walkProtobuf(r);
        return r.offset;
      }),
    ];
  }

  test("every truncation of a valid message is an error", () => {
    const full = sample();
    expect(compare(full).map((o) => o.ok)).toEqual([true, true]);
    for (let n = 1; n < full.length; n++) {
      const cut = full.subarray(0, n);
      const [a, b] = compare(cut);
      // A cut can fall exactly between fields, which is a valid (shorter) message.
      expect(a.ok, hex(cut)).toBe(b.ok);
      for (const o of [a, b]) if (!o.ok) expect(["TRUNCATED", "LENGTH_LIMIT"]).toContain(o.error.code);
    }
  });

  test("invalid tags: field 0, wire types 6 and 7, stray group ends", () => {
    for (const input of [[0x00, 0x01], [0x0e], [0x0f], [0x0c], [0x1b, 0x24]]) {
      const bytes = new Uint8Array(input);
      const [a, b] = compare(bytes);
      expect(a.ok, hex(bytes)).toBe(false);
      expect(b.ok, hex(bytes)).toBe(false);
      for (const o of [a, b]) if (!o.ok) expect(["INVALID_TAG", "UNKNOWN_TYPE", "TRUNCATED"]).toContain(o.error.code);
    }
  });

  test("two-byte tags, every one: read inline as the varint reader reads them, invalid ones rejected at the tag", () => {
    // Fields 16-2047 (and longer forms of smaller tags) take two bytes; `tag()` reads them
    // itself rather than through `longTag`, and must agree with it on every pair of bytes.
    const r = new ProtobufReader();
    for (let b = 0x80; b <= 0xff; b++) {
      for (let c = 0; c < 0x80; c++) {
        const t = (b & 0x7f) | (c << 7);
        const field = t >>> 3;
        const wt = t & 7;
        const input = new Uint8Array([0x0a, b, c, 0x00]); // one byte before: offsets count
        r.load(input);
        r.pos = 1;
        const outcome = (() => {
          try {
            return { tag: r.tag(), pos: r.pos };
          } catch (error) {
            return { code: (error as KitewireError).code, offset: (error as KitewireError).offset };
          }
        })();
        if (wt === 6 || wt === 7) expect(outcome, hex(input)).toEqual({ code: "UNKNOWN_TYPE", offset: 1 });
        else if (field === 0 || wt === 4) expect(outcome, hex(input)).toEqual({ code: "INVALID_TAG", offset: 1 });
        else expect(outcome, hex(input)).toEqual({ tag: t, pos: 3 });
      }
    }
    // A tag in the last byte is read (its value's read then fails), as before.
    r.load(new Uint8Array([0x08]));
    expect(r.tag()).toBe(8);
    expect(() => r.int32()).toThrow(expect.objectContaining({ code: "TRUNCATED" }));
  });

  test("overlong varints are MALFORMED_VARINT", () => {
    const bytes = new Uint8Array([0x08, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    const [a, b] = compare(bytes);
    expect(!a.ok && a.error.code).toBe("MALFORMED_VARINT");
    expect(!b.ok && b.error.code).toBe("MALFORMED_VARINT");
  });

  test("group nesting is bounded", () => {
    const open = Array.from({ length: 100 }, () => 0x0b);
    const close = Array.from({ length: 100 }, () => 0x0c);
    const bytes = new Uint8Array([...open, ...close]);
    const deep = outcome(bytes, () => (new ProtobufReader().load(bytes).validate(), 0));
    expect(!deep.ok && deep.error.code).toBe("DEPTH_LIMIT");
    const ok = outcome(bytes, () => (new ProtobufReader({ maxDepth: 100 }).load(bytes).validate(), 0));
    expect(ok.ok).toBe(true);
  });

  test("nested message lengths past the parent are LENGTH_LIMIT", () => {
    const bytes = new Uint8Array([0x0a, 0x04, 0x12, 0x10, 0x00, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
    const r = new ProtobufReader().load(bytes);
    r.tag();
    r.begin();
    r.tag();
    expect(() => r.bytes()).toThrow(expect.objectContaining({ code: "LENGTH_LIMIT", offset: 3 }));
  });

  test("random and mutated bytes: typed errors only, engine and JS agree (bounded fuzz)", () => {
    const rnd = new Random(0xbeef);
    const valid = sample();
    const deadline = Date.now() + 4000;
    let runs = 0;
    for (; runs < 20000 && Date.now() < deadline; runs++) {
      let input: Uint8Array;
      if (rnd.int(0, 3) === 0) input = rnd.bytes(64);
      else {
        input = valid.slice(0, rnd.int(1, valid.length));
        for (let m = rnd.int(1, 4); m > 0; m--) input[rnd.int(0, input.length - 1)] = rnd.u32() & 0xff;
      }
      const [a, b] = compare(input);
      expect(a.ok, hex(input)).toBe(b.ok);
    }
    expect(runs).toBeGreaterThan(1000);
  });
});

describe("packed columns", () => {
  test("append* returns the list extended: a new one for an empty list, the same one otherwise, at every size", () => {
    for (const n of [0, 1, 20, 65536, 65537, 70000]) {
      const values = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? -1 - i : i * 977));
      const w = new ProtobufWriter();
      w.reset();
      w.packedSint32(values);
      const bytes = w.finish();
      const fresh = new ProtobufReader().load(bytes).appendPackedSint32([]);
      expect(fresh).toEqual(values);
      const held = [5, 6];
      expect(new ProtobufReader().load(bytes).appendPackedSint32(held)).toBe(held);
      expect(held).toEqual([5, 6, ...values]);
    }
  });

  /** A plain reference decoder: varints of at most 10 bytes, low 64 bits kept. */
  function reference(bytes: Uint8Array): bigint[] | "error" {
    const out: bigint[] = [];
    let p = 0;
    while (p < bytes.length) {
      let v = 0n;
      let shift = 0n;
      for (let i = 0; ; i++) {
        if (p >= bytes.length || i >= 10) return "error";
        const b = bytes[p++]!;
        v |= BigInt(b & 0x7f) << shift;
        shift += 7n;
        if (b < 0x80) break;
      }
      out.push(BigInt.asUintN(64, v));
    }
    return out;
  }

  test("random bytes decode like a reference decoder, or fail typed (bounded fuzz)", () => {
    const rnd = new Random(0x9acc);
    for (let run = 0; run < 3000; run++) {
      // Short bodies are read by JS, long ones by the engine: both are covered.
      const bytes = new Uint8Array(rnd.pick([rnd.int(0, 40), rnd.int(100, 300)]));
      for (let i = 0; i < bytes.length; i++) bytes[i] = rnd.pick([0x00, 0x01, 0x7f, 0x80, 0xff, rnd.u32() & 0xff]);
      const expected = reference(bytes);
      const framed = new Uint8Array([...(bytes.length < 128 ? [bytes.length] : [0x80 | (bytes.length & 0x7f), bytes.length >> 7]), ...bytes]);
      // The append* forms are what generated code calls for number[] fields.
      for (const form of ["int32", "uint32", "sint32", "int64", "sint64", "appendInt32", "appendUint32", "appendSint32"] as const) {
        const kind = form === "appendInt32" ? "int32" : form === "appendUint32" ? "uint32" : form === "appendSint32" ? "sint32" : form;
        const r = new ProtobufReader().load(framed);
        const read = () => form === "int32" ? Array.from(r.packedInt32(), (v) => BigInt.asUintN(32, BigInt(v)))
          : form === "uint32" ? Array.from(r.packedUint32(), (v) => BigInt(v))
          : form === "sint32" ? Array.from(r.packedSint32(), (v) => BigInt(v))
          : form === "appendInt32" ? r.appendPackedInt32([]).map((v) => BigInt.asUintN(32, BigInt(v)))
          : form === "appendUint32" ? r.appendPackedUint32([]).map((v) => BigInt(v))
          : form === "appendSint32" ? r.appendPackedSint32([]).map((v) => BigInt(v))
          : form === "int64" ? Array.from(r.packedUint64()) : Array.from(r.packedSint64());
        if (expected === "error") {
          expect(() => read(), Buffer.from(bytes).toString("hex")).toThrow(KitewireError);
        } else {
          const low32 = (v: bigint) => BigInt.asUintN(32, v);
          const want = kind === "int32" || kind === "uint32" ? expected.map(low32)
            : kind === "sint32" ? expected.map((v) => { const z = low32(v); return BigInt.asIntN(32, (z >> 1n) ^ -(z & 1n)); })
            : kind === "int64" ? expected : expected.map((v) => BigInt.asIntN(64, (v >> 1n) ^ -(v & 1n)));
          expect(read(), Buffer.from(bytes).toString("hex")).toEqual(want);
        }
      }
    }
  });
});
