/**
 * The gateway in Cloudflare workerd (`workerd serve`, dist/kitewire.workerd.mjs with the
 * engine as a compiled wasm module), calling the upstream Thrift server in another process
 * over TCP with cloudflare:sockets: the shared cases.
 */
import { afterAll, beforeAll } from "vitest";
import { gatewayCases } from "./cases.js";
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
