/**
 * The gateway in Deno (Deno.serve, dist/kitewire.web.mjs with the engine
 * fetched from a file: URL), calling the upstream Thrift server in another process
 * over TCP with Deno.connect: the shared cases.
 */
import { afterAll, beforeAll } from "vitest";
import { cancellationCase, gatewayCases } from "./cases.js";
import { startDenoGateway, type RuntimeGateway } from "./runtimes.js";
import { startUpstream, type Upstream } from "./support.js";

let upstream: Upstream;
let gateway: RuntimeGateway;

beforeAll(async () => {
  upstream = await startUpstream();
  gateway = await startDenoGateway(upstream.port);
});

afterAll(async () => {
  await gateway?.stop();
  await upstream?.stop();
});

gatewayCases("deno", () => gateway.url);
cancellationCase("deno", () => gateway.url);
