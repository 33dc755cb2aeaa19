/**
 * Name resolution: protobuf's scoping rules (innermost scope outwards, partial and full
 * qualification, package parts, non-types skipped, the "resolves to" trap) and
 * visibility (only the file itself, its imports and their `import public` re-exports).
 */
import { describe, expect, test } from "vitest";
import type { ProtoFile, ProtoType } from "../../../src/idl/proto/ast.js";
import { check, field, heads, loadMemory, message } from "./helpers.js";

const P3 = 'syntax = "proto3";\n';

/** The full name a field's type resolved to (`map` values included). */
function target(type: ProtoType): string | undefined {
  if (type.kind === "map") return target(type.value);
  return type.kind === "named" ? type.target?.fullName : undefined;
}

function resolved(file: ProtoFile, path: string, fieldName: string): string | undefined {
  return target(field(message(file, path), fieldName).type);
}

describe("scopes", () => {
  test("the innermost definition wins; outer ones are found when inner ones are missing", () => {
    const { program, diagnostics } = check(`${P3}package p;
message Inner {}
message Outer {
  message Inner {}
  message M {
    Inner a = 1;
    .p.Inner b = 2;
    Outer.Inner c = 3;
    p.Inner d = 4;
    M e = 5;
  }
  Inner f = 6;
}
message Other { Inner a = 1; Outer.Inner b = 2; Outer.M c = 3; }`);
    expect(diagnostics).toEqual([]);
    const file = program.files.get("test.proto")!;
    expect(["a", "b", "c", "d", "e"].map((f) => resolved(file, "Outer.M", f))).toEqual(["p.Outer.Inner", "p.Inner", "p.Outer.Inner", "p.Inner", "p.Outer.M"]);
    expect(resolved(file, "Outer", "f")).toBe("p.Outer.Inner");
    expect(["a", "b", "c"].map((f) => resolved(file, "Other", f))).toEqual(["p.Inner", "p.Outer.Inner", "p.Outer.M"]);
  });

  test("a simple name that denotes a field is skipped when looking for a type", () => {
    const { program, diagnostics } = check(`${P3}message M {
  int32 Foo = 1;
  message N { Foo f = 1; }
}
message Foo {}`);
    expect(diagnostics).toEqual([]);
    expect(resolved(program.files.get("test.proto")!, "M.N", "f")).toBe("Foo");
  });

  test("a qualified name commits to the first component's innermost match", () => {
    const { diagnostics } = check(`${P3}package a.b;
message b { message X {} }
message M { b.Y y = 1; b.X x = 2; .a.b.b.X z = 3; }`);
    expect(diagnostics).toEqual([
      "test.proto:4:13: error: undefined type 'b.Y' (it resolves to 'a.b.b.Y', which does not exist: names are looked up from the innermost scope outwards; write '.b.Y' to start from the root)",
    ]);
  });

  test("package components qualify names from other files of enclosing packages", () => {
    const program = loadMemory({
      "base.proto": `${P3}package corp.base;\nmessage T {}\nenum E { E_ZERO = 0; }`,
      "app.proto": `${P3}package corp.base.app;\nimport "base.proto";\nmessage M { T a = 1; base.T b = 2; corp.base.T c = 3; .corp.base.T d = 4; map<string, base.E> e = 5; }`,
    }, ["app.proto"]);
    expect(heads(program.diagnostics)).toEqual([]);
    const app = program.files.get("app.proto")!;
    expect(["a", "b", "c", "d", "e"].map((f) => resolved(app, "M", f))).toEqual(["corp.base.T", "corp.base.T", "corp.base.T", "corp.base.T", "corp.base.E"]);
    const t = field(message(app, "M"), "a").type;
    expect(t.kind === "named" && t.target).toEqual({ file: "base.proto", fullName: "corp.base.T", kind: "message" });
    // The map entry's value field shares the resolved type.
    const entry = message(app, "M.EEntry");
    expect(target(field(entry, "value").type)).toBe("corp.base.E");
  });

  test("extendees, extension types, method types and option names resolve from their scopes", () => {
    const { program, diagnostics } = check(`syntax = "proto2";
package p;
import "google/protobuf/descriptor.proto";
message Base { extensions 100 to 200; }
message Holder {
  message Payload {}
  extend Base { optional Payload payload = 100; }
  extend google.protobuf.FieldOptions { optional int32 rule = 50000; }
  optional int32 x = 1 [(rule) = 5];
}
extend google.protobuf.MessageOptions { optional string table = 50001; }
message Row { option (table) = "rows"; optional int32 y = 1 [(Holder.rule) = 6]; }
service S { rpc R(Holder.Payload) returns (.p.Row); }`);
    expect(diagnostics).toEqual([]);
    const file = program.files.get("test.proto")!;
    const ext = message(file, "Holder").extends[0]!;
    expect(ext.target).toEqual({ file: "test.proto", fullName: "p.Base", kind: "message" });
    expect(target(ext.fields[0]!.type)).toBe("p.Holder.Payload");
    expect(field(message(file, "Holder"), "x").options[0]!.extension).toBe("p.Holder.rule");
    expect(message(file, "Row").options[0]!.extension).toBe("p.table");
    expect(field(message(file, "Row"), "y").options[0]!.extension).toBe("p.Holder.rule");
    const method = file.services[0]!.methods[0]!;
    expect([method.input.target?.fullName, method.output.target?.fullName]).toEqual(["p.Holder.Payload", "p.Row"]);
  });

  test("names that denote no type are reported as such", () => {
    const { diagnostics } = check(`${P3}package p;
message M { int32 f = 1; }
enum E { E_ZERO = 0; }
service S { rpc R(M) returns (M); }
message N { p f = 1; M.f g = 2; p.E_ZERO h = 3; p.S i = 4; S.R j = 5; E_ZERO k = 6; }
service T { rpc A(E) returns (M); rpc B(M) returns (p); }`);
    // A simple name is only taken when it is a type, so `E_ZERO` alone is "undefined", as in protoc.
    expect(diagnostics).toEqual([
      "test.proto:6:13: error: 'p' is a package, not a message or enum",
      "test.proto:6:22: error: 'M.f' is a field, not a message or enum",
      "test.proto:6:33: error: 'p.E_ZERO' is an enum value, not a message or enum",
      "test.proto:6:49: error: 'p.S' is a service, not a message or enum",
      "test.proto:6:60: error: 'S.R' is a method, not a message or enum",
      "test.proto:6:71: error: undefined type 'E_ZERO'",
      "test.proto:7:19: error: 'E' is an enum, not a message",
      "test.proto:7:53: error: 'p' is a package, not a message",
    ]);
  });
});

describe("visibility", () => {
  const files = {
    "a.proto": `${P3}package x;\nimport "b.proto";\nmessage A { B b = 1; C c = 2; D d = 3; P p = 4; }`,
    "b.proto": `${P3}package x;\nimport "c.proto";\nimport public "p.proto";\nmessage B { C c = 1; }`,
    "c.proto": `${P3}package x;\nmessage C {}\nmessage D {}`,
    "p.proto": `${P3}package x;\nimport public "q.proto";\nmessage P { Q q = 1; }`,
    "q.proto": `${P3}package x;\nmessage Q {}`,
  };

  test("imports are not transitive; public imports are, along chains of public imports", () => {
    const program = loadMemory({ ...files, "a.proto": files["a.proto"].replace("D d = 3;", "Q q = 3;") }, ["a.proto"]);
    expect(heads(program.diagnostics)).toEqual([
      "a.proto:4:22: error: undefined type 'C' ('x.C' is defined in 'c.proto', which is not imported here)",
    ]);
  });

  test("a hidden inner match does not stop the search: a visible outer one is used", () => {
    const program = loadMemory({
      "main.proto": `${P3}package outer.inner;\nimport "dep.proto";\nmessage M { T t = 1; }`,
      "dep.proto": `${P3}package outer;\nimport "hidden.proto";\nmessage T {}`,
      "hidden.proto": `${P3}package outer.inner;\nmessage T {}`,
    }, ["main.proto"]);
    expect(heads(program.diagnostics)).toEqual([]);
    expect(resolved(program.files.get("main.proto")!, "M", "t")).toBe("outer.T");
  });

  test("a package is visible when any imported file declares it (or a package inside it)", () => {
    const program = loadMemory({
      "main.proto": `${P3}import "one.proto";\nmessage M { lib.sub.T t = 1; lib.U u = 2; }`,
      "one.proto": `${P3}package lib.sub;\nimport public "two.proto";\nmessage T {}`,
      "two.proto": `${P3}package lib;\nmessage U {}`,
    }, ["main.proto"]);
    expect(heads(program.diagnostics)).toEqual([]);
  });

  test("the well-known types are visible only when imported", () => {
    const { diagnostics } = check(`${P3}message M { google.protobuf.Timestamp t = 1; google.protobuf.Any a = 2; }`, {});
    expect(diagnostics).toEqual([
      "test.proto:2:13: error: undefined type 'google.protobuf.Timestamp'",
      "test.proto:2:46: error: undefined type 'google.protobuf.Any'",
    ]);
    const ok = check(`${P3}import "google/protobuf/timestamp.proto";\nmessage M { google.protobuf.Timestamp t = 1; }`);
    expect(ok.diagnostics).toEqual([]);
  });
});
