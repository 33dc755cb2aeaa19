/**
 * A resolver of a service registered in etcd in kitex-contrib/registry-etcd's format.
 * Unlike registry-etcd (a read of the prefix, refreshed by Kitex every 5 s), it reads the
 * prefix once and then *watches* it from the revision after, so an instance added or
 * removed reaches the client's balancer as soon as etcd tells of it.
 *
 * When etcd cannot be reached at the first `resolve()`, it rejects with CONNECTION naming
 * the endpoints, or starts with `fallbackInstances` if given. When etcd goes away later,
 * the last instances stay in use (logged once); the prefix is read again, and watched
 * again, as soon as etcd answers, so what changed meanwhile is picked up (even when etcd
 * came back empty). A value that does not decode is skipped and logged once with its key.
 */
import type { Etcd3, IKeyValue, Watcher } from "etcd3";
import { ErrorCode, KitewireError } from "../../../../errors.js";
import { getLogger, type Logger } from "../../../../observability/log/logger.js";
import { sameInstance, type Instance } from "../../instance.js";
import { Listeners, type InstancesListener, type Resolver } from "../../resolver.js";
import { decodeEtcdValue, etcdServicePrefix } from "../format.js";
import { endpointList, openEtcd, prefixOf, reason, type EtcdOptions } from "./client.js";

export interface EtcdResolverOptions extends EtcdOptions {
  /** The service name (as registered: `kitex/registry-etcd/{service}/...`). */
  service: string;
  /** Instances to start with if etcd cannot be reached at start (e.g. saved from a previous run). */
  fallbackInstances?: readonly Instance[];
}

/** The longest wait between two attempts to reach etcd again. */
const MAX_RETRY_MS = 2_000;

class EtcdResolver implements Resolver {
  readonly target: string;
  private readonly prefix: string;
  private readonly endpoints: string;
  private readonly listeners = new Listeners();
  /** Instances by etcd key. */
  private readonly byKey = new Map<string, Instance>();
  /** Keys whose value was skipped, with that value (so each is logged once). */
  private readonly skipped = new Map<string, string>();
  private list: readonly Instance[] = [];
  private client: Etcd3 | undefined;
  private watcher: Watcher | undefined;
  private starting: Promise<readonly Instance[]> | undefined;
  private unreachable = false;
  private retryMs = 0;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private publishing = false;
  private closed = false;

  constructor(private readonly options: EtcdResolverOptions) {
    this.prefix = etcdServicePrefix(prefixOf(options), options.service);
    this.endpoints = endpointList(options).join(",");
    this.target = `etcd://${this.endpoints}/${options.service}`;
  }

  private get logger(): Logger {
    return this.options.logger ?? getLogger();
  }

  resolve(): Promise<readonly Instance[]> {
    if (this.closed) return Promise.reject(new KitewireError(ErrorCode.CONNECTION, `${this.target}: resolver closed`));
    return (this.starting ??= this.start());
  }

  watch(listener: InstancesListener): () => void {
    return this.listeners.add(listener);
  }

  private async start(): Promise<readonly Instance[]> {
    this.client ??= await openEtcd(this.options);
    try {
      await this.sync();
    } catch (error) {
      const fallback = this.options.fallbackInstances;
      if (fallback === undefined) {
        this.starting = undefined; // the next resolve() tries again
        clearTimeout(this.retryTimer);
        this.retryTimer = undefined;
        this.dropWatcher();
        this.unreachable = false;
        throw new KitewireError(ErrorCode.CONNECTION, `cannot reach etcd at ${this.endpoints} to resolve ${this.options.service}: ${reason(error)}`, { cause: error });
      }
      this.list = fallback;
      this.lost(error);
    }
    return this.list;
  }

  /** Reads the prefix, replaces the instances with what it holds, and watches from the revision after. */
  private async sync(): Promise<void> {
    const client = this.client!;
    const range = await client.getAll().prefix(this.prefix).exec();
    if (this.closed) return;
    this.byKey.clear();
    for (const kv of range.kvs) this.apply(kv);
    this.publish();
    this.dropWatcher();
    const watcher = client.watch().prefix(this.prefix).startRevision(String(BigInt(range.header.revision) + 1n)).watcher();
    this.watcher = watcher;
    watcher.on("put", (kv) => {
      this.apply(kv);
      this.schedulePublish();
    });
    watcher.on("delete", (kv) => {
      const key = kv.key.toString();
      this.skipped.delete(key);
      if (this.byKey.delete(key)) this.schedulePublish();
    });
    watcher.on("disconnected", (error) => this.lost(error));
    watcher.on("error", (error) => this.lost(error));
    // The watch is live once etcd confirms it; until then, events after `revision` are kept by etcd.
    await new Promise<void>((resolve, reject) => {
      watcher.once("connected", () => resolve());
      watcher.once("error", reject);
      watcher.once("disconnected", reject);
    });
  }

  private apply(kv: IKeyValue): void {
    const key = kv.key.toString();
    const value = kv.value.toString();
    const decoded = decodeEtcdValue(value);
    if ("instance" in decoded) {
      this.skipped.delete(key);
      this.byKey.set(key, decoded.instance);
      return;
    }
    this.byKey.delete(key);
    if (this.skipped.get(key) !== value) {
      if (this.skipped.size < 10_000) this.skipped.set(key, value);
      this.logger.warn("etcd registry value skipped", { key, reason: decoded.error, target: this.target });
    }
  }

  /** Publishes once after a batch of watch events. */
  private schedulePublish(): void {
    if (this.publishing) return;
    this.publishing = true;
    queueMicrotask(() => {
      this.publishing = false;
      this.publish();
    });
  }

  private publish(): void {
    if (this.closed) return;
    const byAddress = new Map<string, Instance>();
    for (const i of this.byKey.values()) byAddress.set(i.address, i);
    const next = [...byAddress.values()];
    const previous = new Map(this.list.map((i) => [i.address, i]));
    if (next.length === previous.size && next.every((i) => previous.has(i.address) && sameInstance(i, previous.get(i.address)!))) return;
    this.list = next;
    this.listeners.emit(next, (error) => this.logger.error("a discovery listener threw", { target: this.target, error }));
  }

  /** etcd went away (or refused the watch): keep the instances, try to read and watch again. */
  private lost(error: unknown): void {
    if (this.closed) return;
    this.dropWatcher();
    if (!this.unreachable) {
      this.unreachable = true;
      this.logger.warn("etcd unreachable: keeping the last instances until it answers", {
        target: this.target, instances: this.list.length, reason: reason(error),
      });
    }
    if (this.retryTimer !== undefined) return;
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs === 0 ? 200 : this.retryMs * 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.sync().then(() => {
        if (this.closed || !this.unreachable) return;
        this.unreachable = false;
        this.retryMs = 0;
        this.logger.info("etcd reachable again: instances read and watched again", { target: this.target, instances: this.list.length });
      }, (e: unknown) => this.lost(e));
    }, this.retryMs);
  }

  private dropWatcher(): void {
    const w = this.watcher;
    this.watcher = undefined;
    if (w === undefined) return;
    w.removeAllListeners();
    w.on("error", () => undefined);
    w.cancel().catch(() => undefined);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.dropWatcher();
    this.client?.close();
  }
}

/** A resolver of `options.service` in etcd (see the file comment). */
export function etcdResolver(options: EtcdResolverOptions): Resolver {
  if (options.service === "" || options.service.includes("/")) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `etcd: service name "${options.service}" must be non-empty, without "/"`);
  }
  return new EtcdResolver(options);
}

/**
 * The `etcd://` target: `etcd://host:port[,host:port...]/service[?prefix=...]`.
 */
export function etcdTarget(rest: string, target: string, logger: Logger): Resolver {
  const slash = rest.indexOf("/");
  const query = rest.indexOf("?");
  const path = query < 0 ? rest : rest.slice(0, query);
  const params = new URLSearchParams(query < 0 ? "" : rest.slice(query + 1));
  if (slash <= 0 || slash === path.length - 1) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `etcd target "${target}" is not etcd://host:port[,host:port...]/service`);
  }
  const prefix = params.get("prefix");
  return etcdResolver({
    endpoints: path.slice(0, slash), service: path.slice(slash + 1), logger,
    ...(prefix !== null ? { prefix } : {}),
  });
}
