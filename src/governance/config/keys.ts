/**
 * Config keys as kitex-contrib/config-etcd lays them out: `{prefix}/{client}/{server}/{category}`
 * for a client's settings towards one server, `{prefix}/{server}/{category}` for a server's.
 */

/** config-etcd's default prefix. */
export const DEFAULT_CONFIG_PREFIX = "/KitexConfig";

/** The categories kitewire reads (config-etcd's names). */
export const ConfigCategory = {
  RETRY: "retry",
  RPC_TIMEOUT: "rpc_timeout",
  CIRCUIT_BREAK: "circuit_break",
  LIMIT: "limit",
} as const;
export type ConfigCategory = (typeof ConfigCategory)[keyof typeof ConfigCategory];

/** The key of a client's settings for calls to `server` (`/KitexConfig/ClientName/ServerName/retry`). */
export function clientConfigKey(client: string, server: string, category: ConfigCategory, prefix = DEFAULT_CONFIG_PREFIX): string {
  return `${prefix}/${client}/${server}/${category}`;
}

/** The key of a server's own settings (`/KitexConfig/ServerName/limit`). */
export function serverConfigKey(server: string, category: ConfigCategory, prefix = DEFAULT_CONFIG_PREFIX): string {
  return `${prefix}/${server}/${category}`;
}
