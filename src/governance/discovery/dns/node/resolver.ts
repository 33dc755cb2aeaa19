/**
 * A resolver of a DNS name: SRV records where the name has them (each target and port an
 * instance, the SRV weight its weight, only the lowest priority used, as RFC 2782 says),
 * else (or when the SRV query fails) its A and AAAA addresses (through the system
 * resolver, so /etc/hosts counts) at a given port. The name is looked up again every `refreshMs`; a failed lookup keeps the
 * last instances (logged once until a lookup succeeds again).
 */
import { lookup as systemLookup, resolveSrv } from "node:dns/promises";
import { ErrorCode, KitewireError } from "../../../../errors.js";
import { getLogger, type Logger } from "../../../../observability/log/logger.js";
import { joinAddress, makeInstance, sameInstance, type Instance } from "../../instance.js";
import { Listeners, type InstancesListener, type Resolver } from "../../resolver.js";

/** The lookups a DNS resolver makes (tests pass their own). */
export interface DnsLookups {
  /** SRV records of a name; rejects with code ENODATA or ENOTFOUND when it has none. */
  srv(name: string): Promise<{ name: string; port: number; priority: number; weight: number }[]>;
  /** A and AAAA addresses of a name. */
  addresses(name: string): Promise<string[]>;
}

export interface DnsResolverOptions {
  /** The name to look up. */
  host: string;
  /** The port of A/AAAA answers (needed unless the name has SRV records). */
  port?: number;
  /** Look up SRV records first (default true). */
  srv?: boolean;
  /** How often to look again, ms (default 30 000). */
  refreshMs?: number;
  logger?: Logger;
  lookups?: DnsLookups;
}

const systemLookups: DnsLookups = {
  srv: (name) => resolveSrv(name),
  addresses: async (name) => (await systemLookup(name, { all: true })).map((a) => a.address),
};

function noRecords(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return code === "ENODATA" || code === "ENOTFOUND";
}

class DnsResolver implements Resolver {
  readonly target: string;
  private readonly lookups: DnsLookups;
  private readonly refreshMs: number;
  private readonly listeners = new Listeners();
  private list: readonly Instance[] = [];
  private starting: Promise<readonly Instance[]> | undefined;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private failing = false;
  private closed = false;

  constructor(private readonly options: DnsResolverOptions) {
    this.lookups = options.lookups ?? systemLookups;
    this.refreshMs = options.refreshMs ?? 30_000;
    this.target = `dns://${options.port === undefined ? options.host : joinAddress(options.host, options.port)}`;
    if (!(this.refreshMs > 0)) throw new KitewireError(ErrorCode.INVALID_VALUE, `dns resolver: refreshMs must be positive, got ${this.refreshMs}`);
  }

  private get logger(): Logger {
    return this.options.logger ?? getLogger();
  }

  resolve(): Promise<readonly Instance[]> {
    if (this.closed) return Promise.reject(new KitewireError(ErrorCode.CONNECTION, `${this.target}: resolver closed`));
    return (this.starting ??= this.lookUp().then(
      (list) => {
        this.list = list;
        this.schedule();
        return list;
      },
      (error: unknown) => {
        this.starting = undefined;
        throw new KitewireError(ErrorCode.CONNECTION, `cannot resolve ${this.target}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
      }));
  }

  watch(listener: InstancesListener): () => void {
    return this.listeners.add(listener);
  }

  /** The instances the name has now, sorted by address (answers come in rotating order). */
  private async lookUp(): Promise<Instance[]> {
    return (await this.lookUpUnsorted()).sort((a, b) => (a.address < b.address ? -1 : a.address > b.address ? 1 : 0));
  }

  private async lookUpUnsorted(): Promise<Instance[]> {
    const { host, port } = this.options;
    if (this.options.srv !== false) {
      try {
        const records = await this.lookups.srv(host);
        if (records.length > 0) {
          const best = Math.min(...records.map((r) => r.priority));
          return records.filter((r) => r.priority === best).map((r) => makeInstance(joinAddress(r.name, r.port), Math.max(1, r.weight)));
        }
      } catch (error) {
        // No SRV records, or no DNS server to ask (a name in /etc/hosts still resolves below).
        if (!noRecords(error) && port === undefined) throw error;
      }
    }
    if (port === undefined) throw new KitewireError(ErrorCode.INVALID_VALUE, `${host} has no SRV records and the target gives no port`);
    const addresses = [...new Set(await this.lookups.addresses(host))];
    return addresses.map((a) => makeInstance(joinAddress(a, port)));
  }

  private schedule(): void {
    if (this.closed) return;
    this.timer = setTimeout(() => this.refresh(), this.refreshMs);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private refresh(): void {
    this.lookUp().then((list) => {
      if (this.closed) return;
      if (this.failing) {
        this.failing = false;
        this.logger.info("DNS lookups succeed again", { target: this.target });
      }
      const same = list.length === this.list.length && list.every((i, k) => sameInstance(i, this.list[k]!));
      this.list = list;
      if (!same) this.listeners.emit(list, (error) => this.logger.error("a discovery listener threw", { target: this.target, error }));
    }, (error: unknown) => {
      if (this.closed || this.failing) return;
      this.failing = true;
      this.logger.warn("DNS lookup failed: keeping the last instances", { target: this.target, instances: this.list.length, error });
    }).finally(() => this.schedule());
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
  }
}

/** A resolver of a DNS name (see the file comment). */
export function dnsResolver(options: DnsResolverOptions): Resolver {
  return new DnsResolver(options);
}

/** The `dns://` target: `dns://name[:port][?refresh=ms]`. */
export function dnsTarget(rest: string, target: string, logger: Logger): Resolver {
  const query = rest.indexOf("?");
  const authority = query < 0 ? rest : rest.slice(0, query);
  const params = new URLSearchParams(query < 0 ? "" : rest.slice(query + 1));
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9_.-]+)(?::(\d{1,5}))?$/.exec(authority);
  if (m === null) throw new KitewireError(ErrorCode.INVALID_VALUE, `dns target "${target}" is not dns://name[:port]`);
  const refresh = params.get("refresh");
  return dnsResolver({
    host: m[1]!.replace(/^\[|\]$/g, ""), logger,
    ...(m[2] !== undefined ? { port: Number(m[2]) } : {}),
    ...(refresh !== null ? { refreshMs: Number(refresh) } : {}),
  });
}
