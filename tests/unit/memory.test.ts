/**
 * Engine memory: growth in the middle of a message, arena reuse, the memory limit, and
 * the buffer chain against a plain byte-array model.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  BufferChain, init, type Engine, KitewireError, loadEngine, ProtobufReader, ProtobufWriter,
  ThriftBinaryReader, ThriftBinaryWriter, ThriftCompactWriter, TType, MessageType,
} from "../../src/runtime/node/index.js";
import { readFileSync } from "node:fs";
import { Random } from "../support/random.js";

let engine: Engine;
beforeAll(async () => {
  engine = await init();
});

const plainWasm = () => readFileSync(new URL("../../build/kitewire.wasm", import.meta.url));

function writeSample(w: ThriftBinaryWriter | ThriftCompactWriter, grow?: () => void): Uint8Array {
  w.reset();
  w.writeMessageBegin("growth", MessageType.REPLY, 3);
  w.writeStructBegin();
  for (let i = 1; i <= 300; i++) {
    if (grow && i % 50 === 0) grow();
    w.writeFieldBegin(TType.STRING, i);
    w.writeString(`field ${i} ` + "é".repeat(i % 40));
    w.writeFieldBegin(TType.I64, i + 1000);
    w.writeI64(BigInt(i) * -123456789n);
    w.writeFieldBegin(TType.LIST, i + 2000);
    w.writeI32List([i, -i, i * 1000]);
  }
  w.writeFieldStop();
  w.writeStructEnd();
  return w.finish();
}

describe("memory growth", () => {
  test("a writer keeps writing correctly when memory grows mid-message", async () => {
    for (const W of [ThriftBinaryWriter, ThriftCompactWriter]) {
      const own = await loadEngine(plainWasm());
      const reference = writeSample(new W({ engine: own }));
      const held: number[] = [];
      const before = own.exports.memory.buffer.byteLength;
      const w = new W({ engine: own, initialCapacity: 32 });
      const bytes = writeSample(w, () => held.push(own.alloc(4 << 20)));
      expect(own.exports.memory.buffer.byteLength).toBeGreaterThan(before);
      expect(bytes).toEqual(reference);
    }
  });

  test("a protobuf writer's open forks survive growth and arena moves", async () => {
    const own = await loadEngine(plainWasm());
    const write = (grow: boolean) => {
      const w = new ProtobufWriter({ engine: own, initialCapacity: 16 });
      w.tag(1, 2).fork();
      for (let i = 0; i < 100; i++) {
        w.tag(2, 2).fork().tag(1, 2).string("x".repeat(i * 3));
        if (grow && i % 10 === 0) own.alloc(2 << 20);
        w.join();
      }
      w.join();
      return w.finish();
    };
    const bytes = write(true);
    expect(bytes).toEqual(write(false));
    const r = new ProtobufReader({ engine: own }).load(bytes);
    expect(r.tag()).toBe(10);
    const outer = r.begin();
    for (let i = 0; i < 100; i++) {
      expect(r.tag()).toBe(18);
      const s = r.begin();
      expect(r.tag()).toBe(10);
      expect(r.string()).toBe("x".repeat(i * 3));
      r.finish(s);
    }
    r.finish(outer);
  });

  test("a reader keeps reading correctly when decoding grows memory", async () => {
    const own = await loadEngine(plainWasm());
    const w = new ThriftBinaryWriter({ engine: own });
    w.writeString("ü".repeat(1000)); // decoded by the engine into scratch space
    w.writeString("ß".repeat(900_000)); // scratch must grow: memory grows mid-read
    w.writeI32(77);
    const bytes = w.finish();
    const r = new ThriftBinaryReader({ engine: own }).load(bytes);
    const before = own.exports.memory.buffer.byteLength;
    expect(r.readString()).toBe("ü".repeat(1000));
    expect(r.readString()).toBe("ß".repeat(900_000));
    expect(r.readI32()).toBe(77);
    expect(own.exports.memory.buffer.byteLength).toBeGreaterThanOrEqual(before);
  });
});

describe("arena", () => {
  test("reset reuses the arena: no new blocks or memory over many messages", () => {
    const w = new ThriftCompactWriter();
    const first = writeSample(w);
    const blocks = engine.exports.liveBlockCount();
    const bytes = engine.exports.memory.buffer.byteLength;
    for (let i = 0; i < 2000; i++) expect(writeSample(w).length).toBe(first.length);
    expect(engine.exports.liveBlockCount()).toBe(blocks);
    expect(engine.exports.memory.buffer.byteLength).toBe(bytes);
  });

  test("dispose returns the arena", () => {
    const blocks = engine.exports.liveBlockCount();
    const w = new ThriftBinaryWriter();
    expect(engine.exports.liveBlockCount()).toBe(blocks + 1);
    w.dispose();
    expect(engine.exports.liveBlockCount()).toBe(blocks);
  });
});

describe("memory limit", () => {
  test("exhausting the configured limit is OUT_OF_MEMORY, and the engine stays usable", async () => {
    const small = await loadEngine(plainWasm(), { memoryLimit: 4 << 20 });
    const w = new ThriftBinaryWriter({ engine: small });
    expect(() => w.writeBinary(new Uint8Array(8 << 20))).toThrow(expect.objectContaining({ code: "OUT_OF_MEMORY" }));
    expect(() => small.alloc(16 << 20)).toThrow(KitewireError);
    w.reset();
    w.writeI32(5);
    expect(w.finish()).toEqual(new Uint8Array([0, 0, 0, 5]));
  });

  test("memoryLimit outside (0, 2 GiB) is rejected", async () => {
    await expect(loadEngine(plainWasm(), { memoryLimit: 3 * 2 ** 30 })).rejects.toMatchObject({ code: "INVALID_VALUE" });
  });
});

describe("buffer chain", () => {
  test("matches a byte-array model under random appends, slices, skips and gathers", () => {
    const rnd = new Random(0xc4a1);
    const baseline = engine.exports.liveBlockCount();
    for (let round = 0; round < 40; round++) {
      const chain = new BufferChain(engine, rnd.pick([0, 64, 256]));
      let model: number[] = [];
      const slices: [BufferChain, number[]][] = [];
      for (let op = 0; op < 200; op++) {
        const kind = rnd.int(0, 9);
        if (kind <= 3) {
          const bytes = rnd.bytes(rnd.pick([10, 100, 600]));
          chain.append(bytes);
          model.push(...bytes);
        } else if (kind === 4 && model.length > 0) {
          const n = rnd.int(0, model.length);
          slices.push([chain.slice(n), model.slice(0, n)]);
          model = model.slice(n);
        } else if (kind === 5 && model.length > 0) {
          const n = rnd.int(0, model.length);
          chain.skip(n);
          model = model.slice(n);
        } else if (kind === 6 && model.length > 0) {
          const n = rnd.int(1, model.length);
          const at = chain.contiguous(n);
          expect([...engine.u8.subarray(at, at + n)]).toEqual(model.slice(0, n));
        } else if (kind === 7 && model.length >= 4) {
          const off = rnd.int(0, model.length - 4);
          const expected = ((model[off]! << 24) | (model[off + 1]! << 16) | (model[off + 2]! << 8) | model[off + 3]!) >>> 0;
          expect(chain.peekU32(off)).toBe(expected);
        } else if (kind === 8 && slices.length > 0) {
          const [slice, bytes] = slices.splice(rnd.int(0, slices.length - 1), 1)[0]!;
          expect([...slice.toBytes()]).toEqual(bytes);
          if (rnd.bool()) {
            chain.appendChain(slice);
            model.push(...bytes);
            expect(slice.length).toBe(0);
          }
          slice.release();
        }
        expect(chain.length).toBe(model.length);
      }
      expect([...chain.toBytes()]).toEqual(model);
      chain.release();
      for (const [slice, bytes] of slices) {
        expect([...slice.toBytes()]).toEqual(bytes);
        slice.release();
      }
    }
    expect(engine.exports.liveBlockCount()).toBe(baseline);
  });

  test("a frame sliced off is read in place while the connection keeps receiving", () => {
    const w = new ThriftBinaryWriter();
    w.writeMessageBegin("Echo", MessageType.CALL, 1);
    w.writeStructBegin();
    w.writeFieldBegin(TType.STRING, 1);
    w.writeString("payload ".repeat(50));
    w.writeFieldStop();
    const message = w.finish();
    const framed = new Uint8Array(4 + message.length);
    new DataView(framed.buffer).setUint32(0, message.length);
    framed.set(message, 4);
    const conn = new BufferChain(engine, 128);
    // The frame arrives in odd-sized pieces, followed by the start of the next one.
    for (let at = 0; at < framed.length; at += 37) conn.append(framed.subarray(at, Math.min(at + 37, framed.length)));
    conn.append(framed.subarray(0, 6));
    const size = conn.peekU32(0);
    expect(size).toBe(message.length);
    conn.skip(4);
    const frame = conn.slice(size);
    expect(frame.chunks().length).toBeGreaterThan(1); // shared blocks, no copy yet
    const r = new ThriftBinaryReader().attach(frame.contiguous(size), size);
    expect(r.validateMessage()).toBe(size);
    expect(r.readMessageBegin().name).toBe("Echo");
    frame.release();
    expect(conn.length).toBe(6);
    expect(conn.peekU32(0)).toBe(message.length);
    conn.release();
  });

  test("misuse is a typed error", () => {
    const chain = new BufferChain(engine);
    chain.append(new Uint8Array(3));
    expect(() => chain.slice(4)).toThrow(expect.objectContaining({ code: "INVALID_STATE" }));
    expect(() => chain.peekU32(0)).toThrow(KitewireError);
    chain.release();
    expect(() => chain.length).toThrow(expect.objectContaining({ code: "INVALID_STATE" }));
  });

  test("appendWriter takes over a writer's bytes and the writer carries on", () => {
    const baseline = engine.exports.liveBlockCount();
    const chain = new BufferChain(engine);
    const w = new ThriftBinaryWriter();
    w.writeI32(1);
    const first = w.start;
    chain.appendWriter(w);
    expect(chain.chunks()[0]!.byteOffset).toBe(first);
    expect(w.length).toBe(0);
    w.writeI32(2);
    chain.appendWriter(w);
    expect([...chain.toBytes()]).toEqual([0, 0, 0, 1, 0, 0, 0, 2]);
    w.dispose();
    chain.release();
    expect(engine.exports.liveBlockCount()).toBe(baseline);
  });

  test("a writer's arena is handed to a chain without copying", () => {
    const baseline = engine.exports.liveBlockCount();
    const chain = new BufferChain(engine);
    const block = engine.alloc(64);
    engine.u8.set([1, 2, 3, 4, 5], block);
    chain.appendBlock(block, 5);
    expect(chain.chunks()[0]!.byteOffset).toBe(block);
    expect([...chain.toBytes()]).toEqual([1, 2, 3, 4, 5]);
    chain.release();
    expect(engine.exports.liveBlockCount()).toBe(baseline);
  });
});
