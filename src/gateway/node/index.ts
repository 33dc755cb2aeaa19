/** The gateway's Node adapter. */
export { serveGateway, nodeHandler, type ServeGatewayOptions, type GatewayServer } from "./serve.js";
