/**
 * The cross-runtime codec round trip (tests/runtimes/shared/roundtrip.mjs) in Debian's
 * Chromium, driven by playwright-core, through dist/kitewire.web.mjs: init() fetches
 * kitewire.simd.wasm from beside the bundle over HTTP and compiles it streaming.
 *
 * A node:http server on 127.0.0.1 (ephemeral port) serves one page, dist/ under /dist/
 * and the shared round trip under /shared/. Chromium must be at /usr/bin/chromium
 * (`sudo apt-get install -y chromium`); without it this test fails, it is not skipped.
 */
import { afterAll, expect, test } from "vitest";
import { existsSync, statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { extname, join, normalize, sep } from "node:path";
import { chromium, type Browser } from "playwright-core";
import { distFile, repoPath, type RoundTripResult } from "../runtimes/support.js";

const CHROMIUM = "/usr/bin/chromium";
const ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
  "--disable-sync", "--no-first-run", "--disable-quic",
];

const ROOTS: Record<string, string> = {
  "/dist/": repoPath("dist/"),
  "/shared/": repoPath("tests/runtimes/shared/"),
};

const MIME: Record<string, string> = {
  ".mjs": "text/javascript; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".map": "application/json; charset=utf-8",
  ".html": "text/html; charset=utf-8",
};

const PAGE = `<!doctype html>
<html>
<head><meta charset="utf-8"><link rel="icon" href="data:,"><title>kitewire round trip</title></head>
<body>
<script type="module">
  import * as kitewire from "/dist/kitewire.web.mjs";
  import { run } from "/shared/roundtrip.mjs";
  run(kitewire).then(
    (result) => { window.kitewireResult = result; },
    (error) => { window.kitewireResult = { ok: false, simd: false, checks: 0, failures: ["run() threw: " + error] }; },
  );
</script>
</body>
</html>
`;

/** Requests the server answered: path, status and content type. */
const served: { path: string; status: number; type: string }[] = [];

function startServer(): Promise<Server> {
  const server = createServer(async (req, res) => {
    const path = new URL(req.url ?? "/", "http://127.0.0.1").pathname;
    const send = (status: number, type: string, body: string | Buffer) => {
      served.push({ path, status, type });
      res.writeHead(status, { "content-type": type, "cache-control": "no-store" });
      res.end(body);
    };
    if (req.method !== "GET") return send(405, "text/plain", "method not allowed");
    if (path === "/" || path === "/index.html") return send(200, MIME[".html"]!, PAGE);
    for (const [prefix, dir] of Object.entries(ROOTS)) {
      if (!path.startsWith(prefix)) continue;
      const file = normalize(join(dir, decodeURIComponent(path.slice(prefix.length))));
      const type = MIME[extname(file)];
      // Only known file types, only inside the root, only regular files.
      if (!file.startsWith(dir.endsWith(sep) ? dir : dir + sep) || type === undefined ||
          !existsSync(file) || !statSync(file).isFile()) break;
      return send(200, type, await readFile(file));
    }
    return send(404, "text/plain", "not found");
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve(server));
  });
}

/** Rejects after `ms` with `what` in the message. */
function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

let server: Server | undefined;
let browser: Browser | undefined;

afterAll(async () => {
  await within(15_000, "closing Chromium", browser?.close() ?? Promise.resolve()).catch(() => {
    // playwright kills the process on close; nothing else to do if it hangs
  });
  if (server) {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server!.close(() => resolve()));
  }
});

test("codec round trip in Chromium through dist/kitewire.web.mjs", async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`Chromium is not installed at ${CHROMIUM}: run \`sudo apt-get install -y chromium\` (see README)`);
  }
  distFile("kitewire.web.mjs");
  distFile("kitewire.simd.wasm");
  server = await startServer();
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, timeout: 30_000 });
  const page = await browser.newPage();
  const problems: string[] = [];
  page.on("pageerror", (error) => problems.push(`page error: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() === "error") problems.push(`console error: ${message.text()}`);
  });
  page.on("requestfailed", (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText}`));

  await page.goto(`${origin}/`, { timeout: 30_000 });
  try {
    await page.waitForFunction(() => "kitewireResult" in window, undefined, { timeout: 60_000 });
  } catch (error) {
    throw new Error(`the page never produced a result (${String(error)})\n${problems.join("\n")}\nserved: ${JSON.stringify(served)}`);
  }
  const result = await within(10_000, "reading the result",
    page.evaluate(() => (window as unknown as { kitewireResult: RoundTripResult }).kitewireResult));

  expect(result.failures, problems.join("\n")).toEqual([]);
  expect(result.ok).toBe(true);
  expect(result.simd).toBe(true);
  expect(result.checks).toBeGreaterThan(1000);
  expect(problems).toEqual([]);
  // init() fetched the SIMD build from beside the bundle, served as application/wasm (the
  // type compileStreaming requires).
  expect(served).toContainEqual({ path: "/dist/kitewire.simd.wasm", status: 200, type: "application/wasm" });
  expect(served.filter((s) => s.status !== 200)).toEqual([]);
});
