/**
 * A descriptor set that Debian's protoc makes now (with source info) generates the same code
 * as the .proto source, custom options set field by field included: the live counterpart of
 * the checked-in set in tests/idl/proto/descriptor-options.test.ts.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, test } from "vitest";
import { init } from "../../src/runtime/node/index.js";
import { generatedModules } from "../idl/proto/helpers.js";

const dir = fileURLToPath(new URL("../idl/proto/descriptor", import.meta.url));
const PROTO = `${dir}/option-paths.proto`;

beforeAll(async () => {
  await init();
});

test("a set protoc makes now generates the same code as the source", () => {
  const tmp = mkdtempSync(join(tmpdir(), "kitewire-option-paths-"));
  try {
    const out = join(tmp, "set.binpb");
    const run = spawnSync("protoc", ["--include_imports", "--include_source_info", `--descriptor_set_out=${out}`, "-I", dir, PROTO], { encoding: "utf8" });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const fromSet = generatedModules([out]);
    expect([...fromSet.keys()]).toEqual(["option-paths.ts"]);
    expect(fromSet).toEqual(generatedModules([PROTO], [dir]));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
