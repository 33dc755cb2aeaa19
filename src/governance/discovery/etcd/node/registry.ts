/**
 * A registry in etcd, writing what kitex-contrib/registry-etcd writes (format.ts): each
 * registration is a key under a lease of its own (TTL 60 s by default, as there), kept
 * alive by the etcd3 client. When etcd loses the lease (it restarted without its data, or
 * was away past the TTL), the registration is written again under a new lease, retried
 * until etcd answers, so a server stays findable across etcd restarts.
 */
import type { Etcd3, Lease } from "etcd3";
import { ErrorCode, KitewireError } from "../../../../errors.js";
import { getLogger, type Logger } from "../../../../observability/log/logger.js";
import { DEFAULT_WEIGHT, makeInstance } from "../../instance.js";
import type { Registry, RegistryInfo } from "../../registry.js";
import { encodeEtcdValue, ETCD_DEFAULT_TTL_SECONDS, etcdInstanceKey } from "../format.js";
import { endpointList, openEtcd, prefixOf, reason, type EtcdOptions } from "./client.js";

export interface EtcdRegistryOptions extends EtcdOptions {
  /** Lease TTL in seconds (default 60, registry-etcd's). */
  ttlSeconds?: number;
}

/** The longest wait between two attempts to register again. */
const MAX_RETRY_MS = 5_000;

interface Registration {
  readonly key: string;
  readonly value: string;
  readonly what: string;
  lease: Lease | undefined;
  retryMs: number;
  retryTimer: ReturnType<typeof setTimeout> | undefined;
  stopped: boolean;
}

class EtcdRegistry implements Registry {
  private readonly registrations = new Map<string, Registration>();
  private readonly prefix: string;
  private readonly endpoints: string;
  private readonly ttl: number;
  private client: Promise<Etcd3> | undefined;

  constructor(private readonly options: EtcdRegistryOptions) {
    this.prefix = prefixOf(options);
    this.endpoints = endpointList(options).join(",");
    this.ttl = options.ttlSeconds ?? ETCD_DEFAULT_TTL_SECONDS;
    if (!Number.isInteger(this.ttl) || this.ttl < 1) throw new KitewireError(ErrorCode.INVALID_VALUE, `etcd registry: ttlSeconds must be a positive integer, got ${this.ttl}`);
  }

  private get logger(): Logger {
    return this.options.logger ?? getLogger();
  }

  async register(info: RegistryInfo): Promise<void> {
    const weight = info.weight ?? DEFAULT_WEIGHT;
    makeInstance(info.address, weight, info.tags); // checks address and weight
    if (info.service === "" || info.service.includes("/")) {
      throw new KitewireError(ErrorCode.INVALID_VALUE, `etcd registry: service name "${info.service}" must be non-empty, without "/"`);
    }
    const key = etcdInstanceKey(this.prefix, info.service, info.address);
    if (this.registrations.has(key)) throw new KitewireError(ErrorCode.INVALID_STATE, `${info.service} at ${info.address} is already registered`);
    const registration: Registration = {
      key, value: encodeEtcdValue({ address: info.address, weight, tags: info.tags }), what: `${info.service} at ${info.address}`,
      lease: undefined, retryMs: 0, retryTimer: undefined, stopped: false,
    };
    this.registrations.set(key, registration);
    try {
      await this.put(registration);
    } catch (error) {
      this.registrations.delete(key);
      throw new KitewireError(ErrorCode.CONNECTION, `cannot register ${registration.what} in etcd at ${this.endpoints}: ${reason(error)}`, { cause: error });
    }
  }

  /** Writes the registration under a new lease, kept alive until lost or revoked. */
  private async put(r: Registration): Promise<void> {
    const client = await (this.client ??= openEtcd(this.options));
    const lease = client.lease(this.ttl);
    lease.on("lost", (error) => this.lost(r, lease, error));
    try {
      await lease.grant();
      await lease.put(r.key).value(r.value).exec();
    } catch (error) {
      lease.revoke().catch(() => undefined);
      throw error;
    }
    if (r.stopped) {
      await lease.revoke().catch(() => undefined);
      return;
    }
    r.lease = lease;
  }

  private lost(r: Registration, lease: Lease, error: unknown): void {
    if (r.stopped || r.lease !== lease) return;
    r.lease = undefined;
    this.logger.warn("etcd lost a registration's lease: registering again", { registration: r.what, reason: reason(error) });
    this.retry(r);
  }

  private retry(r: Registration): void {
    r.retryTimer = setTimeout(() => {
      r.retryTimer = undefined;
      if (r.stopped) return;
      this.put(r).then(() => {
        r.retryMs = 0;
        if (!r.stopped) this.logger.info("registered in etcd again", { registration: r.what });
      }, () => {
        r.retryMs = Math.min(MAX_RETRY_MS, r.retryMs === 0 ? 200 : r.retryMs * 2);
        this.retry(r);
      });
    }, r.retryMs);
  }

  async deregister(info: RegistryInfo): Promise<void> {
    await this.stop(etcdInstanceKey(this.prefix, info.service, info.address));
  }

  private async stop(key: string): Promise<void> {
    const r = this.registrations.get(key);
    if (r === undefined) return;
    this.registrations.delete(key);
    r.stopped = true;
    clearTimeout(r.retryTimer);
    const lease = r.lease;
    r.lease = undefined;
    if (lease === undefined) return;
    try {
      // Revoking the lease deletes the key with it, in one request.
      await lease.revoke();
    } catch (error) {
      throw new KitewireError(ErrorCode.CONNECTION, `cannot deregister ${r.what} from etcd at ${this.endpoints}: ${reason(error)} (its lease expires within ${this.ttl} s)`, { cause: error });
    }
  }

  async close(): Promise<void> {
    await Promise.all([...this.registrations.keys()].map((key) => this.stop(key).catch(() => undefined)));
    const client = this.client;
    this.client = undefined;
    if (client !== undefined) (await client.catch(() => undefined))?.close();
  }
}

/** A registry writing registry-etcd's keys and values to etcd (see the file comment). */
export function etcdRegistry(options: EtcdRegistryOptions): Registry {
  return new EtcdRegistry(options);
}
