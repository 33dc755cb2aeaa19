/**
 * Least loaded by the power of two choices: two distinct instances drawn at random (the
 * first by weight, the second by weight too unless it repeats the first, then uniformly
 * among the others), and the call goes to the one with fewer calls in flight per unit of
 * weight. It steers away from a slow or overloaded instance within a few calls, without
 * the herd that "always the least loaded" causes, at O(1) a pick (Kitex has no such
 * balancer).
 */
import { fastRandom, type Candidate, type LoadBalancer, type Picker, type RandomSource } from "./balancer.js";
import { AliasTable } from "./random.js";

class LeastLoadedPicker<T extends Candidate> implements Picker<T> {
  private readonly table: AliasTable;
  private candidates: readonly T[] = [];

  constructor(private readonly random: RandomSource | undefined) {
    this.table = new AliasTable(random);
  }

  update(candidates: readonly T[]): void {
    this.candidates = candidates;
    this.table.rebuild(candidates.map((c) => c.instance.weight));
  }

  pick(): T | undefined {
    const n = this.candidates.length;
    if (n < 2) return this.candidates[0];
    const i = this.table.draw();
    let j = this.table.draw();
    if (j === i) j = (i + 1 + Math.floor((this.random === undefined ? fastRandom() : this.random()) * (n - 1))) % n;
    const a = this.candidates[i]!;
    const b = this.candidates[j]!;
    // inflight_a / weight_a against inflight_b / weight_b, without dividing.
    return b.inflight * a.instance.weight < a.inflight * b.instance.weight ? b : a;
  }
}

/** Least loaded of two random choices; `random` is for tests (default `fastRandom`). */
export function leastLoaded(options: { random?: RandomSource } = {}): LoadBalancer {
  return { name: "least-loaded", newPicker: <T extends Candidate>() => new LeastLoadedPicker<T>(options.random) };
}
