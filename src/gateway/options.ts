/** Gateway options: the full set, the defaults, and the one place they are checked. */
import { ErrorCode, KitewireError } from "../errors.js";
import type { Idl } from "../generic/idl.js";
import type { Logger } from "../observability/log/logger.js";
import type { CorsOptions } from "./cors.js";
import type { UpstreamOptions } from "./methods.js";

export interface GatewayOptions {
  /** The IDL of the services served, loaded at run time (`loadIdl`). */
  idl: Idl;
  /**
   * Where each service's calls go, by service name (a Protobuf service's full name or its
   * name alone): a generic client's options (`transport` and a `connection` or `target`,
   * plus any other client option: retry, circuit breaker, middlewares ...).
   */
  upstreams: Readonly<Record<string, UpstreamOptions>>;
  /** Largest request body read, in bytes (default 4 MiB); larger ones get 413. */
  maxBodyBytes: number;
  /**
   * Deepest nesting of structs (Thrift) or messages (Protobuf) accepted in JSON requests,
   * the arguments struct counting as one (default 64). Deeper arrays are refused by type.
   */
  maxJsonDepth: number;
  /**
   * Longest an upstream call may take, in ms (default 30 000); a shorter deadline sent by
   * the HTTP client (`connect-timeout-ms`, `grpc-timeout`) wins. Sent upstream in TTHeader.
   */
  timeoutMs: number;
  /** Skip JSON keys and query parameters that name no field instead of failing (default false). */
  ignoreUnknownFields: boolean;
  /** Request headers (lower case) passed to the upstream as metainfo (default none). */
  forwardHeaders: readonly string[];
  /** Which protocols are served (default all three). */
  protocols: Readonly<{ http: boolean; connect: boolean; grpcWeb: boolean }>;
  /** Answer browsers on other origins (default: no CORS headers, same origin only). */
  cors?: CorsOptions;
  /** Where the gateway logs failures of its own (default the process logger). */
  logger?: Logger;
}

export const GATEWAY_DEFAULTS: Readonly<Omit<GatewayOptions, "idl" | "upstreams">> = Object.freeze({
  maxBodyBytes: 4 << 20,
  maxJsonDepth: 64,
  timeoutMs: 30_000,
  ignoreUnknownFields: false,
  forwardHeaders: [],
  protocols: Object.freeze({ http: true, connect: true, grpcWeb: true }),
});

/** Fills in defaults and rejects impossible settings. */
export function makeGatewayOptions(options: Partial<GatewayOptions> & Pick<GatewayOptions, "idl" | "upstreams">): Readonly<GatewayOptions> {
  const o = { ...GATEWAY_DEFAULTS, ...options };
  o.protocols = Object.freeze({ ...GATEWAY_DEFAULTS.protocols, ...options.protocols });
  o.forwardHeaders = Object.freeze(o.forwardHeaders.map((h) => h.toLowerCase()));
  if (!(Number.isInteger(o.maxBodyBytes) && o.maxBodyBytes > 0)) throw invalid(`maxBodyBytes must be a positive integer, got ${o.maxBodyBytes}`);
  if (!(Number.isInteger(o.maxJsonDepth) && o.maxJsonDepth > 0)) throw invalid(`maxJsonDepth must be a positive integer, got ${o.maxJsonDepth}`);
  if (!(o.timeoutMs > 0)) throw invalid(`timeoutMs must be positive, got ${o.timeoutMs}`);
  if (Object.keys(o.upstreams).length === 0) throw invalid("upstreams names no service");
  return Object.freeze(o);
}

function invalid(message: string): KitewireError {
  return new KitewireError(ErrorCode.INVALID_VALUE, `gateway: ${message}`);
}
