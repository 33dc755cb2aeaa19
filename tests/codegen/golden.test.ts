/**
 * Generated code: the checked-in output under tests/golden/{thrift,proto}/gen must equal
 * what the generator makes now (`npm run golden` rewrites it), and must pass `tsc --strict`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { relative, join } from "node:path";
import { expect, test } from "vitest";
import { generate } from "../../src/codegen/generate.js";

const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;
const readFile = (path: string) => (existsSync(path) ? readFileSync(path, "utf8") : undefined);

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

test.each([
  ["thrift", ["example.thrift", "bench.thrift", "modern.thrift", "names.thrift", "typedefs.thrift"], []],
  ["proto", ["example.proto", "bench.proto", "extensions.proto"], ["tests/golden/proto"]],
])("generated %s files equal the golden files", (lang, roots, includeDirs) => {
  const dir = `tests/golden/${lang}`;
  const result = generate(roots.map((f) => `${dir}/${f}`), { version, includeDirs, readFile });
  expect(result.ok, result.messages.join("\n")).toBe(true);
  expect(result.files.map((f) => f.path).sort()).toEqual(filesUnder(`${dir}/gen`));
  for (const file of result.files) {
    expect(file.content, `${file.path} differs: run npm run golden and review the diff`).toBe(
      readFileSync(`${dir}/gen/${file.path}`, "utf8"),
    );
  }
});

test("golden files pass tsc --strict", () => {
  const tsc = new URL("../../node_modules/typescript/bin/tsc", import.meta.url).pathname;
  let output = "";
  try {
    execFileSync(process.execPath, [tsc, "-p", "tests/golden/tsconfig.json"], { encoding: "utf8" });
  } catch (error) {
    output = (error as { stdout?: string }).stdout ?? String(error);
  }
  expect(output).toBe("");
});
