/**
 * ProtoJSON messages: field names and order, presence and emitDefaults, enums (open, closed,
 * aliases, unknown values, NullValue), nested and repeated messages, maps of every key type,
 * oneofs, proto2 required fields and groups, unknown keys, duplicate keys, depth limits, and
 * the JSON path in every error.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { ErrorCode, fromJsonString, init, toJson, toJsonString, type ProtobufMessageCodec } from "kitewire";
import * as s from "../../support/protobuf-json-schema.js";
import { field, message, scalar } from "../../support/protobuf-reflect.js";
import { expectError } from "./helpers.js";

type Msg = Record<string, unknown>;
type Codec = ProtobufMessageCodec<unknown>;
const print = (codec: Codec, init: Msg, options = {}) => toJsonString(codec, codec.create(init), options);
const read = (codec: Codec, text: string, options = {}) => fromJsonString(codec, text, options) as Msg;
const nested = (init: Msg = {}) => s.Nested.create(init) as Msg;

beforeAll(async () => {
  await init();
});

describe("fields", () => {
  test("nested and repeated messages; unset and default fields left out", () => {
    const v = nested({ a: 1, child: nested({ note: "x" }), children: [nested(), nested({ color: 2 })], color: 1 });
    const json = `{"a":1,"child":{"note":"x"},"children":[{},{"color":"COLOR_GREEN"}],"color":"COLOR_RED"}`;
    expect(toJsonString(s.Nested, v)).toBe(json);
    expect(read(s.Nested, json)).toEqual(v);
    expect(print(s.Nested, {})).toBe("{}");
  });

  test("fields print in field-number order, whatever order the table lists them in", () => {
    const codec = message("t.Order", [field(3, "c", scalar("int32")), field(1, "a", scalar("int32")), field(2, "b", scalar("int32"))]);
    expect(print(codec, { a: 1, b: 2, c: 3 })).toBe(`{"a":1,"b":2,"c":3}`);
  });

  test("JSON names by default, .proto names with useProtoNames; both are read", () => {
    const v = s.Names.create(Object.fromEntries(s.Names.fields.map((f) => [f.localName, f.no]))) as Msg;
    expect(toJsonString(s.Names, v)).toBe(`{"fieldname1":1,"fieldName2":2,"FieldName3":3,"fieldName4":4,"field0name5":5,` +
      `"field0Name6":6,"fieldName7":7,"FieldName8":8,"fieldName9":9,"FieldName10":10,"FIELDNAME11":11,"FIELDName12":12,` +
      `"FieldName13":13,"FieldName14":14,"fieldName15":15,"fieldName16":16,"fieldName17":17,"FieldName18":18,"renamed":19}`);
    const proto = toJsonString(s.Names, v, { useProtoNames: true });
    expect(proto).toBe(`{"fieldname1":1,"field_name2":2,"_field_name3":3,"field__name4_":4,"field0name5":5,"field_0_name6":6,` +
      `"fieldName7":7,"FieldName8":8,"field_Name9":9,"Field_Name10":10,"FIELD_NAME11":11,"FIELD_name12":12,` +
      `"__field_name13":13,"__Field_name14":14,"field__name15":15,"field__Name16":16,"field_name17__":17,` +
      `"Field_name18__":18,"custom":19}`);
    expect(read(s.Names, proto)).toEqual(v);
    expect(read(s.Names, toJsonString(s.Names, v))).toEqual(v);
    expect(read(s.Names, `{"fieldn\\u0061me1": 1, "renamed": 2}`)).toEqual(s.Names.create({ f1: 1, custom: 2 }));
  });

  test("a field given by both its names, or an object key given twice, is an error", () => {
    expectError(() => read(s.Scalars, `{"fInt32": 1, "f_int32": 2}`), ErrorCode.INVALID_VALUE,
      `$.f_int32: field f_int32 is given twice (also as "fInt32")`);
    expectError(() => read(s.Scalars, `{"fInt32": null, "f_int32": 2}`), ErrorCode.INVALID_VALUE, "given twice");
    expectError(() => read(s.Scalars, `{"fInt32": 1, "fInt32": 2}`), ErrorCode.INVALID_VALUE, `$: duplicate key "fInt32"`);
    expectError(() => read(s.Nested, `{"children": [{}, {"child": {"a": 1, "\\u0061": 2}}]}`), ErrorCode.INVALID_VALUE,
      `$.children[1].child: duplicate key "\\u0061"`);
    // Different keys in different objects are no duplicates.
    expect(read(s.Nested, `{"a": 1, "child": {"a": 2, "child": {"a": 3}}, "note": "a"}`).a).toBe(1);
  });

  test("keys naming no field fail, unless ignoreUnknownFields", () => {
    expectError(() => read(s.Nested, `{"a": 1, "nope": 2}`), ErrorCode.INVALID_VALUE, `$.nope: kitewire.json.Nested has no field named "nope"`);
    expectError(() => read(s.Nested, `{"child": {"Note": ""}}`), ErrorCode.INVALID_VALUE, `$.child.Note:`);
    for (const v of ["1", `"a"`, "true", "false", "null", `{"a": 1}`, "[1]"]) {
      expect(read(s.Nested, `{"unknown": ${v}, "a": 5}`, { ignoreUnknownFields: true })).toEqual(nested({ a: 5 }));
    }
  });

  test("unknown fields kept from the wire are not JSON", () => {
    const v = nested({ a: 1, $unknown: [new Uint8Array([0x50, 0x01])] });
    expect(toJsonString(s.Nested, v)).toBe(`{"a":1}`);
  });

  test("what is not a message object is rejected, at the top and below", () => {
    for (const text of ["null", "[]", "1", `"a"`, "true"]) {
      expectError(() => read(s.Nested, text), ErrorCode.INVALID_VALUE, "$: expected");
    }
    expectError(() => read(s.Nested, `{"child": [1]}`), ErrorCode.INVALID_VALUE,
      "$.child: expected a JSON object for kitewire.json.Nested, got an array");
    expectError(() => read(s.Nested, `{"children": [{}, null]}`), ErrorCode.INVALID_VALUE, "$.children[1]: an array element cannot be null");
    expectError(() => read(s.Nested, `{"children": [{}, 2]}`), ErrorCode.INVALID_VALUE, "$.children[1]: expected a JSON object");
    expectError(() => read(s.Nested, `{"children": {"a": 1}}`), ErrorCode.INVALID_VALUE, "$.children: expected a JSON array");
    expectError(() => toJson(s.Nested, null), ErrorCode.INVALID_VALUE, "$: expected a kitewire.json.Nested message object, got null");
    expectError(() => toJson(s.Nested, nested({ children: [nested(), 5] })), ErrorCode.INVALID_VALUE,
      "$.children[1]: expected a kitewire.json.Nested message object, got 5");
  });

  test("errors name the path of the value, with the names the JSON uses", () => {
    expectError(() => read(s.Nested, `{"children": [{}, {"child": {"a": "x"}}]}`), ErrorCode.INVALID_VALUE,
      `$.children[1].child.a: expected an int32 as a decimal string, got the string "x"`);
    const v = nested({ children: [nested(), nested({ child: nested({ a: 1.5 }) })] });
    expectError(() => toJson(s.Nested, v), ErrorCode.INVALID_VALUE, "$.children[1].child.a: expected an int32 value, got 1.5");
    expectError(() => toJson(s.Scalars, s.Scalars.create({ rSfixed64: [1n, 2] }), { useProtoNames: true }),
      ErrorCode.INVALID_VALUE, "$.r_sfixed64[1]: expected an sfixed64 value, got 2");
  });

  test("undefined counts as unset, even where the type has no undefined", () => {
    expect(toJsonString(s.Nested, { a: undefined, children: undefined })).toBe("{}");
    expect(toJsonString(s.Nested, { a: undefined, children: undefined }, { emitDefaults: true }))
      .toBe(`{"a":0,"children":[],"note":"","color":"COLOR_UNSPECIFIED"}`);
  });

  test("toJsonString indents on request; -0 keeps its sign; __proto__ is an ordinary key", () => {
    const v = nested({ a: 1, children: [nested({ note: "n" })] });
    expect(toJsonString(s.Nested, v, { indent: 2 })).toBe(`{\n  "a": 1,\n  "children": [\n    {\n      "note": "n"\n    }\n  ]\n}`);
    expect(toJsonString(s.Nested, nested(), { indent: 2 })).toBe("{}");
    const m = s.Maps.create({ stringKey: new Map([["__proto__", "x"]]), doubleValue: new Map([["z", -0]]) });
    const text = toJsonString(s.Maps, m);
    expect(text).toBe(`{"stringKey":{"__proto__":"x"},"doubleValue":{"z":-0}}`);
    expect(fromJsonString(s.Maps, text)).toEqual(m);
  });
});

describe("presence and emitDefaults", () => {
  const zero: Record<string, string> = { double: "0", float: "0", bool: "false", string: `""`, bytes: `""` };
  const zeroJson = (t: string) => zero[t] ?? (t.endsWith("64") ? `"0"` : "0");

  test("emitDefaults prints fields without presence at their defaults, and empty repeated fields", () => {
    const want = `{${[
      ...s.SCALAR_TYPES.map((t) => `"f${t[0]!.toUpperCase()}${t.slice(1)}":${zeroJson(t)}`),
      ...s.SCALAR_TYPES.map((t) => `"r${t[0]!.toUpperCase()}${t.slice(1)}":[]`), `"rUnpacked":[]`,
    ].join(",")}}`;
    expect(print(s.Scalars, {}, { emitDefaults: true })).toBe(want);
    expect(read(s.Scalars, want)).toEqual(s.Scalars.create());
  });

  test("optional fields print when set, even at their default, and never when unset", () => {
    expect(print(s.Scalars, { oInt32: 0, oString: "", oBool: false, oDouble: -0 })).toBe(`{"oDouble":-0,"oInt32":0,"oBool":false,"oString":""}`);
    expect(read(s.Scalars, `{"oInt32": 0}`).oInt32).toBe(0);
    expect(read(s.Scalars, `{"oInt32": null}`).oInt32).toBeUndefined();
    expect(print(s.Enums, { maybe: 0 })).toBe(`{"maybe":"COLOR_UNSPECIFIED"}`);
    expect(print(s.Enums, {}, { emitDefaults: true })).toBe(`{"color":"COLOR_UNSPECIFIED","colors":[],"nullValue":null}`);
    expect(print(s.Nested, {}, { emitDefaults: true })).toBe(`{"a":0,"children":[],"note":"","color":"COLOR_UNSPECIFIED"}`);
  });

  test("-0.0 and NaN are not the default of an implicit-presence double", () => {
    expect(print(s.Scalars, { fDouble: -0, fFloat: NaN })).toBe(`{"fDouble":-0,"fFloat":"NaN"}`);
  });

  test("proto2: required fields always print; optional ones with a [default] only when set; missing required fails", () => {
    expect(print(s.Legacy, { id: 0 })).toBe(`{"id":0}`);
    expect(print(s.Legacy, { id: 0 }, { emitDefaults: true })).toBe(`{"id":0,"levels":[],"numbers":[],"blobs":{}}`);
    expect(print(s.Legacy, { id: 1, name: "anon", extra: s.LegacyExtra.create({ depth: 2 }) }))
      .toBe(`{"id":1,"name":"anon","extra":{"depth":2}}`);
    expect(read(s.Legacy, `{"id": 1, "extra": {"depth": 2}}`)).toEqual(s.Legacy.create({ id: 1, extra: s.LegacyExtra.create({ depth: 2 }) }));
    expectError(() => read(s.Legacy, `{"name": "x"}`), ErrorCode.MISSING_FIELD, "$: required field id of kitewire.legacy.Legacy is missing");
    expectError(() => read(s.Legacy, `{"id": null}`), ErrorCode.MISSING_FIELD, "required field id");
    expectError(() => read(s.Legacy, `{"id": 1, "child": {}}`), ErrorCode.MISSING_FIELD, "$.child: required field id");
  });
});

describe("enums", () => {
  test("names; unknown values of an open enum as numbers; the first name of an alias", () => {
    expect(print(s.Enums, { color: 1, colors: [0, 1, 99, -5] })).toBe(`{"color":"COLOR_RED","colors":["COLOR_UNSPECIFIED","COLOR_RED",99,"COLOR_NEGATIVE"]}`);
    expect(print(s.Enums, { color: 99 })).toBe(`{"color":99}`);
    expect(print(s.Enums, { color: 1, colors: [2, 99] }, { enumAsInteger: true })).toBe(`{"color":1,"colors":[2,99]}`);
  });

  test("names (aliases too) and numbers are read", () => {
    expect(read(s.Enums, `{"color": "COLOR_CRIMSON", "colors": [0, "COLOR_GREEN", 99, -5], "maybe": "COLOR_UNSPECIFIED"}`))
      .toEqual(s.Enums.create({ color: 1, colors: [0, 2, 99, -5], maybe: 0 }));
    expect(read(s.Enums, `{"color": 2147483647}`).color).toBe(2147483647);
  });

  test("a name the enum does not have fails, or with ignoreUnknownFields leaves the field, element or entry out", () => {
    expectError(() => read(s.Enums, `{"color": "NOPE"}`), ErrorCode.INVALID_VALUE, `$.color: the string "NOPE" is not a value of enum kitewire.json.Color`);
    expectError(() => read(s.Enums, `{"colors": ["COLOR_RED", "NOPE"]}`), ErrorCode.INVALID_VALUE, "$.colors[1]:");
    expectError(() => read(s.Maps, `{"enumValue": {"k": "NOPE"}}`), ErrorCode.INVALID_VALUE, "$.enumValue.k:");
    const o = { ignoreUnknownFields: true };
    expect(read(s.Enums, `{"color": "NOPE", "maybe": "NOPE"}`, o)).toEqual(s.Enums.create());
    expect(read(s.Enums, `{"colors": ["COLOR_RED", "NOPE", "COLOR_RED"]}`, o).colors).toEqual([1, 1]);
    expect(read(s.Maps, `{"enumValue": {"key1": "COLOR_RED", "key2": "NOPE"}}`, o).enumValue).toEqual(new Map([["key1", 1]]));
    expect(read(s.Oneofs, `{"cColor": "NOPE", "cInt32": 1}`, o).choice).toEqual({ case: "cInt32", value: 1 });
  });

  test.each([
    [`{"color": "color_red"}`, "is not a value of enum"],
    [`{"color": ["COLOR_RED"]}`, "expected a kitewire.json.Color name or int32 number, got an array"],
    [`{"color": [2]}`, "got an array"],
    [`{"color": true}`, "got true"],
    [`{"color": 1.5}`, "got 1.5"],
    [`{"color": 2147483648}`, "got 2147483648"],
    [`{"color": {}}`, "got an object"],
  ])("%s is rejected", (text, message) => {
    expectError(() => read(s.Enums, text), ErrorCode.INVALID_VALUE, "$.color:", message);
  });

  test("closed (proto2) enums hold only the values they list", () => {
    expectError(() => read(s.Legacy, `{"id": 1, "level": 3}`), ErrorCode.INVALID_VALUE, "$.level: 3 is not a value of closed enum kitewire.legacy.Level");
    expect(read(s.Legacy, `{"id": 1, "level": 3, "levels": [1, 3, "LEVEL_HIGH"]}`, { ignoreUnknownFields: true }))
      .toEqual(s.Legacy.create({ id: 1, levels: [1, 2] }));
    expectError(() => print(s.Legacy, { id: 1, levels: [1, 3] }), ErrorCode.INVALID_VALUE, "$.levels[1]: 3 is not a value of closed enum");
    expect(print(s.Legacy, { id: 1, level: 2 }, { enumAsInteger: true })).toBe(`{"id":1,"level":2}`);
  });

  test("google.protobuf.NullValue is null both ways (and \"NULL_VALUE\" or 0 read as it)", () => {
    for (const text of [`{"nullValue": null}`, `{"nullValue": "NULL_VALUE"}`, `{"nullValue": 0}`]) {
      expect(read(s.Enums, text)).toEqual(s.Enums.create());
    }
    expect(print(s.Oneofs, { choice: { case: "cNull", value: 0 } }, { enumAsInteger: true })).toBe(`{"cNull":null}`);
    expectError(() => print(s.Enums, { color: "COLOR_RED" }), ErrorCode.INVALID_VALUE, `$.color: expected a kitewire.json.Color value (an int32), got the string "COLOR_RED"`);
  });
});

describe("maps", () => {
  const all = s.Maps.create({
    // Integer-like keys first: a JS object lists them so, whatever the Map's order.
    int32Key: new Map([[2, "b"], [-1, "a"]]), int64Key: new Map([[-(2n ** 63n), "x"]]),
    uint32Key: new Map([[4294967295, "u"]]), uint64Key: new Map([[2n ** 64n - 1n, "U"]]),
    sint32Key: new Map([[-2147483648, ""]]), sint64Key: new Map([[5n, "s"]]), fixed32Key: new Map([[0, "z"]]),
    fixed64Key: new Map([[0n, "Z"]]), sfixed32Key: new Map([[-3, "m"]]), sfixed64Key: new Map([[-(2n ** 62n), "M"]]),
    boolKey: new Map([[true, "t"], [false, "f"]]), stringKey: new Map([["", "e"], ["a b", "s"]]),
    messageValue: new Map([["m", nested({ a: 1 })]]), enumValue: new Map([["e", 2]]),
    bytesValue: new Map([["b", new Uint8Array([1])]]), doubleValue: new Map([["d", NaN]]),
    durationValue: new Map([[-1n, s.Duration.create({ seconds: 1n, nanos: 0 })]]),
  }) as Msg;
  const json = `{"int32Key":{"2":"b","-1":"a"},"int64Key":{"-9223372036854775808":"x"},"uint32Key":{"4294967295":"u"},` +
    `"uint64Key":{"18446744073709551615":"U"},"sint32Key":{"-2147483648":""},"sint64Key":{"5":"s"},"fixed32Key":{"0":"z"},` +
    `"fixed64Key":{"0":"Z"},"sfixed32Key":{"-3":"m"},"sfixed64Key":{"-4611686018427387904":"M"},` +
    `"boolKey":{"true":"t","false":"f"},"stringKey":{"":"e","a b":"s"},"messageValue":{"m":{"a":1}},` +
    `"enumValue":{"e":"COLOR_GREEN"},"bytesValue":{"b":"AQ=="},"doubleValue":{"d":"NaN"},"durationValue":{"-1":"1s"}}`;

  test("every key type as a JSON object key, both ways", () => {
    expect(toJsonString(s.Maps, all)).toBe(json);
    expect(read(s.Maps, json)).toEqual(all);
  });

  test("keys in other spellings of the same number, escapes; null map is empty", () => {
    const v = read(s.Maps, `{"int32Key": {"\\u0031": "a", "-0": "z"}, "int64Key": {"1e2": "h"}, "boolKey": {"tr\\u0075e": "t"}, "uint32Key": null}`);
    expect(v.int32Key).toEqual(new Map([[1, "a"], [0, "z"]]));
    expect(v.int64Key).toEqual(new Map([[100n, "h"]]));
    expect(v.boolKey).toEqual(new Map([[true, "t"]]));
    expect(v.uint32Key).toEqual(new Map());
    expect(read(s.Maps, `{"valueValue": {"a": null}}`).valueValue).toEqual(new Map([["a", s.Value.create({ kind: { case: "nullValue", value: 0 } })]]));
  });

  test.each([
    [`{"int32Key": {"x": "a"}}`, `$.int32Key.x: expected an int32 as a decimal string`],
    [`{"int32Key": {"1.5": "a"}}`, `$.int32Key["1.5"]: expected an integer (int32)`],
    [`{"int32Key": {"2147483648": "a"}}`, `$.int32Key["2147483648"]: int32 out of range`],
    [`{"uint64Key": {"-1": "a"}}`, `$.uint64Key["-1"]: uint64 out of range`],
    [`{"boolKey": {"TRUE": "a"}}`, `$.boolKey.TRUE: expected a bool map key ("true" or "false")`],
    [`{"boolKey": {"1": "a"}}`, `expected a bool map key`],
    [`{"int64Key": {"1": "a", "01": "b"}}`, `$.int64Key["01"]: map key 1 is given twice`],
    [`{"int32Key": {"1": null}}`, `$.int32Key["1"]: a map value cannot be null`],
    [`{"messageValue": {"k": null}}`, `$.messageValue.k: a map value cannot be null`],
    [`{"int32Key": {"1": 2}}`, `$.int32Key["1"]: expected a string, got 2`],
    [`{"int32Key": []}`, `$.int32Key: expected a JSON object for a map, got an array`],
    [`{"int32Key": "1"}`, `$.int32Key: expected a JSON object for a map`],
    [`{"stringKey": {"\\ud800": "x"}}`, `map key has an unpaired surrogate`],
  ])("%s is rejected: %s", (text, message) => {
    expectError(() => read(s.Maps, text), ErrorCode.INVALID_VALUE, message);
  });

  test("printing checks keys and values", () => {
    expectError(() => print(s.Maps, { int32Key: new Map([[1.5, "a"]]) }), ErrorCode.INVALID_VALUE, "$.int32Key: expected an int32 value, got 1.5");
    expectError(() => print(s.Maps, { boolKey: new Map([["true", "a"]]) }), ErrorCode.INVALID_VALUE, "$.boolKey: expected a bool map key value");
    expectError(() => print(s.Maps, { stringKey: new Map([["k", 1]]) }), ErrorCode.INVALID_VALUE, "$.stringKey.k: expected a string value, got 1");
    expectError(() => print(s.Maps, { stringKey: { k: "v" } }), ErrorCode.INVALID_VALUE, "$.stringKey: expected a Map, got an object");
  });
});

describe("oneofs", () => {
  test.each([
    [{ case: "cInt32", value: 0 }, `{"cInt32":0}`],
    [{ case: "cString", value: "" }, `{"cString":""}`],
    [{ case: "cNested", value: nested() }, `{"cNested":{}}`],
    [{ case: "cColor", value: 0 }, `{"cColor":"COLOR_UNSPECIFIED"}`],
    [{ case: "cBytes", value: new Uint8Array(0) }, `{"cBytes":""}`],
    [{ case: "cNull", value: 0 }, `{"cNull":null}`],
    [{ case: "cValue", value: s.Value.create({ kind: { case: "nullValue", value: 0 } }) }, `{"cValue":null}`],
    [{ case: "cDouble", value: 0 }, `{"cDouble":0}`],
  ])("a set member prints even at its default: %o", (choice, json) => {
    expect(print(s.Oneofs, { choice })).toBe(json);
    expect(read(s.Oneofs, json).choice).toEqual(choice);
    if (choice.case !== "cNested") expect(print(s.Oneofs, { choice }, { emitDefaults: true })).toBe(`${json.slice(0, -1)},"plain":0}`);
  });

  test("emitDefaults reaches into a set member's message", () => {
    expect(print(s.Oneofs, { choice: { case: "cNested", value: nested() } }, { emitDefaults: true }))
      .toBe(`{"cNested":{"a":0,"children":[],"note":"","color":"COLOR_UNSPECIFIED"},"plain":0}`);
  });

  test("two oneofs, in field-number order among the other fields; unset ones never print", () => {
    const v = { choice: { case: "cInt32", value: 5 }, other: { case: "oTime", value: s.Timestamp.create() }, plain: 1 };
    expect(print(s.Oneofs, v)).toBe(`{"cInt32":5,"oTime":"1970-01-01T00:00:00Z","plain":1}`);
    expect(print(s.Oneofs, {}, { emitDefaults: true })).toBe(`{"plain":0}`);
    expect(print(s.Oneofs, { choice: undefined })).toBe("{}");
  });

  test("at most one member; null members do not count (but null is a Value or NullValue)", () => {
    expectError(() => read(s.Oneofs, `{"cInt32": 1, "cString": "test"}`), ErrorCode.INVALID_VALUE,
      `$.cString: oneof choice is already set by "cInt32"`);
    expectError(() => read(s.Oneofs, `{"cValue": null, "cInt32": 1}`), ErrorCode.INVALID_VALUE, "oneof choice is already set");
    expect(read(s.Oneofs, `{"cInt32": null, "cString": "test"}`).choice).toEqual({ case: "cString", value: "test" });
    expect(read(s.Oneofs, `{"cString": "test", "cInt32": null}`).choice).toEqual({ case: "cString", value: "test" });
    expect(read(s.Oneofs, `{"cNested": null}`).choice).toEqual({ case: undefined });
    expect(read(s.Oneofs, `{"cNull": null}`).choice).toEqual({ case: "cNull", value: 0 });
    expect(read(s.Oneofs, `{"cInt32": 1, "oInt64": "2"}`)).toEqual(s.Oneofs.create({
      choice: { case: "cInt32", value: 1 }, other: { case: "oInt64", value: 2n },
    }));
  });
});

describe("depth", () => {
  const chain = (n: number) => `${'{"child":'.repeat(n - 1)}{}${"}".repeat(n - 1)}`;

  test("messages nest up to maxDepth (default 100), both ways", () => {
    const v = read(s.Nested, chain(100));
    expect(JSON.parse(toJsonString(s.Nested, v))).toEqual(JSON.parse(chain(100)));
    expectError(() => read(s.Nested, chain(101)), ErrorCode.DEPTH_LIMIT, "kitewire.json.Nested nests deeper than the maximum depth 100");
    const deep = fromJsonString(s.Nested, chain(101), { maxDepth: 101 });
    expectError(() => toJson(s.Nested, deep), ErrorCode.DEPTH_LIMIT, "maximum depth 100");
    expectError(() => read(s.Nested, chain(4), { maxDepth: 3 }), ErrorCode.DEPTH_LIMIT, "$.child.child.child:");
  });

  test("a message that contains itself fails with DEPTH_LIMIT, not a stack overflow", () => {
    const v = nested();
    v.child = v;
    expectError(() => toJson(s.Nested, v), ErrorCode.DEPTH_LIMIT, "$.child.child.child");
  });
});

describe("JSON text", () => {
  test.each([
    "{fieldname1: 1}", `{"fInt32":1,}`, `{"fInt32":1 ,}`, `{"fInt32":1 , }`, `{\n"fInt32":1,\n}`,
    `{\n// comment\n"fInt32": 1}`, `{"fInt32": +1}`, `{"fInt32": 01}`, `{"fInt32": -01}`, `{"fDouble": NaN}`,
    `{"fDouble": Infinity}`, `{"fDouble": -Infinity}`, `{"fBool": True}`, `{"fBool": TRUE}`, `{'fString': "x"}`,
    `{"fString": 'x'}`, `{"fString": "abc\\`, `{"fString": "\\U8C37"}`, `{"fString": "\\uXXXX"}`, `{"fString": "\\u8C3"}`,
    `{"fInt32": 1 "fInt64": 2}`, `{"rInt32": [1, 2,]}`, `{"int32Key": {1: 2}}`, "", "{} {}",
  ])("%s is no JSON", (text) => {
    expectError(() => read(s.Scalars, text), ErrorCode.JSON_SYNTAX, "invalid JSON");
  });

  test("whitespace anywhere JSON allows it", () => {
    const want = s.Scalars.create({ fInt32: 1, fInt64: 2n });
    for (const text of [`{"fInt32":1,"fInt64":2}`, `{ "fInt32" : 1 , "fInt64" : 2 }`, `{\n"fInt32"\n:\n1\n,\n"fInt64"\n:\n2\n}`,
      `{\n  "fInt32"  :  1\n  ,\n  "fInt64"  :  2\n}\n`]) {
      expect(read(s.Scalars, text)).toEqual(want);
    }
  });
});
