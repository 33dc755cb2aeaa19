/**
 * What the checker derives for code generators — presence, packed, closed enums,
 * defaults and option values in their types' form, resolved custom option names — in
 * proto2, proto3 and editions.
 */
import { describe, expect, test } from "vitest";
import { check, enumAt, field, message } from "./helpers.js";

/** [name, presence, packed] of every field of message M. */
function encoding(text: string, more: Record<string, string> = {}): [string, boolean | undefined, boolean | undefined][] {
  const { program, diagnostics } = check(text, more);
  if (diagnostics.length > 0) throw new Error(diagnostics.join("\n"));
  const m = message(program.files.get("test.proto")!, "M");
  return m.fields.map((f) => [f.name, f.presence, f.packed]);
}

describe("presence and packed", () => {
  test("proto2: presence for singular fields; packed only when asked", () => {
    expect(encoding(`syntax = "proto2";
enum E { A = 0; }
message M {
  optional int32 a = 1;
  required string b = 2;
  repeated int32 c = 3;
  repeated int32 d = 4 [packed = true];
  repeated E e = 5 [packed = true];
  repeated string f = 6;
  optional M g = 7;
  map<string, int32> h = 8;
  oneof o { int32 i = 9; }
  optional group J = 10 {}
  repeated double k = 11 [packed = false];
}`)).toEqual([
      ["a", true, false], ["b", true, false], ["c", false, false], ["d", false, true], ["e", false, true], ["f", false, false],
      ["g", true, false], ["h", false, false], ["i", true, false], ["j", true, false], ["k", false, false],
    ]);
  });

  test("proto3: presence for messages, oneofs and optional; repeated scalars packed by default", () => {
    expect(encoding(`syntax = "proto3";
enum E { A = 0; }
message M {
  int32 a = 1;
  optional int32 b = 2;
  repeated int32 c = 3;
  repeated int32 d = 4 [packed = false];
  repeated E e = 5;
  repeated string f = 6;
  repeated bytes g = 7;
  repeated M h = 8;
  M i = 9;
  E j = 10;
  oneof o { string k = 11; }
  map<int32, int32> l = 12;
  repeated bool m = 13;
}`)).toEqual([
      ["a", false, false], ["b", true, false], ["c", false, true], ["d", false, false], ["e", false, true], ["f", false, false],
      ["g", false, false], ["h", false, false], ["i", true, false], ["j", false, false], ["k", true, false], ["l", false, false],
      ["m", false, true],
    ]);
  });

  test("editions: features from the field outwards, with the 2023 defaults", () => {
    expect(encoding(`edition = "2023";
option features.repeated_field_encoding = EXPANDED;
message M {
  option features.field_presence = IMPLICIT;
  int32 a = 1;
  int32 b = 2 [features.field_presence = EXPLICIT];
  repeated int32 c = 3;
  repeated int32 d = 4 [features.repeated_field_encoding = PACKED];
  M e = 5;
  oneof o { int32 f = 6 [features.field_presence = EXPLICIT]; }
}`)).toEqual([["a", false, false], ["b", true, false], ["c", false, false], ["d", false, true], ["e", true, false], ["f", true, false]]);
    expect(encoding(`edition = "2023";\nmessage M { int32 a = 1; repeated sint64 b = 2; }`)).toEqual([["a", true, false], ["b", false, true]]);
  });

  test("editions: LEGACY_REQUIRED reads as required, DELIMITED as group encoding", () => {
    const { program, diagnostics } = check(`edition = "2023";
message M {
  int32 a = 1 [features.field_presence = LEGACY_REQUIRED];
  M b = 2 [features.message_encoding = DELIMITED];
  M c = 3;
}`);
    expect(diagnostics).toEqual([]);
    const m = message(program.files.get("test.proto")!, "M");
    expect(m.fields.map((f) => [f.name, f.label, f.group ?? false, f.presence])).toEqual([
      ["a", "required", false, true], ["b", "none", true, true], ["c", "none", false, true],
    ]);
  });

  test("extensions have presence; proto2 extensions pack only when asked", () => {
    const { program, diagnostics } = check(`syntax = "proto2";
message M { extensions 10 to 20; }
extend M { optional int32 a = 10; repeated int32 b = 11; repeated int32 c = 12 [packed = true]; }`);
    expect(diagnostics).toEqual([]);
    expect(program.files.get("test.proto")!.extends[0]!.fields.map((f) => [f.name, f.presence, f.packed])).toEqual([
      ["a", true, false], ["b", false, false], ["c", false, true],
    ]);
  });

  test("closed enums: proto2 yes, proto3 no, editions per features.enum_type", () => {
    const closed = (text: string, name: string): boolean => enumAt(check(text).program.files.get("test.proto")!, name).closed;
    expect(closed('syntax = "proto2";\nenum E { A = 1; }', "E")).toBe(true);
    expect(closed('syntax = "proto3";\nenum E { A = 0; }', "E")).toBe(false);
    expect(closed('edition = "2023";\nenum E { A = 0; }', "E")).toBe(false);
    expect(closed('edition = "2023";\nenum E { option features.enum_type = CLOSED; A = 1; }', "E")).toBe(true);
    expect(closed('edition = "2023";\noption features.enum_type = CLOSED;\nmessage M { enum E { A = 1; } }', "M.E")).toBe(true);
  });
});

describe("values in their types' form", () => {
  test("defaults: integers for floats become floats, inf and nan become numbers", () => {
    const { program, diagnostics } = check(`syntax = "proto2";
enum E { A = 0; B = 1; }
message M {
  optional double a = 1 [default = 5];
  optional float b = 2 [default = inf];
  optional double c = 3 [default = nan];
  optional E d = 4 [default = B];
  optional bytes e = 5 [default = "\\001\\377"];
  optional int64 f = 6 [default = -0x10];
}`);
    expect(diagnostics).toEqual([]);
    const m = message(program.files.get("test.proto")!, "M");
    expect(field(m, "a").defaultValue).toMatchObject({ kind: "float", value: 5 });
    expect(field(m, "b").defaultValue).toMatchObject({ kind: "float", value: Infinity });
    expect(field(m, "c").defaultValue).toMatchObject({ kind: "float", value: NaN });
    expect(field(m, "d").defaultValue).toMatchObject({ kind: "identifier", name: "B" });
    expect(field(m, "e").defaultValue).toMatchObject({ kind: "string", bytes: Uint8Array.from([1, 255]) });
    expect(field(m, "f").defaultValue).toMatchObject({ kind: "int", value: -16n });
  });

  test("options: built-in and custom values are checked and normalized; custom names resolved", () => {
    const { program, diagnostics } = check(`syntax = "proto3";
package p;
import "google/protobuf/descriptor.proto";
extend google.protobuf.FieldOptions { double weight = 50000; Level level = 50001; Rule rule = 50002; }
enum Level { LEVEL_ZERO = 0; LEVEL_HIGH = 1; }
message Rule { int32 min = 1; }
message M {
  int32 a = 1 [(weight) = 3, (p.level) = LEVEL_HIGH, (.p.rule) = { min: 1 }, (rule).min = 2, deprecated = true];
}`);
    expect(diagnostics).toEqual([]);
    const options = field(message(program.files.get("test.proto")!, "M"), "a").options;
    expect(options.map((o) => [o.name, o.extension, o.value.kind])).toEqual([
      ["(weight)", "p.weight", "float"], ["(p.level)", "p.level", "identifier"], ["(.p.rule)", "p.rule", "aggregate"],
      ["(rule).min", "p.rule", "int"], ["deprecated", undefined, "bool"],
    ]);
    expect(options[0]!.value).toMatchObject({ value: 3 });
  });
});

describe("unused imports", () => {
  test("warned in root files only; public imports and imports used for options count as used", () => {
    const { diagnostics } = check(`syntax = "proto3";
import "unused.proto";
import public "reexported.proto";
import "opts.proto";
import "google/protobuf/empty.proto";
option (tag) = "x";
message M {}`, {
      "unused.proto": 'syntax = "proto3";\nimport "google/protobuf/any.proto";\nmessage U {}',
      "reexported.proto": 'syntax = "proto3";\nmessage R {}',
      "opts.proto": 'syntax = "proto3";\nimport "google/protobuf/descriptor.proto";\nextend google.protobuf.FileOptions { string tag = 50000; }',
    });
    expect(diagnostics).toEqual([
      "test.proto:2:1: warning: import 'unused.proto' is not used",
      "test.proto:5:1: warning: import 'google/protobuf/empty.proto' is not used",
    ]);
  });
});
