/**
 * Weighted random: each call goes to an instance with probability weight / total.
 * Vose's alias method: built in O(n) on a change, a pick is one random number, one table
 * lookup and one comparison (O(1), nothing allocated).
 */
import type { Candidate, LoadBalancer, Picker, RandomSource } from "./balancer.js";

class RandomPicker<T extends Candidate> implements Picker<T> {
  private candidates: readonly T[] = [];
  /** Probability of keeping column i rather than taking its alias. */
  private keep = new Float64Array(0);
  private alias = new Int32Array(0);

  constructor(private readonly random: RandomSource) {}

  update(candidates: readonly T[]): void {
    const n = candidates.length;
    this.candidates = candidates;
    this.keep = new Float64Array(n);
    this.alias = new Int32Array(n);
    let total = 0;
    for (const c of candidates) total += c.instance.weight;
    const scaled = candidates.map((c) => (c.instance.weight * n) / total);
    const small: number[] = [];
    const large: number[] = [];
    scaled.forEach((p, i) => (p < 1 ? small : large).push(i));
    while (small.length > 0 && large.length > 0) {
      const s = small.pop()!;
      const l = large.pop()!;
      this.keep[s] = scaled[s]!;
      this.alias[s] = l;
      scaled[l] = scaled[l]! + scaled[s]! - 1;
      (scaled[l]! < 1 ? small : large).push(l);
    }
    for (const i of large) this.keep[i] = 1;
    for (const i of small) this.keep[i] = 1; // only left by rounding error
  }

  pick(): T | undefined {
    const n = this.candidates.length;
    if (n === 0) return undefined;
    const x = this.random() * n;
    const column = Math.floor(x);
    return this.candidates[x - column < this.keep[column]! ? column : this.alias[column]!];
  }
}

/** Weighted random; `random` is for tests (default `Math.random`). */
export function weightedRandom(options: { random?: RandomSource } = {}): LoadBalancer {
  const random = options.random ?? Math.random;
  return { name: "weighted-random", newPicker: <T extends Candidate>() => new RandomPicker<T>(random) };
}
