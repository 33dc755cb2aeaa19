/**
 * What every protocol does around the upstream call: the deadline (the gateway's own
 * bound, shortened by the one the HTTP client sent), cancellation when the HTTP client
 * goes away, and the request headers passed on as metainfo.
 */
import type { KitewireCallOptions } from "../client/client.js";
import type { GatewayRequest } from "./exchange.js";
import { GatewayFailure } from "./failure.js";
import type { GatewayOptions } from "./options.js";

/** The call options of one request; `clientTimeoutMs` is what the HTTP client asked for, if anything. */
export function callOptions(req: GatewayRequest, options: Readonly<GatewayOptions>, clientTimeoutMs: number | undefined): KitewireCallOptions {
  const timeoutMs = clientTimeoutMs === undefined ? options.timeoutMs : Math.min(clientTimeoutMs, options.timeoutMs);
  const out: KitewireCallOptions = { timeoutMs };
  if (req.signal !== undefined) out.signal = req.signal;
  if (options.forwardHeaders.length > 0) {
    const metadata: Record<string, string> = {};
    for (const name of options.forwardHeaders) {
      const v = req.header(name);
      if (v !== null) metadata[name] = v;
    }
    out.metadata = metadata;
  }
  return out;
}

/** Connect's `connect-timeout-ms`: at most 10 digits; anything else is invalid_argument. */
export function parseConnectTimeout(value: string | null): number | undefined {
  if (value === null) return undefined;
  if (!/^\d{1,10}$/.test(value)) throw new GatewayFailure("invalid_argument", `connect-timeout-ms must be 1 to 10 digits, got ${JSON.stringify(value)}`);
  return Number(value);
}

const GRPC_UNITS: Readonly<Record<string, number>> = { H: 3_600_000, M: 60_000, S: 1_000, m: 1, u: 0.001, n: 0.000001 };

/** gRPC's `grpc-timeout`: 1 to 8 digits and a unit (H, M, S, m, u, n). */
export function parseGrpcTimeout(value: string | null): number | undefined {
  if (value === null) return undefined;
  const m = /^(\d{1,8})([HMSmun])$/.exec(value);
  if (m === null) throw new GatewayFailure("invalid_argument", `grpc-timeout must be 1 to 8 digits and a unit (H M S m u n), got ${JSON.stringify(value)}`);
  return Math.ceil(Number(m[1]) * GRPC_UNITS[m[2]!]!);
}
