/** `kitewire gen`: files written, diagnostics with carets and exit codes, plugins. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";

const bin = new URL("../../bin/kitewire.mjs", import.meta.url).pathname;
let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kitewire-gen-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gen(args: string[]) {
  const result = spawnSync(process.execPath, [bin, "gen", ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

test("writes one module per IDL file, includes followed, and says what it wrote", () => {
  const out = join(dir, "out1");
  const { code, out: stdout } = gen(["-o", out, "tests/golden/thrift/example.thrift"]);
  expect(code).toBe(0);
  expect(readdirSync(out).sort()).toEqual(["base.ts", "example.ts"]);
  expect(stdout).toBe(`wrote ${out}/example.ts\nwrote ${out}/base.ts\n`);
  expect(readFileSync(join(out, "example.ts"), "utf8")).toBe(readFileSync("tests/golden/thrift/gen/example.ts", "utf8"));
});

test("reports every error with file:line:col, the line and a caret, and exits 1", () => {
  const file = join(dir, "bad.thrift");
  writeFileSync(file, "struct A {\n  1: Missing m,\n  1: i32 twice,\n}\nservice S extends Nope {}\n");
  const { code, err, out } = gen(["-o", join(dir, "out2"), file]);
  expect(code).toBe(1);
  expect(out).toBe("");
  expect(err).toContain(`${file}:2:6: error:`);
  expect(err).toContain("  1: Missing m,\n       ^~~~~~~");
  expect(err).toContain(`${file}:3:`);
  expect(err).toContain(`${file}:5:`);
  expect(err).toMatch(/kitewire gen: 3 errors\n$/);
});

test("-I finds includes outside the file's folder", () => {
  const file = join(dir, "uses-base.thrift");
  writeFileSync(file, 'include "base.thrift"\nstruct R { 1: base.Base b }\n');
  expect(gen(["-o", join(dir, "out3"), file]).code).toBe(1);
  const { code } = gen(["-I", "tests/golden/thrift", "-o", join(dir, "out3"), file]);
  expect(code).toBe(0);
  expect(readdirSync(join(dir, "out3")).sort()).toEqual(["base.ts", "uses-base.ts"]);
});

test("plugins receive the checked program as JSON and their files are written", () => {
  const out = join(dir, "out4");
  const plugin = `${process.execPath} tests/fixtures/plugin/list-structs.mjs:prefix=x`;
  const { code, err } = gen(["--no-ts", "-p", plugin, "-o", out, "tests/golden/thrift/example.thrift"]);
  expect(code).toBe(0);
  expect(err).toContain("warning: just a test");
  expect(readdirSync(out)).toEqual(["structs.txt"]);
  expect(readFileSync(join(out, "structs.txt"), "utf8")).toBe(
    "kitewire 0.1.0 thrift prefix=x\nexample.thrift: Address, User\nbase.thrift: TrafficEnv, Base, BaseResp\nBIG=9007199254740993\n",
  );
});

test("a failing plugin fails the run", () => {
  const { code, err } = gen(["--no-ts", "-p", "exit 3", "-o", join(dir, "out5"), "tests/golden/thrift/bench.thrift"]);
  expect(code).toBe(1);
  expect(err).toContain("exited with 3");
});

test("a FileDescriptorSet generates the same code as its .proto sources (less their comments)", () => {
  const fromSet = join(dir, "out6");
  const fromSource = join(dir, "out7");
  const roots = readdirSync("tests/idl/proto/valid", { recursive: true }).map(String).filter((f) => f.endsWith(".proto"))
    .map((f) => `tests/idl/proto/valid/${f}`);
  expect(gen(["-o", fromSet, "tests/idl/proto/valid/corpus.binpb"]).code).toBe(0);
  expect(gen(["-I", "tests/idl/proto/valid", "-o", fromSource, ...roots]).code).toBe(0);
  const list = (d: string) => readdirSync(d, { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).sort();
  expect(list(fromSet)).toEqual(list(fromSource));
  // Doc comments come from source files only; everything else must match.
  const strip = (s: string) => s.split("\n").filter((l) => !/^\s*(\/\*\*|\*)/.test(l)).join("\n");
  for (const f of list(fromSet)) {
    // The set carries protoc 3.21's descriptor.proto; kitewire's built-in one is newer (editions).
    if (f === "google/protobuf/descriptor.ts") continue;
    expect(strip(readFileSync(join(fromSet, f), "utf8")), f).toBe(strip(readFileSync(join(fromSource, f), "utf8")));
  }
});

test("--target takes ts or js; --no-ts without a plugin is an error, not an empty run", () => {
  const bad = gen(["--target", "py", "-o", join(dir, "x"), "tests/golden/thrift/bench.thrift"]);
  expect(bad.code).toBe(1);
  expect(bad.err).toContain('--target must be ts or js, not "py"');
  const empty = gen(["--no-ts", "-o", join(dir, "y"), "tests/golden/thrift/bench.thrift"]);
  expect(empty.code).toBe(1);
  expect(empty.err).toContain("--no-ts turns off the built-in output and no plugin (-p) is given");
  const both = gen(["--no-ts", "--target", "js", "-p", "true", "-o", join(dir, "z"), "tests/golden/thrift/bench.thrift"]);
  expect(both.code).toBe(1);
  expect(both.err).toContain("--target chooses the built-in output, which --no-ts turns off");
});

test("a file with thousands of errors: the first 100 are printed, then how many more, and the count of all", () => {
  const file = join(dir, "broken.thrift");
  writeFileSync(file, Array.from({ length: 1000 }, (_, i) => `struct S${i} { 1: Missing${i} a; 2: i32 }\n`).join(""));
  const { code, err } = gen(["-o", join(dir, "out-broken"), file]);
  expect(code).toBe(1);
  const heads = err.split("\n").filter((line) => line.startsWith(`${file}:`));
  expect(heads).toHaveLength(101);
  const more = /: error: (\d+) more errors in this file not shown \(the first 100 are\)$/.exec(heads[100]!);
  expect(more).not.toBeNull();
  expect(err).toMatch(new RegExp(`kitewire gen: ${100 + Number(more![1])} errors\\n$`));
  expect(100 + Number(more![1])).toBeGreaterThanOrEqual(1000);
});
