/**
 * The well-known types' own JSON forms: Timestamp, Duration, FieldMask, Struct/Value/ListValue,
 * the wrappers, Empty and Any (with the type registry), with the conformance suite's valid
 * and invalid inputs.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  createTypeRegistry, decodeProtobuf, encodeProtobuf, ErrorCode, fromJson, fromJsonString, init, toJson, toJsonString,
  type ProtobufMessageCodec,
} from "kitewire";
import * as s from "../../support/protobuf-json-schema.js";
import { expectError, registry } from "./helpers.js";

type Msg = Record<string, unknown>;
type Codec = ProtobufMessageCodec<unknown>;
const wkts = (init: Msg) => s.Wkts.create(init) as Msg;
const read = (text: string, options = {}) => fromJsonString(s.Wkts, text, { typeRegistry: registry, ...options }) as Msg;
const print = (init: Msg, options = {}) => toJsonString(s.Wkts, wkts(init), { typeRegistry: registry, ...options });
const ts = (seconds: bigint, nanos = 0) => s.Timestamp.create({ seconds, nanos });
const dur = (seconds: bigint, nanos = 0) => s.Duration.create({ seconds, nanos });
const value = (kind: { case: string; value: unknown }) => s.Value.create({ kind });
const any = (codec: Codec, v: unknown, prefix = "type.googleapis.com/") =>
  s.Any.create({ typeUrl: prefix + codec.typeName, value: encodeProtobuf(codec, v) });

beforeAll(async () => {
  await init();
});

describe("Timestamp", () => {
  test.each([
    [0n, 0, "1970-01-01T00:00:00Z"],
    [-62135596800n, 0, "0001-01-01T00:00:00Z"],
    [253402300799n, 999999999, "9999-12-31T23:59:59.999999999Z"],
    [63108020n, 21000000, "1972-01-01T10:00:20.021Z"],
    [0n, 10000000, "1970-01-01T00:00:00.010Z"],
    [0n, 10000, "1970-01-01T00:00:00.000010Z"],
    [0n, 10, "1970-01-01T00:00:00.000000010Z"],
    [0n, 1, "1970-01-01T00:00:00.000000001Z"],
    [-1n, 999999999, "1969-12-31T23:59:59.999999999Z"],
    [-11n, 500000000, "1969-12-31T23:59:49.500Z"],
    [729302400n, 0, "1993-02-10T00:00:00Z"],
    [951782400n, 0, "2000-02-29T00:00:00Z"],
    [4107542400n, 0, "2100-03-01T00:00:00Z"],
    [-2208988800n, 0, "1900-01-01T00:00:00Z"],
  ])("%s s %s ns is %s", (seconds, nanos, text) => {
    expect(print({ timestamp: ts(seconds, nanos) })).toBe(`{"timestamp":"${text}"}`);
    expect(read(`{"timestamp": "${text}"}`).timestamp).toEqual(ts(seconds, nanos));
  });

  test.each([
    ["1970-01-01T00:00:00.000Z", 0n, 0],
    ["1970-01-01T00:00:01.000000001Z", 1n, 1],
    ["1969-12-31T23:59:58.999999999Z", -2n, 999999999],
    ["1970-01-01T00:00:10.5Z", 10n, 500000000],
    ["1970-01-01T08:00:01+08:00", 1n, 0],
    ["1969-12-31T16:00:01-08:00", 1n, 0],
    ["1970-01-02T01:00:00+02:00", 82800n, 0],
    ["0001-01-01T00:00:00-00:01", -62135596740n, 0],
    ["9999-12-31T23:59:59+00:01", 253402300739n, 0],
    ["1970-01-01T00:00:00-11:30", 41400n, 0],
    ["1969-12-31T16:00:00-08:00", 0n, 0],
  ])("%s is read (any offset) as %s s %s ns", (text, seconds, nanos) => {
    expect(read(`{"timestamps": ["${text}"]}`).timestamps).toEqual([ts(seconds, nanos)]);
  });

  test("printing normalizes to UTC with 0, 3, 6 or 9 fractional digits", () => {
    for (const [text, printed] of [["1969-12-31T16:00:00-08:00", "1970-01-01T00:00:00Z"],
      ["1970-01-01T00:00:00.000000000Z", "1970-01-01T00:00:00Z"], ["1970-01-01T00:00:00.010000000Z", "1970-01-01T00:00:00.010Z"],
      ["1970-01-01T00:00:00.000010000Z", "1970-01-01T00:00:00.000010Z"], ["1970-01-01T00:00:00.12Z", "1970-01-01T00:00:00.120Z"]]) {
      expect(toJson(s.Timestamp, fromJson(s.Timestamp, text!))).toBe(printed);
    }
  });

  test.each([
    "0000-01-01T00:00:00Z", "10000-01-01T00:00:00Z", "0001-01-01T00:00:00", "0001-01-01 00:00:00Z", "0001-01-01T00:00:00z",
    "0001-01-01t00:00:00Z", "1970-01-01T08:00:01+0800", "1970-13-01T00:00:00Z", "1970-00-01T00:00:00Z",
    "1970-01-32T00:00:00Z", "1970-01-00T00:00:00Z", "1970-01-01T24:00:00Z", "1970-01-01T25:00:00Z",
    "1970-01-01T00:60:00Z", "1970-01-01T00:00:60Z", "1970-01-01T00:00:00+24:00", "1970-01-01T00:00:00+00:60",
    "0001-01-01T00:00:00+00:01", "9999-12-31T23:59:59-00:01", "1970-01-01T00:00:00.1234567890Z",
    "1970-01-01T00:00:00.123aZ", "999-01-01T00:00:00Z", "00001-01-01T00:00:00Z", "1970-1-01T00:00:00Z",
    "1970-01-1T00:00:00Z", "2001-02-29T00:00:00Z", "1900-02-29T00:00:00Z", "1970-01-01T00:00:00.Z", "",
  ])("%s is rejected", (text) => {
    expectError(() => read(`{"timestamp": ${JSON.stringify(text)}}`), ErrorCode.INVALID_VALUE, "$.timestamp:");
  });

  test("what is not a string is rejected; null leaves the field unset", () => {
    expectError(() => read(`{"timestamp": 0}`), ErrorCode.INVALID_VALUE, "$.timestamp: expected an RFC 3339 timestamp string, got 0");
    expect(read(`{"timestamp": null}`).timestamp).toBeUndefined();
  });

  test.each([
    [ts(-62135596801n), "Timestamp out of range"],
    [ts(253402300800n), "Timestamp out of range"],
    [ts(5000n, -1), "Timestamp.nanos out of range"],
    [ts(5000n, 1000000000), "Timestamp.nanos out of range"],
    [{ seconds: 1, nanos: 0 }, "Timestamp.seconds must be a bigint, got 1"],
    [{ seconds: 1n, nanos: 0.5 }, "Timestamp.nanos must be an integer, got 0.5"],
  ])("%o does not print", (t, message) => {
    expectError(() => print({ timestamp: t }), ErrorCode.INVALID_VALUE, `$.timestamp: ${message}`);
  });
});

describe("Duration", () => {
  test.each([
    [1n, 340012, "1.000340012s"],
    [0n, 0, "0s"],
    [-5n, 0, "-5s"],
    [0n, -500000000, "-0.500s"],
    [1n, 500000000, "1.500s"],
    [-1n, -500000000, "-1.500s"],
    [315576000000n, 999999999, "315576000000.999999999s"],
    [-315576000000n, -999999999, "-315576000000.999999999s"],
    [1n, 10000000, "1.010s"],
    [1n, 10000, "1.000010s"],
    [1n, 10, "1.000000010s"],
  ])("%s s %s ns is %s", (seconds, nanos, text) => {
    expect(print({ duration: dur(seconds, nanos) })).toBe(`{"duration":"${text}"}`);
    expect(read(`{"duration": "${text}"}`).duration).toEqual(dur(seconds, nanos));
  });

  test("other spellings read, print canonically", () => {
    for (const [text, printed] of [["1.000000000s", "1s"], ["1.010000000s", "1.010s"], ["-0s", "0s"], ["1.5s", "1.500s"],
      ["-0.000001s", "-0.000001s"], ["0001s", "1s"]]) {
      expect(toJson(s.Duration, fromJson(s.Duration, text!))).toBe(printed);
    }
    expect(read(`{"durations": ["1.5s", "-1.5s"]}`).durations).toEqual([dur(1n, 500000000), dur(-1n, -500000000)]);
  });

  test.each(["1", "-315576000001.000000000s", "315576000001.000000000s", "1.5", "s", "1.s", ".5s", "1.0000000001s",
    "+1s", " 1s", "1s ", "1S", "--1s", "1e3s", ""])("%s is rejected", (text) => {
    expectError(() => read(`{"duration": ${JSON.stringify(text)}}`), ErrorCode.INVALID_VALUE, "$.duration:");
  });

  test.each([
    [dur(-315576000001n), "Duration out of range"],
    [dur(315576000001n), "Duration out of range"],
    [dur(1n, -1), "Duration.seconds (1) and nanos (-1) have different signs"],
    [dur(-1n, 1), "Duration.seconds (-1) and nanos (1) have different signs"],
    [dur(-1n, -1000000000), "Duration.nanos out of range"],
    [dur(1n, 1000000000), "Duration.nanos out of range"],
  ])("%o does not print", (d, message) => {
    expectError(() => print({ duration: d }), ErrorCode.INVALID_VALUE, `$.duration: ${message}`);
  });
});

describe("FieldMask", () => {
  test("paths in lowerCamelCase joined by commas", () => {
    const fm = (paths: string[]) => s.FieldMask.create({ paths });
    expect(print({ fieldMask: fm(["foo", "bar_baz"]) })).toBe(`{"fieldMask":"foo,barBaz"}`);
    expect(print({ fieldMask: fm(["user.display_name", "a"]) })).toBe(`{"fieldMask":"user.displayName,a"}`);
    expect(print({ fieldMask: fm([]) })).toBe(`{"fieldMask":""}`);
    expect(read(`{"fieldMask": "foo,barBaz"}`).fieldMask).toEqual(fm(["foo", "bar_baz"]));
    expect(read(`{"fieldMask": "user.displayName,aBC"}`).fieldMask).toEqual(fm(["user.display_name", "a_b_c"]));
    expect(read(`{"fieldMask": ""}`).fieldMask).toEqual(fm([]));
    // A leading "_" before a lowercase letter survives: "_foo" is "Foo" and back.
    expect(print({ fieldMask: fm(["_foo", "a._b"]) })).toBe(`{"fieldMask":"Foo,a.B"}`);
    expect(read(`{"fieldMask": "Foo,a.B"}`).fieldMask).toEqual(fm(["_foo", "a._b"]));
  });

  test("paths that would not read back as themselves do not print; snake_case does not read", () => {
    for (const path of ["fooBar", "foo_3_bar", "foo__bar", "foo_", "a_.b", "a.B"]) {
      expectError(() => print({ fieldMask: s.FieldMask.create({ paths: [path] }) }), ErrorCode.INVALID_VALUE,
        `$.fieldMask: FieldMask path ${JSON.stringify(path)} has no JSON form that reads back as it`);
    }
    expectError(() => read(`{"fieldMask": "foo,bar_bar"}`), ErrorCode.INVALID_VALUE, `$.fieldMask: FieldMask path "bar_bar" is not lowerCamelCase`);
    expectError(() => read(`{"fieldMask": ["foo"]}`), ErrorCode.INVALID_VALUE, "$.fieldMask: expected a FieldMask string");
  });
});

describe("Struct, Value, ListValue", () => {
  const structJson = `{"nullValue":null,"intValue":1234,"boolValue":true,"doubleValue":1234.5678,"stringValue":"Hello world!",` +
    `"listValue":[1234,"5678"],"objectValue":{"value":0}}`;

  test("plain JSON both ways", () => {
    const v = read(`{"struct": ${structJson}}`);
    const fields = (v.struct as { fields: Map<string, unknown> }).fields;
    expect(fields.get("nullValue")).toEqual(value({ case: "nullValue", value: 0 }));
    expect(fields.get("intValue")).toEqual(value({ case: "numberValue", value: 1234 }));
    expect(fields.get("listValue")).toEqual(value({
      case: "listValue",
      value: s.ListValue.create({ values: [value({ case: "numberValue", value: 1234 }), value({ case: "stringValue", value: "5678" })] }),
    }));
    expect(toJsonString(s.Wkts, v)).toBe(`{"struct":${structJson}}`);
  });

  test.each([
    ["1", { case: "numberValue", value: 1 }],
    ["1.5", { case: "numberValue", value: 1.5 }],
    ["-0", { case: "numberValue", value: -0 }],
    ["false", { case: "boolValue", value: false }],
    ["null", { case: "nullValue", value: 0 }],
    [`"hello"`, { case: "stringValue", value: "hello" }],
    ["[]", { case: "listValue", value: s.ListValue.create() }],
    ["{}", { case: "structValue", value: s.Struct.create() }],
  ])("Value %s", (text, kind) => {
    expect(read(`{"value": ${text}}`).value).toEqual(value(kind));
    expect(print({ value: value(kind) })).toBe(`{"value":${text}}`);
    expect(fromJsonString(s.Value, text)).toEqual(value(kind)); // null too, at the top
  });

  test("Values in repeated fields and ListValues; empty Struct and ListValue fields print", () => {
    const v = read(`{"listValue": [], "struct": {}, "values": [["a"], null, {"k": [null]}]}`);
    expect(toJsonString(s.Wkts, v)).toBe(`{"struct":{},"listValue":[],"values":[["a"],null,{"k":[null]}]}`);
    expect((v.values as unknown[])[1]).toEqual(value({ case: "nullValue", value: 0 }));
  });

  test("nesting: 25 levels read, 200 fail with DEPTH_LIMIT", () => {
    const objects = (n: number) => `${'{"n":'.repeat(n)}{"value":1}${"}".repeat(n)}`;
    const lists = (n: number) => `${"[".repeat(n)}1${"]".repeat(n)}`;
    for (const [field, text] of [["struct", objects(25)], ["value", objects(25)], ["value", lists(25)], ["listValue", lists(25)]]) {
      const json = `{"${field}":${text}}`;
      expect(toJsonString(s.Wkts, read(json))).toBe(json);
    }
    for (const [field, text] of [["struct", objects(200)], ["value", objects(200)], ["value", lists(200)], ["listValue", lists(200)]]) {
      expectError(() => read(`{"${field}":${text}}`), ErrorCode.DEPTH_LIMIT, "google.protobuf.Value nests deeper than the maximum depth 100");
    }
  });

  test("numbers that JSON cannot hold, Values without a kind and bad keys do not print", () => {
    for (const n of [NaN, Infinity, -Infinity]) {
      expectError(() => print({ value: value({ case: "numberValue", value: n }) }), ErrorCode.INVALID_VALUE,
        "$.value: Value.numberValue must be a finite number");
    }
    expectError(() => print({ value: s.Value.create() }), ErrorCode.INVALID_VALUE, "$.value: google.protobuf.Value has no kind set");
    const bad = s.Struct.create({ fields: new Map([["a", value({ case: "listValue", value: s.ListValue.create({ values: [s.Value.create()] }) })]]) });
    expectError(() => print({ struct: bad }), ErrorCode.INVALID_VALUE, "$.struct.a[0]: google.protobuf.Value has no kind set");
    expectError(() => print({ value: value({ case: "stringValue", value: 1 }) }), ErrorCode.INVALID_VALUE, "$.value: expected a string value");
    expectError(() => print({ struct: s.Struct.create({ fields: {} }) }), ErrorCode.INVALID_VALUE, "$.struct: expected Struct.fields to be a Map");
  });

  test("a Struct key __proto__ stays a key", () => {
    const v = read(`{"struct": {"__proto__": {"x": 1}}}`);
    expect([...(v.struct as { fields: Map<string, unknown> }).fields.keys()]).toEqual(["__proto__"]);
    expect(toJsonString(s.Wkts, v)).toBe(`{"struct":{"__proto__":{"x":1}}}`);
  });

  test("what is not the right JSON type is rejected", () => {
    expectError(() => read(`{"struct": []}`), ErrorCode.INVALID_VALUE, "$.struct: expected a JSON object for google.protobuf.Struct, got an array");
    expectError(() => read(`{"listValue": {}}`), ErrorCode.INVALID_VALUE, "$.listValue: expected a JSON array for google.protobuf.ListValue");
    expectError(() => read(`{"value": {"a": ["\\ud800"]}}`), ErrorCode.INVALID_VALUE, "$.value.a[0]: string has an unpaired surrogate");
  });
});

describe("wrappers", () => {
  const all = {
    doubleWrapper: s.DoubleValue.create({ value: 1.5 }), floatWrapper: s.FloatValue.create({ value: Math.fround(0.1) }),
    int64Wrapper: s.Int64Value.create({ value: -1n }), uint64Wrapper: s.UInt64Value.create({ value: 2n ** 64n - 1n }),
    int32Wrapper: s.Int32Value.create({ value: -1 }), uint32Wrapper: s.UInt32Value.create({ value: 4294967295 }),
    boolWrapper: s.BoolValue.create({ value: false }), stringWrapper: s.StringValue.create({ value: "" }),
    bytesWrapper: s.BytesValue.create({ value: new Uint8Array([1, 2]) }),
  };
  const json = `{"doubleWrapper":1.5,"floatWrapper":0.1,"int64Wrapper":"-1","uint64Wrapper":"18446744073709551615",` +
    `"int32Wrapper":-1,"uint32Wrapper":4294967295,"boolWrapper":false,"stringWrapper":"","bytesWrapper":"AQI="}`;

  test("each wrapper is its value, the default too", () => {
    expect(print(all)).toBe(json);
    expect(read(json)).toEqual(wkts(all));
  });

  test("conformance inputs: zeros, quoted 64-bit, null, repeated", () => {
    expect(read(`{"boolWrapper": false, "int32Wrapper": 0, "int64Wrapper": 0, "floatWrapper": 0, "bytesWrapper": ""}`)).toEqual(wkts({
      boolWrapper: s.BoolValue.create(), int32Wrapper: s.Int32Value.create(), int64Wrapper: s.Int64Value.create(),
      floatWrapper: s.FloatValue.create(), bytesWrapper: s.BytesValue.create(),
    }));
    expect(read(`{"int64Wrapper": "1", "uint64Wrapper": "1", "doubleWrapper": "NaN"}`).doubleWrapper).toEqual(s.DoubleValue.create({ value: NaN }));
    expect(read(`{"boolWrapper": null, "int32Wrappers": null, "stringWrapper": null}`)).toEqual(wkts({}));
    expect(read(`{"int32Wrappers": [0, 1]}`).int32Wrappers).toEqual([s.Int32Value.create({ value: 0 }), s.Int32Value.create({ value: 1 })]);
    expectError(() => read(`{"int32Wrappers": [null]}`), ErrorCode.INVALID_VALUE, "$.int32Wrappers[0]: an array element cannot be null");
    expectError(() => read(`{"int32Wrapper": "x"}`), ErrorCode.INVALID_VALUE, "$.int32Wrapper: expected an int32 as a decimal string");
    expectError(() => read(`{"int32Wrapper": {"value": 1}}`), ErrorCode.INVALID_VALUE, "$.int32Wrapper: expected an int32 number, got an object");
  });
});

describe("Any", () => {
  test("a message's fields next to \"@type\"; a WKT's own JSON under \"value\"", () => {
    const cases: [unknown, string][] = [
      [any(s.Nested, s.Nested.create({ a: 1, note: "n" })), `{"@type":"type.googleapis.com/kitewire.json.Nested","a":1,"note":"n"}`],
      [any(s.Int32Value, s.Int32Value.create({ value: 12345 })), `{"@type":"type.googleapis.com/google.protobuf.Int32Value","value":12345}`],
      [any(s.Duration, dur(1n, 500000000)), `{"@type":"type.googleapis.com/google.protobuf.Duration","value":"1.500s"}`],
      [any(s.Timestamp, ts(0n)), `{"@type":"type.googleapis.com/google.protobuf.Timestamp","value":"1970-01-01T00:00:00Z"}`],
      [any(s.FieldMask, s.FieldMask.create({ paths: ["foo", "bar_baz"] })), `{"@type":"type.googleapis.com/google.protobuf.FieldMask","value":"foo,barBaz"}`],
      [any(s.Struct, fromJson(s.Struct, { foo: 1 })), `{"@type":"type.googleapis.com/google.protobuf.Struct","value":{"foo":1}}`],
      [any(s.Value, value({ case: "numberValue", value: 1 })), `{"@type":"type.googleapis.com/google.protobuf.Value","value":1}`],
      [any(s.Empty, s.Empty.create()), `{"@type":"type.googleapis.com/google.protobuf.Empty"}`],
      [any(s.Any, any(s.Nested, s.Nested.create({ a: 2 }))),
        `{"@type":"type.googleapis.com/google.protobuf.Any","value":{"@type":"type.googleapis.com/kitewire.json.Nested","a":2}}`],
      [any(s.Nested, s.Nested.create({ a: 3 }), "example.com/x/"), `{"@type":"example.com/x/kitewire.json.Nested","a":3}`],
      [s.Any.create(), "{}"],
    ];
    for (const [a, json] of cases) {
      expect(print({ any: a })).toBe(`{"any":${json}}`);
      expect(read(`{"any": ${json}}`).any).toEqual(a);
    }
  });

  test("\"@type\" need not come first; null leaves the Any unset", () => {
    expect(read(`{"any": {"a": 12345, "@type": "type.googleapis.com/kitewire.json.Nested"}}`).any)
      .toEqual(any(s.Nested, s.Nested.create({ a: 12345 })));
    expect(read(`{"any": null}`).any).toBeUndefined();
  });

  test("useProtoNames, enumAsInteger and emitDefaults reach into the Any", () => {
    const a = any(s.Oneofs, s.Oneofs.create({ choice: { case: "cColor", value: 1 } }));
    expect(print({ any: a }, { useProtoNames: true, enumAsInteger: true })).toBe(`{"any":{"@type":"type.googleapis.com/kitewire.json.Oneofs","c_color":1}}`);
    expect(print({ anys: [any(s.Nested, s.Nested.create())] }, { emitDefaults: true })).toContain(
      `"anys":[{"@type":"type.googleapis.com/kitewire.json.Nested","a":0,"children":[],"note":"","color":"COLOR_UNSPECIFIED"}]`);
  });

  test.each([
    [`{"@type": "", "value": ""}`, `$.any["@type"]: Any type URL must be like`],
    [`{"@type": "not_a_url", "value": ""}`, `$.any["@type"]: Any type URL must be like "type.googleapis.com/pkg.Message", got the string "not_a_url"`],
    [`{"@type": "type.googleapis.com/"}`, `$.any["@type"]: Any type URL must be like`],
    [`{"@type": 5}`, `$.any: an Any needs "@type" (a string), got 5`],
    [`{"a": 1}`, `$.any: an Any needs "@type" (a string), got no @type`],
    [`{"@type": "type.googleapis.com/no.Such"}`, `$.any["@type"]: Any type "no.Such" is not in the typeRegistry`],
    [`{"@type": "type.googleapis.com/google.protobuf.Duration"}`, `$.any: an Any holding google.protobuf.Duration needs its JSON under "value"`],
    [`{"@type": "type.googleapis.com/google.protobuf.Duration", "value": "1s", "x": 1}`, `$.any.x: an Any holding google.protobuf.Duration has only "@type" and "value"`],
    [`{"@type": "type.googleapis.com/google.protobuf.Duration", "value": 1}`, `$.any.value: expected a duration string`],
    [`{"@type": "type.googleapis.com/kitewire.json.Nested", "b": 1}`, `$.any.b: kitewire.json.Nested has no field named "b"`],
    [`{"@type": "type.googleapis.com/kitewire.json.Nested", "a": "x"}`, `$.any.a: expected an int32`],
    [`[]`, `$.any: expected a JSON object for google.protobuf.Any, got an array`],
  ])("%s is rejected: %s", (text, message) => {
    expectError(() => read(`{"any": ${text}}`), ErrorCode.INVALID_VALUE, message);
  });

  test("unknown keys next to \"value\" or among the fields are skipped with ignoreUnknownFields", () => {
    expect(read(`{"any": {"@type": "type.googleapis.com/google.protobuf.Duration", "value": "1s", "x": 1}}`, { ignoreUnknownFields: true }).any)
      .toEqual(any(s.Duration, dur(1n)));
    expect(read(`{"any": {"@type": "type.googleapis.com/kitewire.json.Nested", "b": 1, "a": 2}}`, { ignoreUnknownFields: true }).any)
      .toEqual(any(s.Nested, s.Nested.create({ a: 2 })));
  });

  test("without the type in the registry, or any registry, an Any neither prints nor reads", () => {
    const v = wkts({ any: any(s.Nested, s.Nested.create({ a: 1 })) });
    expectError(() => toJson(s.Wkts, v), ErrorCode.INVALID_VALUE, `$.any: Any of type "type.googleapis.com/kitewire.json.Nested" needs a typeRegistry`);
    expectError(() => toJson(s.Wkts, v, { typeRegistry: createTypeRegistry(s.Wkts) }), ErrorCode.INVALID_VALUE,
      `$.any: Any type "kitewire.json.Nested" is not in the typeRegistry`);
    expectError(() => fromJsonString(s.Wkts, `{"any": {"@type": "x/kitewire.json.Nested"}}`), ErrorCode.INVALID_VALUE, "needs a typeRegistry");
    expect(toJsonString(s.Wkts, wkts({ any: s.Any.create() }))).toBe(`{"any":{}}`); // the empty Any needs none
  });

  test("an Any whose bytes are not its message fails with the decoder's code, at the Any's path", () => {
    const bad = s.Any.create({ typeUrl: "type.googleapis.com/kitewire.json.Nested", value: new Uint8Array([0x0a, 0x05]) });
    const e = expectError(() => print({ anys: [s.Any.create(), bad] }), ErrorCode.LENGTH_LIMIT,
      "$.anys[1]: Any value is not a valid kitewire.json.Nested: ", "(at byte 1)");
    expect(e.cause).toBeDefined();
    expectError(() => print({ any: s.Any.create({ typeUrl: "", value: new Uint8Array([1]) }) }), ErrorCode.INVALID_VALUE,
      "$.any: Any has a value but no typeUrl");
    expectError(() => print({ any: s.Any.create({ typeUrl: "kitewire.json.Nested", value: new Uint8Array(0) }) }),
      ErrorCode.INVALID_VALUE, `$.any: Any type URL must be like "type.googleapis.com/pkg.Message", got the string "kitewire.json.Nested"`);
  });

  test("reading an Any encodes its message with the message's codec", () => {
    const v = read(`{"any": {"@type": "type.googleapis.com/kitewire.legacy.Legacy", "id": 7, "levels": ["LEVEL_HIGH"]}}`);
    const a = v.any as { value: Uint8Array };
    expect(decodeProtobuf(s.Legacy, a.value)).toEqual(s.Legacy.create({ id: 7, levels: [2] }));
    expectError(() => read(`{"any": {"@type": "type.googleapis.com/kitewire.legacy.Legacy"}}`), ErrorCode.MISSING_FIELD,
      "$.any: required field id of kitewire.legacy.Legacy is missing");
  });
});

describe("registry", () => {
  test("registering a message registers every message its fields reach", () => {
    const r = createTypeRegistry(s.Oneofs);
    for (const name of ["kitewire.json.Oneofs", "kitewire.json.Nested", "google.protobuf.Value", "google.protobuf.Struct",
      "google.protobuf.ListValue", "google.protobuf.Timestamp"]) {
      expect(r.findMessage(name)?.typeName).toBe(name);
    }
    expect(r.findMessage("google.protobuf.Duration")).toBeUndefined();
    expect(createTypeRegistry(s.Maps).findMessage("google.protobuf.Duration")).toBe(s.Duration);
  });

  test("Empty is an ordinary message: {}", () => {
    expect(print({ empty: s.Empty.create() })).toBe(`{"empty":{}}`);
    expect(read(`{"empty": {}}`).empty).toEqual(s.Empty.create());
    expectError(() => read(`{"empty": {"a": 1}}`), ErrorCode.INVALID_VALUE, `$.empty.a: google.protobuf.Empty has no field named "a"`);
  });
});
