/**
 * The server side of discovery: a `Registry` makes a server findable (Kitex's
 * `registry.Registry`). `listen(server, { registry, registration })` registers once the
 * server listens and deregisters first thing in graceful shutdown. Implementations:
 * `etcdRegistry` (etcd/node), `MemoryRegistry` (memory.ts).
 */

/** What a server registers (Kitex's `registry.Info`). */
export interface RegistryInfo {
  /** The service name clients resolve (e.g. `echo`). */
  readonly service: string;
  /** `host:port` clients call: a real address, never `0.0.0.0`. */
  readonly address: string;
  /** Share of calls (default 10, Kitex's default weight). */
  readonly weight?: number;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface Registry {
  /**
   * Registers `info` and keeps it registered (a lease kept alive, re-registered after the
   * registry loses it) until `deregister`. Rejects when the registry cannot be reached.
   */
  register(info: RegistryInfo): Promise<void>;
  /** Removes the registration of `info.service` at `info.address`. */
  deregister(info: RegistryInfo): Promise<void>;
  /** Deregisters what is still registered and releases the registry's connections. */
  close(): Promise<void>;
}
