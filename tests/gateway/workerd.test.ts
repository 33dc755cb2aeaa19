/**
 * The gateway in Cloudflare workerd (`workerd serve`, dist/kitewire.workerd.mjs with the
 * engine as a compiled wasm module), calling the upstream Thrift server in another process
 * over TCP with cloudflare:sockets: the shared cases.
 */
import { afterAll, beforeAll } from "vitest";
import { cancellationCase, gatewayCases } from "./cases.js";
import { startWorkerdGateway, type RuntimeGateway } from "./runtimes.js";
import { startUpstream, type Upstream } from "./support.js";

let upstream: Upstream;
let gateway: RuntimeGateway;

beforeAll(async () => {
  upstream = await startUpstream();
  gateway = await startWorkerdGateway(upstream.port);
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

gatewayCases("workerd", () => gateway.url);
// workerd's local HTTP server does not notice a socket client leaving while a handler runs:
// the client that goes away is a service-binding call (see fixtures/workerd-gateway.mjs).
cancellationCase("workerd", () => gateway.url, true);
