/**
 * `kitewire gen --target js`: JavaScript modules with declaration files. The JavaScript is
 * the TypeScript compiler's own output for every golden file, runs under plain Node against
 * the built package (resolved by name, as a project that depends on kitewire resolves it),
 * and the declarations type-check and keep the types.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, expect, test } from "vitest";
import { declarations } from "../../src/codegen/js/declarations.js";
import { stripTypes } from "../../src/codegen/js/strip.js";

const root = resolve(".");
const bin = join(root, "bin/kitewire.mjs");
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "kitewire-js-"));
  // A project that depends on kitewire: `import ... from "kitewire"` resolves to this package.
  mkdirSync(join(dir, "node_modules"));
  symlinkSync(root, join(dir, "node_modules/kitewire"), "dir");
  writeFileSync(join(dir, "package.json"), JSON.stringify({ type: "module" }));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function gen(args: string[]) {
  const result = spawnSync(process.execPath, [bin, "gen", ...args], { encoding: "utf8", timeout: 30_000 });
  return { code: result.status, out: result.stdout, err: result.stderr };
}

const goldenFiles = ["tests/golden/thrift/gen", "tests/golden/proto/gen", "tests/interop/proto/gen"].flatMap((d) =>
  readdirSync(d, { recursive: true }).map(String).filter((f) => f.endsWith(".ts")).map((f) => join(d, f)));

test("the JavaScript of every golden file is what the TypeScript compiler makes of it", () => {
  expect(goldenFiles.length).toBeGreaterThan(20);
  // Compared after the compiler's printer, which normalizes layout; comments are not compared.
  const options = {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext, removeComments: true, useDefineForClassFields: false },
  };
  for (const file of goldenFiles) {
    const source = readFileSync(file, "utf8");
    const js = stripTypes(source);
    expect(ts.transpileModule(js, options).outputText, file).toBe(ts.transpileModule(source, options).outputText);
    // Nothing of TypeScript is left: the JavaScript parses as JavaScript.
    const parsed = ts.createSourceFile("x.js", js, ts.ScriptTarget.ES2022, true, ts.ScriptKind.JS);
    const diagnostics = (parsed as unknown as { parseDiagnostics: ts.Diagnostic[] }).parseDiagnostics;
    expect(diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")), file).toEqual([]);
  }
});

test("code the converter does not know is an error, not wrong output", () => {
  expect(() => declarations("export const x = f();\n")).toThrow(/cannot declare generated code/);
  expect(() => declarations("export function f() {}\n")).toThrow(/cannot declare generated code/);
  expect(() => stripTypes("type X = ;\n")).toThrow(/cannot convert generated code to JavaScript/);
});

test("gen --target js writes .js and .d.ts that run under plain Node and type-check", () => {
  const thrift = ["example", "typedefs", "names"].map((f) => `tests/golden/thrift/${f}.thrift`);
  expect(gen(["--target", "js", "-o", join(dir, "gen/thrift"), ...thrift]).code).toBe(0);
  expect(gen(["--target=js", "-I", "tests/golden/proto", "-o", join(dir, "gen/proto"), "tests/golden/proto/example.proto"]).code).toBe(0);
  const written = readdirSync(join(dir, "gen"), { recursive: true }).map(String).filter((f) => /\.\w+$/.test(f));
  expect(written.filter((f) => !f.endsWith(".js") && !f.endsWith(".d.ts"))).toEqual([]);
  expect(written).toContain("thrift/typedefs.js");
  expect(written).toContain("thrift/typedefs.d.ts");

  writeFileSync(join(dir, "main.js"), `
import { init, encodeThrift, decodeThrift, encodeProtobuf, decodeProtobuf } from "kitewire";
import * as ex from "./gen/thrift/example.js";
import * as td from "./gen/thrift/typedefs.js";
import * as pb from "./gen/proto/example.js";

await init();
const user = ex.User.create({ id: 7n, name: "Ada", tags: ["a"], friends: new Set([1n]) });
const back = decodeThrift(ex.User, encodeThrift(ex.User, user, "compact"), "compact");
const everything = td.Everything.create({ name: "n" });
const again = decodeThrift(td.Everything, encodeThrift(td.Everything, everything, "binary"), "binary");
const failure = decodeThrift(td.FailureAlias, encodeThrift(td.Failure, td.FAILURE, "binary"), "binary");
const request = decodeProtobuf(pb.GetUserRequest, encodeProtobuf(pb.GetUserRequest, pb.GetUserRequest.create({ id: 5n })));
console.log(JSON.stringify({
  user: [back.id, back.name, back.tags, [...back.friends], back.status],
  consts: [td.NAMES, td.POINTS, [...td.BY_ID.keys()], ex.MAX_PAGE, ex.COLORS],
  everything: [again.names, again.pt, again.shade, [...again.hues], again.id],
  failure: [failure instanceof td.Failure, failure instanceof Error, failure.message, failure.code],
  request: request.id,
  service: [Object.keys(ex.UserService.methods).length > 0, typeof td.Typedefs.methods.transform.args.write],
}, (_, v) => (typeof v === "bigint" ? v.toString() + "n" : v)));
`);
  // Plain Node: no loader, no compiler; "kitewire" is the package's built bundle.
  const run = spawnSync(process.execPath, ["main.js"], { cwd: dir, encoding: "utf8", timeout: 30_000 });
  expect(run.stderr).toBe("");
  expect(JSON.parse(run.stdout)).toEqual({
    user: ["7n", "Ada", ["a"], ["1n"], 1],
    consts: [["a", "b"], [{ x: 1, y: 2 }, { x: -3, y: 0 }], ["7n", "-1n"], 100, ["red", "green"]],
    everything: [["a", "b"], { x: 0, y: 0 }, 1, [2], "9007199254740993n"],
    failure: [true, true, "no", "3n"],
    request: "5n",
    service: [true, "function"],
  });

  // The declarations carry the types: correct use type-checks, wrong use does not.
  writeFileSync(join(dir, "use.ts"), `
import * as ex from "./gen/thrift/example.js";
import * as td from "./gen/thrift/typedefs.js";
import * as pb from "./gen/proto/example.js";
import type { Client } from "kitewire";

const user: ex.User = ex.User.create({ id: 1n, name: "x", status: ex.Status.SUSPENDED });
const names: readonly string[] = td.NAMES;
const pt: td.Pt2 = td.Pt.create({ x: 1 });
const shape: td.ShapeAlias = { case: "path", value: [pt] };
const error: Error = new td.FailureAlias({ message: "m", code: 1n });
const request: pb.GetUserRequest = pb.GetUserRequest.create({ id: 2n });
declare const client: Client<td.TypedefsClient>;
const points: Promise<td.Points> = client.transform([pt], pt, new Set([td.Color.RED]));
// @ts-expect-error id is a bigint
ex.User.create({ id: "1" });
// @ts-expect-error NAMES is read-only
td.NAMES.push("c");
// @ts-expect-error no such enum value
const status: ex.Status = 99;
export { user, names, shape, error, request, points, status };
`);
  writeFileSync(join(dir, "tsconfig.json"), JSON.stringify({
    compilerOptions: {
      target: "ES2022", module: "NodeNext", moduleResolution: "NodeNext", strict: true, noEmit: true,
      skipLibCheck: false, types: ["node"], typeRoots: [join(root, "node_modules/@types")],
    },
    include: ["use.ts", "gen/**/*.d.ts"],
  }));
  const tsc = join(root, "node_modules/typescript/bin/tsc");
  let output = "";
  try {
    execFileSync(process.execPath, [tsc, "-p", join(dir, "tsconfig.json")], { encoding: "utf8" });
  } catch (error) {
    output = (error as { stdout?: string }).stdout ?? String(error);
  }
  expect(output).toBe("");
});
