/**
 * Least loaded by the power of two choices: two distinct instances drawn at random
 * (weighted), and the call goes to the one with fewer calls in flight per unit of weight.
 * It avoids a slow or overloaded instance within a few calls, without the herd that
 * "always the least loaded" causes, and costs O(1) a pick (Kitex has no such balancer).
 */
import type { Candidate, LoadBalancer, Picker, RandomSource } from "./balancer.js";
import { weightedRandom } from "./random.js";

class LeastLoadedPicker<T extends Candidate> implements Picker<T> {
  private readonly draw: Picker<T>;
  private candidates: readonly T[] = [];

  constructor(random: RandomSource) {
    this.draw = weightedRandom({ random }).newPicker<T>();
  }

  update(candidates: readonly T[]): void {
    this.candidates = candidates;
    this.draw.update(candidates);
  }

  pick(ctx: Parameters<Picker<T>["pick"]>[0], args: unknown): T | undefined {
    const a = this.draw.pick(ctx, args);
    if (this.candidates.length < 2 || a === undefined) return a;
    let b = this.draw.pick(ctx, args)!;
    // A second draw equal to the first is drawn again, a bounded number of times (with
    // one instance holding nearly all the weight, the first is then the answer anyway).
    for (let i = 0; i < 3 && b === a; i++) b = this.draw.pick(ctx, args)!;
    // Compare inflight_a / weight_a with inflight_b / weight_b without dividing.
    const la = a.inflight * b.instance.weight;
    const lb = b.inflight * a.instance.weight;
    return lb < la ? b : a;
  }
}

/** Least loaded of two random choices; `random` is for tests (default `Math.random`). */
export function leastLoaded(options: { random?: RandomSource } = {}): LoadBalancer {
  const random = options.random ?? Math.random;
  return { name: "least-loaded", newPicker: <T extends Candidate>() => new LeastLoadedPicker<T>(random) };
}
