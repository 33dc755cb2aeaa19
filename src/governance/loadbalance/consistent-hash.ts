/**
 * Consistent hashing: calls with the same key go to the same instance, and adding or
 * removing one of N instances moves about 1/N of the keys. Each instance owns
 * `virtualFactor × weight` points on a 32-bit ring (1,000 at the default weight, as in
 * Kitex, whose virtual factor is 100 too: fewer points make each instance's share of the
 * ring, and so of the keys, noisier: with 100 points a share is ±10%, with 1,000 ±3%); a
 * key goes to the owner of the first point at or after its hash. A pick is one string hash
 * and a binary search (O(log n), nothing allocated). A change rebuilds the ring from the
 * points of each instance, which are kept while the instance stays, with one numeric sort.
 */
import type { RpcContext } from "../../rpc/context.js";
import { fastRandom, type Candidate, type LoadBalancer, type Picker, type RandomSource } from "./balancer.js";

/** Candidates a ring can rank (2^21, two million). */
const RANKS = 2 ** 21;

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** 32-bit FNV-1a over UTF-16 code units, finished with murmur3's avalanche. */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export interface ConsistentHashOptions {
  /**
   * The call's key: a function of the call (e.g. `(ctx, args) => args.userId`), or the
   * name of a metainfo value (transient or persistent). A call without a key goes to a
   * random point of the ring.
   */
  key: string | ((ctx: RpcContext, args: unknown) => string | undefined);
  /** Ring points per unit of weight (default 100, Kitex's). */
  virtualFactor?: number;
  /** For keyless calls; default `fastRandom`. */
  random?: RandomSource;
}

class ConsistentHashPicker<T extends Candidate> implements Picker<T> {
  private candidates: readonly T[] = [];
  private points = new Uint32Array(0);
  private owners = new Int32Array(0);
  /** Each instance's points, by `address|count`, kept while it stays. */
  private cache = new Map<string, Uint32Array>();

  constructor(
    private readonly keyOf: (ctx: RpcContext, args: unknown) => string | undefined,
    private readonly virtualFactor: number,
    private readonly random: RandomSource | undefined,
  ) {}

  update(candidates: readonly T[]): void {
    const cache = new Map<string, Uint32Array>();
    // Equal points (a few in a million) go to the owner whose address sorts first, so that
    // every client builds the same ring whatever the order of its candidates.
    const byAddress = candidates.map((_, i) => i).sort((a, b) => compare(candidates[a]!.instance.address, candidates[b]!.instance.address));
    const rank = new Int32Array(candidates.length);
    byAddress.forEach((owner, r) => (rank[owner] = r));
    let total = 0;
    const perInstance = candidates.map((c) => {
      const count = Math.max(1, Math.round(this.virtualFactor * c.instance.weight));
      const id = `${c.instance.address}|${count}`;
      let points = cache.get(id) ?? this.cache.get(id);
      if (points === undefined) {
        points = new Uint32Array(count);
        for (let v = 0; v < count; v++) points[v] = hashString(`${c.instance.address}#${v}`);
      }
      cache.set(id, points);
      total += count;
      return points;
    });
    // point × 2^21 + rank is exact in a double (53 bits) and sorts as (point, rank).
    const packed = new Float64Array(total);
    let k = 0;
    perInstance.forEach((points, owner) => {
      for (const p of points) packed[k++] = p * RANKS + rank[owner]!;
    });
    packed.sort();
    this.points = new Uint32Array(total);
    this.owners = new Int32Array(total);
    for (let i = 0; i < total; i++) {
      const v = packed[i]!;
      const r = v % RANKS;
      this.points[i] = (v - r) / RANKS;
      this.owners[i] = byAddress[r]!;
    }
    this.candidates = candidates;
    this.cache = cache;
  }

  pick(ctx: RpcContext, args: unknown): T | undefined {
    if (this.candidates.length === 0) return undefined;
    const key = this.keyOf(ctx, args);
    return this.candidates[this.owners[this.find(key === undefined ? ((this.random === undefined ? fastRandom() : this.random()) * 2 ** 32) >>> 0 : hashString(key))]!];
  }

  /** Index of the first point at or after `h`, wrapping to 0. */
  private find(h: number): number {
    const points = this.points;
    let lo = 0;
    let hi = points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === points.length ? 0 : lo;
  }
}

/** A key function reading metainfo value `name` (transient first, then persistent). */
function metainfoKey(name: string): (ctx: RpcContext) => string | undefined {
  return (ctx) => {
    const m = ctx.metainfo;
    if (!m.hasForward) return undefined; // reading an empty kind would make its map
    return m.transient.get(name) ?? m.persistent.get(name);
  };
}

/** Consistent hashing on a key taken from each call. */
export function consistentHash(options: ConsistentHashOptions): LoadBalancer {
  const keyOf = typeof options.key === "string" ? metainfoKey(options.key) : options.key;
  const virtualFactor = options.virtualFactor ?? 100;
  return { name: "consistent-hash", newPicker: <T extends Candidate>() => new ConsistentHashPicker<T>(keyOf, virtualFactor, options.random) };
}
