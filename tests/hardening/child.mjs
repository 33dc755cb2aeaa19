// Shared by the hostile-client suite (tests/hardening/) and the soak benchmark
// (bench/soak.mjs): the Hostile (Thrift) and Mirror (Protobuf) services generated for a
// kitewire build, and server.mjs started in a child process whose RSS can be sampled.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("../..", import.meta.url));
const here = join(root, "tests/hardening");

/** The kitewire build under test: dist/, or HOSTILE_BUNDLE (e.g. main's build, to see a test fail there). */
export const BUNDLE = pathToFileURL(process.env.HOSTILE_BUNDLE ? resolve(process.env.HOSTILE_BUNDLE) : join(root, "dist/kitewire.node.mjs")).href;

/** Generates both services for BUNDLE into a temp folder; returns the URL of hostile.mjs (mirror.mjs is beside it). */
export function generateHostile() {
  const dir = mkdtempSync(join(tmpdir(), "kitewire-hostile-"));
  for (const args of [["-o", dir, join(here, "hostile.thrift")], ["-I", here, "-o", dir, join(here, "mirror.proto")]]) {
    const gen = spawnSync(process.execPath, [join(root, "bin/kitewire.mjs"), "gen", ...args], { encoding: "utf8" });
    if (gen.status !== 0) throw new Error(`kitewire gen failed: ${gen.stdout}${gen.stderr}`);
  }
  for (const f of readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
    const { outputText } = ts.transpileModule(readFileSync(join(dir, f), "utf8"), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
    });
    writeFileSync(join(dir, f.replace(/\.ts$/, ".mjs")), outputText.replaceAll('from "kitewire"', `from ${JSON.stringify(BUNDLE)}`)
      .replace(/from "(\.\/[^"]+)\.js"/g, 'from "$1.mjs"'));
  }
  return pathToFileURL(join(dir, "hostile.mjs")).href;
}

/** RSS of process `pid` in MiB (VmRSS of /proc/<pid>/status), 0 once it is gone. */
export function rssOf(pid) {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

/**
 * Starts server.mjs with `options` (ServerOptions) and waits for its port. Returns
 * { port, pid, log (stderr lines), rss() in MiB, stop() }.
 */
export async function startChild(gen, options, { statsMs = 0 } = {}) {
  const args = [join(here, "server.mjs"), JSON.stringify({ bundle: BUNDLE, gen, options, statsMs })];
  const child = spawn(process.execPath, args, { stdio: "pipe" });
  const log = [];
  let partial = "";
  child.stderr.setEncoding("utf8").on("data", (d) => {
    const lines = (partial + d).split("\n");
    partial = lines.pop();
    log.push(...lines);
  });
  const port = await new Promise((resolvePort, reject) => {
    let out = "";
    child.stdout.setEncoding("utf8").on("data", (d) => {
      out += d;
      const nl = out.indexOf("\n");
      if (nl >= 0) resolvePort(JSON.parse(out.slice(0, nl)).port);
    });
    child.once("exit", (code) => reject(new Error(`server exited (${code}): ${log.join("\n")}`)));
  });
  return {
    port,
    pid: child.pid,
    log,
    rss: () => rssOf(child.pid),
    stop: () => new Promise((done) => {
      if (child.exitCode !== null || child.signalCode !== null) return done();
      child.once("exit", () => done());
      child.kill("SIGKILL");
    }),
  };
}
