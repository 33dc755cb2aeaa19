/** The Thrift parser: every grammar feature, checked on the syntax tree produced. */
import { describe, expect, test } from "vitest";
import type { ConstValue, TypeRef } from "../../../src/idl/thrift/ast.js";
import { def, parse, parseClean } from "./helpers.js";

/** A const's value, for compact assertions. */
const constValue = (text: string, name = "X"): ConstValue => def(parseClean(text), name, "const").value;

/** Strips spans (and empty annotation lists) so trees compare by shape. */
function shape(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(shape);
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      if (k === "span" || k === "nameSpan" || (k === "annotations" && Array.isArray(x) && x.length === 0)) continue;
      out[k] = shape(x);
    }
    return out;
  }
  return v;
}

describe("header", () => {
  test("include, cpp_include and namespaces of every scope", () => {
    const doc = parseClean(`
      include "base.thrift"
      include 'dir/shared.types.thrift';
      cpp_include "<vector>"
      namespace go example.api
      namespace * example.all
      namespace smalltalk.category Example
      namespace java com.example (java.final = "true", flag)
    `);
    expect(doc.includes.map((i) => [i.path, i.name])).toEqual([["base.thrift", "base"], ["dir/shared.types.thrift", "shared.types"]]);
    expect(doc.includes[0]!.span).toMatchObject({ start: { line: 2, column: 7 }, end: { line: 2, column: 28 } });
    expect(doc.cppIncludes).toEqual(["<vector>"]);
    expect(shape(doc.namespaces)).toEqual([
      { scope: "go", name: "example.api" },
      { scope: "*", name: "example.all" },
      { scope: "smalltalk.category", name: "Example" },
      { scope: "java", name: "com.example", annotations: [{ key: "java.final", value: "true" }, { key: "flag", value: "" }] },
    ]);
  });

  test("legacy namespace declarations are read with a warning", () => {
    const { doc, diagnostics } = parse('php_namespace Foo\nxsd_namespace "http://x"\nruby_namespace Bar\ncpp_namespace a.b');
    expect(doc.namespaces.map((n) => [n.scope, n.name])).toEqual([["php", "Foo"], ["xsd", "http://x"], ["rb", "Bar"], ["cpp", "a.b"]]);
    expect(diagnostics).toEqual([
      "test.thrift:1:1: warning: 'php_namespace' is deprecated; use 'namespace php'",
      "test.thrift:2:1: warning: 'xsd_namespace' is deprecated; use 'namespace xsd'",
      "test.thrift:3:1: warning: 'ruby_namespace' is deprecated; use 'namespace rb'",
      "test.thrift:4:1: warning: 'cpp_namespace' is deprecated; use 'namespace cpp'",
    ]);
  });

  test("headers after definitions are an error but still read", () => {
    const { doc, diagnostics } = parse('struct A {}\ninclude "b.thrift"');
    expect(doc.includes).toHaveLength(1);
    expect(diagnostics).toEqual(["test.thrift:2:1: error: 'include' must come before all definitions"]);
  });
});

describe("types", () => {
  const fieldType = (type: string): TypeRef => def(parseClean(`struct S { 1: ${type} f }`), "S", "struct").fields[0]!.type;

  test("every base type, byte and i8 kept apart, uuid included", () => {
    for (const name of ["bool", "byte", "i8", "i16", "i32", "i64", "double", "string", "binary", "uuid"]) {
      expect(fieldType(name)).toMatchObject({ kind: "base", name });
    }
  });

  test("containers nest; named types may be qualified", () => {
    expect(shape(fieldType("map<string, list<set<base.Id>>>"))).toEqual({
      kind: "map",
      key: { kind: "base", name: "string" },
      value: { kind: "list", element: { kind: "set", element: { kind: "named", name: "base.Id" } } },
    });
  });

  test("cpp_type is accepted where Apache Thrift puts it and dropped", () => {
    expect(shape(fieldType('map cpp_type "M" <i32, i32>'))).toEqual({ kind: "map", key: { kind: "base", name: "i32" }, value: { kind: "base", name: "i32" } });
    expect(shape(fieldType('set cpp_type "S" <i32>'))).toEqual({ kind: "set", element: { kind: "base", name: "i32" } });
    expect(shape(fieldType('list<i32> cpp_type "V"'))).toEqual({ kind: "list", element: { kind: "base", name: "i32" } });
    expect(shape(fieldType('list cpp_type "V" <i32>'))).toEqual({ kind: "list", element: { kind: "base", name: "i32" } });
  });

  test("annotations after base, container and named types", () => {
    const t = fieldType('map<string (k = "1"), Named (n = "2")> (m = "3")');
    expect(shape(t)).toEqual({
      kind: "map",
      key: { kind: "base", name: "string", annotations: [{ key: "k", value: "1" }] },
      value: { kind: "named", name: "Named", annotations: [{ key: "n", value: "2" }] },
      annotations: [{ key: "m", value: "3" }],
    });
    // The type's span covers the type, not its annotations.
    expect(t.span).toMatchObject({ start: { line: 1, column: 15 }, end: { line: 1, column: 53 } });
  });

  test("slist is read as string with an error", () => {
    const { doc, diagnostics } = parse("struct S { 1: slist s }");
    expect(def(doc, "S", "struct").fields[0]!.type).toMatchObject({ kind: "base", name: "string" });
    expect(diagnostics).toEqual(["test.thrift:1:15: error: 'slist' is no longer supported; use 'string'"]);
  });
});

describe("typedef and const", () => {
  test("typedef with annotations on the type and on the typedef, and a doc", () => {
    const doc = parseClean('/** Ids. */\ntypedef i64 (js.type = "bigint") Id (go.type = "int64");');
    const td = def(doc, "Id", "typedef");
    expect(shape(td)).toEqual({
      kind: "typedef", name: "Id", doc: "Ids.",
      type: { kind: "base", name: "i64", annotations: [{ key: "js.type", value: "bigint" }] },
      annotations: [{ key: "go.type", value: "int64" }],
    });
    expect(td.span).toMatchObject({ start: { line: 2, column: 1 }, end: { line: 2, column: 56 } });
    expect(td.nameSpan).toMatchObject({ start: { line: 2, column: 34 }, end: { line: 2, column: 36 } });
  });

  test("integer constants: decimal, signed, hex, negative hex, 64-bit extremes as bigint", () => {
    expect(constValue("const i32 X = 42")).toMatchObject({ kind: "int", value: 42n });
    expect(constValue("const i32 X = -7")).toMatchObject({ kind: "int", value: -7n });
    expect(constValue("const i32 X = +7")).toMatchObject({ kind: "int", value: 7n });
    expect(constValue("const i32 X = 0xff")).toMatchObject({ kind: "int", value: 255n });
    expect(constValue("const i32 X = -0x10")).toMatchObject({ kind: "int", value: -16n });
    expect(constValue("const i64 X = 9223372036854775807")).toMatchObject({ kind: "int", value: 9223372036854775807n });
    expect(constValue("const i64 X = -9223372036854775808")).toMatchObject({ kind: "int", value: -9223372036854775808n });
  });

  test("double constants, with exponents and a leading dot", () => {
    expect(constValue("const double X = 3.25")).toMatchObject({ kind: "double", value: 3.25 });
    expect(constValue("const double X = 1e10")).toMatchObject({ kind: "double", value: 1e10 });
    expect(constValue("const double X = -1.5E-3")).toMatchObject({ kind: "double", value: -0.0015 });
    expect(constValue("const double X = .5")).toMatchObject({ kind: "double", value: 0.5 });
    expect(constValue("const double X = 2")).toMatchObject({ kind: "int", value: 2n });
  });

  test("string constants in either quote, with escapes", () => {
    expect(constValue(String.raw`const string X = "say \"hi\"\n"`)).toMatchObject({ kind: "string", value: 'say "hi"\n' });
    expect(constValue(String.raw`const string X = 'it\'s'`)).toMatchObject({ kind: "string", value: "it's" });
    expect(constValue(String.raw`const string X = "\u20AC\uD83D\uDE80"`)).toMatchObject({ kind: "string", value: "€🚀" });
  });

  test("true and false are the ints 1 and 0, as in Apache Thrift", () => {
    expect(constValue("const bool X = true")).toMatchObject({ kind: "int", value: 1n });
    expect(constValue("const bool X = false")).toMatchObject({ kind: "int", value: 0n });
  });

  test("lists and maps with either separator or none, nested, and struct literals", () => {
    expect(shape(constValue("const list<i32> X = [1, 2; 3 4,]"))).toEqual({
      kind: "list", items: [1n, 2n, 3n, 4n].map((value) => ({ kind: "int", value })),
    });
    expect(shape(constValue('const map<string, list<i32>> X = {"a": [1], "b": []; "c": [2 3]}'))).toEqual({
      kind: "map",
      entries: [
        { key: { kind: "string", value: "a" }, value: { kind: "list", items: [{ kind: "int", value: 1n }] } },
        { key: { kind: "string", value: "b" }, value: { kind: "list", items: [] } },
        { key: { kind: "string", value: "c" }, value: { kind: "list", items: [{ kind: "int", value: 2n }, { kind: "int", value: 3n }] } },
      ],
    });
    expect(shape(constValue('const P X = {"name": "n", "inner": {"x": 1.5}}'))).toEqual({
      kind: "map",
      entries: [
        { key: { kind: "string", value: "name" }, value: { kind: "string", value: "n" } },
        { key: { kind: "string", value: "inner" }, value: { kind: "map", entries: [{ key: { kind: "string", value: "x" }, value: { kind: "double", value: 1.5 } }] } },
      ],
    });
  });

  test("references to enum values and constants, plain or qualified", () => {
    expect(shape(constValue("const list<E> X = [E.A, inc.E.B, OTHER, inc.C]"))).toEqual({
      kind: "list",
      items: ["E.A", "inc.E.B", "OTHER", "inc.C"].map((name) => ({ kind: "identifier", name })),
    });
  });

  test("value spans cover the literal", () => {
    const v = constValue('const map<string, i32> X = {\n  "a": 1,\n}');
    expect(v.span).toMatchObject({ start: { line: 1, column: 28 }, end: { line: 3, column: 2 } });
    if (v.kind !== "map") throw new Error("not a map");
    expect(v.entries[0]!.key.span).toMatchObject({ start: { line: 2, column: 3 }, end: { line: 2, column: 6 } });
  });
});

describe("enum", () => {
  test("implicit values count on from the previous one, starting at 0; explicit, negative and hex values", () => {
    const e = def(parseClean("enum E { A, B = 5, C, D = -0x10, E; F = 0x7fffffff }"), "E", "enum");
    expect(e.values.map((v) => [v.name, v.value, v.explicit])).toEqual([
      ["A", 0, false], ["B", 5, true], ["C", 6, false], ["D", -16, true], ["E", -15, false], ["F", 2147483647, true],
    ]);
  });

  test("docs and annotations on values and on the enum; value spans", () => {
    const e = def(parseClean('/** Colours. */\nenum Color {\n  /** Warm. */\n  RED = 1 (hex = "#f00")\n  BLUE (deprecated)\n} (js.const = "true")'), "Color", "enum");
    expect(shape(e)).toEqual({
      kind: "enum", name: "Color", doc: "Colours.",
      values: [
        { name: "RED", value: 1, explicit: true, doc: "Warm.", annotations: [{ key: "hex", value: "#f00" }] },
        { name: "BLUE", value: 2, explicit: false, annotations: [{ key: "deprecated", value: "" }] },
      ],
      annotations: [{ key: "js.const", value: "true" }],
    });
    expect(e.values[0]!.span).toMatchObject({ start: { line: 4, column: 3 }, end: { line: 4, column: 25 } });
  });
});

describe("struct, union, exception", () => {
  test("ids, implicit ids (-1, -2, ...), requiredness, defaults, annotations and docs", () => {
    const doc = parseClean(`
      /**
       * A user.
       */
      struct User {
        /** The id. */
        1: required i64 id (go.tag = 'json:"id"'),
        optional string name;
        3: list<string> tags = ["a"]
        string nick = "n" (x)
        -5: bool legacy
      } (table = "users")
    `);
    const s = def(doc, "User", "struct");
    expect(s.doc).toBe("A user.");
    expect(s.annotations.map((a) => [a.key, a.value])).toEqual([["table", "users"]]);
    expect(s.fields.map((f) => [f.id, f.explicitId, f.requiredness, f.name, f.doc])).toEqual([
      [1, true, "required", "id", "The id."],
      [-1, false, "optional", "name", undefined],
      [3, true, "default", "tags", undefined],
      [-2, false, "default", "nick", undefined],
      [-5, true, "default", "legacy", undefined],
    ]);
    expect(s.fields[0]!.annotations).toMatchObject([{ key: "go.tag", value: 'json:"id"' }]);
    expect(shape(s.fields[2]!.default)).toEqual({ kind: "list", items: [{ kind: "string", value: "a" }] });
    expect(s.fields[3]!.annotations.map((a) => a.key)).toEqual(["x"]);
  });

  test("field and definition spans", () => {
    const s = def(parseClean("struct P {\n  1: optional i32 x = 1 (a = 'b'),\n}"), "P", "struct");
    expect(s.span).toMatchObject({ start: { line: 1, column: 1 }, end: { line: 3, column: 2 } });
    expect(s.nameSpan).toMatchObject({ start: { line: 1, column: 8 }, end: { line: 1, column: 9 } });
    const f = s.fields[0]!;
    expect(f.span).toMatchObject({ start: { line: 2, column: 3 }, end: { line: 2, column: 34 } });
    expect(f.nameSpan).toMatchObject({ start: { line: 2, column: 19 }, end: { line: 2, column: 20 } });
    expect(f.annotations[0]!.span).toMatchObject({ start: { line: 2, column: 26 }, end: { line: 2, column: 33 } });
  });

  test("union and exception share the struct shape", () => {
    const doc = parseClean("union U { 1: i32 a; 2: string b } exception E { 1: string message } (code = '7')");
    expect(def(doc, "U", "union").fields.map((f) => f.name)).toEqual(["a", "b"]);
    expect(def(doc, "E", "exception").annotations).toMatchObject([{ key: "code", value: "7" }]);
  });

  test("xsd extensions and C++ references are accepted with warnings", () => {
    const { doc, diagnostics } = parse("struct S xsd_all { 1: i32 a xsd_optional xsd_nillable xsd_attrs { 1: i32 b }, 2: S & next }");
    expect(def(doc, "S", "struct").fields.map((f) => f.name)).toEqual(["a", "next"]);
    expect(diagnostics).toEqual([
      "test.thrift:1:10: warning: 'xsd_all' is ignored",
      "test.thrift:1:29: warning: 'xsd_optional' is ignored",
      "test.thrift:1:42: warning: 'xsd_nillable' is ignored",
      "test.thrift:1:55: warning: 'xsd_attrs' is ignored",
      "test.thrift:1:84: warning: '&' (C++ reference) is ignored",
    ]);
  });
});

describe("service", () => {
  test("extends, oneway, void, params, throws, annotations and docs", () => {
    const doc = parseClean(`
      service Users extends base.Service {
        /** Gets one. */
        User get(1: i64 id, string fields) throws (1: NotFound nf, 2: base.Error err) (api.get = "/users/:id"),
        oneway void touch(1: i64 id);
        void reset()
        list<User> (x = "y") all()
      } (api.prefix = "/v1")
    `);
    const s = def(doc, "Users", "service");
    expect(s.extends).toBe("base.Service");
    expect(s.extendsSpan).toMatchObject({ start: { line: 2, column: 29 }, end: { line: 2, column: 41 } });
    expect(s.annotations).toMatchObject([{ key: "api.prefix", value: "/v1" }]);
    const [get, touch, reset, all] = s.functions;
    expect(get).toMatchObject({ name: "get", oneway: false, doc: "Gets one.", returnType: { kind: "named", name: "User" } });
    expect(get!.params.map((p) => [p.id, p.explicitId, p.name])).toEqual([[1, true, "id"], [-1, false, "fields"]]);
    expect(get!.throws.map((p) => [p.id, p.name, (p.type as { name: string }).name])).toEqual([[1, "nf", "NotFound"], [2, "err", "base.Error"]]);
    expect(get!.annotations).toMatchObject([{ key: "api.get", value: "/users/:id" }]);
    expect(get!.nameSpan).toMatchObject({ start: { line: 4, column: 14 } });
    expect(touch).toMatchObject({ name: "touch", oneway: true, returnType: null });
    expect(reset).toMatchObject({ name: "reset", oneway: false, returnType: null, params: [], throws: [] });
    expect(all!.returnType).toMatchObject({ kind: "list", annotations: [{ key: "x", value: "y" }] });
  });

  test("async is read as oneway with a warning", () => {
    const { doc, diagnostics } = parse("service S { async void f() }");
    expect(def(doc, "S", "service").functions[0]!.oneway).toBe(true);
    expect(diagnostics).toEqual(["test.thrift:1:13: warning: 'async' is deprecated; use 'oneway'"]);
  });

  test("void is only a result type", () => {
    expect(parse("service S { void f(1: void x) }").diagnostics).toEqual(["test.thrift:1:23: error: 'void' can only be a function's result type"]);
  });
});

describe("deprecated and reserved", () => {
  test("senum is reported and read as a string typedef", () => {
    const { doc, diagnostics } = parse('senum Level { "low", "high" }');
    expect(def(doc, "Level", "typedef").type).toMatchObject({ kind: "base", name: "string" });
    expect(diagnostics).toEqual(["test.thrift:1:1: error: 'senum' is no longer supported; use 'string'"]);
  });

  test("keywords cannot be names; names cannot contain dots", () => {
    const { doc, diagnostics } = parse("struct list { 1: i32 required }\nenum a.b { void }\nservice S { void map() }");
    expect(doc.definitions.map((d) => d.name)).toEqual(["list", "a.b", "S"]);
    expect(diagnostics).toEqual([
      "test.thrift:1:8: error: 'list' is a reserved word and cannot be used as a struct name",
      "test.thrift:1:22: error: 'required' is a reserved word and cannot be used as a field name",
      "test.thrift:2:6: error: enum name 'a.b' cannot contain '.'",
      "test.thrift:2:12: error: 'void' is a reserved word and cannot be used as an enum value name",
      "test.thrift:3:18: error: 'map' is a reserved word and cannot be used as a function name",
    ]);
  });

  test("uuid and other non-grammar words are fine as names", () => {
    const s = def(parseClean("struct S { 1: string uuid, 2: i32 abstract, 3: i32 class }"), "S", "struct");
    expect(s.fields.map((f) => f.name)).toEqual(["uuid", "abstract", "class"]);
  });
});

describe("errors and recovery", () => {
  test("each syntax error is reported as expected/found and parsing resumes", () => {
    const { doc, diagnostics } = parse([
      "struct A { 1: i32 }",
      "struct B { 1: map<i32 i32> m }",
      "const i32 C =",
      "enum D { X = 'x' }",
      "struct E { 1: i32 ok }",
      "bogus F",
      "service G { void f( }",
      "struct H { 1: i32 h",
    ].join("\n"));
    expect(diagnostics).toEqual([
      "test.thrift:1:19: error: expected field name, found '}'",
      "test.thrift:2:23: error: expected ',', found 'i32'",
      "test.thrift:4:1: error: expected constant value, found 'enum'",
      "test.thrift:4:14: error: expected integer enum value, found string literal",
      "test.thrift:6:1: error: expected definition, found 'bogus'",
      "test.thrift:7:21: error: expected ')', found '}'",
      "test.thrift:8:20: error: expected '}', found end of file",
    ]);
    // Definitions cut short by an error are kept with what was read, so references to them resolve.
    expect(doc.definitions.map((d) => d.name)).toEqual(["A", "B", "D", "E", "G", "H"]);
    expect(def(doc, "E", "struct").fields.map((f) => f.name)).toEqual(["ok"]);
    expect(def(doc, "H", "struct").fields.map((f) => f.name)).toEqual(["h"]);
  });

  test("a run of stray tokens between definitions is one error; the next run is another", () => {
    const { doc, diagnostics } = parse("struct A {} } } ; } bogus 12 'x' ,\nstruct B {}\n} }\nenum C { X }");
    expect(diagnostics).toEqual([
      "test.thrift:1:13: error: expected definition, found '}'",
      "test.thrift:3:1: error: expected definition, found '}'",
    ]);
    expect(doc.definitions.map((d) => d.name)).toEqual(["A", "B", "C"]);
  });

  test("stray separators between definitions are harmless", () => {
    expect(parseClean("struct A {};\n;typedef i32 B,").definitions.map((d) => d.name)).toEqual(["A", "B"]);
  });

  test("an empty file is an empty document", () => {
    expect(parseClean("// nothing\n")).toEqual({ kind: "thrift", file: "test.thrift", includes: [], cppIncludes: [], namespaces: [], definitions: [] });
  });
});
