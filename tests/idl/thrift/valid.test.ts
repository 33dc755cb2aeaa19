/**
 * Real-world IDL: the files in valid/ (a Kitex-style base.thrift, an errors file found
 * through an include folder, and an api.thrift with several services) check clean, and
 * the checker fills the references code generators follow. All three compile with
 * Apache Thrift 0.17 too (`thrift --gen py -I common api.thrift`).
 */
import { existsSync, readFileSync } from "node:fs";
import { beforeAll, describe, expect, test } from "vitest";
import type { ConstValue, ThriftDocument } from "../../../src/idl/thrift/ast.js";
import { loadThrift } from "../../../src/idl/thrift/load.js";
import type { ThriftProgram } from "../../../src/idl/thrift/program.js";
import { Random } from "../../support/random.js";
import { def, heads, loadMemory } from "./helpers.js";

const dir = new URL("./valid/", import.meta.url);
const readFile = (p: string): string | undefined => (existsSync(new URL(p, dir)) ? readFileSync(new URL(p, dir), "utf8") : undefined);

let program: ThriftProgram;
let api: ThriftDocument;
beforeAll(() => {
  program = loadThrift(["api.thrift"], { readFile, includeDirs: ["common"] });
  api = program.documents.get("api.thrift")!;
});

/** A const's value in api.thrift. */
const valueOf = (name: string): ConstValue => def(api, name, "const").value;

describe("valid corpus", () => {
  test("api.thrift and everything it includes check without a single diagnostic", () => {
    expect(heads(program.diagnostics)).toEqual([]);
    expect(program.roots).toEqual(["api.thrift"]);
    expect([...program.documents.keys()]).toEqual(["api.thrift", "base.thrift", "common/errors.thrift"]);
    expect(api.includes.map((i) => [i.name, i.resolved])).toEqual([["base", "base.thrift"], ["errors", "common/errors.thrift"]]);
  });

  test("each file also checks clean as a root of its own", () => {
    const all = loadThrift(["base.thrift", "common/errors.thrift", "api.thrift"], { readFile, includeDirs: ["common"] });
    expect(heads(all.diagnostics)).toEqual([]);
    expect(all.documents.size).toBe(3);
  });

  test("named types point at their definitions, across files and through typedefs", () => {
    const request = def(api, "GetUserRequest", "struct");
    expect(request.fields[0]!.type).toMatchObject({ kind: "named", name: "UserID", target: { file: "api.thrift", name: "UserID" } });
    expect(request.fields[2]!.type).toMatchObject({ kind: "named", name: "RequestBase", target: { file: "api.thrift", name: "RequestBase" } });
    expect(def(api, "RequestBase", "typedef").type).toMatchObject({ target: { file: "base.thrift", name: "Base" } });
    expect(def(api, "Code", "typedef").type).toMatchObject({ target: { file: "common/errors.thrift", name: "Code" } });
    const list = def(api, "ListUsersResponse", "struct").fields[0]!.type;
    expect(list).toMatchObject({ kind: "list", element: { target: { file: "api.thrift", name: "User" } } });
    const getUser = def(api, "UserReader", "service").functions[0]!;
    expect(getUser.throws[1]!.type).toMatchObject({ target: { file: "common/errors.thrift", name: "ServiceError" } });
  });

  test("constant references point at constants and enum values, with typedefs to enums seen through", () => {
    expect(valueOf("DEFAULT_STATUS")).toMatchObject({ kind: "identifier", target: { file: "api.thrift", name: "Status", member: "ACTIVE" } });
    expect(valueOf("NOT_FOUND")).toMatchObject({ target: { file: "common/errors.thrift", name: "ErrorCode", member: "NOT_FOUND" } });
    expect(valueOf("ALIAS_CODE")).toMatchObject({ target: { file: "common/errors.thrift", name: "ErrorCode", member: "INTERNAL" } });
    expect(valueOf("OK")).toMatchObject({ target: { file: "base.thrift", name: "STATUS_OK" } });
    expect(valueOf("OK")).not.toHaveProperty("target.member");
    expect(valueOf("COPY_OF_TIMEOUT")).toMatchObject({ target: { file: "api.thrift", name: "TIMEOUT_MS" } });
    const user = def(api, "User", "struct");
    expect(user.fields[3]!.default).toMatchObject({ target: { name: "Status", member: "PENDING" } });
  });

  test("base services are resolved", () => {
    expect(def(api, "UserWriter", "service").extendsTarget).toEqual({ file: "api.thrift", name: "UserReader" });
    expect(def(api, "UserReader", "service").extendsTarget).toBeUndefined();
  });

  test("values keep their exact form: bigints, doubles, decoded strings", () => {
    expect(valueOf("MAX_ID")).toMatchObject({ kind: "int", value: 9223372036854775807n });
    expect(valueOf("MIN_ID")).toMatchObject({ kind: "int", value: -9223372036854775808n });
    expect(valueOf("MASK")).toMatchObject({ kind: "int", value: 0x7fffffffffffffffn });
    expect(valueOf("AVOGADRO")).toMatchObject({ kind: "double", value: 6.022e23 });
    expect(valueOf("HALF")).toMatchObject({ kind: "double", value: 0.5 });
    expect(valueOf("GREETING")).toMatchObject({ kind: "string", value: 'hello, "world"\n' });
    expect(valueOf("QUOTED")).toMatchObject({ kind: "string", value: 'it\'s "quoted"' });
    expect(def(api, "Role", "enum").values.map((v) => v.value)).toEqual([0, 1, 2147483647]);
  });

  test("annotations and docs survive", () => {
    const ns = api.namespaces.find((n) => n.scope === "java")!;
    expect(ns.annotations).toMatchObject([{ key: "java.annotation", value: "generated" }]);
    const getUser = def(api, "UserReader", "service").functions[0]!;
    expect(getUser.annotations).toMatchObject([{ key: "api.get", value: "/api/v1/users/:id" }]);
    const id = def(api, "User", "struct").fields[0]!;
    expect(id.annotations).toMatchObject([{ key: "go.tag", value: 'json:"id,string"' }]);
    expect(def(api, "User", "struct").doc).toBe("A user of the system.");
    expect(def(api, "Status", "enum").values[0]!.doc).toBe("Not yet confirmed.");
    expect(def(api, "UserWriter", "service").functions[0]!.doc).toBe("Creates a user and returns its id.");
  });
});

describe("checker details", () => {
  test("targets are set even when the program has errors elsewhere", () => {
    const p = loadMemory({ "a.thrift": "struct A { 1: B b, 2: Nope n }\nstruct B {}" }, ["a.thrift"]);
    expect(heads(p.diagnostics)).toEqual(["a.thrift:1:23: error: undefined type 'Nope'"]);
    const a = def(p.documents.get("a.thrift")!, "A", "struct");
    expect(a.fields[0]!.type).toMatchObject({ target: { file: "a.thrift", name: "B" } });
    expect(a.fields[1]!.type).not.toHaveProperty("target");
  });

  test("include names may hold dots: `include \"shared.types.thrift\"` gives `shared.types.X`", () => {
    const p = loadMemory({
      "main.thrift": 'include "shared.types.thrift"\nstruct S { 1: shared.types.Id id = shared.types.Kind.A, 2: shared.types.Kind k }',
      "shared.types.thrift": "typedef i64 Id\nenum Kind { A }",
    }, ["main.thrift"]);
    expect(heads(p.diagnostics)).toEqual([]); // an enum value may initialise an integer
    const s = def(p.documents.get("main.thrift")!, "S", "struct");
    expect(s.fields[0]!.type).toMatchObject({ target: { file: "shared.types.thrift", name: "Id" } });
    expect(s.fields[0]!.default).toMatchObject({ target: { file: "shared.types.thrift", name: "Kind", member: "A" } });
  });

  test("forward references are fine, inherited function names are checked through included bases", () => {
    const p = loadMemory({
      "svc.thrift": 'include "base.thrift"\nconst i32 A = B\nconst i32 B = 2\nservice S extends base.Base { void ping() }',
      "base.thrift": "service Root { void ping() }\nservice Base extends Root {}",
    }, ["svc.thrift"]);
    expect(heads(p.diagnostics)).toEqual(["svc.thrift:4:36: error: function 'ping' is already defined in base service 'Root'"]);
  });
});

describe("robustness", () => {
  test("every truncation and every single-character deletion of api.thrift loads without throwing", () => {
    const text = readFile("api.thrift")!;
    const files: Record<string, string> = { "base.thrift": readFile("base.thrift")!, "common/errors.thrift": readFile("common/errors.thrift")! };
    const variants: string[] = [];
    for (let i = 0; i < text.length; i += 5) variants.push(text.slice(0, i), text.slice(0, i) + text.slice(i + 1));
    for (const variant of variants) {
      const p = loadMemory({ ...files, "api.thrift": variant }, ["api.thrift"], ["common"]);
      for (const d of p.diagnostics) expect(d.span.start.line).toBeGreaterThan(0);
    }
  });

  test("token soup: random sequences of IDL words and punctuation never throw", () => {
    const vocabulary = [
      "struct", "union", "exception", "enum", "service", "typedef", "const", "include", "namespace", "extends",
      "throws", "oneway", "void", "required", "optional", "i32", "string", "list", "map", "set", "A", "B", "a.B",
      "1", "-2", "0x1", "1.5", '"s"', "'t'", "{", "}", "(", ")", "[", "]", "<", ">", ",", ";", ":", "=", "*", "&",
      "/**d*/", "//c\n", "#c\n", "true", "senum", "xsd_attrs", "cpp_type",
    ];
    for (let seed = 1; seed <= 300; seed++) {
      const random = new Random(seed);
      const words = Array.from({ length: random.int(1, 60) }, () => random.pick(vocabulary));
      const p = loadMemory({ "a.thrift": words.join(" ") }, ["a.thrift"]);
      expect(p.documents.has("a.thrift"), `seed ${seed}`).toBe(true);
    }
  });
});
