/**
 * Smooth weighted round robin: over any stretch of calls each instance gets its weight's
 * share, and weights interleave (1:2:3 goes c b a c b c ..., not a b b c c c).
 *
 * Scheduled as earliest deadline first, as Envoy and gRPC do, rather than nginx's O(n)
 * scan: each instance has a virtual deadline that advances by 1/weight when it is picked,
 * and the instance with the earliest deadline is the next pick, kept at the top of a
 * binary heap (O(log n) a pick, typed arrays, nothing allocated). Ties go to the instance
 * listed first.
 */
import type { Candidate, LoadBalancer, Picker } from "./balancer.js";

/** Deadlines are rebased when they pass this (well within a double's exact integers). */
const REBASE_AT = 2 ** 48;

class RoundRobinPicker<T extends Candidate> implements Picker<T> {
  private candidates: readonly T[] = [];
  private deadline = new Float64Array(0);
  private step = new Float64Array(0);
  /** Candidate indexes, as a min-heap on (deadline, index). */
  private heap = new Int32Array(0);

  update(candidates: readonly T[]): void {
    const previous = new Map<string, number>();
    let base = Infinity;
    for (let i = 0; i < this.candidates.length; i++) {
      previous.set(this.candidates[i]!.instance.address, this.deadline[i]!);
      base = Math.min(base, this.deadline[i]!);
    }
    const n = candidates.length;
    this.candidates = candidates;
    this.deadline = new Float64Array(n);
    this.step = new Float64Array(n);
    this.heap = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      this.step[i] = 1 / candidates[i]!.instance.weight;
      // A staying instance keeps its place in the schedule; a new one starts one step in,
      // so that it interleaves with the rest instead of taking a burst of calls.
      this.deadline[i] = previous.get(candidates[i]!.instance.address) ?? (base === Infinity ? 0 : base) + this.step[i]!;
      this.heap[i] = i;
    }
    for (let i = (n >> 1) - 1; i >= 0; i--) this.down(i);
  }

  pick(): T | undefined {
    const n = this.heap.length;
    if (n === 0) return undefined;
    const top = this.heap[0]!;
    const d = (this.deadline[top] = this.deadline[top]! + this.step[top]!);
    if (d > REBASE_AT) this.rebase();
    this.down(0);
    return this.candidates[top];
  }

  private less(a: number, b: number): boolean {
    const da = this.deadline[a]!;
    const db = this.deadline[b]!;
    return da < db || (da === db && a < b);
  }

  private down(i: number): void {
    const heap = this.heap;
    const n = heap.length;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= n) return;
      let c = l;
      if (l + 1 < n && this.less(heap[l + 1]!, heap[l]!)) c = l + 1;
      if (!this.less(heap[c]!, heap[i]!)) return;
      const t = heap[i]!;
      heap[i] = heap[c]!;
      heap[c] = t;
      i = c;
    }
  }

  private rebase(): void {
    let min = Infinity;
    for (const d of this.deadline) min = Math.min(min, d);
    for (let i = 0; i < this.deadline.length; i++) this.deadline[i] = this.deadline[i]! - min;
  }
}

/** Smooth weighted round robin (the default balancer). */
export function weightedRoundRobin(): LoadBalancer {
  return { name: "weighted-round-robin", newPicker: <T extends Candidate>() => new RoundRobinPicker<T>() };
}
