/**
 * Invalid IDL: every file in invalid/ holds deliberate errors, and its sibling .expected
 * file lists the exact diagnostics (`file:line:col: severity: message`, one a line).
 * Any change in a diagnostic fails the test. After a deliberate change of wording, run
 * with UPDATE_EXPECTED=1 to rewrite the .expected files, then review the diff.
 * (invalid/lib/ holds helper files the corpus imports; they are not cases themselves.)
 *
 * protoc 3.21 (Debian's) rejects every corpus file too; it was used as the oracle while
 * writing them. It reports fewer errors per run (it stops after parse errors, and runs
 * option checks only on files without other errors), and its positions differ in
 * places. Where kitewire deliberately differs:
 *
 * Stricter than protoc 3.21 (each matches newer protoc releases or is plainly a bug):
 * - `reserved 70 to 65;` (an empty range) is an error; 3.21 accepts it silently.
 * - `option map_entry = true;` written by hand is an error (protoc ≥ 22 rejects it too).
 * - A custom `json_name` equal to another field's JSON name is an error in every syntax
 *   (3.21 does not compare custom names at all).
 * - A string field's default that is not valid UTF-8 is an error (3.21 only logs one
 *   while serializing the descriptor).
 *
 * More lenient than protoc 3.21:
 * - proto3 JSON-name clashes compare the JSON names (as protoc ≥ 22 does): `foo` and
 *   `FOO`, or `a` and `_a`, differ in JSON and are accepted; 3.21 compared names with
 *   case and underscores dropped.
 * - `-inf` and `-nan` are accepted as option values, not only as defaults (newer protoc
 *   accepts them too).
 * - `stream` followed by `)` in a method is taken as a message named `stream`.
 * - Enum values may be named `option` or `reserved` (`option = 1;`).
 * - The text of aggregate option values `{ ... }` is kept but not checked against the
 *   message type.
 * - Unused-import warnings count a use through an `import public` re-export as a use
 *   of the re-exporting import.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { loadProto } from "../../../src/idl/proto/load.js";
import { formatDiagnostic } from "../../../src/idl/diagnostics.js";
import { heads, loadMemory } from "./helpers.js";

const dir = new URL("./invalid/", import.meta.url);
const corpus = readdirSync(dir).filter((f) => f.endsWith(".proto")).sort();

describe("invalid corpus", () => {
  test.each(corpus)("%s", (file) => {
    const program = loadProto([file], {
      readFile: (p) => (existsSync(new URL(p, dir)) ? readFileSync(new URL(p, dir), "utf8") : undefined),
    });
    const actual = heads(program.diagnostics);
    const expectedUrl = new URL(file.replace(/\.proto$/, ".expected"), dir);
    if (process.env.UPDATE_EXPECTED) writeFileSync(expectedUrl, actual.join("\n") + "\n");
    const expected = readFileSync(expectedUrl, "utf8").split("\n").filter((line) => line !== "");
    expect(actual).toEqual(expected);
    expect(actual.some((line) => line.includes(": error: "))).toBe(true);
  });
});

const P3 = 'syntax = "proto3";\n';

describe("imports", () => {
  test("a missing import is reported at the import statement; names through it are not reported again", () => {
    const program = loadMemory({
      "idl/main.proto": `${P3}import "gone.proto";\nimport "shared.proto";\nmessage S { Base b = 1; }`,
      "lib/shared.proto": `${P3}message Base {}`,
    }, ["idl/main.proto"], ["idl", "lib", "vendor"]);
    expect(heads(program.diagnostics)).toEqual([
      "idl/main.proto:2:1: error: cannot find import 'gone.proto' (looked in idl, lib, vendor)",
    ]);
    const main = program.files.get("idl/main.proto")!;
    expect(main.imports.map((i) => i.resolved)).toEqual([undefined, "lib/shared.proto"]);
    expect(main.importPath).toBe("main.proto");
    expect(program.files.get("lib/shared.proto")!.importPath).toBe("shared.proto");
  });

  test("imports are relative to the include folders, not to the importing file (with a hint)", () => {
    const program = loadMemory({
      "protos/api/main.proto": `${P3}import "types.proto";\nimport "api/types.proto";\nmessage M { T t = 1; }`,
      "protos/api/types.proto": `${P3}message T {}`,
    }, ["protos/api/main.proto"], ["protos"]);
    expect(heads(program.diagnostics)).toEqual([
      "protos/api/main.proto:2:1: error: cannot find import 'types.proto' (looked in protos); 'protos/api/types.proto' exists, but imports are relative to the include folders, not to the importing file (add 'protos/api' to them)",
    ]);
  });

  test("include folders are searched in order; without any, imports are relative to '.'", () => {
    const files = {
      "main.proto": `${P3}import "dep.proto";\nmessage M { D d = 1; }`,
      "first/dep.proto": `${P3}message D {}`,
      "second/dep.proto": `${P3}message Wrong {}`,
      "dep.proto": `${P3}message D {}`,
    };
    expect(loadMemory(files, ["main.proto"], ["second", "first"]).diagnostics.map((d) => d.message))
      .toEqual(["import 'dep.proto' is not used", "undefined type 'D'"]);
    const ordered = loadMemory(files, ["main.proto"], ["first", "second"]);
    expect(ordered.files.get("main.proto")!.imports[0]!.resolved).toBe("first/dep.proto");
    expect(loadMemory(files, ["main.proto"]).files.get("main.proto")!.imports[0]!.resolved).toBe("dep.proto");
  });

  test("the well-known types are built in; a copy in an include folder wins", () => {
    const text = `${P3}import "google/protobuf/timestamp.proto";\nmessage M { google.protobuf.Timestamp t = 1; }`;
    const builtin = loadMemory({ "m.proto": text }, ["m.proto"], ["inc"]);
    expect(heads(builtin.diagnostics)).toEqual([]);
    expect(builtin.files.get("m.proto")!.imports[0]!.resolved).toBe("google/protobuf/timestamp.proto");
    expect(builtin.sources.get("google/protobuf/timestamp.proto")!.text).toContain("message Timestamp");
    const vendored = loadMemory({
      "m.proto": text,
      "inc/google/protobuf/timestamp.proto": `${P3}package google.protobuf;\nmessage Timestamp { int64 seconds = 1; }`,
    }, ["m.proto"], ["inc"]);
    expect(heads(vendored.diagnostics)).toEqual([]);
    expect(vendored.files.get("m.proto")!.imports[0]!.resolved).toBe("inc/google/protobuf/timestamp.proto");
  });

  test("import cycles are reported at the import that closes them, self-imports too", () => {
    const program = loadMemory({
      "a.proto": `${P3}import "b.proto";\nmessage A { B b = 1; }`,
      "b.proto": `${P3}import "c.proto";\nmessage B { C c = 1; }`,
      "c.proto": `${P3}import "a.proto";\nmessage C { A a = 1; }`,
      "self.proto": `${P3}import "self.proto";\nmessage S {}`,
    }, ["a.proto", "self.proto"]);
    expect(heads(program.diagnostics)).toEqual([
      "c.proto:2:1: error: import cycle: a.proto -> b.proto -> c.proto -> a.proto",
      "self.proto:2:1: error: import cycle: self.proto -> self.proto",
    ]);
  });

  test("roots: unreadable ones are reported, repeated ones and shared imports load once", () => {
    let reads = 0;
    const files: Record<string, string> = {
      "a.proto": `${P3}import "c.proto";\nmessage A { C c = 1; }`,
      "b.proto": `${P3}import "c.proto";\nmessage B { C c = 1; }`,
      "c.proto": `${P3}message C {}`,
    };
    const program = loadProto(["a.proto", "./missing.proto", "b.proto", "./a.proto"], {
      readFile: (p) => {
        reads++;
        return files[p];
      },
    });
    expect(heads(program.diagnostics)).toEqual(["missing.proto:1:1: error: cannot read file './missing.proto'"]);
    expect(program.roots).toEqual(["a.proto", "b.proto"]);
    expect([...program.files.keys()].sort()).toEqual(["a.proto", "b.proto", "c.proto"]);
    expect(reads).toBe(4);
  });

  test("a root outside every include folder is accepted under the path given", () => {
    const program = loadMemory({ "elsewhere/x.proto": `${P3}import "y.proto";\nmessage X { Y y = 1; }`, "inc/y.proto": `${P3}message Y {}` },
      ["elsewhere/x.proto"], ["inc"]);
    expect(heads(program.diagnostics)).toEqual([]);
    expect(program.files.get("elsewhere/x.proto")!.importPath).toBe("elsewhere/x.proto");
  });

  test("imports listed twice; unused imports warned in root files only", () => {
    const program = loadMemory({
      "main.proto": `${P3}import "dep.proto";\nimport "dep.proto";\nimport "other.proto";\nmessage M { D d = 1; }`,
      "dep.proto": `${P3}import "other.proto";\nmessage D {}`,
      "other.proto": `${P3}message O {}`,
    }, ["main.proto"]);
    expect(heads(program.diagnostics)).toEqual([
      "main.proto:3:1: error: 'dep.proto' is already imported (line 2)",
      "main.proto:4:1: warning: import 'other.proto' is not used",
    ]);
  });
});

describe("definitions across files", () => {
  test("the same full name in two files is reported in the file that depends on the other", () => {
    const program = loadMemory({
      "a.proto": `${P3}package p;\nimport "b.proto";\nmessage Shared {}\nenum Kind { KIND_A = 0; }\nmessage Uses { B b = 1; }`,
      "b.proto": `${P3}package p;\nmessage Shared {}\nmessage B {}\nmessage KIND_A {}`,
    }, ["a.proto"]);
    expect(heads(program.diagnostics)).toEqual([
      "a.proto:4:9: error: 'Shared' is already defined in 'p' (message in 'b.proto')",
      "a.proto:5:13: error: 'KIND_A' is already defined in 'p' (message in 'b.proto'); enum values are siblings of their enum (C++ scoping), so 'KIND_A' must be unique in 'p', not just in 'Kind'",
    ]);
  });

  test("a message named like a package, and a package named like a message", () => {
    const program = loadMemory({
      "a.proto": `${P3}package x.y;\nimport "b.proto";\nmessage M {}`,
      "b.proto": `${P3}package x;\nmessage y {}`,
    }, ["a.proto"]);
    expect(heads(program.diagnostics)).toEqual([
      "a.proto:2:9: error: package 'x.y' conflicts with a message 'x.y' defined in 'b.proto'",
      "a.proto:3:1: warning: import 'b.proto' is not used",
    ]);
  });

  test("errors in several files are all reported, sorted by file, line and column", () => {
    const program = loadMemory({
      "z.proto": `${P3}import "a.proto";\nmessage Z { A a = 1; Nope n = 2; }`,
      "a.proto": `${P3}message A { Missing m = 1; }\nmessage A {}`,
    }, ["z.proto"]);
    expect(heads(program.diagnostics)).toEqual([
      "a.proto:2:13: error: undefined type 'Missing'",
      "a.proto:3:9: error: 'A' is already defined (message at line 2)",
      "z.proto:3:22: error: undefined type 'Nope'",
    ]);
  });
});

describe("formatDiagnostic", () => {
  test("renders the source line and a caret under the span", () => {
    const program = loadMemory({ "api.proto": `${P3}message User {\n\tStrng name = 1;\n}` }, ["api.proto"]);
    expect(program.diagnostics.map((d) => formatDiagnostic(d, program.sources))).toEqual([
      "api.proto:3:2: error: undefined type 'Strng'\n  \tStrng name = 1;\n  \t^~~~~",
    ]);
  });
});
