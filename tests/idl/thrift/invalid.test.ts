/**
 * Invalid IDL: every file in invalid/ holds deliberate errors, and its sibling .expected
 * file lists the exact diagnostics (`file:line:col: severity: message`, one a line).
 * Any change in a diagnostic fails the test. After a deliberate change of wording, run
 * with UPDATE_EXPECTED=1 to rewrite the .expected files, then review the diff.
 *
 * Multi-file cases (missing includes, cycles, names from includes) use an in-memory
 * ReadFile; the last test renders a diagnostic with its source line and caret.
 */
import { existsSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { formatDiagnostic } from "../../../src/idl/diagnostics.js";
import { loadThrift } from "../../../src/idl/thrift/load.js";
import { heads, loadMemory } from "./helpers.js";

const dir = new URL("./invalid/", import.meta.url);
const corpus = readdirSync(dir).filter((f) => f.endsWith(".thrift")).sort();

describe("invalid corpus", () => {
  test("the corpus is there", () => {
    expect(corpus.length).toBeGreaterThanOrEqual(8);
  });

  test.each(corpus)("%s", (file) => {
    const program = loadThrift([file], {
      readFile: (p) => (existsSync(new URL(p, dir)) ? readFileSync(new URL(p, dir), "utf8") : undefined),
    });
    const actual = heads(program.diagnostics);
    const expectedUrl = new URL(file.replace(/\.thrift$/, ".expected"), dir);
    if (process.env.UPDATE_EXPECTED) writeFileSync(expectedUrl, actual.join("\n") + "\n");
    const expected = readFileSync(expectedUrl, "utf8").split("\n").filter((line) => line !== "");
    expect(actual).toEqual(expected);
    // Each file is there for its errors.
    expect(actual.some((line) => line.includes(": error: "))).toBe(true);
  });
});

describe("includes", () => {
  test("a missing include is reported at the include statement; names through it are not reported again", () => {
    const program = loadMemory({
      "idl/main.thrift": 'include "gone.thrift"\ninclude "shared.thrift"\nstruct S { 1: gone.T t, 2: shared.Base b }\nconst i32 X = gone.LIMIT',
      "lib/shared.thrift": "struct Base {}",
    }, ["idl/main.thrift"], ["lib", "vendor"]);
    expect(heads(program.diagnostics)).toEqual([
      "idl/main.thrift:1:1: error: cannot find include file 'gone.thrift' (looked in idl, lib, vendor)",
    ]);
    const main = program.documents.get("idl/main.thrift")!;
    expect(main.includes.map((i) => i.resolved)).toEqual([undefined, "lib/shared.thrift"]);
    expect([...program.documents.keys()]).toEqual(["idl/main.thrift", "lib/shared.thrift"]);
  });

  test("the including file's folder is searched before the include folders", () => {
    const program = loadMemory({
      "a/main.thrift": 'include "../common/x.thrift"\ninclude "y.thrift"\nstruct S { 1: x.X a, 2: y.Y b }',
      "common/x.thrift": "struct X {}",
      "a/y.thrift": "struct Y {}",
      "inc/y.thrift": "struct Wrong {}",
    }, ["a/main.thrift"], ["inc"]);
    expect(heads(program.diagnostics)).toEqual([]);
    expect(program.documents.get("a/main.thrift")!.includes.map((i) => i.resolved)).toEqual(["common/x.thrift", "a/y.thrift"]);
  });

  test("include cycles are reported at the include that closes them, self-includes too", () => {
    const program = loadMemory({
      "a.thrift": 'include "b.thrift"\nstruct A { 1: b.B b }',
      "b.thrift": 'include "c.thrift"\nstruct B { 1: c.C c }',
      "c.thrift": 'include "a.thrift"\nstruct C { 1: a.A a }',
      "self.thrift": 'include "self.thrift"\nstruct S {}',
    }, ["a.thrift", "self.thrift"]);
    expect(heads(program.diagnostics)).toEqual([
      "c.thrift:1:1: error: include cycle: a.thrift -> b.thrift -> c.thrift -> a.thrift",
      "self.thrift:1:1: error: include cycle: self.thrift -> self.thrift",
      "self.thrift:1:1: warning: include 'self.thrift' is not used",
    ]);
  });

  test("names an include does not define, and prefixes that are not includes", () => {
    const program = loadMemory({
      "main.thrift": [
        'include "base.thrift"',
        "struct S {",
        "  1: base.Missing a,",
        "  2: basis.Base b,",
        "  3: base.Base ok,",
        "  4: base.Kind.A notAType,",
        "}",
        "const i32 C1 = base.NOPE",
        "const base.Kind C2 = base.Kind.Z",
        "const base.Kind C3 = base.Kind.A",
        "service Svc extends base.Nope {}",
        "service Svc2 extends base.Base {}",
      ].join("\n"),
      "base.thrift": "struct Base {}\nenum Kind { A }",
    }, ["main.thrift"]);
    expect(heads(program.diagnostics)).toEqual([
      "main.thrift:3:6: error: undefined type 'base.Missing'",
      "main.thrift:4:6: error: undefined type 'basis.Base' (nothing is included as 'basis')",
      "main.thrift:6:6: error: undefined type 'base.Kind.A'",
      "main.thrift:8:16: error: undefined constant 'base.NOPE'",
      "main.thrift:9:22: error: enum 'Kind' has no value 'Z'",
      "main.thrift:11:21: error: undefined base service 'base.Nope'",
      "main.thrift:12:22: error: 'base.Base' is a struct, not a service",
    ]);
  });

  test("includes nothing refers to, repeated includes and shared include names are warnings", () => {
    const program = loadMemory({
      "main.thrift": 'include "unused.thrift"\ninclude "x/types.thrift"\ninclude "y/types.thrift"\ninclude "x/types.thrift"\nconst i32 A = types.B',
      "unused.thrift": "",
      "x/types.thrift": "",
      "y/types.thrift": "const i32 B = 1",
    }, ["main.thrift"]);
    expect(heads(program.diagnostics)).toEqual([
      "main.thrift:1:1: warning: include 'unused.thrift' is not used",
      "main.thrift:2:1: warning: include 'x/types.thrift' is not used",
      "main.thrift:3:1: warning: 'y/types.thrift' and 'x/types.thrift' are both included as 'types'; 'types.X' finds the first that defines X",
      "main.thrift:4:1: warning: 'x/types.thrift' is already included at line 2",
    ]);
  });

  test("a root that cannot be read is reported at its first line; shared includes load once", () => {
    let reads = 0;
    const files: Record<string, string> = { "a.thrift": 'include "c.thrift"\ntypedef c.C A', "b.thrift": 'include "c.thrift"\ntypedef c.C B', "c.thrift": "struct C {}" };
    const program = loadThrift(["a.thrift", "./missing.thrift", "b.thrift", "a.thrift"], {
      readFile: (p) => {
        reads++;
        return files[p];
      },
    });
    expect(heads(program.diagnostics)).toEqual(["missing.thrift:1:1: error: cannot read file './missing.thrift'"]);
    expect(program.roots).toEqual(["a.thrift", "b.thrift"]);
    expect([...program.documents.keys()].sort()).toEqual(["a.thrift", "b.thrift", "c.thrift"]);
    expect(reads).toBe(4);
  });

  test("errors in several files are all reported, sorted by file, line and column", () => {
    const program = loadMemory({
      "z.thrift": 'include "a.thrift"\nstruct Z { 1: a.A a, 2: Nope n }',
      "a.thrift": "struct A { 1: Missing m }\nstruct A {}",
    }, ["z.thrift"]);
    expect(heads(program.diagnostics)).toEqual([
      "a.thrift:1:15: error: undefined type 'Missing'",
      "a.thrift:2:8: error: duplicate definition name 'A' (first at line 1)",
      "z.thrift:2:25: error: undefined type 'Nope'",
    ]);
  });
});

describe("formatDiagnostic", () => {
  test("renders the source line and a caret under the span", () => {
    const program = loadMemory({ "api.thrift": "struct User {\n\t1: Strng name\n}" }, ["api.thrift"]);
    expect(program.diagnostics.map((d) => formatDiagnostic(d, program.sources))).toEqual([
      "api.thrift:2:5: error: undefined type 'Strng'\n  \t1: Strng name\n  \t   ^~~~~",
    ]);
  });

  test("a span running past the line underlines to its end; files without source print the head", () => {
    const program = loadMemory({ "a.thrift": 'const i32 X = {"a": 1,\n}' }, ["a.thrift", "b.thrift"]);
    expect(program.diagnostics.map((d) => formatDiagnostic(d, program.sources))).toEqual([
      'a.thrift:1:15: error: expected i32, found map\n  const i32 X = {"a": 1,\n                ^~~~~~~~',
      "b.thrift:1:1: error: cannot read file 'b.thrift'",
    ]);
  });
});
