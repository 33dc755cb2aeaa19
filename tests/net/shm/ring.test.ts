/**
 * The shared-memory ring (src/net/shm/ring.ts): order, wrap-around, spill to the block
 * pool, a full ring with a slow reader, many producers, and random frame sizes and
 * interleavings, with producers in real worker threads (tests/net/shm/producer.mjs, which
 * loads the ring from dist/esm: `npm run build` first).
 */
import { Worker } from "node:worker_threads";
import fc from "fast-check";
import { afterAll, describe, expect, test } from "vitest";
import { createRing, Ring } from "../../../src/net/shm/ring.js";
// @ts-expect-error: a plain .mjs helper shared with the producer threads
import { frameBytes } from "./producer.mjs";

const make = frameBytes as (producer: number, i: number, size: number) => Uint8Array;
const workers: Worker[] = [];

function producer(): Worker {
  const w = new Worker(new URL("./producer.mjs", import.meta.url));
  workers.push(w);
  return w;
}

afterAll(async () => {
  await Promise.all(workers.map((w) => w.terminate()));
});

/** Runs `job` on worker `w`; resolves with its report. */
function run(w: Worker, job: object): Promise<{ producer: number; fullWaits: number }> {
  return new Promise((resolve, reject) => {
    w.once("message", resolve);
    w.once("error", reject);
    w.postMessage(job);
  });
}

/** Reads frames until `expected` have come, checking each producer's order and bytes. */
async function drain(ring: Ring, expected: number, sizesOf: (producer: number) => number[], slow?: { every: number; ms: number }): Promise<Map<number, number>> {
  const next = new Map<number, number>();
  let seen = 0;
  while (seen < expected) {
    const n = ring.read((kind, tag, bytes) => {
      const i = next.get(kind) ?? 0;
      expect(tag, `producer ${kind}: frame ${tag} came when ${i} was next`).toBe(i);
      expect(bytes.length).toBe(sizesOf(kind)[i]);
      const want = make(kind, i, bytes.length);
      for (let j = 0; j < bytes.length; j++) if (bytes[j] !== want[j]) throw new Error(`producer ${kind} frame ${i}: byte ${j} is ${bytes[j]}, not ${want[j]}`);
      next.set(kind, i + 1);
      seen++;
    }, slow ? 1 : Infinity);
    if (slow && n > 0 && seen % slow.every === 0) await new Promise((r) => setTimeout(r, slow.ms));
    if (n === 0) await Promise.race([ring.ready(), new Promise((r) => setTimeout(r, 2_000))]);
  }
  return next;
}

/** Every block of the pool was given back: a frame as large as the whole pool fits. */
function poolFree(ring: Ring): boolean {
  if (!ring.tryWrite(9, 0, new Uint8Array(ring.maxFrameBytes))) return false;
  return ring.read(() => undefined) === 1;
}

describe("one thread", () => {
  test("frames come out in order, across many wraps of a 4-slot ring", () => {
    const ring = new Ring(createRing({ slots: 4, slotBytes: 64, spillBytes: 0 }));
    let written = 0;
    let read = 0;
    for (let round = 0; round < 500; round++) {
      const batch = 1 + (round % 4);
      for (let i = 0; i < batch; i++) expect(ring.tryWrite(1, written, make(1, written++, (written * 13) % 49))).toBe(true);
      expect(ring.read((kind, tag, bytes) => {
        expect([kind, tag]).toEqual([1, read]);
        expect(bytes).toEqual(make(1, read, ((read + 1) * 13) % 49));
        read++;
      })).toBe(batch);
    }
    expect(read).toBe(written);
    expect(written).toBeGreaterThan(1000);
  });

  test("a full ring refuses a write (tryWrite false) and takes it once a frame is read", () => {
    const ring = new Ring(createRing({ slots: 2, slotBytes: 32, spillBytes: 0 }));
    expect(ring.tryWrite(1, 0, new Uint8Array(4))).toBe(true);
    expect(ring.tryWrite(1, 1, new Uint8Array(4))).toBe(true);
    expect(ring.tryWrite(1, 2, new Uint8Array(4))).toBe(false);
    expect(ring.read(() => undefined, 1)).toBe(1);
    expect(ring.tryWrite(1, 2, new Uint8Array(4))).toBe(true);
    const tags: number[] = [];
    ring.read((_k, tag) => void tags.push(tag));
    expect(tags).toEqual([1, 2]);
  });

  test("frames larger than a slot spill to the block pool, read in place, and their blocks come back", () => {
    const ring = new Ring(createRing({ slots: 8, slotBytes: 64, spillBytes: 4096, blockBytes: 256 }));
    const sizes = [48, 49, 300, 1024, 4096, 0, 257, 3000];
    sizes.forEach((s, i) => {
      if (!ring.tryWrite(2, i, make(2, i, s))) {
        ring.read((_k, tag, bytes) => expect(bytes).toEqual(make(2, tag, sizes[tag]!)));
        expect(ring.tryWrite(2, i, make(2, i, s))).toBe(true);
      }
    });
    ring.read((_k, tag, bytes) => expect(bytes).toEqual(make(2, tag, sizes[tag]!)));
    expect(ring.readable).toBe(false);
    expect(poolFree(ring)).toBe(true);
  });

  test("frames at any offset mod 8 of their buffer (as engine memory gives them) come out intact, inline, spilled and at the limits", () => {
    const ring = new Ring(createRing({ slots: 8, slotBytes: 64, spillBytes: 1024, blockBytes: 256 }));
    const backing = new Uint8Array(2048);
    for (let i = 0; i < backing.length; i++) backing[i] = (i * 7 + 3) & 255;
    // 48 bytes: the whole inline room (the offset is not kept); 1024: the whole pool (idem); 300 and 700: spilled with it kept.
    for (const size of [1, 20, 41, 47, 48, 49, 255, 256, 300, 700, 1017, 1024]) {
      for (let offset = 0; offset < 8; offset++) {
        const frame = backing.subarray(offset, offset + size);
        expect(ring.tryWrite(1, offset, frame)).toBe(true);
        let seen = 0;
        expect(ring.read((_k, tag, bytes) => {
          expect(tag).toBe(offset);
          expect(bytes).toEqual(frame);
          seen++;
        })).toBe(1);
        expect(seen).toBe(1);
      }
    }
    expect(poolFree(ring)).toBe(true);
  });

  test("a pool without a run of free blocks refuses until one is freed; a frame larger than the pool is LENGTH_LIMIT", () => {
    const ring = new Ring(createRing({ slots: 8, slotBytes: 64, spillBytes: 1024, blockBytes: 256 }));
    expect(ring.maxFrameBytes).toBe(1024);
    expect(ring.tryWrite(1, 0, new Uint8Array(600))).toBe(true); // 3 blocks
    expect(ring.tryWrite(1, 1, new Uint8Array(300))).toBe(false); // needs 2, 1 free
    expect(ring.tryWrite(1, 1, new Uint8Array(200))).toBe(true); // the last one
    expect(() => ring.tryWrite(1, 2, new Uint8Array(1025))).toThrow(expect.objectContaining({ code: "LENGTH_LIMIT" }));
    expect(ring.read(() => undefined)).toBe(2);
    expect(ring.tryWrite(1, 1, new Uint8Array(1024))).toBe(true);
  });

  test("a reader that looks for frames (ready(spinMicros)) finds one written meanwhile without being woken; one that waits at once is woken", async () => {
    const buffer = createRing({ slots: 4, slotBytes: 64, spillBytes: 0 });
    const ring = new Ring(buffer);
    const wakeUps = () => new Int32Array(buffer)[1]; // the DATA word: bumped by each wake-up
    setTimeout(() => ring.tryWrite(1, 0, new Uint8Array(8)), 2);
    await ring.ready(2_000_000);
    expect(ring.read(() => undefined)).toBe(1);
    await new Promise((r) => setImmediate(r)); // the writer's wake-up check runs after its task
    expect(wakeUps()).toBe(0);
    setTimeout(() => ring.tryWrite(1, 1, new Uint8Array(8)), 2);
    await ring.ready();
    expect(ring.read(() => undefined)).toBe(1);
    expect(wakeUps()).toBe(1);
  });

  test("write waits for room and fails TIMEOUT once its deadline passes; close fails writers and ends the reader", async () => {
    const ring = new Ring(createRing({ slots: 2, slotBytes: 32, spillBytes: 0 }));
    ring.tryWrite(1, 0, new Uint8Array(1));
    ring.tryWrite(1, 1, new Uint8Array(1));
    const started = Date.now();
    await expect(ring.write(1, 2, new Uint8Array(1), Date.now() + 50)).rejects.toMatchObject({ code: "TIMEOUT" });
    expect(Date.now() - started).toBeGreaterThanOrEqual(45);
    const waiting = ring.write(1, 2, new Uint8Array(1));
    setTimeout(() => ring.read(() => undefined, 1), 20);
    await waiting;
    const blocked = ring.write(1, 3, new Uint8Array(1));
    const seen: number[] = [];
    const consuming = ring.consume((_k, tag) => void seen.push(tag));
    await blocked;
    ring.close();
    await consuming;
    expect(seen).toEqual([1, 2, 3]);
    expect(() => ring.tryWrite(1, 4, new Uint8Array(1))).toThrow(expect.objectContaining({ code: "CONNECTION" }));
  });
});

describe("worker threads", () => {
  test("a full ring with a slow reader: the producer waits, nothing is lost, the memory is the ring's", async () => {
    const buffer = createRing({ slots: 8, slotBytes: 128, spillBytes: 2048, blockBytes: 256 });
    const ring = new Ring(buffer);
    const sizes = Array.from({ length: 400 }, (_, i) => (i % 5 === 0 ? 700 : 40 + (i % 80)));
    const w = producer();
    const report = run(w, { buffer, producer: 3, sizes });
    await drain(ring, sizes.length, () => sizes, { every: 16, ms: 5 });
    expect((await report).fullWaits).toBeGreaterThan(10);
    expect(buffer.byteLength).toBe(createRing({ slots: 8, slotBytes: 128, spillBytes: 2048, blockBytes: 256 }).byteLength);
    expect(ring.readable).toBe(false);
  });

  test("many producers into one ring: every frame arrives, each producer's in order", async () => {
    const buffer = createRing({ slots: 16, slotBytes: 256, spillBytes: 16 << 10, blockBytes: 1024 });
    const ring = new Ring(buffer);
    const sizesOf = (p: number) => Array.from({ length: 1500 }, (_, i) => ((i * 37 + p * 11) % 9 === 0 ? 2000 + p * 100 : (i * 13 + p) % 240));
    const reports = [1, 2, 3, 4].map((p) => run(producer(), { buffer, producer: p, sizes: sizesOf(p) }));
    const next = await drain(ring, 4 * 1500, sizesOf);
    expect([...next.entries()].sort()).toEqual([[1, 1500], [2, 1500], [3, 1500], [4, 1500]]);
    await Promise.all(reports);
    expect(poolFree(ring)).toBe(true);
  });

  test("property: random frame sizes, producers and pauses: all frames, in order per producer, intact", async () => {
    const pool = [producer(), producer(), producer()];
    await fc.assert(fc.asyncProperty(
      fc.record({
        slots: fc.constantFrom(2, 4, 16),
        slotBytes: fc.constantFrom(32, 64, 512),
        producers: fc.integer({ min: 1, max: 3 }),
        sizes: fc.array(fc.array(fc.integer({ min: 0, max: 3000 }), { minLength: 1, maxLength: 120 }), { minLength: 3, maxLength: 3 }),
        pauseEvery: fc.integer({ min: 0, max: 20 }),
        readerBatch: fc.constantFrom(1, 3, 1000),
      }),
      async ({ slots, slotBytes, producers, sizes, pauseEvery, readerBatch }) => {
        const buffer = createRing({ slots, slotBytes, spillBytes: 8192, blockBytes: 512 });
        const ring = new Ring(buffer);
        const reports = sizes.slice(0, producers).map((s, p) => run(pool[p]!, { buffer, producer: p + 1, sizes: s, pauseEvery, pauseMs: 1 }));
        const total = sizes.slice(0, producers).reduce((n, s) => n + s.length, 0);
        const next = await drain(ring, total, (p) => sizes[p - 1]!, readerBatch === 1000 ? undefined : { every: readerBatch, ms: 1 });
        await Promise.all(reports);
        for (let p = 1; p <= producers; p++) expect(next.get(p)).toBe(sizes[p - 1]!.length);
        expect(ring.readable).toBe(false);
        expect(poolFree(ring)).toBe(true);
      }), { numRuns: 25 });
  });
});
