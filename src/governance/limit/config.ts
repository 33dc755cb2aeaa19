/**
 * The server `limit` document of kitex-contrib/config-* (Kitex's `limiter.LimiterConfig`):
 * `{connection_limit, qps_limit}`, server-wide; 0 or absent: no limit.
 */
import { integerAt, objectAt } from "../json.js";

export interface LimitDocument {
  /** Connections the server keeps open at most (0: its `maxConnections` option). */
  readonly connectionLimit: number;
  /** Calls per second the whole server admits (0: no rate limit). */
  readonly qpsLimit: number;
}

/** Reads a `limit` document (strict). */
export function parseLimitDocument(value: unknown): LimitDocument {
  const o = objectAt(value, "", ["connection_limit", "qps_limit"]);
  return Object.freeze({
    connectionLimit: integerAt(o, "connection_limit", "", 0, 0, 0x7fffffff),
    qpsLimit: integerAt(o, "qps_limit", "", 0, 0, 0x7fffffff),
  });
}
