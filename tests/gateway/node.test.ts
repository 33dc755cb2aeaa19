/**
 * The gateway in Node (node:http adapter) against the upstream Thrift server in another
 * process: the shared cases, plus cancellation when the HTTP client goes away.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import {
  createGateway, ErrorCode, init, KitewireError, loadIdl, nodeTransport, serveGateway, type GatewayServer, type Middleware,
} from "kitewire";
import { gatewayCases } from "./cases.js";
import { closedPort, SEARCH_THRIFT, startUpstream, TEST_MAX_BODY, type Upstream } from "./support.js";

const transport = { framing: "ttheader", protocol: "binary" } as const;
let upstream: Upstream;
let server: GatewayServer;
const outcomes: string[] = [];

beforeAll(async () => {
  await init();
  upstream = await startUpstream();
  const idl = loadIdl([SEARCH_THRIFT], { readFile: (p) => readFileSync(p, "utf8") });
  const record: Middleware = (next) => async (ctx, args) => {
    try {
      return await next(ctx, args);
    } catch (error) {
      outcomes.push(`${ctx.method}:${error instanceof KitewireError ? error.code : "?"}`);
      throw error;
    }
  };
  const down = await closedPort();
  const gateway = createGateway({
    idl, maxBodyBytes: TEST_MAX_BODY,
    upstreams: {
      SearchService: { transport, connection: nodeTransport({ address: `127.0.0.1:${upstream.port}`, transport, mode: "mux" }), middlewares: [record] },
      DownService: { transport, connection: nodeTransport({ address: `127.0.0.1:${down}`, transport }) },
    },
  });
  server = await serveGateway(gateway);
});

afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

gatewayCases("node", () => server.url);

test("node: an HTTP client going away cancels the upstream call", async () => {
  const controller = new AbortController();
  const call = fetch(`${server.url}/SearchService/slow`, {
    method: "POST", headers: { "content-type": "application/json" }, body: '{"ms":3000}', signal: controller.signal,
  });
  setTimeout(() => controller.abort(), 200);
  await expect(call).rejects.toThrow();
  const started = Date.now();
  while (!outcomes.includes(`slow:${ErrorCode.CANCELLED}`) && Date.now() - started < 2_000) await new Promise((r) => setTimeout(r, 20));
  expect(outcomes).toContain(`slow:${ErrorCode.CANCELLED}`);
});
