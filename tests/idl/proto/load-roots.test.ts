/**
 * The import path of a root file, which names its output module: relative to the first
 * include folder holding it, else to the current folder when it lies under it; else an
 * error (as in protoc) when include folders are given, or, with none, its file name.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { heads, loadMemory } from "./helpers.js";

const P3 = 'syntax = "proto3";\n';

describe("root import paths", () => {
  test("a root inside an include folder is named relative to the first folder holding it", () => {
    const files = { "protos/api/x.proto": `${P3}package api;\nmessage X {}`, "/abs/inc/y.proto": `${P3}message Y {}` };
    const program = loadMemory(files, ["protos/api/x.proto", "/abs/inc/y.proto"], ["other", "protos", "protos/api", "/abs/inc"]);
    expect(heads(program.diagnostics)).toEqual([]);
    expect(program.files.get("protos/api/x.proto")!.importPath).toBe("api/x.proto");
    expect(program.files.get("/abs/inc/y.proto")!.importPath).toBe("y.proto");
    // `./` and `..` in either path are normalized before comparing.
    const dotted = loadMemory(files, ["./protos/x/../api/x.proto"], ["./protos/"]);
    expect(heads(dotted.diagnostics)).toEqual([]);
    expect(dotted.files.get("protos/api/x.proto")!.importPath).toBe("api/x.proto");
    // `-I ..` holds `../x.proto`, not `../../x.proto`.
    const up = loadMemory({ "../x.proto": `${P3}message X {}`, "../../y.proto": `${P3}message Y {}` }, ["../x.proto", "../../y.proto"], [".."]);
    expect(up.files.get("../x.proto")!.importPath).toBe("x.proto");
    expect(heads(up.diagnostics)).toEqual([
      "../../y.proto:1:1: error: file '../../y.proto' is not inside any include folder (searched ..); add a folder that contains it to the include folders (-I), or name it by a relative path under the current folder",
    ]);
  });

  test("with include folders, a relative root under none of them is named relative to the current folder", () => {
    const program = loadMemory({ "main.proto": `${P3}import "dep.proto";\nmessage M { D d = 1; }`, "inc/dep.proto": `${P3}message D {}` },
      ["./main.proto"], ["inc"]);
    expect(heads(program.diagnostics)).toEqual([]);
    expect(program.files.get("main.proto")!.importPath).toBe("main.proto");
  });

  test("a root outside every include folder and the current one is reported with the folders searched, and not loaded", () => {
    const files = { "/tmp/x/p/p2.proto": `${P3}message P {}`, "../up/q.proto": `${P3}message Q {}`, "inc/r.proto": `${P3}message R {}` };
    const program = loadMemory(files, ["/tmp/x/p/p2.proto", "inc/../../up/q.proto", "inc/r.proto"], ["inc", "/tmp/x/q"]);
    const hint = "add a folder that contains it to the include folders (-I), or name it by a relative path under the current folder";
    expect(heads(program.diagnostics)).toEqual([
      `../up/q.proto:1:1: error: file 'inc/../../up/q.proto' is not inside any include folder (searched inc, /tmp/x/q); ${hint}`,
      `/tmp/x/p/p2.proto:1:1: error: file '/tmp/x/p/p2.proto' is not inside any include folder (searched inc, /tmp/x/q); ${hint}`,
    ]);
    expect(program.roots).toEqual(["inc/r.proto"]);
    expect([...program.files.keys()]).toEqual(["inc/r.proto"]);
  });

  test("an explicit '.' include folder holds relative paths only, as in protoc", () => {
    const files = { "a/x.proto": `${P3}message X {}`, "/abs/y.proto": `${P3}message Y {}`, "../up/z.proto": `${P3}message Z {}` };
    const program = loadMemory(files, ["a/x.proto", "/abs/y.proto", "../up/z.proto"], ["."]);
    expect(program.files.get("a/x.proto")!.importPath).toBe("a/x.proto");
    expect(heads(program.diagnostics).map((h) => h.slice(0, h.indexOf(": error:")))).toEqual(["../up/z.proto:1:1", "/abs/y.proto:1:1"]);
  });

  test("without include folders: relative to '.', or to the file's folder when outside '.'", () => {
    const files = {
      "a/x.proto": `${P3}import "dep.proto";\nmessage X { D d = 1; }`,
      "dep.proto": `${P3}message D {}`,
      "/tmp/x/p/p2.proto": `${P3}message P {}`,
      "../up/z.proto": `${P3}message Z {}`,
    };
    const program = loadMemory(files, ["a/x.proto", "/tmp/x/p/p2.proto", "../up/z.proto"]);
    expect(heads(program.diagnostics)).toEqual([]);
    expect(program.files.get("a/x.proto")!.importPath).toBe("a/x.proto");
    expect(program.files.get("dep.proto")!.importPath).toBe("dep.proto");
    expect(program.files.get("/tmp/x/p/p2.proto")!.importPath).toBe("p2.proto");
    expect(program.files.get("../up/z.proto")!.importPath).toBe("z.proto");
  });

  test("two roots with one import path are reported (they would share an output file)", () => {
    const files = { "/a/x.proto": `${P3}message A {}`, "/b/x.proto": `${P3}message B {}` };
    const program = loadMemory(files, ["/a/x.proto", "/b/x.proto"]);
    expect(heads(program.diagnostics)).toEqual([
      "/b/x.proto:1:1: error: file '/b/x.proto' has the import path 'x.proto', as '/a/x.proto' does; only one of them can be compiled at a time",
    ]);
  });
});

describe("kitewire gen and roots outside the include folders", () => {
  const bin = new URL("../../../bin/kitewire.mjs", import.meta.url).pathname;
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "kitewire-roots-"));
    mkdirSync(join(dir, "inc"));
    mkdirSync(join(dir, "x/p"), { recursive: true });
    writeFileSync(join(dir, "x/p/p2.proto"), `${P3}package p2;\nmessage A { int32 a = 1; }\n`);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const gen = (args: string[]) => spawnSync(process.execPath, [bin, "gen", ...args], { encoding: "utf8", cwd: dir, timeout: 30_000 });
  const list = (d: string) => (existsSync(d) ? readdirSync(d, { recursive: true }).map(String).sort() : []);

  test("with -I folders that do not hold the file: exit 1, nothing written", () => {
    const file = join(dir, "x/p/p2.proto");
    const run = gen(["-I", "inc", "-o", "gx", file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(`${file}:1:1: error: file '${file}' is not inside any include folder (searched inc)`);
    expect(list(join(dir, "gx"))).toEqual([]);
  });

  test("with an -I folder holding it: named relative to that folder", () => {
    const run = gen(["-I", "inc", "-I", join(dir, "x"), "-o", "g1", join(dir, "x/p/p2.proto")]);
    expect(run.status).toBe(0);
    expect(list(join(dir, "g1"))).toEqual(["p", "p/p2.ts"]);
    expect(readFileSync(join(dir, "g1/p/p2.ts"), "utf8")).toContain("from p/p2.proto.");
  });

  test("without -I: a relative path keeps its folders, an absolute one outside '.' is named by its file name", () => {
    expect(gen(["-o", "g2", "x/p/p2.proto"]).status).toBe(0);
    expect(list(join(dir, "g2"))).toEqual(["x", "x/p", "x/p/p2.ts"]);
    expect(gen(["-o", "g3", "/" + join(dir, "x/p/p2.proto").replace(/^\//, "")]).status).toBe(0);
    // The temporary folder is the current one here, but the loader cannot know it: no node:path in core.
    expect(list(join(dir, "g3"))).toEqual(["p2.ts"]);
    expect(readFileSync(join(dir, "g3/p2.ts"), "utf8")).toContain("from p2.proto.");
  });
});
