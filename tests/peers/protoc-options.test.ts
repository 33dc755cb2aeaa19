/**
 * A descriptor set that Debian's protoc makes now (with source info) generates the same code
 * as the .proto source, custom options set field by field included: the live counterpart of
 * the checked-in set in tests/idl/proto/descriptor-options.test.ts.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { beforeAll, expect, test } from "vitest";
import { generate } from "../../src/codegen/generate.js";
import { init } from "../../src/runtime/node/index.js";

const dir = fileURLToPath(new URL("../idl/proto/descriptor", import.meta.url));
const PROTO = `${dir}/option-paths.proto`;

beforeAll(async () => {
  await init();
});

const readFile = (p: string): string | undefined => (existsSync(p) ? readFileSync(p, "utf8") : undefined);
const readBinary = (p: string): Uint8Array | undefined => (existsSync(p) ? readFileSync(p) : undefined);

/** Generated modules by path, less descriptor.proto's (a set carries protoc's own, older one). */
function generated(files: string[], includeDirs: string[] = []): Map<string, string> {
  const result = generate(files, { version: "test", includeDirs, readFile, readBinary });
  expect(result.messages).toEqual([]);
  return new Map(result.files.filter((f) => f.path !== "google/protobuf/descriptor.ts").map((f) => [f.path, f.content]));
}

test("a set protoc makes now generates the same code as the source", () => {
  const tmp = mkdtempSync(join(tmpdir(), "kitewire-option-paths-"));
  try {
    const out = join(tmp, "set.binpb");
    const run = spawnSync("protoc", ["--include_imports", "--include_source_info", `--descriptor_set_out=${out}`, "-I", dir, PROTO], { encoding: "utf8" });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe("");
    expect(run.status).toBe(0);
    const fromSet = generated([out]);
    expect([...fromSet.keys()]).toEqual(["option-paths.ts"]);
    expect(fromSet).toEqual(generated([PROTO], [dir]));
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
