/**
 * ProtoJSON of Protobuf extensions (tests/golden/proto/extensions.proto and its generated
 * constants): `"[full.name]"` keys for the extensions in the typeRegistry, printed among the
 * fields in number order with the value as a field of their type prints; every value kind;
 * round trips to the bytes setExtension writes; unregistered, unknown and misplaced
 * extension keys; the JSON path in errors; the registry's extension lookups.
 * Python's json_format as the peer: tests/peers/protobuf-json-extensions.test.ts.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  createTypeRegistry, encodeProtobuf, ErrorCode, fromJson, fromJsonString, getExtension, hasExtension, init,
  setExtension, toJson, toJsonString, type ProtobufExtension, type ProtobufMessageCodec,
} from "kitewire";
import * as ext from "../../golden/proto/gen/extensions.js";
import * as legacy from "../../golden/proto/gen/legacy.js";
import * as s from "../../support/protobuf-json-schema.js";
import { ALL, hostWithAll } from "../../support/protobuf-extensions.js";
import { field, message, scalar } from "../../support/protobuf-reflect.js";
import { expectError } from "./helpers.js";

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");
const EVERY = [...ALL.map(([e]) => e), ext.deltas, ext.kind_ext, ext.Scope_note];
const registry = createTypeRegistry(...EVERY);
const o = { typeRegistry: registry };

/**
 * hostWithAll's JSON: the extensions after `name`, by number (Scope.count is 200), each
 * under its full name (`default_level`, not its JSON name `defaultLevel`).
 */
const HOST_JSON = `{"name":"h","[extensions.count]":-5,"[extensions.offset]":"-1099511627776",` +
  `"[extensions.level]":"LEVEL_HIGH","[extensions.label]":"héllo","[extensions.blob]":"AP8=",` +
  `"[extensions.point]":{"x":1,"y":-2},"[extensions.samples]":[1,2,-3,300],"[extensions.tags]":["a",""],` +
  `"[extensions.ids]":[7,4294967295],"[extensions.points]":[{"x":3},{}],"[extensions.levels]":["LEVEL_LOW","LEVEL_HIGH"],` +
  `"[extensions.big]":"18446744073709551615","[extensions.flag]":true,"[extensions.ratio]":0.25,` +
  `"[extensions.default_level]":"LEVEL_LOW","[extensions.greeting]":"","[extensions.magic]":"",` +
  `"[extensions.scale]":1.5,"[extensions.stamp]":"-4","[extensions.Scope.count]":7}`;

beforeAll(async () => {
  await init();
});

describe("printing", () => {
  test("every value kind under its [full.name] key, after the fields, in number order", () => {
    expect(toJsonString(ext.Host, hostWithAll(), o)).toBe(HOST_JSON);
  });

  test("without a registry, or with one that lacks them, extensions stay out like other unknown fields", () => {
    expect(toJsonString(ext.Host, hostWithAll())).toBe(`{"name":"h"}`);
    expect(toJsonString(ext.Host, hostWithAll(), { typeRegistry: createTypeRegistry(ext.Host) })).toBe(`{"name":"h"}`);
    const some = createTypeRegistry(ext.count, ext.Scope_count);
    expect(toJsonString(ext.Host, hostWithAll(), { typeRegistry: some }))
      .toBe(`{"name":"h","[extensions.count]":-5,"[extensions.Scope.count]":7}`);
  });

  test("unknown fields that are no registered extension stay out", () => {
    const h = ext.Host.create();
    setExtension(h, ext.count, 3);
    h.$unknown = [...h.$unknown!, new Uint8Array([0xe0, 0x12, 0x01])]; // field 300, varint 1: no extension
    expect(toJson(ext.Host, h, o)).toEqual({ "[extensions.count]": 3 });
  });

  test("useProtoNames and enumAsInteger change the values, never the key; emitDefaults prints no unset extension", () => {
    const h = ext.Host.create();
    setExtension(h, ext.default_level, ext.Level.LEVEL_LOW);
    setExtension(h, ext.levels, [ext.Level.LEVEL_HIGH]);
    setExtension(h, ext.point, ext.Point.create({ x: 1 }));
    expect(toJson(ext.Host, h, { ...o, useProtoNames: true, enumAsInteger: true }))
      .toEqual({ "[extensions.point]": { x: 1 }, "[extensions.levels]": [2], "[extensions.default_level]": 1 });
    expect(toJsonString(ext.Host, h, { ...o, emitDefaults: true }))
      .toBe(`{"[extensions.point]":{"x":1},"[extensions.levels]":["LEVEL_HIGH"],"[extensions.default_level]":"LEVEL_LOW"}`);
  });

  test("a set extension prints even at its default; floats print as fields do (NaN, Infinity as strings)", () => {
    const h = ext.Host.create();
    setExtension(h, ext.count, 0);
    setExtension(h, ext.ratio, Number.NaN);
    setExtension(h, ext.scale, Number.NEGATIVE_INFINITY);
    expect(toJson(ext.Host, h, o)).toEqual({ "[extensions.count]": 0, "[extensions.ratio]": "NaN", "[extensions.scale]": "-Infinity" });
  });

  test("extensions of an imported message, from a top-level and a nested extend", () => {
    const r = legacy.Record$.create({ id: 1 });
    setExtension(r, ext.kind_ext, legacy.Kind.KIND_A);
    setExtension(r, ext.deltas, [-1, 1]);
    setExtension(r, ext.Scope_note, "n");
    const json = `{"id":1,"[extensions.Scope.note]":"n","[extensions.deltas]":[-1,1],"[extensions.kind_ext]":"KIND_A"}`;
    expect(toJsonString(legacy.Record$, r, o)).toBe(json);
    const back = fromJsonString(legacy.Record$, json, o);
    expect(hex(encodeProtobuf(legacy.Record$, back))).toBe(hex(encodeProtobuf(legacy.Record$, r)));
  });

  test("an extension numbered below a field prints before it: fields and extensions merge by number", () => {
    const codec = message("t.Mixed", [field(1, "a", scalar("int32")), field(50, "z", scalar("int32"))]);
    const low: ProtobufExtension<Record<string, unknown>, number> = {
      typeName: "t.low", extendee: codec, field: field(10, "low", scalar("int32"), { presence: true }),
    };
    const high: ProtobufExtension<Record<string, unknown>, number> = {
      typeName: "t.high", extendee: codec, field: field(60, "high", scalar("int32"), { presence: true }),
    };
    const m = codec.create({ a: 1, z: 2 });
    setExtension(m, high, 4);
    setExtension(m, low, 3);
    const typeRegistry = createTypeRegistry(high, low);
    expect(toJsonString(codec, m, { typeRegistry })).toBe(`{"a":1,"[t.low]":3,"z":2,"[t.high]":4}`);
    expect(fromJsonString(codec, `{"[t.high]":4,"z":2,"[t.low]":3,"a":1}`, { typeRegistry })).toEqual(m);
  });

  test("a kept value that does not decode is an error naming the extension's key", () => {
    const h = ext.Host.create({ $unknown: [new Uint8Array([0xba, 0x06, 0x05, 0x01])] }); // label (103): length 5, one byte
    // The reader's code is kept; the message gains the path.
    const e = expectError(() => toJson(ext.Host, h, o), ErrorCode.LENGTH_LIMIT, `$["[extensions.label]"]: cannot read extension extensions.label`);
    expect(e.cause).toBeDefined();
  });
});

describe("reading", () => {
  test("hostWithAll's JSON reads back to the bytes setExtension wrote, and getExtension gives each value", () => {
    const h = fromJsonString(ext.Host, HOST_JSON, o);
    expect(hex(encodeProtobuf(ext.Host, h))).toBe(hex(encodeProtobuf(ext.Host, hostWithAll())));
    for (const [e, value] of ALL) expect(getExtension(h, e), e.typeName).toEqual(value);
    expect(toJsonString(ext.Host, h, o)).toBe(HOST_JSON);
  });

  test("the other spellings ProtoJSON accepts: numbers as strings, enum numbers, URL-safe base64, any key order", () => {
    const h = fromJson(ext.Host, {
      "[extensions.blob]": "AP-_", "[extensions.big]": 18446744073709552000 - 2048, "[extensions.count]": "-5",
      "[extensions.level]": 2, "[extensions.offset]": -3, "[extensions.samples]": ["1", 2], name: "n",
    }, o);
    expect(getExtension(h, ext.blob)).toEqual(new Uint8Array([0, 255, 191]));
    expect(getExtension(h, ext.big)).toBe(18446744073709549568n);
    expect(getExtension(h, ext.count)).toBe(-5);
    expect(getExtension(h, ext.level)).toBe(ext.Level.LEVEL_HIGH);
    expect(getExtension(h, ext.offset)).toBe(-3n);
    expect(getExtension(h, ext.samples)).toEqual([1, 2]);
    expect(h.name).toBe("n");
    // setExtension keeps them in number order whatever order the keys came in.
    expect(toJsonString(ext.Host, h, o)).toBe(`{"name":"n","[extensions.count]":-5,"[extensions.offset]":"-3",` +
      `"[extensions.level]":"LEVEL_HIGH","[extensions.blob]":"AP+/","[extensions.samples]":[1,2],"[extensions.big]":"18446744073709549568"}`);
  });

  test("null leaves an extension unset, as it does a field", () => {
    const h = fromJsonString(ext.Host, `{"[extensions.count]":null,"[extensions.point]":null,"[extensions.tags]":null}`, o);
    expect(hasExtension(h, ext.count)).toBe(false);
    expect(hasExtension(h, ext.point)).toBe(false);
    expect(h.$unknown).toBeUndefined();
  });

  test("an empty message value is set (and prints as {}); an empty list sets nothing", () => {
    const h = fromJsonString(ext.Host, `{"[extensions.point]":{},"[extensions.points]":[]}`, o);
    expect(hasExtension(h, ext.point)).toBe(true);
    expect(hasExtension(h, ext.points)).toBe(false);
    expect(toJsonString(ext.Host, h, o)).toBe(`{"[extensions.point]":{}}`);
  });

  test("inside an Any: the held message's extensions print and read next to @type", () => {
    const typeRegistry = createTypeRegistry(s.Any, ext.count, ext.point);
    const h = ext.Host.create({ name: "x" });
    setExtension(h, ext.point, ext.Point.create({ y: 2 }));
    const any = s.Any.create({ typeUrl: "type.googleapis.com/extensions.Host", value: encodeProtobuf(ext.Host, h) });
    const json = `{"@type":"type.googleapis.com/extensions.Host","name":"x","[extensions.point]":{"y":2}}`;
    expect(toJsonString(s.Any, any, { typeRegistry })).toBe(json);
    expect(fromJsonString(s.Any, json, { typeRegistry })).toEqual(any);
  });
});

describe("errors", () => {
  test("a [name] key the registry does not have is an unknown field: an error, or skipped with ignoreUnknownFields", () => {
    for (const key of ["[extensions.nope]", "[extensions.count]"]) {
      const text = `{"name":"a","${key}":3}`;
      const options = key === "[extensions.count]" ? { typeRegistry: createTypeRegistry(ext.label) } : o;
      expectError(() => fromJsonString(ext.Host, text, options), ErrorCode.INVALID_VALUE,
        `$["${key}"]: extensions.Host has no field named "${key}" (and the typeRegistry has no extension of that name)`);
      expect(fromJsonString(ext.Host, text, { ...options, ignoreUnknownFields: true })).toEqual(ext.Host.create({ name: "a" }));
    }
    expectError(() => fromJsonString(ext.Host, `{"[extensions.count]":3}`), ErrorCode.INVALID_VALUE, "has no field named");
    // Only the exact form is a name: protobuf's parsers take no spaces inside the brackets either.
    expectError(() => fromJsonString(ext.Host, `{"[ extensions.count]":3}`, o), ErrorCode.INVALID_VALUE, "has no field named");
    expectError(() => fromJsonString(ext.Host, `{"count":3}`, o), ErrorCode.INVALID_VALUE, `$.count: extensions.Host has no field named "count"`);
  });

  test("an extension of another message is an error, even with ignoreUnknownFields", () => {
    for (const options of [o, { ...o, ignoreUnknownFields: true }]) {
      expectError(() => fromJsonString(ext.Host, `{"[extensions.Scope.note]":"x"}`, options), ErrorCode.INVALID_VALUE,
        `$["[extensions.Scope.note]"]: extension extensions.Scope.note extends legacy.Record, not extensions.Host`);
    }
  });

  test("a value that does not fit names the path into the extension", () => {
    expectError(() => fromJsonString(ext.Host, `{"[extensions.count]":"x"}`, o), ErrorCode.INVALID_VALUE, `$["[extensions.count]"]:`);
    expectError(() => fromJsonString(ext.Host, `{"[extensions.count]":2147483648}`, o), ErrorCode.INVALID_VALUE, `$["[extensions.count]"]:`);
    expectError(() => fromJsonString(ext.Host, `{"[extensions.samples]":[1,"a"]}`, o), ErrorCode.INVALID_VALUE, `$["[extensions.samples]"][1]:`);
    expectError(() => fromJsonString(ext.Host, `{"[extensions.points]":[{},{"z":1}]}`, o), ErrorCode.INVALID_VALUE,
      `$["[extensions.points]"][1].z: extensions.Point has no field named "z"`);
    expectError(() => fromJsonString(ext.Host, `{"[extensions.blob]":"a"}`, o), ErrorCode.INVALID_VALUE, `$["[extensions.blob]"]:`);
    expectError(() => fromJsonString(ext.Host, `{"[extensions.level]":"LEVEL_MID"}`, o), ErrorCode.INVALID_VALUE,
      `$["[extensions.level]"]: the string "LEVEL_MID" is not a value of enum extensions.Level`);
    expectError(() => fromJsonString(ext.Host, `{"[extensions.tags]":"a"}`, o), ErrorCode.INVALID_VALUE, `$["[extensions.tags]"]: expected a JSON array`);
  });

  test("an unknown enum name with ignoreUnknownFields leaves the extension (or the element) out", () => {
    const h = fromJsonString(ext.Host, `{"[extensions.level]":"LEVEL_MID","[extensions.levels]":["LEVEL_MID","LEVEL_LOW"]}`,
      { ...o, ignoreUnknownFields: true });
    expect(hasExtension(h, ext.level)).toBe(false);
    expect(getExtension(h, ext.levels)).toEqual([ext.Level.LEVEL_LOW]);
  });
});

describe("createTypeRegistry with extensions", () => {
  test("codecs and extensions in one list, told apart by shape; an extension brings its extendee and value type", () => {
    const r = createTypeRegistry(s.Nested, ext.point, ext.Scope_note, ext.count);
    expect(r.findMessage("extensions.Host")).toBe(ext.Host);
    expect(r.findMessage("extensions.Point")).toBe(ext.Point);
    expect(r.findMessage("legacy.Record")).toBe(legacy.Record$);
    expect(r.findMessage(s.Nested.typeName)).toBe(s.Nested);
    expect(r.findExtension!("extensions.Scope.note")).toBe(ext.Scope_note);
    expect(r.findExtension!("extensions.Host")).toBeUndefined();
    expect(r.extensionsOf!("extensions.Host")).toEqual([ext.count, ext.point]); // by number, not as given
    expect(r.extensionsOf!("extensions.Point")).toEqual([]);
  });

  test("an extension given twice is registered once; two of one number on one message are an error", () => {
    expect(createTypeRegistry(ext.count, ext.count).extensionsOf!("extensions.Host")).toEqual([ext.count]);
    const clash: ProtobufExtension<ext.Host, number> = { ...ext.count, typeName: "other.count" };
    expectError(() => createTypeRegistry(ext.count, clash), ErrorCode.INVALID_STATE,
      "extensions extensions.count and other.count are both field 100 of extensions.Host");
  });

  test("a registry written by hand without the extension lookups still works for Any, and knows no extensions", () => {
    const typeRegistry = { findMessage: (name: string) => (name === "extensions.Host" ? ext.Host as ProtobufMessageCodec<unknown> : undefined) };
    expect(toJsonString(ext.Host, hostWithAll(), { typeRegistry })).toBe(`{"name":"h"}`);
    expectError(() => fromJsonString(ext.Host, `{"[extensions.count]":1}`, { typeRegistry }), ErrorCode.INVALID_VALUE, "has no field named");
  });
});
