/** A fixed list of instances: a resolver that never changes. */
import { makeInstance, type Instance } from "./instance.js";
import type { Resolver } from "./resolver.js";

/** An instance of a static list: an address, or an address with weight and tags. */
export type StaticInstance = string | { address: string; weight?: number; tags?: Record<string, string> };

/** A resolver of a fixed list (`["10.0.0.1:8888", { address: "10.0.0.2:8888", weight: 20 }]`). */
export function staticResolver(list: readonly StaticInstance[]): Resolver {
  const instances: readonly Instance[] = Object.freeze(list.map((i) => typeof i === "string" ? makeInstance(i) : makeInstance(i.address, i.weight, i.tags)));
  const target = instances.map((i) => i.address).join(",");
  return {
    target,
    resolve: () => Promise.resolve(instances),
    watch: () => () => undefined,
    close: () => Promise.resolve(),
  };
}
