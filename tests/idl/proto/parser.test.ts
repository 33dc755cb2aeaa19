/**
 * The .proto parser, one syntax feature at a time, asserting on the tree it builds (and
 * that it reports nothing for valid input). Semantic checks are in the other test files.
 */
import { describe, expect, test } from "vitest";
import type { ProtoField } from "../../../src/idl/proto/ast.js";
import { mapEntryName, toJsonName } from "../../../src/idl/proto/names.js";
import { enumAt, field, message, parse, parseClean } from "./helpers.js";

const P2 = 'syntax = "proto2";\n';
const P3 = 'syntax = "proto3";\n';

/** The one field of `message M { <body> }` in proto2 or proto3. */
function onlyField(body: string, header = P2): ProtoField {
  const file = parseClean(`${header}message M { ${body} }`);
  return file.messages[0]!.fields[0]!;
}

describe("file header", () => {
  test("syntax, package, imports of every kind, options", () => {
    const file = parseClean(`${P3}package a.b.c;
import "x.proto";
import public "y/z.proto";
import weak "w.proto";
option java_package = "com.example";
option (my.ext).sub.field = 5;
option (.abs.ext) = { a: 1 b { c: "}" } };
`);
    expect(file).toMatchObject({ syntax: "proto3", package: "a.b.c" });
    expect(file.edition).toBeUndefined();
    expect(file.imports.map((i) => [i.path, i.kind])).toEqual([["x.proto", "default"], ["y/z.proto", "public"], ["w.proto", "weak"]]);
    expect(file.imports[1]!.span).toMatchObject({ start: { line: 4, column: 1 }, end: { line: 4, column: 27 } });
    expect(file.options.map((o) => o.name)).toEqual(["java_package", "(my.ext).sub.field", "(.abs.ext)"]);
    expect(file.options[0]!.value).toMatchObject({ kind: "string", value: "com.example" });
    expect(file.options[1]!.value).toMatchObject({ kind: "int", value: 5n });
    expect(file.options[2]!.value).toMatchObject({ kind: "aggregate", text: 'a: 1 b { c: "}" }' });
    expect(file.options[2]!.span).toMatchObject({ start: { line: 8, column: 8 } });
  });

  test("proto2 is the default, with a warning when there is no syntax statement", () => {
    const { file, diagnostics } = parse("message M {}");
    expect(file.syntax).toBe("proto2");
    expect(diagnostics).toEqual(["test.proto:1:1: warning: no 'syntax' statement; the file is read as proto2 (add syntax = \"proto2\"; or syntax = \"proto3\";)"]);
  });

  test("editions", () => {
    const file = parseClean(`edition = "2023";
option features.field_presence = IMPLICIT;
message M {
  int32 a = 1;
  repeated int32 b = 2;
  reserved foo, bar;
}`);
    expect(file).toMatchObject({ syntax: "editions", edition: "2023" });
    expect(file.messages[0]!.fields.map((f) => f.label)).toEqual(["none", "repeated"]);
    expect(file.messages[0]!.reserved.names).toEqual(["foo", "bar"]);
    expect(file.options[0]).toMatchObject({ name: "features.field_presence", value: { kind: "identifier", name: "IMPLICIT" } });
  });

  test("empty statements are allowed everywhere", () => {
    const file = parseClean(`${P3};package p;;
message M { ; int32 a = 1; ; oneof o { ; string s = 2; } }
enum E { ; Z = 0; ; }
service S { ; rpc R(M) returns (M); ; }
;`);
    expect(file.messages[0]!.fields.map((f) => f.name)).toEqual(["a", "s"]);
    expect(file.enums[0]!.values.map((v) => v.name)).toEqual(["Z"]);
    expect(file.services[0]!.methods.map((m) => m.name)).toEqual(["R"]);
  });
});

describe("messages and fields", () => {
  test("nested messages and enums get full names", () => {
    const file = parseClean(`${P3}package pkg;
message Outer { message Inner { message Deepest {} enum Kind { K = 0; } } enum E { E0 = 0; } }
enum Top { T = 0; }
service Svc {}`);
    expect(message(file, "Outer.Inner.Deepest").fullName).toBe("pkg.Outer.Inner.Deepest");
    expect(enumAt(file, "Outer.Inner.Kind").fullName).toBe("pkg.Outer.Inner.Kind");
    expect(enumAt(file, "Outer.E").fullName).toBe("pkg.Outer.E");
    expect(enumAt(file, "Top").fullName).toBe("pkg.Top");
    expect(file.services[0]!.fullName).toBe("pkg.Svc");
  });

  test("a package after the definitions still qualifies them", () => {
    const file = parseClean(`${P3}message M {} package late.pkg;`);
    expect(file.messages[0]!.fullName).toBe("late.pkg.M");
  });

  test("every scalar type", () => {
    const scalars = ["double", "float", "int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string", "bytes"];
    const file = parseClean(`${P3}message M { ${scalars.map((s, i) => `${s} f${i} = ${i + 1};`).join(" ")} }`);
    expect(file.messages[0]!.fields.map((f) => f.type)).toEqual(scalars.map((name) => expect.objectContaining({ kind: "scalar", name })));
  });

  test("named types: simple, dotted, fully qualified", () => {
    const file = parseClean(`${P3}message M { Foo a = 1; foo.Bar b = 2; .pkg.Baz c = 3; . spaced . Name d = 4; }`);
    expect(file.messages[0]!.fields.map((f) => f.type.kind === "named" && f.type.name)).toEqual(["Foo", "foo.Bar", ".pkg.Baz", ".spaced.Name"]);
  });

  test("labels in proto2 and proto3; proto3 optional", () => {
    const p2 = parseClean(`${P2}message M { required int32 a = 1; optional int32 b = 2; repeated int32 c = 3; }`);
    expect(p2.messages[0]!.fields.map((f) => f.label)).toEqual(["required", "optional", "repeated"]);
    const p3 = parseClean(`${P3}message M { int32 a = 1; optional int32 b = 2; repeated int32 c = 3; }`);
    expect(p3.messages[0]!.fields.map((f) => f.label)).toEqual(["none", "optional", "repeated"]);
    expect(p3.messages[0]!.oneofs).toEqual([]);
  });

  test("keywords are valid names where a name is expected", () => {
    const file = parseClean(`${P3}message message { int32 option = 1; string package = 2; map<string, int32> map = 3; stream returns = 4; }
message stream {}
enum syntax { option = 0; reserved = 1; }`);
    expect(file.messages[0]!.fields.map((f) => f.name)).toEqual(["option", "package", "map", "returns"]);
    expect(file.enums[0]!.values.map((v) => v.name)).toEqual(["option", "reserved"]);
  });

  test("field options: default and json_name are taken out of the list", () => {
    const f = onlyField('optional string a_b = 1 [default = "x", json_name = "custom", deprecated = true, (my.opt) = 1];');
    expect(f.defaultValue).toMatchObject({ kind: "string", value: "x" });
    expect(f.jsonName).toBe("custom");
    expect(f.options.map((o) => o.name)).toEqual(["deprecated", "(my.opt)"]);
    expect(f).toMatchObject({ span: { start: { line: 2, column: 13 }, end: { line: 2, column: 108 } }, nameSpan: { start: { column: 29 } } });
  });

  test("JSON names are lowerCamelCase as protoc computes them", () => {
    expect(["foo_bar_baz", "_foo", "foo__bar", "foo_1", "FOO_BAR", "fooBar", "a_b_"].map(toJsonName))
      .toEqual(["fooBarBaz", "Foo", "fooBar", "foo1", "FOOBAR", "fooBar", "aB"]);
    expect(onlyField("optional int32 user_id = 1;").jsonName).toBe("userId");
  });

  test("map fields, with the entry message protoc synthesizes", () => {
    const file = parseClean(`${P3}message M { int32 before = 1; map<string, Value> my_map = 2; message Value {} map<int64, bool> map_2 = 3; }`);
    const m = file.messages[0]!;
    const f = field(m, "my_map");
    expect(f).toMatchObject({ label: "repeated", jsonName: "myMap", type: { kind: "map", key: "string", value: { kind: "named", name: "Value" } } });
    expect(m.messages.map((n) => [n.name, n.mapEntry ?? false])).toEqual([["MyMapEntry", true], ["Value", false], ["Map2Entry", true]]);
    const entry = m.messages[0]!;
    expect(entry.fullName).toBe("M.MyMapEntry");
    expect(entry.fields.map((x) => [x.name, x.number, x.label, x.jsonName])).toEqual([["key", 1, "none", "key"], ["value", 2, "none", "value"]]);
    // The entry's value type is the map's value type object: resolving one resolves both.
    expect(entry.fields[1]!.type).toBe(f.type.kind === "map" ? f.type.value : undefined);
    expect(mapEntryName("snake_case_name")).toBe("SnakeCaseNameEntry");
    const p2 = parseClean(`${P2}message M { map<string, string> m = 1; }`);
    expect(p2.messages[0]!.messages[0]!.fields.map((x) => x.label)).toEqual(["optional", "optional"]);
  });

  test("oneofs: members, options, and groups inside them", () => {
    const file = parseClean(`${P2}message M {
  optional int32 x = 1;
  oneof choice {
    option (my.opt) = true;
    string a = 2;
    M b = 3 [deprecated = true];
    group G = 4 { optional int32 c = 1; }
  }
}`);
    const m = file.messages[0]!;
    expect(m.oneofs).toHaveLength(1);
    expect(m.oneofs[0]).toMatchObject({ name: "choice", fields: ["a", "b", "g"], options: [{ name: "(my.opt)" }] });
    expect(m.fields.map((f) => [f.name, f.oneof, f.label])).toEqual([["x", undefined, "optional"], ["a", "choice", "none"], ["b", "choice", "none"], ["g", "choice", "none"]]);
    expect(m.messages.map((n) => n.name)).toEqual(["G"]);
  });

  test("groups: a lowercased field and a nested message", () => {
    const file = parseClean(`${P2}message M {
  optional group Result = 1 { required string url = 2; }
  repeated group Item_List = 2 [deprecated = true] { optional int32 n = 1; }
}`);
    const m = file.messages[0]!;
    expect(m.fields.map((f) => [f.name, f.label, f.group, f.jsonName, f.type.kind === "named" && f.type.name])).toEqual([
      ["result", "optional", true, "result", "Result"],
      ["item_list", "repeated", true, "itemList", "Item_List"],
    ]);
    expect(m.fields[1]!.options.map((o) => o.name)).toEqual(["deprecated"]);
    expect(message(file, "M.Result").fields.map((f) => f.name)).toEqual(["url"]);
    expect(message(file, "M.Result").fullName).toBe("M.Result");
  });

  test("reserved ranges and names; max", () => {
    const file = parseClean(`${P3}message M { reserved 1, 2 to 5, 10 to max; reserved "a", 'b'; }
enum E { Z = 0; reserved -5 to -1, 7, 100 to max; reserved "X"; }`);
    expect(file.messages[0]!.reserved).toEqual({ ranges: [[1, 1], [2, 5], [10, 536870911]], names: ["a", "b"] });
    expect(file.enums[0]!.reserved).toEqual({ ranges: [[-5, -1], [7, 7], [100, 2147483647]], names: ["X"] });
  });

  test("extension ranges, with options", () => {
    const file = parseClean(`${P2}message M { extensions 100 to 199; extensions 1000 to max, 500 [(my.decl) = "x"]; }`);
    const m = file.messages[0]!;
    expect(m.extensionRanges).toEqual([[100, 199], [1000, 536870911], [500, 500]]);
    expect(m.extensionRangeOptions!.map((l) => l.map((o) => o.name))).toEqual([[], ["(my.decl)"], ["(my.decl)"]]);
    expect(parseClean(`${P2}message M { extensions 5; }`).messages[0]!.extensionRangeOptions).toBeUndefined();
  });

  test("extend blocks at the top level and in messages; groups in them", () => {
    const file = parseClean(`${P2}package p;
extend Base { optional int32 a = 100; repeated string b = 101 [packed = false]; optional group G = 102 { optional int32 x = 1; } }
message M { extend .p.Base { optional M m = 103; } }`);
    expect(file.extends).toHaveLength(1);
    expect(file.extends[0]!.extendee).toBe("Base");
    expect(file.extends[0]!.fields.map((f) => f.name)).toEqual(["a", "b", "g"]);
    expect(file.messages.map((m) => m.fullName)).toEqual(["p.G", "p.M"]);
    expect(file.messages[1]!.extends[0]).toMatchObject({ extendee: ".p.Base", fields: [{ name: "m", number: 103 }] });
  });
});

describe("enums and services", () => {
  test("enum values: negative, hex, options; enum options", () => {
    const file = parseClean(`${P2}enum E {
  option allow_alias = true;
  A = 0;
  B = -1;
  C = 0x10 [deprecated = true, (my.v) = "c"];
  D = 0;
}`);
    const e = file.enums[0]!;
    expect(e.values.map((v) => [v.name, v.number])).toEqual([["A", 0], ["B", -1], ["C", 16], ["D", 0]]);
    expect(e.values[2]!.options.map((o) => o.name)).toEqual(["deprecated", "(my.v)"]);
    expect(e.options[0]).toMatchObject({ name: "allow_alias", value: { kind: "bool", value: true } });
    expect(e.closed).toBe(true);
    expect(parseClean(`${P3}enum E { Z = 0; }`).enums[0]!.closed).toBe(false);
  });

  test("services: all four streaming shapes, options, bodies", () => {
    const file = parseClean(`${P3}service S {
  option deprecated = true;
  rpc Unary(Req) returns (Res);
  rpc Client(stream Req) returns (Res) {}
  rpc Server(Req) returns (stream .pkg.Res) { option idempotency_level = NO_SIDE_EFFECTS; };
  rpc Bidi(stream Req) returns (stream Res) { ; option (my.m) = { timeout: 5 }; }
  rpc StreamType(stream) returns (stream);
}`);
    const s = file.services[0]!;
    expect(s.options.map((o) => o.name)).toEqual(["deprecated"]);
    expect(s.methods.map((m) => [m.name, m.input.name, m.clientStreaming, m.output.name, m.serverStreaming])).toEqual([
      ["Unary", "Req", false, "Res", false],
      ["Client", "Req", true, "Res", false],
      ["Server", "Req", false, ".pkg.Res", true],
      ["Bidi", "Req", true, "Res", true],
      ["StreamType", "stream", false, "stream", false],
    ]);
    expect(s.methods[2]!.options.map((o) => o.name)).toEqual(["idempotency_level"]);
    expect(s.methods[3]!.options[0]!.value).toMatchObject({ kind: "aggregate", text: "timeout: 5" });
  });
});

describe("literals", () => {
  const value = (text: string): unknown => onlyField(`optional double f = 1 [default = ${text}];`).defaultValue;

  test("integers: decimal, hex, octal, negative", () => {
    expect(value("42")).toMatchObject({ kind: "int", value: 42n });
    expect(value("0x7fFFffFF")).toMatchObject({ kind: "int", value: 2147483647n });
    expect(value("0X10")).toMatchObject({ kind: "int", value: 16n });
    expect(value("0755")).toMatchObject({ kind: "int", value: 493n });
    expect(value("0")).toMatchObject({ kind: "int", value: 0n });
    expect(value("-9223372036854775808")).toMatchObject({ kind: "int", value: -9223372036854775808n });
    expect(value("18446744073709551615")).toMatchObject({ kind: "int", value: 18446744073709551615n });
  });

  test("floats: every form, inf and nan", () => {
    expect([value("1.5"), value("1."), value(".5"), value("1e3"), value("2E-2"), value("1.5e+2"), value("-0.25")])
      .toEqual([1.5, 1, 0.5, 1000, 0.02, 150, -0.25].map((v) => expect.objectContaining({ kind: "float", value: v })));
    expect(value("inf")).toMatchObject({ kind: "identifier", name: "inf" });
    expect(value("nan")).toMatchObject({ kind: "identifier", name: "nan" });
    expect(value("-inf")).toMatchObject({ kind: "float", value: -Infinity });
    expect(value("-nan")).toMatchObject({ kind: "float", value: NaN });
  });

  test("booleans and identifiers", () => {
    expect(value("true")).toMatchObject({ kind: "bool", value: true });
    expect(value("false")).toMatchObject({ kind: "bool", value: false });
    expect(value("SOME_VALUE")).toMatchObject({ kind: "identifier", name: "SOME_VALUE" });
  });

  test("strings: quotes, every escape, adjacent literals joined", () => {
    expect(value(`'single "quoted"'`)).toMatchObject({ kind: "string", value: 'single "quoted"' });
    expect(value(String.raw`"\a\b\f\n\r\t\v\\\'\"\?"`)).toMatchObject({ kind: "string", value: "\x07\b\f\n\r\t\v\\'\"?" });
    expect(value(String.raw`"\101\60\0end"`)).toMatchObject({ kind: "string", value: "A0\0end" });
    expect(value(String.raw`"\x41\x4a\X4b"`)).toMatchObject({ kind: "string", value: "AJK" });
    expect(value(String.raw`"caf\u00e9 \U0001F600 \uD83D\uDE00 \xe2\x82\xac"`)).toMatchObject({ kind: "string", value: "café 😀 😀 €" });
    expect(value(`"a" 'b'\n"c"`)).toMatchObject({ kind: "string", value: "abc" });
    const raw = value(String.raw`"\377\000" "x"`) as { bytes?: Uint8Array; value: string };
    expect(raw.bytes).toEqual(Uint8Array.from([255, 0, 120]));
    expect(raw.value).toBe("\uFFFD\0x");
  });

  test("aggregates keep their text", () => {
    const f = onlyField('optional int32 f = 1 [(my.rule) = { min: -1 list: [1, 2] sub < x: "y" > }];');
    expect(f.options[0]!.value).toMatchObject({ kind: "aggregate", text: 'min: -1 list: [1, 2] sub < x: "y" >' });
  });
});

describe("doc comments", () => {
  test("leading comments become docs; trailing and detached ones do not", () => {
    const file = parseClean(`${P3}
// Line one.
//   indented line two.
message A {
  // About x.
  int32 x = 1; // trailing, not y's doc
  int32 y = 2; // trailing y
  // About v, right after a trailing comment.
  int32 v = 5;

  // Detached by a blank line.

  int32 z = 3;
  /* Block on one line. */ int32 w = 4;
}

/**
 * Boxed
 * doc.
 */
enum E {
  /* value doc */
  E0 = 0;
}

/* service */ service S {
  // rpc doc
  rpc R(A) returns (A);
}
`);
    const a = file.messages[0]!;
    expect(a.doc).toBe("Line one.\n  indented line two.");
    expect(a.fields.map((f) => f.doc)).toEqual(["About x.", undefined, "About v, right after a trailing comment.", undefined, "Block on one line."]);
    expect(file.enums[0]!.doc).toBe("Boxed\ndoc.");
    expect(file.enums[0]!.values[0]!.doc).toBe("value doc");
    expect(file.services[0]!.doc).toBe("service");
    expect(file.services[0]!.methods[0]!.doc).toBe("rpc doc");
  });
});

describe("error recovery", () => {
  test("several errors in one file; the statements after each error still parse", () => {
    const { file, diagnostics } = parse(`${P3}message A {
  int32 x = ;
  int32 y = 2;
  string = 3;
  int32 z = 4;
}
message B { oops }
enum C { C0 = 0 }
message D {}`);
    expect(diagnostics).toEqual([
      "test.proto:3:13: error: expected field number, found ';'",
      "test.proto:5:10: error: expected field name, found '='",
      "test.proto:8:18: error: expected field name, found '}'",
      "test.proto:9:17: error: expected ';', found '}'",
    ]);
    expect(file.messages.map((m) => m.name)).toEqual(["A", "B", "D"]);
    expect(file.messages[0]!.fields.map((f) => f.name)).toEqual(["y", "z"]);
    expect(file.enums[0]!.values.map((v) => v.name)).toEqual(["C0"]);
  });

  test("a run of stray tokens between statements is one error; the next run is another", () => {
    const { file, diagnostics } = parse(`${P3}message A {} } } ; } bogus 12 "x" ;
message B {}
} }
enum C { C0 = 0; }`);
    expect(diagnostics).toEqual([
      "test.proto:2:14: error: expected 'message', 'enum', 'service', 'extend', 'import', 'package' or 'option', found '}'",
      "test.proto:4:1: error: expected 'message', 'enum', 'service', 'extend', 'import', 'package' or 'option', found '}'",
    ]);
    expect(file.messages.map((m) => m.name)).toEqual(["A", "B"]);
    expect(file.enums.map((e) => e.name)).toEqual(["C"]);
  });

  test("a missing '}' at the end is reported once, whatever the depth", () => {
    const { file, diagnostics } = parse(`${P3}message A { message B { message C { int32 x = 1;`);
    expect(diagnostics).toEqual(["test.proto:2:49: error: expected '}', found end of file"]);
    expect(message(file, "A.B.C").fields).toHaveLength(1);
  });

  test("label rules that need no name resolution are the parser's", () => {
    const { diagnostics } = parse(`edition = "2023";
message M { optional int32 a = 1; required int32 b = 2; message G {} }
message N { reserved "old"; }`);
    expect(diagnostics).toEqual([
      "test.proto:2:13: error: 'optional' is not allowed in editions; use the option features.field_presence = EXPLICIT",
      "test.proto:2:35: error: 'required' is not allowed in editions; use the option features.field_presence = LEGACY_REQUIRED",
      "test.proto:3:22: error: reserved names must be identifiers in editions, not string literals",
    ]);
    expect(parse(`${P3}message M { optional group G = 1 {} reserved foo; }`).diagnostics).toEqual([
      "test.proto:2:22: error: groups are not allowed in proto3; use a message field",
      "test.proto:2:46: error: reserved names must be string literals in proto3 (identifiers need editions)",
    ]);
  });

  test("unknown syntax and editions", () => {
    expect(parse('syntax = "proto4";').diagnostics).toEqual(['test.proto:1:10: error: unknown syntax \'proto4\' (expected "proto2" or "proto3")']);
    expect(parse('edition = "1999";').diagnostics).toEqual(['test.proto:1:11: error: unknown edition \'1999\' (known: "2023", "2024")']);
  });
});
