/**
 * The client side of discovery: a `Resolver` turns one target (a service in a registry, a
 * DNS name, a fixed list) into its instances and tells of changes. Implementations:
 * `staticResolver` (here, runtime-agnostic), `dnsResolver` (dns/node), `etcdResolver`
 * (etcd/node), and a `MemoryRegistry`'s resolvers (memory.ts).
 */
import type { Instance } from "./instance.js";

/** Receives the whole instance list after each change. */
export type InstancesListener = (instances: readonly Instance[]) => void;

export interface Resolver {
  /** The target, as logs and errors name it (e.g. `etcd://127.0.0.1:2379/echo`). */
  readonly target: string;
  /**
   * The current instances. The first call reads the source (and starts watching it, where
   * the source can be watched); it rejects with a `KitewireError` naming the source when
   * the source cannot be reached. Later calls return the latest known list.
   */
  resolve(): Promise<readonly Instance[]>;
  /**
   * Calls `listener` with the whole list each time it changes (never twice with the same
   * list), until the returned function is called. Changes are watched from the first
   * `resolve()` on.
   */
  watch(listener: InstancesListener): () => void;
  /** Stops watching and releases the resolver's connections. */
  close(): Promise<void>;
}

/** A list of listeners, called in turn; one that throws does not stop the others. */
export class Listeners {
  private readonly list = new Set<InstancesListener>();

  add(listener: InstancesListener): () => void {
    this.list.add(listener);
    return () => this.list.delete(listener);
  }

  emit(instances: readonly Instance[], onError: (error: unknown) => void): void {
    for (const l of this.list) {
      try {
        l(instances);
      } catch (error) {
        onError(error);
      }
    }
  }
}
