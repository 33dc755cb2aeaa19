// Generates the echo service's code at bench time, into a temp folder:
//  - kitewire: `node bin/kitewire.mjs gen` on echo.thrift, each .ts transpiled to .mjs with
//    its `kitewire` import pointed at the built bundle (as bench/generated.mjs does), so the
//    benchmark runs exactly what the generator emits;
//  - npm thrift: Apache Thrift 0.17's `thrift --gen js:node` on the same file, its
//    `require('thrift')` / `require('node-int64')` pointed at this repository's node_modules.
// The gRPC peer needs no generated code (@grpc/proto-loader reads echo.proto at run time).
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("../..", import.meta.url));
const here = fileURLToPath(new URL(".", import.meta.url));
export const ECHO_THRIFT = join(here, "echo.thrift");
export const ECHO_PROTO = join(here, "echo.proto");
/** The kitewire build under test: dist/ (or BENCH_RPC_BUNDLE, e.g. a patched copy for an A/B run, with the .wasm files beside it). */
export const BUNDLE = pathToFileURL(process.env.BENCH_RPC_BUNDLE ? resolve(process.env.BENCH_RPC_BUNDLE) : join(root, "dist/kitewire.node.mjs")).href;
const THRIFT_COMPILER = process.env.THRIFT ?? "/usr/bin/thrift";

/**
 * Generates into `dir`; returns `{ kitewire, thrift, proto, thriftVersion, notes }`: the URL
 * of the kitewire module, the path of npm thrift's `Echo.js` (null when the compiler is
 * missing), the .proto path.
 */
export function generate(dir) {
  const notes = [];
  // kitewire
  const kwDir = join(dir, "kitewire");
  const gen = spawnSync(process.execPath, [join(root, "bin/kitewire.mjs"), "gen", "-o", kwDir, ECHO_THRIFT], { encoding: "utf8" });
  if (gen.status !== 0) throw new Error(`kitewire gen failed (exit ${gen.status}):\n${gen.stdout}${gen.stderr}`);
  for (const f of readdirSync(kwDir).filter((n) => n.endsWith(".ts"))) {
    const { outputText } = ts.transpileModule(readFileSync(join(kwDir, f), "utf8"), {
      compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
    });
    const js = outputText
      .replaceAll('from "kitewire"', `from ${JSON.stringify(BUNDLE)}`)
      .replace(/from "(\.\/[^"]+)\.js"/g, 'from "$1.mjs"');
    writeFileSync(join(kwDir, f.replace(/\.ts$/, ".mjs")), js);
  }
  const kitewire = pathToFileURL(join(kwDir, "echo.mjs")).href;

  // npm thrift, from Apache Thrift's own generator
  let thrift = null;
  let thriftVersion = null;
  if (existsSync(THRIFT_COMPILER)) {
    const thriftDir = join(dir, "thrift");
    mkdirSync(thriftDir, { recursive: true });
    thriftVersion = spawnSync(THRIFT_COMPILER, ["--version"], { encoding: "utf8" }).stdout.trim();
    const t = spawnSync(THRIFT_COMPILER, ["--gen", "js:node", "-out", thriftDir, ECHO_THRIFT], { encoding: "utf8" });
    if (t.status !== 0) throw new Error(`thrift --gen js:node failed (exit ${t.status}):\n${t.stdout}${t.stderr}`);
    const req = createRequire(join(root, "package.json"));
    const paths = { thrift: req.resolve("thrift"), "node-int64": req.resolve("node-int64") };
    for (const f of readdirSync(thriftDir).filter((n) => n.endsWith(".js"))) {
      const file = join(thriftDir, f);
      const js = readFileSync(file, "utf8").replace(/require\('(thrift|node-int64)'\)/g, (_, name) => `require(${JSON.stringify(paths[name])})`);
      writeFileSync(file, js);
    }
    thrift = join(thriftDir, "Echo.js");
  } else {
    notes.push(`${THRIFT_COMPILER} not found (apt-get install -y thrift-compiler): the npm thrift case is skipped`);
  }
  return { kitewire, thrift, thriftVersion, proto: ECHO_PROTO, notes };
}
