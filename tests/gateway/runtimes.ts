/**
 * Gateways in other runtimes, as child processes serving HTTP on 127.0.0.1: workerd (the
 * npm `workerd` binary, `workerd serve` with a generated Cap'n Proto config), Deno (the
 * npm `deno` binary, Deno.serve) and Bun (the npm `bun` binary, Bun.serve). Each fixture
 * answers `GET /__outcomes` with the upstream calls that failed (`method:CODE`). Each is given the upstream's and the closed port's
 * addresses and stopped (SIGKILL after 2 s) by `stop()`.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { distFile, repoPath, ROOT } from "../runtimes/support.js";
import { closedPort, FIXTURES, SEARCH_THRIFT_TEXT, TEST_MAX_BODY } from "./support.js";

export interface RuntimeGateway {
  url: string;
  /** What the process printed, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

function track(child: ChildProcess): { output: () => string; stop: () => Promise<void> } {
  let out = "";
  child.stdout?.setEncoding("utf8").on("data", (s: string) => (out += s));
  child.stderr?.setEncoding("utf8").on("data", (s: string) => (out += s));
  return {
    output: () => out.slice(-6000),
    stop: () => new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 2_000).unref();
    }),
  };
}

/** Polls `url` until it answers (any status), up to `ms`. */
async function waitUp(url: string, ms: number, output: () => string): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      await fetch(url);
      return;
    } catch {
      if (Date.now() > end) throw new Error(`${url} did not come up within ${ms} ms:\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

/** Starts the gateway worker in workerd; `upstream` is the Thrift server's port. */
export async function startWorkerdGateway(upstream: number): Promise<RuntimeGateway> {
  const dir = await mkdtemp(join(tmpdir(), "kitewire-gw-workerd-"));
  const port = await closedPort();
  const down = await closedPort();
  const rel = (file: string) => JSON.stringify(relative(dir, file));
  const config = `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [
    (name = "gateway", worker = .gatewayWorker),
    (name = "internet", network = (allow = ["public", "private", "local"])),
  ],
  sockets = [ (name = "http", address = "127.0.0.1:${port}", http = (), service = "gateway") ],
);

const gatewayWorker :Workerd.Worker = (
  modules = [
    (name = "worker.mjs", esModule = embed ${rel(`${FIXTURES}workerd-gateway.mjs`)}),
    (name = "kitewire.workerd.mjs", esModule = embed ${rel(distFile("kitewire.workerd.mjs"))}),
    (name = "kitewire.simd.wasm", wasm = embed ${rel(distFile("kitewire.simd.wasm"))}),
  ],
  bindings = [
    (name = "IDL", text = ${JSON.stringify(SEARCH_THRIFT_TEXT)}),
    (name = "UPSTREAM", text = "127.0.0.1:${upstream}"),
    (name = "DOWN", text = "127.0.0.1:${down}"),
    (name = "MAX_BODY", text = "${TEST_MAX_BODY}"),
    (name = "SELF", service = "gateway"),
  ],
  globalOutbound = "internet",
  compatibilityDate = "2025-06-01",
  # request.signal aborts when the HTTP client goes away: the gateway cancels the upstream call.
  compatibilityFlags = ["enable_request_signal"],
);
`;
  await writeFile(join(dir, "config.capnp"), config);
  const child = spawn(repoPath("node_modules/.bin/workerd"), ["serve", "config.capnp", "--verbose"], { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
  const t = track(child);
  const url = `http://127.0.0.1:${port}`;
  await waitUp(url, 30_000, t.output);
  return { url, output: t.output, stop: async () => { await t.stop(); await rm(dir, { recursive: true, force: true }); } };
}

/** Starts the gateway in Deno; `upstream` is the Thrift server's port. */
export async function startDenoGateway(upstream: number): Promise<RuntimeGateway> {
  const dir = await mkdtemp(join(tmpdir(), "kitewire-gw-deno-"));
  const port = await closedPort();
  const down = await closedPort();
  const spec = { bundle: new URL(`file://${distFile("kitewire.web.mjs")}`).href, idl: `${FIXTURES}search.thrift`, port, upstream, down, maxBody: TEST_MAX_BODY };
  const child = spawn(repoPath("node_modules/.bin/deno"), [
    "run", "--no-config", "--no-lock", "--no-remote", "--no-npm", "--no-prompt",
    `--allow-read=${ROOT}`, "--allow-net=127.0.0.1", `${FIXTURES}deno-gateway.mjs`, JSON.stringify(spec),
  ], { cwd: dir, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, DENO_DIR: join(dir, "deno-dir"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" } });
  const t = track(child);
  const url = `http://127.0.0.1:${port}`;
  await waitUp(url, 30_000, t.output);
  return { url, output: t.output, stop: async () => { await t.stop(); await rm(dir, { recursive: true, force: true }); } };
}

/** Starts the gateway in Bun (Bun.serve); `upstream` is the Thrift server's port. */
export async function startBunGateway(upstream: number): Promise<RuntimeGateway> {
  const port = await closedPort();
  const down = await closedPort();
  const spec = { bundle: new URL(`file://${distFile("kitewire.node.mjs")}`).href, idl: `${FIXTURES}search.thrift`, port, upstream, down, maxBody: TEST_MAX_BODY };
  const child = spawn(repoPath("node_modules/.bin/bun"), [`${FIXTURES}bun-gateway.mjs`, JSON.stringify(spec)], {
    stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", BUN_RUNTIME_TRANSPILER_CACHE_PATH: "0" },
  });
  const t = track(child);
  const url = `http://127.0.0.1:${port}`;
  await waitUp(url, 30_000, t.output);
  return { url, output: t.output, stop: t.stop };
}
