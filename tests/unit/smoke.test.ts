import { test, expect } from "vitest";
import { init, ThriftBinaryWriter, ThriftBinaryReader, ThriftCompactWriter, ThriftCompactReader, ProtobufWriter, ProtobufReader, TType, MessageType } from "../../src/runtime/node/index.js";

test("smoke", async () => {
  const e = await init();
  console.log("simd", e.simd);
  for (const [W, R] of [[ThriftBinaryWriter, ThriftBinaryReader], [ThriftCompactWriter, ThriftCompactReader]] as const) {
    const w = new W();
    w.writeMessageBegin("Echo", MessageType.CALL, 7);
    w.writeStructBegin();
    w.writeFieldBegin(TType.STRING, 1); w.writeString("héllo wörld ✓ 🎉");
    w.writeFieldBegin(TType.I64, 2); w.writeI64(-1234567890123n);
    w.writeFieldBegin(TType.BOOL, 3); w.writeBool(true);
    w.writeFieldBegin(TType.LIST, 4); w.writeI32List([1, -2, 300000]);
    w.writeFieldStop(); w.writeStructEnd();
    const bytes = w.finish();
    console.log(Buffer.from(bytes).toString("hex"));
    const r = new R().load(bytes);
    expect(r.readMessageBegin()).toEqual({ name: "Echo", type: 1, seqid: 7 });
    r.readStructBegin();
    expect(r.readFieldBegin()).toBe(TType.STRING); expect(r.readString()).toBe("héllo wörld ✓ 🎉");
    expect(r.readFieldBegin()).toBe(TType.I64); expect(r.readI64()).toBe(-1234567890123n);
    expect(r.readFieldBegin()).toBe(TType.BOOL); expect(r.readBool()).toBe(true);
    expect(r.readFieldBegin()).toBe(TType.LIST); expect([...r.readI32List()]).toEqual([1, -2, 300000]);
    expect(r.readFieldBegin()).toBe(TType.STOP);
    const r2 = new R().load(bytes);
    expect(r2.validateMessage()).toBe(bytes.length);
  }
  const w = new ProtobufWriter();
  w.tag(1, 0).int32(-5).tag(2, 2).string("hi").tag(3, 2).fork().tag(1, 0).uint64(2n ** 63n).join().tag(4, 2).packedInt32([1, 2, -3, 1 << 20]);
  const b = w.finish();
  console.log(Buffer.from(b).toString("hex"));
  const r = new ProtobufReader().load(b);
  expect(r.tag()).toBe(8); expect(r.int32()).toBe(-5);
  expect(r.tag()).toBe(18); expect(r.string()).toBe("hi");
  expect(r.tag()).toBe(26); const s = r.begin(); expect(r.tag()).toBe(8); expect(r.uint64()).toBe(2n ** 63n); r.finish(s);
  expect(r.tag()).toBe(34); expect([...r.packedInt32()]).toEqual([1, 2, -3, 1 << 20]);
  new ProtobufReader().load(b).validate();
});
