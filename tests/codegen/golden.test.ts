/**
 * Generated code: the checked-in output under tests/golden/thrift/gen must equal what the
 * generator makes now (`npm run golden` rewrites it), and must pass `tsc --strict`.
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { expect, test } from "vitest";
import { generate } from "../../src/codegen/generate.js";

const dir = "tests/golden/thrift";
const roots = ["example.thrift", "bench.thrift", "modern.thrift"].map((f) => `${dir}/${f}`);
const version = JSON.parse(readFileSync("package.json", "utf8")).version as string;

test("generated files equal the golden files", () => {
  const result = generate(roots, {
    version,
    readFile: (path) => (existsSync(path) ? readFileSync(path, "utf8") : undefined),
  });
  expect(result.ok, result.messages.join("\n")).toBe(true);
  const golden = readdirSync(`${dir}/gen`).sort();
  expect(result.files.map((f) => f.path).sort()).toEqual(golden);
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
