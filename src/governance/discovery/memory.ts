/**
 * A registry held in this process's memory, and resolvers that watch it: for tests, demos
 * and servers and clients that share a process. Changes reach watchers at once.
 */
import { makeInstance, type Instance } from "./instance.js";
import type { Registry, RegistryInfo } from "./registry.js";
import { Listeners, type Resolver } from "./resolver.js";
import { getLogger } from "../../observability/log/logger.js";

export class MemoryRegistry implements Registry {
  /** service → address → instance */
  private readonly services = new Map<string, Map<string, Instance>>();
  private readonly listeners = new Map<string, Listeners>();

  async register(info: RegistryInfo): Promise<void> {
    const instances = this.services.get(info.service) ?? new Map<string, Instance>();
    this.services.set(info.service, instances);
    instances.set(info.address, makeInstance(info.address, info.weight, info.tags));
    this.changed(info.service);
  }

  async deregister(info: RegistryInfo): Promise<void> {
    if (this.services.get(info.service)?.delete(info.address)) this.changed(info.service);
  }

  async close(): Promise<void> {
    const services = [...this.services.keys()];
    this.services.clear();
    for (const s of services) this.changed(s);
  }

  /** The instances of `service` now. */
  instances(service: string): readonly Instance[] {
    return [...(this.services.get(service)?.values() ?? [])];
  }

  /** A resolver of `service` in this registry. */
  resolver(service: string): Resolver {
    let listeners = this.listeners.get(service);
    if (listeners === undefined) this.listeners.set(service, (listeners = new Listeners()));
    const own = listeners;
    const stops: (() => void)[] = [];
    return {
      target: `memory:///${service}`,
      resolve: async () => this.instances(service),
      watch: (listener) => {
        const stop = own.add(listener);
        stops.push(stop);
        return stop;
      },
      close: async () => {
        for (const stop of stops.splice(0)) stop();
      },
    };
  }

  private changed(service: string): void {
    this.listeners.get(service)?.emit(this.instances(service), (error) => getLogger().error("a discovery listener threw", { service, error }));
  }
}
