/**
 * Batches of ring messages (src/server/node/threads/batch.ts): what goes in comes out, in
 * order, whatever the sizes (property test), through a real ring; a batch whose bytes lie
 * about their records is refused, not read past its end.
 */
import fc from "fast-check";
import { expect, test } from "vitest";
import { createRing, Ring } from "../../../src/net/shm/ring.js";
import { BATCH, BatchWriter, forEachRecord } from "../../../src/server/node/threads/batch.js";

type Message = { kind: number; tag: number; bytes: Uint8Array };

test("messages of random sizes come out of a ring's batches as they went in, in order; those too large for a batch go alone", () => {
  const ring = new Ring(createRing({ slots: 256, spillBytes: 1 << 20 })); // read empty after each run
  fc.assert(fc.property(
    fc.array(fc.record({ kind: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), tag: fc.integer(), size: fc.nat({ max: 5000 }), fill: fc.nat({ max: 255 }) }), { maxLength: 80 }),
    fc.constantFrom(64, 1024, 4096),
    (specs, capacity) => {
      const batch = new BatchWriter(capacity);
      const sent: Message[] = specs.map((s) => ({ kind: s.kind === BATCH ? 0 : s.kind, tag: s.tag, bytes: new Uint8Array(s.size).fill(s.fill) }));
      const flush = () => {
        if (batch.count > 0) expect(ring.tryWrite(BATCH, batch.count, batch.bytes())).toBe(true);
        batch.clear();
      };
      for (const m of sent) {
        if (!batch.accepts(m.bytes.length)) {
          flush();
          expect(ring.tryWrite(m.kind, m.tag, m.bytes)).toBe(true);
          continue;
        }
        if (!batch.fits(m.bytes.length)) flush();
        batch.add(m.kind, m.tag, m.bytes);
      }
      flush();
      const got: Message[] = [];
      const take = (kind: number, tag: number, bytes: Uint8Array) => void got.push({ kind, tag, bytes: bytes.slice() });
      ring.read((kind, tag, bytes) => (kind === BATCH ? forEachRecord(bytes, tag, take) : take(kind, tag, bytes)));
      // Compared as text: toEqual walks typed arrays element by element, slowly.
      const text = (ms: Message[]) => ms.map((m) => `${m.kind}/${m.tag}/${Buffer.from(m.bytes).toString("hex")}`);
      expect(text(got)).toEqual(text(sent));
    },
  ), { numRuns: 200 });
});

test("a batch that claims more records or bytes than it holds is refused", () => {
  const batch = new BatchWriter(256);
  batch.add(1, 2, new Uint8Array(10));
  batch.add(3, 4, new Uint8Array(20));
  const bytes = batch.bytes().slice();
  const seen: number[] = [];
  expect(() => forEachRecord(bytes, 3, (kind) => seen.push(kind))).toThrow(/ends inside record 2 of 3/);
  expect(seen).toEqual([1, 3]);
  new DataView(bytes.buffer).setInt32(32 + 8, 1000, true); // the second record's length
  expect(() => forEachRecord(bytes, 2, () => undefined)).toThrow(/record 1 of a batch claims 1000 bytes/);
  expect(() => forEachRecord(bytes.subarray(0, 20), 1, () => undefined)).toThrow(/claims 10 bytes at 16 of 20/);
});
