/**
 * Consistent hashing: calls with the same key go to the same instance, and adding or
 * removing one of N instances moves about 1/N of the keys. Each instance owns
 * `virtualNodes × weight / 10` points on a 32-bit ring (100 at the default weight); a key
 * goes to the owner of the first point at or after its hash. A pick is one string hash and
 * a binary search (O(log n), nothing allocated). A change rebuilds the ring from the points
 * of each instance, which are kept while the instance stays.
 */
import type { RpcContext } from "../../rpc/context.js";
import { DEFAULT_WEIGHT } from "../discovery/instance.js";
import { fastRandom, type Candidate, type LoadBalancer, type Picker, type RandomSource } from "./balancer.js";

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
  /** Ring points of an instance of the default weight (10); default 100. */
  virtualNodes?: number;
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
    private readonly virtualNodes: number,
    private readonly random: RandomSource | undefined,
  ) {}

  update(candidates: readonly T[]): void {
    const cache = new Map<string, Uint32Array>();
    const perInstance: Uint32Array[] = [];
    let total = 0;
    for (const c of candidates) {
      const count = Math.max(1, Math.round((this.virtualNodes * c.instance.weight) / DEFAULT_WEIGHT));
      const id = `${c.instance.address}|${count}`;
      let points = cache.get(id) ?? this.cache.get(id);
      if (points === undefined) {
        points = new Uint32Array(count);
        for (let v = 0; v < count; v++) points[v] = hashString(`${c.instance.address}#${v}`);
      }
      cache.set(id, points);
      perInstance.push(points);
      total += count;
    }
    const order = new Int32Array(total);
    const pointOf = new Uint32Array(total);
    const ownerOf = new Int32Array(total);
    let k = 0;
    perInstance.forEach((points, owner) => {
      for (const p of points) {
        order[k] = k;
        pointOf[k] = p;
        ownerOf[k++] = owner;
      }
    });
    // Equal points (rare) are ordered by address, so that every client agrees.
    order.sort((a, b) => pointOf[a]! - pointOf[b]! ||
      (candidates[ownerOf[a]!]!.instance.address < candidates[ownerOf[b]!]!.instance.address ? -1 : 1));
    this.points = new Uint32Array(total);
    this.owners = new Int32Array(total);
    for (let i = 0; i < total; i++) {
      this.points[i] = pointOf[order[i]!]!;
      this.owners[i] = ownerOf[order[i]!]!;
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
  const virtualNodes = options.virtualNodes ?? 100;
  return { name: "consistent-hash", newPicker: <T extends Candidate>() => new ConsistentHashPicker<T>(keyOf, virtualNodes, options.random) };
}
