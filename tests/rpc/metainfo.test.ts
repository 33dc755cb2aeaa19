/**
 * Metainfo keys on the TTHeader wire: prefixed on write and cut on read, the same for keys
 * seen before (kept, so as not to be concatenated or sliced per call) and for any number of
 * keys a peer makes up (beyond the ones kept).
 */
import { expect, test } from "vitest";
import { Metainfo } from "kitewire";

test("forward keys keep their kind and name through write and read, for a few keys and for thousands", () => {
  for (const count of [3, 3, 2000]) {
    const sent = new Metainfo();
    for (let i = 0; i < count; i++) {
      sent.transient.set(`t${i}`, `v${i}`);
      sent.persistent.set(`p${i}`, `w${i}`);
    }
    const wire = new Map<string, string>();
    sent.writeForward(wire);
    expect(wire.get("RPC_TRANSIT_t0")).toBe("v0");
    expect(wire.get(`RPC_PERSIST_p${count - 1}`)).toBe(`w${count - 1}`);
    expect(wire.size).toBe(2 * count);
    const got = new Metainfo();
    got.readForward(wire);
    expect(got.transient).toEqual(sent.transient);
    expect(got.persistent).toEqual(sent.persistent);
    // The same name in both kinds stays apart.
    const both = new Metainfo();
    both.readForward(new Map([["RPC_TRANSIT_k", "a"], ["RPC_PERSIST_k", "b"]]));
    expect([both.transient.get("k"), both.persistent.get("k")]).toEqual(["a", "b"]);
  }
});

test("long keys (not kept) round trip as short ones do", () => {
  const key = "k".repeat(1000);
  const sent = new Metainfo();
  sent.transient.set(key, "t");
  sent.persistent.set(key, "p");
  for (let round = 0; round < 2; round++) {
    const wire = new Map<string, string>();
    sent.writeForward(wire);
    expect([...wire.keys()]).toEqual([`RPC_TRANSIT_${key}`, `RPC_PERSIST_${key}`]);
    const got = new Metainfo();
    got.readForward(wire);
    expect([got.transient.get(key), got.persistent.get(key)]).toEqual(["t", "p"]);
  }
});
