/**
 * A browser reading server streams through the gateway: Debian's Chromium loads a page
 * (dist/kitewire.web.mjs, the engine, echo.proto loaded at run time) that calls the
 * gateway (node:http, another origin, CORS) with createRpcClient's `stream`, over Connect
 * streaming and gRPC-web; the gateway's upstream is a kitewire gRPC server. The messages
 * are spaced 150 ms apart upstream and the page notes when each arrived, so the test sees
 * them arrive one by one (streamed, not buffered to the end); a stream the page stops
 * reading after its first message has its upstream call cancelled.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import {
  createGateway, createGrpcClient, init, listen, loadIdl, serveGateway, Server, type GatewayServer, type Listener, type ProtobufService,
} from "kitewire";
import { distFile } from "../runtimes/support.js";
import { ECHO_PROTO, echo } from "../grpc/support.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];

const PAGE = `<!doctype html>
<html>
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>kitewire streams through a gateway</title></head>
<body>
<p>Connect: <span id="connect">…</span></p>
<p>gRPC-web: <span id="grpc-web">…</span></p>
<script type="module">
  import * as kw from "/dist/kitewire.web.mjs";
  const gateway = new URLSearchParams(location.search).get("gateway");
  const show = (id, text) => { document.getElementById(id).textContent = text; };
  try {
    await kw.init();
    const text = await (await fetch("/echo.proto")).text();
    const idl = kw.loadIdl(["echo.proto"], { readFile: (p) => (p === "echo.proto" ? text : undefined) });
    const arrivals = {};
    for (const protocol of ["connect", "grpc-web"]) {
      const client = kw.createRpcClient({ baseUrl: gateway, idl, service: "kitewire.grpc.test.Echo", protocol });
      const got = [];
      const times = [];
      const started = performance.now();
      for await (const m of client.stream("ServerStream", { message: protocol, count: 4, sleepMs: 150 })) {
        got.push(m.message);
        times.push(Math.round(performance.now() - started));
      }
      show(protocol, got.join(", "));
      arrivals[protocol] = times;
      // Stop reading after the first message: the call is cancelled, upstream too.
      for await (const m of client.stream("ServerStream", { message: "leave", count: 50, sleepMs: 100 })) break;
    }
    window.done = { arrivals };
  } catch (e) {
    window.done = { error: String(e && e.stack || e) };
  }
</script>
</body>
</html>
`;

const upstreamSaw = { cancelled: 0 };
let listener: Listener;
let gateway: GatewayServer;
let server: HttpServer;
let browser: Browser | undefined;

beforeAll(async () => {
  await init();
  listener = await listen(new Server({}).register(echo.Echo, {
    unary: async (r) => echo.EchoResponse.create({ message: r.message }),
    async *serverStream(r) {
      let done = false;
      try {
        for (let i = 0; i < r.count; i++) {
          await new Promise((ok) => setTimeout(ok, r.sleepMs));
          yield echo.EchoResponse.create({ message: `${r.message} ${i}`, index: i });
        }
        done = true;
      } finally {
        if (!done) upstreamSaw.cancelled++;
      }
    },
    clientStream: async () => echo.EchoResponse.create({}),
    async *bidi() {},
  }), { host: "127.0.0.1", port: 0 });
  const idl = loadIdl([ECHO_PROTO], { readFile: (p) => readFileSync(p, "utf8") });
  gateway = await serveGateway(createGateway({
    idl, cors: { origins: "*" },
    upstreams: { Echo: { grpc: createGrpcClient(idl.services.get("kitewire.grpc.test.Echo") as ProtobufService, { address: `127.0.0.1:${listener.port}` }) } },
  }));
  const files: Record<string, [string, string | Buffer]> = {
    "/": ["text/html; charset=utf-8", PAGE],
    "/echo.proto": ["text/plain; charset=utf-8", readFileSync(ECHO_PROTO, "utf8")],
    "/dist/kitewire.web.mjs": ["text/javascript; charset=utf-8", readFileSync(distFile("kitewire.web.mjs"))],
    "/dist/kitewire.simd.wasm": ["application/wasm", readFileSync(distFile("kitewire.simd.wasm"))],
    "/dist/kitewire.wasm": ["application/wasm", readFileSync(distFile("kitewire.wasm"))],
  };
  server = createServer((req, res) => {
    const file = files[new URL(req.url ?? "/", "http://x").pathname];
    if (file === undefined) res.writeHead(404).end();
    else res.writeHead(200, { "content-type": file[0], "cache-control": "no-store" }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await gateway?.close();
  await listener?.close({ timeoutMs: 1000 });
});

test("Chromium reads server streams through the gateway as they come (Connect, gRPC-web); leaving one cancels it upstream", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`sudo apt-get install -y chromium\``);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await page.goto(`${origin}/?gateway=${encodeURIComponent(gateway.url)}`, { timeout: 30_000 });
  await page.waitForFunction(() => "done" in window, undefined, { timeout: 60_000 });
  const done = await page.evaluate(() => (window as unknown as { done: { arrivals?: Record<string, number[]>; error?: string } }).done);
  expect(done.error, problems.join("\n")).toBeUndefined();
  expect(await page.textContent("#connect")).toBe("connect 0, connect 1, connect 2, connect 3");
  expect(await page.textContent("#grpc-web")).toBe("grpc-web 0, grpc-web 1, grpc-web 2, grpc-web 3");
  for (const times of Object.values(done.arrivals!)) {
    // Each message came on its own, ~150 ms after the one before (not all at the end).
    expect(times[3]! - times[0]!, JSON.stringify(times)).toBeGreaterThan(300);
  }
  const deadline = Date.now() + 3000;
  while (upstreamSaw.cancelled < 2 && Date.now() < deadline) await new Promise((ok) => setTimeout(ok, 50));
  expect(upstreamSaw.cancelled).toBe(2);
});
