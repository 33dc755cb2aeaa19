/**
 * The cross-runtime codec round trip in Deno (the npm `deno` package's binary), through
 * dist/kitewire.web.mjs: init() fetches the engine from a file: URL beside the bundle.
 *
 * Deno runs with read access to the repository only, no network, no config discovery, and
 * its cache (DENO_DIR) in a temporary directory removed afterwards.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describeProcess, distFile, parseMarkedJson, repoPath, ROOT, runProcess } from "./support.js";

const DENO = repoPath("node_modules/.bin/deno");
const SCRIPT = repoPath("tests/runtimes/deno-main.mjs");

let tmp: string;
beforeAll(async () => {
  tmp = await mkdtemp(join(tmpdir(), "kitewire-deno-"));
});
afterAll(async () => {
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

test("codec round trip in Deno through dist/kitewire.web.mjs", async () => {
  distFile("kitewire.web.mjs");
  distFile("kitewire.simd.wasm");
  const p = await runProcess(DENO, [
    "run", "--no-config", "--no-lock", "--no-remote", "--no-npm", "--no-prompt",
    `--allow-read=${ROOT}`, SCRIPT,
  ], {
    cwd: tmp,
    env: { ...process.env, DENO_DIR: join(tmp, "deno-dir"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
    timeoutMs: 60_000,
  });
  const result = parseMarkedJson(p.stdout, "kitewire-roundtrip ");
  expect(result, describeProcess("deno", p)).toBeDefined();
  expect(result!.failures).toEqual([]);
  expect(p.code, describeProcess("deno", p)).toBe(0);
  expect(result!.ok).toBe(true);
  expect(result!.simd).toBe(true);
  expect(result!.checks).toBeGreaterThan(1000);
});
