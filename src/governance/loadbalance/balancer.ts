/**
 * Load balancing: a `LoadBalancer` makes, per client, a `Picker` that chooses one of a
 * service's instances for each call (Kitex's `loadbalance.Loadbalancer` and `Picker`).
 * The picker is updated when the instance set changes (not per call); `pick` is O(1) or
 * O(log n) and allocates nothing. Implementations: `weightedRoundRobin` (smooth),
 * `weightedRandom`, `consistentHash`, `leastLoaded` (power of two choices).
 */
import type { RpcContext } from "../../rpc/context.js";
import type { Instance } from "../discovery/instance.js";

/** What a picker chooses among: an instance, and the calls in flight on it now. */
export interface Candidate {
  readonly instance: Instance;
  /** Calls in flight on this instance (kept by the client). */
  readonly inflight: number;
}

export interface Picker<T extends Candidate> {
  /**
   * Replaces the candidates (an instance set changed). Implementations keep what they can
   * of their state for candidates that stay (by address).
   */
  update(candidates: readonly T[]): void;
  /** One candidate for this call, or undefined when there are none. */
  pick(ctx: RpcContext, args: unknown): T | undefined;
}

export interface LoadBalancer {
  /** Its name, for logs (`weighted-round-robin`, ...). */
  readonly name: string;
  /** A new picker, with no candidates until `update`. */
  newPicker<T extends Candidate>(): Picker<T>;
}

/** A source of uniform random numbers in [0, 1) (`fastRandom` unless a test seeds one). */
export type RandomSource = () => number;

/** xorshift128 state, seeded once from Math.random. */
const state = Uint32Array.from({ length: 4 }, () => (Math.random() * 2 ** 32) >>> 0 || 1);

/**
 * A uniform number in [0, 1) that allocates nothing: `Math.random` refills its cache of
 * doubles in new heap memory every so many draws (a young-generation GC every few hundred
 * thousand picks), this keeps four 32-bit words. Not for anything secret.
 */
export function fastRandom(): number {
  let t = state[3]!;
  const s = state[0]!;
  state[3] = state[2]!;
  state[2] = state[1]!;
  state[1] = s;
  t ^= t << 11;
  t ^= t >>> 8;
  state[0] = t ^ s ^ (s >>> 19);
  return state[0]! / 4_294_967_296;
}
