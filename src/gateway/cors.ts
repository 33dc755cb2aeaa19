/**
 * CORS for browsers calling a gateway on another origin: preflights (OPTIONS with
 * Access-Control-Request-Method) answered 204 for allowed origins, and every reply to an
 * allowed origin marked so, exposing the headers Connect and gRPC-web clients read.
 */
import type { GatewayReply, GatewayRequest } from "./exchange.js";

export interface CorsOptions {
  /** Origins allowed (`https://app.example.com`), or "*" for any. */
  origins: readonly string[] | "*";
  /** Response headers scripts may read, besides the protocols' own. */
  exposeHeaders?: readonly string[];
  /** How long browsers may cache a preflight (default 7200 s). */
  maxAgeSeconds?: number;
}

const EXPOSED = ["grpc-status", "grpc-message", "grpc-status-details-bin", "content-encoding", "connect-content-encoding"];
const ALLOWED_HEADERS = "content-type, connect-protocol-version, connect-timeout-ms, grpc-timeout, x-grpc-web, x-user-agent, authorization";

/** The origin a request may be answered for, or undefined. */
function allowedOrigin(req: GatewayRequest, cors: CorsOptions): string | undefined {
  const origin = req.header("origin");
  if (origin === null) return undefined;
  return cors.origins === "*" || cors.origins.includes(origin) ? origin : undefined;
}

/** The reply to a preflight, or undefined when `req` is not one. */
export function preflight(req: GatewayRequest, cors: CorsOptions): GatewayReply | undefined {
  if (req.method !== "OPTIONS" || req.header("access-control-request-method") === null) return undefined;
  const origin = allowedOrigin(req, cors);
  if (origin === undefined) return { status: 403, headers: { "content-type": "text/plain" }, body: "origin not allowed" };
  const asked = req.header("access-control-request-headers");
  return {
    status: 204,
    headers: {
      "access-control-allow-origin": origin,
      "access-control-allow-methods": "GET, POST, PUT, PATCH, DELETE",
      "access-control-allow-headers": asked ?? ALLOWED_HEADERS,
      "access-control-max-age": String(cors.maxAgeSeconds ?? 7200),
      vary: "Origin",
    },
    body: "",
  };
}

/** Marks `reply` readable by the request's origin, when allowed. */
export function withCors(req: GatewayRequest, reply: GatewayReply, cors: CorsOptions): GatewayReply {
  const origin = allowedOrigin(req, cors);
  if (origin === undefined) return reply;
  reply.headers["access-control-allow-origin"] = origin;
  reply.headers["access-control-expose-headers"] = [...EXPOSED, ...(cors.exposeHeaders ?? [])].join(", ");
  reply.headers["vary"] = "Origin";
  return reply;
}
