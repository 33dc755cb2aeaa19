/** The client's table of calls waiting for replies, against a Map as the model. */
import { expect, test } from "vitest";
import { PendingCalls } from "../../src/client/pending-calls.js";
import { Random } from "../support/random.js";

test.each([
  ["sequential seqids, as one client makes them", (rnd: Random, next: number) => next + rnd.int(1, 3)],
  ["sparse seqids, as when many clients share the counter", (rnd: Random) => rnd.int(1, 1 << 20)],
  ["colliding seqids (equal modulo the table size), negatives included", (rnd: Random) => rnd.int(-40, 40) * 4096],
])("%s: get/add/take agree with a Map through growth and churn", (_, nextSeqid) => {
  const rnd = new Random(0x9e11);
  const table = new PendingCalls<{ seqid: number }>();
  const model = new Map<number, { seqid: number }>();
  let next = 0;
  for (let step = 0; step < 20000; step++) {
    const op = rnd.int(0, 9);
    if (op < 5 && model.size < 700) {
      next = nextSeqid(rnd, next);
      if (model.has(next)) continue;
      const call = { seqid: next };
      table.add(next, call);
      model.set(next, call);
    } else {
      const keys = [...model.keys()];
      const seqid = keys.length > 0 && op < 9 ? keys[rnd.int(0, keys.length - 1)]! : rnd.int(-5, 5);
      expect(table.get(seqid)).toBe(model.get(seqid));
      expect(table.take(seqid)).toBe(model.get(seqid));
      model.delete(seqid);
      expect(table.get(seqid)).toBeUndefined();
    }
    expect(table.size).toBe(model.size);
  }
  expect(table.seqidList().sort((a, b) => a - b)).toEqual([...model.keys()].sort((a, b) => a - b));
  for (const [seqid, call] of model) expect(table.take(seqid)).toBe(call);
  expect(table.size).toBe(0);
});
