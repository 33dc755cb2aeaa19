/**
 * The etcd connection shared by the resolver and the registry: the npm `etcd3` client,
 * loaded when first needed (so kitewire loads without it when etcd is not used).
 */
import type { Etcd3, IOptions } from "etcd3";
import { ErrorCode, KitewireError } from "../../../../errors.js";
import type { Logger } from "../../../../observability/log/logger.js";
import { ETCD_DEFAULT_PREFIX } from "../format.js";

/** Where etcd is, and how to reach it. */
export interface EtcdOptions {
  /** `host:port` of each member (`127.0.0.1:2379`), or one of them; `http://` may be omitted. */
  endpoints: string | readonly string[];
  /** Key prefix (default `kitex/registry-etcd`, registry-etcd's). */
  prefix?: string;
  /** How long the first connection may take, ms (default 3000). */
  dialTimeoutMs?: number;
  /** Where to log (default: the process logger). */
  logger?: Logger;
  /** More `etcd3` client options (credentials, auth, ...). */
  etcd?: Partial<IOptions>;
}

export function endpointList(options: EtcdOptions): string[] {
  const list = typeof options.endpoints === "string" ? options.endpoints.split(",") : [...options.endpoints];
  const hosts = list.map((e) => e.trim()).filter((e) => e !== "");
  if (hosts.length === 0) throw new KitewireError(ErrorCode.INVALID_VALUE, "etcd: no endpoints given");
  return hosts;
}

export function prefixOf(options: EtcdOptions): string {
  const prefix = (options.prefix ?? ETCD_DEFAULT_PREFIX).replace(/\/+$/, "");
  if (prefix === "") throw new KitewireError(ErrorCode.INVALID_VALUE, "etcd: empty key prefix");
  return prefix;
}

/** A new `etcd3` client for `options`. */
export async function openEtcd(options: EtcdOptions): Promise<Etcd3> {
  let etcd3: typeof import("etcd3");
  try {
    etcd3 = await import("etcd3");
  } catch (error) {
    throw new KitewireError(ErrorCode.NOT_INITIALIZED, "etcd discovery needs the npm package etcd3: npm install etcd3", { cause: error });
  }
  return new etcd3.Etcd3({
    hosts: endpointList(options).map((h) => (/^https?:\/\//.test(h) ? h : `http://${h}`)),
    dialTimeout: options.dialTimeoutMs ?? 3_000,
    // A member that comes back is reconnected to within seconds, not grpc's default minutes.
    grpcOptions: { "grpc.initial_reconnect_backoff_ms": 200, "grpc.max_reconnect_backoff_ms": 2_000 },
    ...options.etcd,
  });
}

/** The message of an etcd failure, for logs and errors. */
export function reason(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
