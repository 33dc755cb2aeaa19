/**
 * ProtoJSON scalars: what each type prints as, what each accepts (the conformance suite's
 * valid inputs), and what each rejects, with the JSON path in the error.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { ErrorCode, fromJson, fromJsonString, init, toJsonString } from "kitewire";
import * as s from "../../support/protobuf-json-schema.js";
import { expectError } from "./helpers.js";

type Scalars = Record<string, unknown>;
const print = (init: Scalars) => toJsonString(s.Scalars, s.Scalars.create(init));
const read = (text: string) => fromJsonString(s.Scalars, text) as Scalars;

beforeAll(async () => {
  await init();
});

describe("printing", () => {
  test.each([
    // 32-bit integers: numbers
    [{ fInt32: -2147483648 }, `{"fInt32":-2147483648}`],
    [{ fInt32: 2147483647, fUint32: 4294967295 }, `{"fInt32":2147483647,"fUint32":4294967295}`],
    [{ fSint32: -1, fFixed32: 4294967295, fSfixed32: -2147483648 }, `{"fSint32":-1,"fFixed32":4294967295,"fSfixed32":-2147483648}`],
    // 64-bit integers: decimal strings
    [{ fInt64: -(2n ** 63n) }, `{"fInt64":"-9223372036854775808"}`],
    [{ fUint64: 2n ** 64n - 1n }, `{"fUint64":"18446744073709551615"}`],
    [{ fSint64: 2n ** 63n - 1n, fFixed64: 1n, fSfixed64: -1n }, `{"fSint64":"9223372036854775807","fFixed64":"1","fSfixed64":"-1"}`],
    // doubles: shortest round trip, special values as strings, -0 keeps its sign
    [{ fDouble: 1.5 }, `{"fDouble":1.5}`],
    [{ fDouble: -0 }, `{"fDouble":-0}`],
    [{ fDouble: NaN }, `{"fDouble":"NaN"}`],
    [{ fDouble: Infinity }, `{"fDouble":"Infinity"}`],
    [{ fDouble: -Infinity }, `{"fDouble":"-Infinity"}`],
    [{ fDouble: 1e21 }, `{"fDouble":1e+21}`],
    [{ fDouble: 5e-324 }, `{"fDouble":5e-324}`],
    [{ fDouble: Number.MAX_VALUE }, `{"fDouble":1.7976931348623157e+308}`],
    [{ fDouble: 0.1 + 0.2 }, `{"fDouble":0.30000000000000004}`],
    // floats: the shortest decimal that reads back as the same float32
    [{ fFloat: Math.fround(0.1) }, `{"fFloat":0.1}`],
    [{ fFloat: Math.fround(1 / 3) }, `{"fFloat":0.33333334}`],
    [{ fFloat: 3.4028234663852886e38 }, `{"fFloat":3.4028235e+38}`],
    [{ fFloat: 1.401298464324817e-45 }, `{"fFloat":1e-45}`],
    [{ fFloat: 16777216 }, `{"fFloat":16777216}`],
    [{ fFloat: -0 }, `{"fFloat":-0}`],
    [{ fFloat: 0.1 }, `{"fFloat":0.1}`], // not a float32 yet: printed as the float32 it will be
    [{ fFloat: 1e39 }, `{"fFloat":"Infinity"}`],
    [{ fFloat: NaN }, `{"fFloat":"NaN"}`],
    // bool, string, bytes
    [{ fBool: true }, `{"fBool":true}`],
    [{ fString: "héllo \"q\"\n😀\u0000" }, `{"fString":"héllo \\"q\\"\\n😀\\u0000"}`],
    [{ fBytes: new Uint8Array([0xfb, 0xff]) }, `{"fBytes":"+/8="}`],
    [{ fBytes: new Uint8Array([1, 2, 3]) }, `{"fBytes":"AQID"}`],
    [{ fBytes: new Uint8Array([1]) }, `{"fBytes":"AQ=="}`],
    [{ fBytes: new Uint8Array([0, 1, 2]), oBytes: new Uint8Array(0) }, `{"fBytes":"AAEC","oBytes":""}`],
    // repeated: arrays, typed arrays too
    [{ rInt64: [1n, -1n], rBool: [true, false] }, `{"rInt64":["1","-1"],"rBool":[true,false]}`],
    [{ rDouble: new Float64Array([1, NaN]), rUint64: new BigUint64Array([5n]) }, `{"rDouble":[1,"NaN"],"rUint64":["5"]}`],
    [{ rBytes: [new Uint8Array(0), new Uint8Array([255])], rString: ["", "a"] }, `{"rString":["","a"],"rBytes":["","/w=="]}`],
  ])("%o prints as %s", (init, json) => {
    expect(print(init)).toBe(json);
  });

  test("a float prints as the fewest digits that read back as it (every power of two, random floats)", () => {
    const fewest = (f: number) => {
      for (let p = 1; p <= 9; p++) if (Math.fround(Number(f.toPrecision(p))) === f) return Number(f.toPrecision(p));
      throw new Error("unreachable");
    };
    const bits = new Uint32Array(1);
    const floats = new Float32Array(bits.buffer);
    const samples: number[] = [];
    for (let e = -149; e <= 127; e++) samples.push(2 ** e, -(2 ** e));
    for (let i = 1; i <= 20000; i++) {
      bits[0] = Math.imul(i, 2654435761) >>> 0;
      if (Number.isFinite(floats[0]!)) samples.push(floats[0]!);
    }
    for (const f of samples) {
      const json = JSON.parse(print({ oFloat: f })) as { oFloat: number };
      expect(json.oFloat, String(f)).toBe(f === 0 ? f : fewest(f));
    }
  });

  test("long bytes print as standard base64", () => {
    const bytes = Uint8Array.from({ length: 10000 }, (_, i) => (i * 7) & 0xff);
    const json = JSON.parse(print({ fBytes: bytes })) as { fBytes: string };
    expect(json.fBytes).toBe(Buffer.from(bytes).toString("base64"));
    expect(read(JSON.stringify(json)).fBytes).toEqual(bytes);
  });

  test.each([
    [{ fInt32: 1.5 }, "$.fInt32: expected an int32 value, got 1.5"],
    [{ fInt32: 2 ** 31 }, "$.fInt32: expected an int32 value, got 2147483648"],
    [{ fUint32: -1 }, "$.fUint32: expected a uint32 value, got -1"],
    [{ fFixed32: "1" }, `$.fFixed32: expected a fixed32 value, got the string "1"`],
    [{ fInt64: 1 }, "$.fInt64: expected an int64 value, got 1"],
    [{ fInt64: 2n ** 63n }, "$.fInt64: expected an int64 value, got the bigint 9223372036854775808n"],
    [{ fUint64: -1n }, "$.fUint64: expected a uint64 value, got the bigint -1n"],
    [{ fBool: 1 }, "$.fBool: expected a bool value, got 1"],
    [{ fString: 5 }, "$.fString: expected a string value, got 5"],
    [{ fString: "a\ud800" }, "$.fString: string has an unpaired surrogate"],
    [{ fBytes: [1, 2] }, "$.fBytes: expected a bytes value, got an array"],
    [{ fDouble: 1n }, "$.fDouble: expected a double value, got the bigint 1n"],
    [{ rInt32: [1, 1.5] }, "$.rInt32[1]: expected an int32 value, got 1.5"],
    [{ rInt32: 5 }, "$.rInt32: expected an array, got 5"],
  ])("%o does not print: %s", (init, message) => {
    expectError(() => print(init), ErrorCode.INVALID_VALUE, message);
  });
});

describe("reading", () => {
  test.each([
    [`{"fInt32": 2147483647}`, "fInt32", 2147483647],
    [`{"fInt32": -2147483648}`, "fInt32", -2147483648],
    [`{"fInt32": "2147483647"}`, "fInt32", 2147483647],
    [`{"fInt32": "2\\u003147483647"}`, "fInt32", 2147483647],
    [`{"fInt32": "0"}`, "fInt32", 0],
    [`{"fInt32": "-0"}`, "fInt32", 0],
    [`{"fInt32": -0}`, "fInt32", 0],
    [`{"fInt32": "1e5"}`, "fInt32", 100000],
    [`{"fInt32": 1e5}`, "fInt32", 100000],
    [`{"fInt32": 100000.000}`, "fInt32", 100000],
    [`{"fInt32": 2.147483647e9}`, "fInt32", 2147483647],
    [`{"fInt32": -2.147483648e9}`, "fInt32", -2147483648],
    [`{"fInt32": "1.50e1"}`, "fInt32", 15],
    [`{"fUint32": 4294967295}`, "fUint32", 4294967295],
    [`{"fUint32": 4.294967295e9}`, "fUint32", 4294967295],
    [`{"fSint32": "-7", "fFixed32": "7"}`, "fSint32", -7],
    [`{"fInt64": "9223372036854775807"}`, "fInt64", 2n ** 63n - 1n],
    [`{"fInt64": "-9223372036854775808"}`, "fInt64", -(2n ** 63n)],
    [`{"fInt64": 9223372036854774784}`, "fInt64", 9223372036854774784n],
    [`{"fInt64": -9223372036854775808}`, "fInt64", -(2n ** 63n)],
    [`{"fInt64": 1}`, "fInt64", 1n],
    [`{"fInt64": "1e3"}`, "fInt64", 1000n],
    [`{"fInt64": "-12.5e1"}`, "fInt64", -125n],
    [`{"fInt64": "0.0e999999999"}`, "fInt64", 0n],
    [`{"fUint64": "18446744073709551615"}`, "fUint64", 2n ** 64n - 1n],
    [`{"fUint64": 18446744073709549568}`, "fUint64", 18446744073709549568n],
    [`{"fSfixed64": "-1", "fFixed64": "00012"}`, "fFixed64", 12n],
    [`{"fDouble": "1"}`, "fDouble", 1],
    [`{"fDouble": 2.22507e-308}`, "fDouble", 2.22507e-308],
    [`{"fDouble": "2.22507e-308"}`, "fDouble", 2.22507e-308],
    [`{"fDouble": -1.79769e+308}`, "fDouble", -1.79769e308],
    [`{"fDouble": "NaN"}`, "fDouble", NaN],
    [`{"fDouble": "Infinity"}`, "fDouble", Infinity],
    [`{"fDouble": "-Infinity"}`, "fDouble", -Infinity],
    [`{"fDouble": -0}`, "fDouble", -0],
    [`{"fDouble": "-0.0"}`, "fDouble", -0],
    [`{"fFloat": 1.175494e-38}`, "fFloat", Math.fround(1.175494e-38)],
    [`{"fFloat": -1.175494e-38}`, "fFloat", Math.fround(-1.175494e-38)],
    [`{"fFloat": 3.402823e+38}`, "fFloat", Math.fround(3.402823e38)],
    [`{"fFloat": "1.175494e-38"}`, "fFloat", Math.fround(1.175494e-38)],
    [`{"fFloat": 3.4028235e+38}`, "fFloat", 3.4028234663852886e38],
    [`{"fFloat": "NaN"}`, "fFloat", NaN],
    [`{"fFloat": "-Infinity"}`, "fFloat", -Infinity],
    [`{"fFloat": 0.1}`, "fFloat", Math.fround(0.1)],
    [`{"fBool": true}`, "fBool", true],
    [`{"fBool": false}`, "fBool", false],
    [`{"fString": "\\"\\\\\\/\\b\\f\\n\\r\\t"}`, "fString", "\"\\/\b\f\n\r\t"],
    [`{"fString": "\\u8C37\\u6b4c"}`, "fString", "谷歌"],
    [`{"fString": "\\uD83D\\uDE01"}`, "fString", "😁"],
    [`{"fString": "Hello\\u0000world!"}`, "fString", "Hello\u0000world!"],
    [`{"fBytes": "AQI="}`, "fBytes", new Uint8Array([1, 2])],
    [`{"fBytes": "AQI"}`, "fBytes", new Uint8Array([1, 2])],
    [`{"fBytes": "-_8"}`, "fBytes", new Uint8Array([0xfb, 0xff])],
    [`{"fBytes": "-_8="}`, "fBytes", new Uint8Array([0xfb, 0xff])],
    [`{"fBytes": "+/8="}`, "fBytes", new Uint8Array([0xfb, 0xff])],
    [`{"fBytes": ""}`, "fBytes", new Uint8Array(0)],
    [`{"fBytes": "AAECAw"}`, "fBytes", new Uint8Array([0, 1, 2, 3])],
    [`{"rInt32": [1, 2, 3, 4]}`, "rInt32", [1, 2, 3, 4]],
    [`{"rBytes": ["AAEC", "AQI="]}`, "rBytes", [new Uint8Array([0, 1, 2]), new Uint8Array([1, 2])]],
    [`{"rString": ["Hello", "world"]}`, "rString", ["Hello", "world"]],
    [`{"rInt64": [1, "-2", "3e1"], "rUnpacked": []}`, "rInt64", [1n, -2n, 30n]],
  ])("%s reads %s as %o", (text, name, value) => {
    expect(read(text)[name]).toEqual(value); // toEqual tells -0 from 0
  });

  test("null, for any field, leaves it as create() made it", () => {
    const text = `{${[...s.SCALAR_TYPES.map((t) => `"f_${t}": null, "o_${t}": null, "r_${t}": null`), `"rUnpacked": null`].join(", ")}}`;
    expect(read(text)).toEqual(s.Scalars.create());
    expect(read(`{"oInt32": 0, "oString": "", "oBytes": ""}`)).toEqual(s.Scalars.create({ oInt32: 0, oString: "", oBytes: new Uint8Array(0) }));
  });

  test.each([
    [`{"fInt32": 2147483648}`, "$.fInt32: int32 out of range: 2147483648"],
    [`{"fInt32": -2147483649}`, "$.fInt32: int32 out of range: -2147483649"],
    [`{"fInt32": "2147483648"}`, "$.fInt32: int32 out of range"],
    [`{"fUint32": 4294967296}`, "$.fUint32: uint32 out of range"],
    [`{"fUint32": -1}`, "$.fUint32: uint32 out of range"],
    [`{"fSfixed32": 1e10}`, "$.fSfixed32: sfixed32 out of range"],
    [`{"fInt64": "9223372036854775808"}`, "$.fInt64: int64 out of range"],
    [`{"fInt64": "-9223372036854775809"}`, "$.fInt64: int64 out of range"],
    [`{"fUint64": "18446744073709551616"}`, "$.fUint64: uint64 out of range"],
    [`{"fUint64": "1e536870000"}`, "$.fUint64: uint64 out of range"],
    [`{"fUint64": "-1"}`, "$.fUint64: uint64 out of range"],
    [`{"fInt64": 1e20}`, "$.fInt64: int64 out of range"],
    [`{"fInt32": 0.5}`, "$.fInt32: expected an integer (int32), got 0.5"],
    [`{"fUint32": 0.5}`, "$.fUint32: expected an integer (uint32)"],
    [`{"fInt64": "0.5"}`, `$.fInt64: expected an integer (int64), got the string "0.5"`],
    [`{"fUint64": "0.5"}`, "$.fUint64: expected an integer (uint64)"],
    [`{"fInt32": "1.0000000001"}`, "$.fInt32: expected an integer"],
    [`{"fInt64": "1e-1"}`, "$.fInt64: expected an integer"],
    [`{"fInt32": true}`, "$.fInt32: expected an int32 number, got true"],
    [`{"fInt32": false}`, "$.fInt32: expected an int32 number, got false"],
    [`{"fInt32": "12abc"}`, `$.fInt32: expected an int32 as a decimal string, got the string "12abc"`],
    [`{"fInt32": "12 34"}`, "$.fInt32: expected an int32 as a decimal string"],
    [`{"fInt32": "12,34"}`, "$.fInt32: expected an int32 as a decimal string"],
    [`{"fInt32": "12谷歌34"}`, "$.fInt32: expected an int32 as a decimal string"],
    [`{"fInt32": "abc"}`, "$.fInt32: expected an int32 as a decimal string"],
    [`{"fInt32": "3x3"}`, "$.fInt32: expected an int32 as a decimal string"],
    [`{"fInt64": "3x3"}`, "$.fInt64: expected an int64 as a decimal string"],
    [`{"fInt32": " 1"}`, "$.fInt32: expected an int32 as a decimal string"],
    [`{"fInt32": "1 "}`, "$.fInt32: expected an int32 as a decimal string"],
    [`{"fInt32": "+1"}`, "$.fInt32: expected an int32 as a decimal string"],
    [`{"fInt32": "0x10"}`, "$.fInt32: expected an int32 as a decimal string"],
    [`{"fInt32": "Infinity"}`, "$.fInt32: expected an int32 as a decimal string"],
    [`{"fInt32": ""}`, "$.fInt32: expected an int32 as a decimal string"],
    [`{"fUint32": ""}`, "$.fUint32: expected a uint32 as a decimal string"],
    [`{"fInt64": ""}`, "$.fInt64: expected an int64 as a decimal string"],
    [`{"fUint64": ""}`, "$.fUint64: expected a uint64 as a decimal string"],
    [`{"fInt64": true}`, "$.fInt64: expected an int64 as a decimal string or number, got true"],
    [`{"fInt32": [1]}`, "$.fInt32: expected an int32 number, got an array"],
    [`{"fBool": 0}`, "$.fBool: expected true or false, got 0"],
    [`{"fBool": 1}`, "$.fBool: expected true or false, got 1"],
    [`{"fBool": "true"}`, `$.fBool: expected true or false, got the string "true"`],
    [`{"fBool": "false"}`, "$.fBool: expected true or false"],
    [`{"fFloat": 3.502823e+38}`, "$.fFloat: float out of range"],
    [`{"fFloat": -3.502823e+38}`, "$.fFloat: float out of range"],
    [`{"fFloat": "3.502823e+38"}`, "$.fFloat: float out of range"],
    [`{"fFloat": ""}`, "$.fFloat: expected a float as a number or numeric string"],
    [`{"fFloat": "12abc"}`, "$.fFloat: expected a float as a number or numeric string"],
    [`{"fFloat": "abc"}`, "$.fFloat: expected a float"],
    [`{"fFloat": "12 34"}`, "$.fFloat: expected a float"],
    [`{"fFloat": "12,34"}`, "$.fFloat: expected a float"],
    [`{"fFloat": "12谷歌34"}`, "$.fFloat: expected a float"],
    [`{"fFloat": "nan"}`, "$.fFloat: expected a float"],
    [`{"fFloat": "inf"}`, "$.fFloat: expected a float"],
    [`{"fFloat": true}`, "$.fFloat: expected a float number, got true"],
    [`{"fDouble": 1.89769e+308}`, "$.fDouble: double out of range"],
    [`{"fDouble": -1.89769e+308}`, "$.fDouble: double out of range"],
    [`{"fDouble": "1e999"}`, "$.fDouble: double out of range"],
    [`{"fDouble": ""}`, "$.fDouble: expected a double"],
    [`{"fDouble": "12abc"}`, "$.fDouble: expected a double"],
    [`{"fDouble": "abc"}`, "$.fDouble: expected a double"],
    [`{"fDouble": false}`, "$.fDouble: expected a double number, got false"],
    [`{"fString": 12345}`, "$.fString: expected a string, got 12345"],
    [`{"fString": "\\uD800"}`, "$.fString: string has an unpaired surrogate"],
    [`{"fString": "\\uDC00"}`, "$.fString: string has an unpaired surrogate"],
    [`{"fString": "\\uDE01\\uD83D"}`, "$.fString: string has an unpaired surrogate"],
    [`{"fBytes": "A"}`, "$.fBytes: invalid base64: base64 length is not valid"],
    [`{"fBytes": "AQ=I"}`, `$.fBytes: invalid base64: "=" at index 2 is not a base64 character`],
    [`{"fBytes": "AQ I"}`, "$.fBytes: invalid base64"],
    [`{"fBytes": "AQ="}`, "$.fBytes: invalid base64: base64 padding does not complete a group of four"],
    [`{"fBytes": "A==="}`, "$.fBytes: invalid base64"],
    [`{"fBytes": "é"}`, "$.fBytes: invalid base64"],
    [`{"fBytes": 12}`, "$.fBytes: expected a base64 string, got 12"],
    [`{"rInt32": [1, false, 3, 4]}`, "$.rInt32[1]: expected an int32 number, got false"],
    [`{"rInt32": [1, 2, "name", 4]}`, "$.rInt32[2]: expected an int32 as a decimal string"],
    [`{"rInt32": [1, 2, 3, {"a": 4}]}`, "$.rInt32[3]: expected an int32 number, got an object"],
    [`{"rString": ["1", 2, "3", "4"]}`, "$.rString[1]: expected a string, got 2"],
    [`{"rString": ["1", "2", false, "4"]}`, "$.rString[2]: expected a string, got false"],
    [`{"rInt32": 1}`, "$.rInt32: expected a JSON array, got 1"],
    [`{"rInt32": {"0": 1}}`, "$.rInt32: expected a JSON array, got an object"],
    [`{"rInt32": [1, null, 2]}`, "$.rInt32[1]: an array element cannot be null"],
  ])("%s is rejected: %s", (text, message) => {
    expectError(() => read(text), ErrorCode.INVALID_VALUE, message);
  });

  test("a value from JSON.parse or built by hand goes through the same checks", () => {
    expect((fromJson(s.Scalars, { fInt64: "5", fFloat: 0.5 }) as Scalars).fInt64).toBe(5n);
    expectError(() => fromJson(s.Scalars, { fDouble: NaN }), ErrorCode.INVALID_VALUE, `$.fDouble: NaN must be the string "NaN"`);
    expectError(() => fromJson(s.Scalars, { fDouble: Infinity }), ErrorCode.INVALID_VALUE, "$.fDouble: double out of range");
    expectError(() => fromJson(s.Scalars, { fInt32: Infinity }), ErrorCode.INVALID_VALUE, "$.fInt32: expected an integer");
  });
});
