/**
 * A browser calling a Thrift service through the gateway running in workerd: Debian's
 * Chromium (playwright-core) loads a page from a static server on one origin; the page
 * imports dist/kitewire.web.mjs, which fetches the .wasm engine, loads search.thrift at
 * run time and calls SearchService with createRpcClient through the workerd gateway on
 * another origin (CORS), which calls the kitewire Thrift server (another process) over
 * TCP with cloudflare:sockets. Connect with Thrift Binary encoded and decoded on the engine
 * in the page, gRPC-web, and a declared exception. The page writes what it got into the
 * DOM, which the test reads.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { existsSync, readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { chromium, type Browser } from "playwright-core";
import { distFile } from "../runtimes/support.js";
import { startWorkerdGateway, type RuntimeGateway } from "../gateway/runtimes.js";
import { SEARCH_THRIFT_TEXT, startUpstream, type Upstream } from "../gateway/support.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic"];

const PAGE = `<!doctype html>
<html>
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>kitewire through a gateway</title></head>
<body>
<p>Search: <span id="search">…</span></p>
<p>gRPC-web: <span id="grpc-web">…</span></p>
<p>getUser(99): <span id="error">…</span></p>
<script type="module">
  import * as kw from "/dist/kitewire.web.mjs";
  const gateway = new URLSearchParams(location.search).get("gateway");
  const show = (id, text) => { document.getElementById(id).textContent = text; };
  try {
    const engine = await kw.init();
    const text = await (await fetch("/search.thrift")).text();
    const idl = kw.loadIdl(["search.thrift"], { readFile: (p) => (p === "search.thrift" ? text : undefined) });
    const client = kw.createRpcClient({ baseUrl: gateway, idl, service: "SearchService" });
    const reply = await client.call("search", { req: { q: "browser", limit: 2 } });
    show("search", reply.hits.map((h) => h.title + " (" + h.score + ")").join("; ") + " of " + reply.total);
    const web = kw.createRpcClient({ baseUrl: gateway, idl, service: "SearchService", protocol: "grpc-web" });
    show("grpc-web", await web.call("echo", { text: "from chromium", blob: new Uint8Array(4), big: 2n ** 62n }));
    try {
      await client.call("getUser", { req: { id: 99n } });
      show("error", "no error");
    } catch (e) {
      show("error", e.name + " " + e.typeName + ": " + e.message + " (id " + e.id + ")");
    }
    window.done = { simd: engine.simd };
  } catch (e) {
    window.done = { error: String(e && e.stack || e) };
  }
</script>
</body>
</html>
`;

let upstream: Upstream;
let gateway: RuntimeGateway;
let server: Server;
let browser: Browser | undefined;
const served: string[] = [];

beforeAll(async () => {
  upstream = await startUpstream();
  gateway = await startWorkerdGateway(upstream.port);
  const files: Record<string, [string, string | Buffer]> = {
    "/": ["text/html; charset=utf-8", PAGE],
    "/search.thrift": ["text/plain; charset=utf-8", SEARCH_THRIFT_TEXT],
    "/dist/kitewire.web.mjs": ["text/javascript; charset=utf-8", readFileSync(distFile("kitewire.web.mjs"))],
    "/dist/kitewire.simd.wasm": ["application/wasm", readFileSync(distFile("kitewire.simd.wasm"))],
    "/dist/kitewire.wasm": ["application/wasm", readFileSync(distFile("kitewire.wasm"))],
  };
  server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://x").pathname;
    served.push(path);
    const file = files[path];
    if (file === undefined) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { "content-type": file[0], "cache-control": "no-store" }).end(file[1]);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
});

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  await gateway?.stop();
  await upstream?.stop();
});

test("Chromium page calls a Thrift service through the gateway in workerd (Connect binary on the engine, gRPC-web, exception)", async () => {
  if (!existsSync(CHROMIUM)) throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`sudo apt-get install -y chromium\``);
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console error: ${m.text()}`);
  });
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  await page.goto(`${origin}/?gateway=${encodeURIComponent(gateway.url)}`, { timeout: 30_000 });
  try {
    await page.waitForFunction(() => "done" in window, undefined, { timeout: 60_000 });
  } catch (error) {
    throw new Error(`the page never finished (${String(error)})\n${problems.join("\n")}\nworkerd:\n${gateway.output()}`);
  }
  const done = await page.evaluate(() => (window as unknown as { done: { simd?: boolean; error?: string } }).done);
  expect(done.error, `${problems.join("\n")}\nworkerd:\n${gateway.output()}`).toBeUndefined();
  expect(done.simd).toBe(true);
  expect(await page.textContent("#search")).toBe("browser #0 (100); browser #1 (99) of 1002");
  expect(await page.textContent("#grpc-web")).toBe(`from chromium|4|${2n ** 62n}`);
  expect(await page.textContent("#error")).toBe("ThriftGenericException NotFound: no user 99 (id 99)");
  expect(problems.filter((p) => !p.includes("500"))).toEqual([]);
  expect(served).toContain("/dist/kitewire.simd.wasm");
});
