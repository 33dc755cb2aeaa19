/**
 * The cross-runtime codec round trip in Cloudflare workerd (the npm `workerd` package's
 * binary), through dist/kitewire.workerd.mjs, which imports kitewire.simd.wasm as a
 * module: workerd hands it over as a compiled WebAssembly.Module (it refuses to compile
 * wasm from bytes at run time).
 *
 * A temporary directory gets a Cap'n Proto config and a test worker; the config embeds the
 * real dist/ files and shared/roundtrip.mjs by relative path. `workerd test` runs the
 * worker's `test()` handler with no sockets at all, and exits non-zero if it throws.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describeProcess, distFile, parseMarkedJson, repoPath, runProcess } from "./support.js";

const WORKERD = repoPath("node_modules/.bin/workerd");
const SERVICE = "kitewire-roundtrip";

/** The test worker: runs the round trip, prints it, and throws unless it passed with SIMD. */
const WORKER = `import * as kitewire from "./kitewire.workerd.mjs";
import { run } from "./roundtrip.mjs";

export default {
  async test() {
    const result = await run(kitewire);
    console.log("kitewire-roundtrip " + JSON.stringify({ runtime: "workerd", ...result }));
    if (!result.ok) throw new Error("kitewire round trip failed:\\n" + result.failures.join("\\n"));
    if (!result.simd) throw new Error("kitewire loaded the plain engine, not the SIMD one");
  },
};
`;

/** A workerd config whose modules are embedded from `files` (module name -> absolute path). */
function config(dir: string, modules: [name: string, type: "esModule" | "wasm", file: string][]): string {
  const list = modules
    .map(([name, type, file]) => `    (name = ${JSON.stringify(name)}, ${type} = embed ${JSON.stringify(relative(dir, file))}),`)
    .join("\n");
  return `using Workerd = import "/workerd/workerd.capnp";

const config :Workerd.Config = (
  services = [ (name = ${JSON.stringify(SERVICE)}, worker = .roundTripWorker) ],
);

const roundTripWorker :Workerd.Worker = (
  modules = [
${list}
  ],
  compatibilityDate = "2025-06-01",
);
`;
}

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kitewire-workerd-"));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test("codec round trip in workerd through dist/kitewire.workerd.mjs", async () => {
  const worker = join(tmp, "test.mjs");
  await writeFile(worker, WORKER);
  const configFile = join(tmp, "config.capnp");
  await writeFile(configFile, config(tmp, [
    ["test.mjs", "esModule", worker], // the first module is the main one
    ["kitewire.workerd.mjs", "esModule", distFile("kitewire.workerd.mjs")],
    ["kitewire.simd.wasm", "wasm", distFile("kitewire.simd.wasm")],
    ["roundtrip.mjs", "esModule", repoPath("tests/runtimes/shared/roundtrip.mjs")],
  ]));

  const p = await runProcess(WORKERD, ["test", configFile], { cwd: tmp, timeoutMs: 60_000 });
  const what = describeProcess("workerd test", p);
  const result = parseMarkedJson(p.stdout, "kitewire-roundtrip ");
  expect(result, what).toBeDefined();
  expect(result!.failures).toEqual([]);
  expect(p.code, what).toBe(0);
  expect(p.stderr, what).toMatch(new RegExp(`\\[ PASS \\] ${SERVICE}\\b`));
  expect(p.stderr, what).not.toMatch(/\[ FAIL \]/);
  expect(result!.ok).toBe(true);
  expect(result!.simd).toBe(true);
  expect(result!.checks).toBeGreaterThan(1000);
});
