/**
 * Every load balancer against one shared suite (empty, one, only candidates, weights
 * respected, updates), then what each promises of its own: smooth interleaving, the alias
 * table's exact shares, least-loaded avoidance, consistent hashing's stability.
 */
import { describe, expect, test } from "vitest";
import {
  consistentHash, leastLoaded, makeInstance, RpcContext, weightedRandom, weightedRoundRobin,
  type Candidate, type LoadBalancer,
} from "kitewire";

/** A seeded generator (mulberry32), so every run draws the same numbers. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

class Slot implements Candidate {
  inflight = 0;
  constructor(readonly instance: ReturnType<typeof makeInstance>) {}
}

const slots = (weights: number[], base = 9000) => weights.map((w, i) => new Slot(makeInstance(`10.0.0.${i + 1}:${base + i}`, w)));
const ctx = () => new RpcContext("Echo", "echo");

function counts(balancer: LoadBalancer, candidates: Slot[], picks: number, keyed = false): Map<Slot, number> {
  const picker = balancer.newPicker<Slot>();
  picker.update(candidates);
  const out = new Map<Slot, number>(candidates.map((c) => [c, 0]));
  const c = ctx();
  for (let i = 0; i < picks; i++) {
    if (keyed) c.metainfo.transient.set("user", `u${i}`);
    const s = picker.pick(c, undefined)!;
    out.set(s, out.get(s)! + 1);
  }
  return out;
}

/**
 * Each balancer, whether it takes its key from metainfo, and how close to the weights its
 * shares must come: a consistent-hash ring gives each instance 100 sampled points per unit
 * of weight, so its shares are only as exact as those samples (±3% at weight 10).
 */
const all: [string, () => LoadBalancer, boolean, number][] = [
  ["weighted round robin", () => weightedRoundRobin(), false, 0.05],
  ["weighted random", () => weightedRandom({ random: seeded(1) }), false, 0.05],
  ["least loaded", () => leastLoaded({ random: seeded(2) }), false, 0.05],
  ["consistent hash", () => consistentHash({ key: "user", random: seeded(3) }), true, 0.1],
];

describe.each(all)("%s (shared suite)", (_name, make, keyed, tolerance) => {
  test("no candidates: undefined; one: always it", () => {
    const picker = make().newPicker<Slot>();
    expect(picker.pick(ctx(), undefined)).toBeUndefined();
    const [only] = slots([5]);
    picker.update([only!]);
    for (let i = 0; i < 50; i++) expect(picker.pick(ctx(), undefined)).toBe(only);
    picker.update([]);
    expect(picker.pick(ctx(), undefined)).toBeUndefined();
  });

  test("weights 1:2:3 are respected over 30,000 picks", () => {
    const s = slots([10, 20, 30]);
    const n = 30_000;
    const got = counts(make(), s, n, keyed);
    s.forEach((slot, i) => {
      const want = (n * (i + 1)) / 6;
      expect(Math.abs(got.get(slot)! - want) / want).toBeLessThan(tolerance);
    });
  });

  test("an update replaces the candidates: removed ones are never picked again", () => {
    const s = slots([10, 10, 10, 10]);
    const picker = make().newPicker<Slot>();
    picker.update(s);
    for (let i = 0; i < 100; i++) picker.pick(ctx(), undefined);
    picker.update([s[0]!, s[2]!]);
    const c = ctx();
    for (let i = 0; i < 2_000; i++) {
      if (keyed) c.metainfo.transient.set("user", `k${i}`);
      expect([s[0], s[2]]).toContain(picker.pick(c, undefined));
    }
  });
});

describe("weighted round robin", () => {
  test("exact shares, interleaved: 1:2:3 gives each weight per 6 picks, never three of one in a row", () => {
    const s = slots([1, 2, 3]);
    const picker = weightedRoundRobin().newPicker<Slot>();
    picker.update(s);
    const seq = Array.from({ length: 600 }, () => s.indexOf(picker.pick(ctx(), undefined)!));
    for (let w = 0; w < 100; w++) {
      const window = seq.slice(w * 6, w * 6 + 6);
      expect([0, 1, 2].map((i) => window.filter((x) => x === i).length)).toEqual([1, 2, 3]);
    }
    let run = 1;
    for (let i = 1; i < seq.length; i++) {
      run = seq[i] === seq[i - 1] ? run + 1 : 1;
      expect(run).toBeLessThan(3);
    }
  });

  test("an added instance joins the rotation at once, without a burst", () => {
    const s = slots([10, 10, 10, 10]);
    const picker = weightedRoundRobin().newPicker<Slot>();
    picker.update(s.slice(0, 3));
    for (let i = 0; i < 1_000; i++) picker.pick(ctx(), undefined);
    picker.update(s);
    const seq = Array.from({ length: 40 }, () => s.indexOf(picker.pick(ctx(), undefined)!));
    expect(seq.filter((x) => x === 3).length).toBeGreaterThanOrEqual(9);
    expect(seq.filter((x) => x === 3).length).toBeLessThanOrEqual(11);
    expect(seq.indexOf(3)).toBeLessThanOrEqual(5); // within about one round of the others
    for (let i = 1; i < seq.length; i++) expect(seq[i] === 3 && seq[i - 1] === 3).toBe(false);
  });
});

describe("weighted random", () => {
  test("the alias table gives each instance exactly its share of the unit interval", () => {
    const s = slots([1, 2, 3, 4, 7, 13]);
    let i = 0;
    const n = 30 * 600; // evenly spaced draws: every column and split point is hit in proportion
    const got = counts(weightedRandom({ random: () => (i++ + 0.5) / n }), s, n);
    s.forEach((slot) => expect(got.get(slot)).toBe((n * slot.instance.weight) / 30));
  });
});

describe("least loaded", () => {
  test("a busy instance is never picked while the others are idle (the two draws are distinct)", () => {
    const s = slots([10, 10, 10]);
    s[0]!.inflight = 50;
    const got = counts(leastLoaded({ random: seeded(7) }), s, 9_000);
    expect(got.get(s[0]!)!).toBe(0);
    expect(Math.abs(got.get(s[1]!)! - got.get(s[2]!)!)).toBeLessThan(450);
  });

  test("load is compared per unit of weight", () => {
    const s = slots([10, 30]);
    s[0]!.inflight = 2; // 0.2 per unit
    s[1]!.inflight = 3; // 0.1 per unit
    const got = counts(leastLoaded({ random: seeded(9) }), s, 1_000);
    expect(got.get(s[0]!)).toBe(0);
  });
});

describe("consistent hash", () => {
  const keys = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
  const owners = (candidates: Slot[], balancer = consistentHash({ key: (_ctx, args) => args as string })) => {
    const picker = balancer.newPicker<Slot>();
    picker.update(candidates);
    return keys.map((k) => picker.pick(ctx(), k)!.instance.address);
  };

  test("the same key goes to the same instance, in any client and any candidate order", () => {
    const s = slots(Array(10).fill(10));
    const a = owners(s);
    expect(owners([...s].reverse())).toEqual(a);
    expect(new Set(a).size).toBe(10);
  });

  test("adding one instance to ten moves 8–12% of 10,000 keys, all of them to the new one", () => {
    const s = slots(Array(11).fill(10));
    const before = owners(s.slice(0, 10));
    const after = owners(s);
    const moved = before.filter((o, i) => o !== after[i]);
    expect(moved.length / keys.length).toBeGreaterThanOrEqual(0.08);
    expect(moved.length / keys.length).toBeLessThanOrEqual(0.12);
    before.forEach((o, i) => {
      if (o !== after[i]) expect(after[i]).toBe(s[10]!.instance.address);
    });
  });

  test("removing one of ten moves only its own keys", () => {
    const s = slots(Array(10).fill(10));
    const before = owners(s);
    const after = owners(s.filter((_, i) => i !== 4));
    before.forEach((o, i) => {
      if (o !== s[4]!.instance.address) expect(after[i]).toBe(o);
    });
  });

  test("the key comes from metainfo (transient or persistent) when named", () => {
    const s = slots([10, 10, 10, 10, 10]);
    const picker = consistentHash({ key: "tenant" }).newPicker<Slot>();
    picker.update(s);
    const c1 = ctx();
    c1.metainfo.transient.set("tenant", "acme");
    const c2 = ctx();
    c2.metainfo.persistent.set("tenant", "acme");
    const first = picker.pick(c1, undefined);
    for (let i = 0; i < 20; i++) {
      expect(picker.pick(c1, undefined)).toBe(first);
      expect(picker.pick(c2, undefined)).toBe(first);
    }
  });
});
