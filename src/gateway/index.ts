/**
 * The HTTP-to-RPC gateway (a fetch handler) and the browser client that calls through it.
 */
export { createGateway, type Gateway } from "./gateway.js";
export { makeGatewayOptions, GATEWAY_DEFAULTS, type GatewayOptions } from "./options.js";
export type { UpstreamOptions, GrpcUpstream } from "./methods.js";
export { fetchExchange, toResponse, type GatewayRequest, type GatewayReply } from "./exchange.js";
export { GatewayFailure, httpStatusOf, grpcStatusOf, type ConnectCode, type DeclaredException } from "./failure.js";
export type { CorsOptions } from "./cors.js";
export { createRpcClient, type RpcClient, type RpcClientOptions, type RpcCallOptions } from "./client/rpc-client.js";
