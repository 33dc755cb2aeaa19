/**
 * A config source over etcd (the `etcd3` client), as kitex-contrib/config-etcd reads it: one
 * JSON document per key, read once and then watched from the next revision, so no change
 * between the read and the watch is missed.
 */
import type { Etcd3, Watcher } from "etcd3";
import { openEtcd, type EtcdOptions } from "../../discovery/etcd/node/client.js";
import { getLogger, type Logger } from "../../../observability/log/logger.js";
import type { ConfigListener, ConfigSource } from "../source.js";

/**
 * Where etcd is (as for etcd discovery: `{ endpoints: "127.0.0.1:2379" }`, the `etcd3`
 * package loaded when first needed), or a ready `etcd3` client (`{ client }`, which
 * `close()` leaves open).
 */
export type EtcdConfigSourceOptions = (Omit<EtcdOptions, "prefix"> | { client: Etcd3 }) & { logger?: Logger };

export class EtcdConfigSource implements ConfigSource {
  private readonly client: Promise<Etcd3>;
  private readonly ownsClient: boolean;
  private readonly stops = new Set<() => void>();
  private readonly logger: Logger;

  constructor(options: EtcdConfigSourceOptions) {
    this.ownsClient = !("client" in options);
    this.client = "client" in options ? Promise.resolve(options.client) : openEtcd(options);
    this.client.catch(() => undefined); // told to each watch's logger
    this.logger = options.logger ?? getLogger();
  }

  watch(key: string, listener: ConfigListener): () => void {
    let watcher: Watcher | undefined;
    let stopped = false;
    const start = async () => {
      const client = await this.client;
      const read = await client.get(key).exec();
      if (stopped) return;
      const kv = read.kvs[0];
      listener(kv === undefined ? undefined : kv.value.toString("utf8"));
      const w = await client.watch().key(key).startRevision(String(Number(read.header.revision) + 1)).create();
      if (stopped) return void w.cancel();
      watcher = w;
      w.on("put", (change) => listener(change.value.toString("utf8")));
      w.on("delete", () => listener(undefined));
      w.on("error", (error) => this.logger.warn("etcd config watch failed", { key, reason: String(error) }));
    };
    start().catch((error: unknown) => this.logger.warn("etcd config read failed", { key, reason: String(error) }));
    const stop = () => {
      stopped = true;
      this.stops.delete(stop);
      void watcher?.cancel();
    };
    this.stops.add(stop);
    return stop;
  }

  async close(): Promise<void> {
    for (const stop of [...this.stops]) stop();
    if (this.ownsClient) (await this.client.catch(() => undefined))?.close();
  }
}
