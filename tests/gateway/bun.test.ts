/**
 * The gateway in Bun (Bun.serve, dist/kitewire.node.mjs), calling the upstream Thrift
 * server in another process over node:net: the shared cases, and cancellation when the
 * HTTP client goes away.
 */
import { afterAll, beforeAll } from "vitest";
import { cancellationCase, gatewayCases } from "./cases.js";
import { startBunGateway, type RuntimeGateway } from "./runtimes.js";
import { startUpstream, type Upstream } from "./support.js";

let upstream: Upstream;
let gateway: RuntimeGateway;

beforeAll(async () => {
  upstream = await startUpstream();
  gateway = await startBunGateway(upstream.port);
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

gatewayCases("bun", () => gateway.url);
cancellationCase("bun", () => gateway.url);
