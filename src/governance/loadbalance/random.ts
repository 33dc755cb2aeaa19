/**
 * Weighted random: each call goes to an instance with probability weight / total.
 * Vose's alias method: built in O(n) on a change, a pick is one random number, one table
 * lookup and one comparison (O(1), nothing allocated).
 */
import { fastRandom, type Candidate, type LoadBalancer, type Picker, type RandomSource } from "./balancer.js";

/** Draws indexes 0..n-1 with probabilities proportional to given weights. */
export class AliasTable {
  /** Probability of keeping column i rather than taking its alias. */
  private keep = new Float64Array(0);
  private alias = new Int32Array(0);

  /** `random` undefined: `fastRandom`, called directly (a double returned through a field's function is boxed: a heap allocation per draw). */
  constructor(private readonly random: RandomSource | undefined) {}

  get size(): number {
    return this.keep.length;
  }

  rebuild(weights: readonly number[]): void {
    const n = weights.length;
    this.keep = new Float64Array(n);
    this.alias = new Int32Array(n);
    let total = 0;
    for (const w of weights) total += w;
    const scaled = weights.map((w) => (w * n) / total);
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

  /** An index (the table must not be empty). */
  draw(): number {
    const x = (this.random === undefined ? fastRandom() : this.random()) * this.keep.length;
    const column = Math.floor(x);
    return x - column < this.keep[column]! ? column : this.alias[column]!;
  }
}

class RandomPicker<T extends Candidate> implements Picker<T> {
  private candidates: readonly T[] = [];
  private readonly table: AliasTable;

  constructor(random: RandomSource | undefined) {
    this.table = new AliasTable(random);
  }

  update(candidates: readonly T[]): void {
    this.candidates = candidates;
    this.table.rebuild(candidates.map((c) => c.instance.weight));
  }

  pick(): T | undefined {
    return this.candidates.length === 0 ? undefined : this.candidates[this.table.draw()];
  }
}

/** Weighted random; `random` is for tests (default `fastRandom`). */
export function weightedRandom(options: { random?: RandomSource } = {}): LoadBalancer {
  return { name: "weighted-random", newPicker: <T extends Candidate>() => new RandomPicker<T>(options.random) };
}
