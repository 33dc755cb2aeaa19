/**
 * An HTTP-to-RPC gateway written as a fetch handler: `createGateway()` returns
 * `(request: Request) => Promise<Response>`, so the same gateway runs wherever fetch
 * handlers do (workerd's `fetch`, `Deno.serve`, `Bun.serve`) and in Node through
 * `serveGateway` (gateway/node). One handler serves, for every method of the upstream
 * services: HTTP-mapped routes from the IDL's annotations, the Connect protocol, and
 * gRPC-web. Requests are told apart by content type (`application/grpc-web*`: gRPC-web;
 * `application/connect+*`: Connect streaming; another `application/*` on a
 * `/Service/method` path, or a GET with `encoding=`: Connect unary), then by HTTP route.
 * Server-streaming methods (of a Protobuf service with a gRPC upstream) are served over
 * Connect streaming and gRPC-web; client and bidi streaming are not served.
 *
 * @example
 * const idl = loadIdl(["api.thrift"], { readFile });
 * const gateway = createGateway({ idl, upstreams: { SearchService: { transport, connection } } });
 * export default { fetch: gateway }; // workerd
 */
import { getLogger } from "../observability/log/logger.js";
import { RateLimitedLog } from "../observability/log/rate-limit.js";
import { callOptions } from "./call.js";
import { failureReply, isConnectRequest, serveConnect } from "./connect.js";
import { isConnectStreamRequest, serveConnectStream } from "./connect-stream.js";
import { preflight, withCors } from "./cors.js";
import { fetchExchange, toResponse, type GatewayReply, type GatewayRequest } from "./exchange.js";
import { callFailure, GatewayFailure, requestFailure } from "./failure.js";
import { isGrpcWebRequest, serveGrpcWeb } from "./grpc-web.js";
import { protoRoutes } from "./http/proto-routes.js";
import { Router, type HttpRoute } from "./http/router.js";
import { thriftRoutes } from "./http/thrift-routes.js";
import { gatewayMethods, type GatewayMethod } from "./methods.js";
import { makeGatewayOptions, type GatewayOptions } from "./options.js";

/** A gateway: a fetch handler, plus the same without fetch objects (for adapters) and `close()`. */
export interface Gateway {
  (request: Request): Promise<Response>;
  /** Serves one exchange (what runtime adapters call, without building fetch objects). */
  serve(req: GatewayRequest): Promise<GatewayReply>;
  /** The HTTP routes served, as `VERB /pattern -> Service/method` (for logs and tests). */
  readonly routes: readonly string[];
  /** Closes the upstream clients. */
  close(): Promise<void>;
}

/** Creates a gateway (see `GatewayOptions`). */
export function createGateway(options: Partial<GatewayOptions> & Pick<GatewayOptions, "idl" | "upstreams">): Gateway {
  const opts = makeGatewayOptions(options);
  const { methods, clients } = gatewayMethods(opts.idl, opts.upstreams, opts);
  const router = new Router();
  const routes: string[] = [];
  if (opts.protocols.http) {
    for (const method of methods.values()) {
      if (method.kind !== "unary") continue; // HTTP-mapped routes answer with one JSON body
      const list = method.thrift !== undefined ? thriftRoutes(method, opts)
        : protoRoutes(method, opts.idl.syntax === "proto" ? opts.idl.methodOptions.get(`${method.service}/${method.name}`) : undefined, opts);
      for (const r of list) {
        router.add(r);
        routes.push(`${r.verb} ${r.pattern.text} -> ${method.service}/${method.name}`);
      }
    }
  }
  const log = new RateLimitedLog(() => opts.logger ?? getLogger());

  const cors = opts.cors;
  const serve = cors === undefined ? route : async (req: GatewayRequest): Promise<GatewayReply> =>
    preflight(req, cors) ?? withCors(req, await route(req), cors);

  async function route(req: GatewayRequest): Promise<GatewayReply> {
    try {
      const rpc = rpcMethod(req, methods);
      if (rpc !== undefined) {
        if (opts.protocols.grpcWeb && isGrpcWebRequest(req)) return await serveGrpcWeb(req, rpc, opts);
        if (opts.protocols.connect && isConnectStreamRequest(req)) return await serveConnectStream(req, rpc, opts);
        if (opts.protocols.connect && isConnectRequest(req)) return await serveConnect(req, rpc, opts);
      }
      const found = router.find(req.method, req.path);
      if ("route" in found) return await serveRoute(found.route, found.vars, req);
      if (found.verbs.length > 0) {
        return failureReply(new GatewayFailure("unimplemented", `${req.method} ${req.path}: the route serves ${found.verbs.join(", ")}`, 405),
          { allow: found.verbs.join(", ") });
      }
      const rpcLike = isGrpcWebRequest(req) || isConnectRequest(req);
      const what = rpcLike ? `no method ${req.path.slice(1)}` : `no route ${req.method} ${req.path}`;
      if (rpcLike && isGrpcWebRequest(req)) return await serveGrpcWeb(req, undefined, opts, new GatewayFailure("unimplemented", what));
      return failureReply(new GatewayFailure(rpcLike ? "unimplemented" : "not_found", what, 404));
    } catch (error) {
      // Only a bug gets here: every protocol answers its own failures.
      log.log("error", "gateway-internal", "gateway failed to answer a request", { path: req.path, error: String(error) });
      return failureReply(new GatewayFailure("internal", "the gateway failed to answer"));
    }
  }

  const serveRoute = async (route: HttpRoute, vars: Map<string, string>, req: GatewayRequest): Promise<GatewayReply> => {
    let args: unknown;
    try {
      args = await route.bind(req, vars);
    } catch (error) {
      return routeFailure(requestFailure(error));
    }
    try {
      return route.reply(await route.method.call(args, callOptions(req, opts, undefined)));
    } catch (error) {
      return routeFailure(callFailure(error));
    }
  };

  const gateway = ((request: Request) => serve(fetchExchange(request)).then(toResponse)) as Gateway;
  Object.assign(gateway, {
    serve,
    routes: Object.freeze(routes),
    close: async () => {
      await Promise.all(clients.map((c) => c.close()));
    },
  });
  return gateway;
}

/** The method a `/Service/method` path names, if any. */
function rpcMethod(req: GatewayRequest, methods: ReadonlyMap<string, GatewayMethod>): GatewayMethod | undefined {
  const path = req.path;
  if (path.length < 4 || path.indexOf("/", 1) < 0) return undefined;
  return methods.get(path.slice(1));
}

/** An HTTP-mapped route's error: the failure's status and its JSON. */
function routeFailure(failure: GatewayFailure): GatewayReply {
  return { status: failure.httpStatus, headers: { "content-type": "application/json" }, body: JSON.stringify(failure.toJson()) };
}
