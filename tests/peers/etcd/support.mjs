// Shared by the etcd peer tests, the discovery benchmark and their server processes:
// a real etcd (Debian's /usr/bin/etcd) on free loopback ports with a temporary data dir,
// and the echo service's code generated from bench/rpc/echo.thrift for the built bundle.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("../../..", import.meta.url));
export const ETCD = process.env.ETCD ?? "/usr/bin/etcd";
/** The built bundle everything here runs (what `npm run test:peers` builds). */
export const BUNDLE = pathToFileURL(join(root, "dist/kitewire.node.mjs")).href;
export const ECHO_SERVER = join(root, "tests/peers/etcd/echo-server.mjs");

/** A free TCP port on 127.0.0.1 (asked of the OS, then released). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/**
 * Starts etcd on 127.0.0.1 (`clientPort` and `peerPort` free ones unless given) with data
 * in `dataDir` (a new temporary dir unless given); resolves once it serves requests.
 * Returns { endpoint, clientPort, peerPort, dataDir, stop(), kill() }.
 */
export async function startEtcd(options = {}) {
  const clientPort = options.clientPort ?? await freePort();
  const peerPort = options.peerPort ?? await freePort();
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "kitewire-etcd-"));
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const proc = spawn(ETCD, [
    "--name", "kw", "--data-dir", dataDir,
    "--listen-client-urls", client, "--advertise-client-urls", client,
    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer,
    "--initial-cluster", `kw=${peer}`, "--log-level", "error",
  ], { stdio: ["ignore", "ignore", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (d) => (stderr = (stderr + d).slice(-4000)));
  const exited = new Promise((resolve) => proc.once("exit", resolve));
  const deadline = Date.now() + 20_000;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`etcd exited (${proc.exitCode}): ${stderr}`);
    try {
      const res = await fetch(`${client}/health`);
      if (res.ok && (await res.json()).health === "true") break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      proc.kill("SIGKILL");
      throw new Error(`etcd did not become healthy within 20 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    endpoint: `127.0.0.1:${clientPort}`, clientPort, peerPort, dataDir,
    /** Stops etcd (SIGTERM, then SIGKILL after 5 s). */
    async stop() {
      if (proc.exitCode === null && proc.signalCode === null) {
        proc.kill("SIGTERM");
        const timer = setTimeout(() => proc.kill("SIGKILL"), 5_000);
        await exited;
        clearTimeout(timer);
      }
    },
    /** Stops etcd and removes its data. */
    async destroy() {
      await this.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Generates the echo service into a new temp dir; returns { dir, module } (module: URL of echo.mjs). */
export async function generateEcho() {
  const kw = await import(BUNDLE);
  const idl = join(root, "bench/rpc/echo.thrift");
  const { files, ok, messages } = kw.generate([idl], { version: "test", readFile: (p) => readFileSync(p, "utf8") });
  if (!ok) throw new Error(messages.join("\n"));
  const dir = mkdtempSync(join(tmpdir(), "kitewire-echo-"));
  mkdirSync(dir, { recursive: true });
  for (const f of files) {
    const js = ts.transpileModule(f.content, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } }).outputText
      .replaceAll('from "kitewire"', `from ${JSON.stringify(BUNDLE)}`)
      .replace(/from "(\.\/[^"]+)\.js"/g, 'from "$1.mjs"');
    writeFileSync(join(dir, f.path.replace(/\.ts$/, ".mjs")), js);
  }
  return { dir, module: pathToFileURL(join(dir, "echo.mjs")).href };
}
