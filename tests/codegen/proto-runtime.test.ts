/** Generated Protobuf code at run time: round trips, presence, proto2 rules, unknown fields, bytes as protobufjs writes them. */
import { createRequire } from "node:module";
import { beforeAll, describe, expect, test } from "vitest";
import { decodeProtobuf, encodeProtobuf, init, KitewireError, ProtobufReader, valueOrDefault } from "kitewire";
import * as ex from "../golden/proto/gen/example.js";
import * as legacy from "../golden/proto/gen/legacy.js";
import * as bench from "../golden/proto/gen/bench.js";
import { bench as pb } from "../fixtures/protobufjs/bench.js";

const require = createRequire(import.meta.url);
const protobuf = require("protobufjs/minimal.js");

beforeAll(async () => {
  await init();
});

const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function fullScalars(): ex.Scalars {
  return ex.Scalars.create({
    fDouble: -0, fFloat: 1.5, fInt32: -7, fInt64: -(2n ** 63n), fUint32: 4294967295, fUint64: 2n ** 64n - 1n,
    fSint32: -2147483648, fSint64: 2n ** 63n - 1n, fFixed32: 1, fFixed64: 2n, fSfixed32: -3, fSfixed64: -4n,
    fBool: true, fString: "héllo", fBytes: new Uint8Array([0, 255]), oInt32: 0, oString: "", oBytes: new Uint8Array(0),
    rDouble: [1, -1.25, Infinity], rFloat: [0.5], rInt32: [1, -1, 300], rInt64: [1n, -1n], rUint32: [0, 4294967295],
    rUint64: [2n ** 64n - 1n], rSint32: [-64, 63], rSint64: [-1n], rFixed32: [7], rFixed64: [8n], rSfixed32: [-9],
    rSfixed64: [-10n], rBool: [true, false], rString: ["a", ""], rBytes: [new Uint8Array([1])], rUnpacked: [1, 2, 3],
  });
}

describe("proto3", () => {
  test("every scalar, singular, optional and repeated, round-trips", () => {
    const v = fullScalars();
    const back = decodeProtobuf(ex.Scalars, encodeProtobuf(ex.Scalars, v));
    expect(back).toEqual(v);
    expect(Object.is(back.fDouble, -0)).toBe(true);
  });

  test("implicit-presence defaults are not written; explicit presence is, even at the default", () => {
    expect(encodeProtobuf(ex.Scalars, ex.Scalars.create()).length).toBe(0);
    const bytes = encodeProtobuf(ex.Scalars, ex.Scalars.create({ oInt32: 0, oString: "" }));
    expect(hex(bytes)).toBe("8001008a0100");
    const back = decodeProtobuf(ex.Scalars, bytes);
    expect(back.oInt32).toBe(0);
    expect(back.oString).toBe("");
    expect(back.oBytes).toBeUndefined();
  });

  test("packed and unpacked encodings of repeated scalars are both accepted", () => {
    // r_unpacked (36) is written unpacked; send it packed, and r_int32 (23) unpacked.
    const bytes = new Uint8Array([0xa2, 0x02, 0x02, 0x05, 0x06, 0xb8, 0x01, 0x09, 0xb8, 0x01, 0x0a]);
    const v = decodeProtobuf(ex.Scalars, bytes);
    expect(v.rUnpacked).toEqual([5, 6]);
    expect(v.rInt32).toEqual([9, 10]);
  });

  test("messages, maps, oneofs, nested types, imports and well-known types round-trip", () => {
    const user = ex.User.create({
      id: 42n, name: "Ada", status: ex.Status.STATUS_ACTIVE,
      home: ex.User_Address.create({ street: "s", city: "c" }),
      addresses: [ex.User_Address.create({ city: "x" }), ex.User_Address.create()],
      labels: new Map([["a", "1"], ["", ""]]),
      byId: new Map([[-1n, ex.User_Address.create({ street: "neg" })]]),
      flags: new Map([[true, ex.User_Role.ROLE_ADMIN], [false, ex.User_Role.ROLE_UNSPECIFIED]]),
      blobs: new Map([[7, new Uint8Array([1, 2, 3])]]),
      contact: { case: "mail", value: ex.User_Address.create({ street: "m" }) },
      createdAt: { seconds: 1700000000n, nanos: 5 },
      nickname: { value: "adie" },
      roles: [ex.User_Role.ROLE_ADMIN, 99 as ex.User_Role],
      legacy: legacy.Record$.create({ id: 1 }),
    });
    const back = decodeProtobuf(ex.User, encodeProtobuf(ex.User, user));
    expect(back).toEqual(user);
    expect(back.roles[1]).toBe(99); // open enum: unknown values kept
  });

  test("unknown fields survive decode and encode, byte for byte", () => {
    const user = ex.User.create({ id: 1n, name: "x", contact: { case: "email", value: "e@x" } });
    const bytes = encodeProtobuf(ex.User, user);
    const asRequest = decodeProtobuf(ex.GetUserRequest, bytes); // knows field 1 only
    expect(asRequest.id).toBe(1n);
    expect(asRequest.$unknown?.length).toBe(2);
    expect(hex(encodeProtobuf(ex.GetUserRequest, asRequest))).toBe(hex(bytes));
  });

  test("a known field number with another wire type is an unknown field, in small and large messages alike", () => {
    // Small switches on tags, Large (20 fields) on field numbers: both keep field 5 sent as a
    // varint instead of a double, and field 3 as a double instead of a varint, as they came.
    const odd = Uint8Array.from([0x28, 0x07, 0x19, 1, 2, 3, 4, 5, 6, 7, 8, 0x08, 0x2a]);
    for (const codec of [bench.Small, bench.Large] as const) {
      const v = decodeProtobuf(codec as typeof bench.Small, odd);
      expect([v.score, v.age, v.id]).toEqual([0, 0, 42n]);
      expect(v.$unknown?.map(hex)).toEqual(["2807", "190102030405060708"]);
      expect(hex(encodeProtobuf(codec as typeof bench.Small, v))).toBe("082a" + "2807" + "190102030405060708"); // known fields first
    }
  });
});

describe("proto2", () => {
  test("required fields: MISSING_FIELD on decode and on encode", () => {
    expect(() => decodeProtobuf(legacy.Record$, new Uint8Array([0x12, 0x01, 0x61]))).toThrow(
      expect.objectContaining({ code: "MISSING_FIELD", message: expect.stringContaining("legacy.Record.id") }),
    );
    expect(() => encodeProtobuf(legacy.Record$, { values: [], packedValues: [] } as unknown as legacy.Record$)).toThrow(KitewireError);
  });

  test("presence, defaults in the field table, groups, packed and unpacked", () => {
    const r = legacy.Record$.create({ id: 5, values: [1, 2], packedValues: [3, 4], extra: { level: 9 }, big: 1n });
    const bytes = encodeProtobuf(legacy.Record$, r);
    expect(hex(bytes)).toBe("0805300130023a0203044348094450" + "01");
    const back = decodeProtobuf(legacy.Record$, bytes);
    expect(back).toEqual(r);
    expect(back.name).toBeUndefined();
    const defaults = Object.fromEntries(legacy.Record$.fields.filter((f) => f.defaultValue !== undefined).map((f) => [f.localName, f.defaultValue]));
    expect(defaults).toEqual({ name: "unnamed", kind: legacy.Kind.KIND_B, ratio: -1.5, tag: new Uint8Array([1, 2]), big: 9007199254740993n });
  });

  test("valueOrDefault reads absent fields as their proto2 defaults, else the type's zero", () => {
    const r = decodeProtobuf(legacy.Record$, new Uint8Array([0x08, 0x01])); // id 1, nothing else
    expect(r.name).toBeUndefined();
    expect(valueOrDefault(legacy.Record$, r, "name")).toBe("unnamed");
    expect(valueOrDefault(legacy.Record$, r, "kind")).toBe(legacy.Kind.KIND_B);
    expect(valueOrDefault(legacy.Record$, r, "ratio")).toBe(-1.5);
    expect(valueOrDefault(legacy.Record$, r, "big")).toBe(9007199254740993n);
    const tag = valueOrDefault(legacy.Record$, r, "tag");
    expect(tag).toEqual(new Uint8Array([1, 2]));
    tag[0] = 9; // a fresh copy: the field table's default is not changed
    expect(valueOrDefault(legacy.Record$, r, "tag")).toEqual(new Uint8Array([1, 2]));
    expect(valueOrDefault(legacy.Record$, r, "values")).toEqual([]);
    expect(valueOrDefault(legacy.Record$, r, "extra")).toEqual(legacy.Record_Extra.create());
    // A set field is itself, even when it equals the zero value.
    const set = decodeProtobuf(legacy.Record$, new Uint8Array([0x08, 0x01, 0x12, 0x00]));
    expect(valueOrDefault(legacy.Record$, set, "name")).toBe("");
    expect(() => valueOrDefault(legacy.Record$, r, "nope" as never)).toThrow(expect.objectContaining({ code: "INVALID_VALUE" }));
  });

  test("a closed enum keeps undeclared values as unknown fields", () => {
    const bytes = new Uint8Array([0x08, 0x01, 0x18, 0x07]); // id 1, kind 7 (not a Kind)
    const r = decodeProtobuf(legacy.Record$, bytes);
    expect(r.kind).toBeUndefined();
    expect(r.$unknown?.map(hex)).toEqual(["1807"]);
    expect(hex(encodeProtobuf(legacy.Record$, r))).toBe("08011807");
  });
});

describe("bytes equal protobufjs's static code", () => {
  test("bench.Small and bench.Large", () => {
    protobuf.util.Long = null;
    protobuf.configure();
    const inner = (i: number) => bench.Inner.create({ a: i, b: `b${i}`, c: i / 3 });
    const large = bench.Large.create({
      id: 123456789n, name: "n", age: 3, active: true, score: 0.5, email: "e", level: 2, createdAt: 5n, updatedAt: 6n,
      title: "t", description: "d", inner: inner(0), numbers: [1, -2, 300], tags: ["x", "y"], children: [inner(1), inner(2)],
      note: "Grüße 東京", payload: new Uint8Array([1, 2, 3]), region: -4, flags: 5, ratio: 2.5,
    });
    const toPb = (v: Record<string, unknown>) => Object.fromEntries(Object.entries(v).map(([k, x]) => [k, typeof x === "bigint" ? Number(x) : x]));
    const pbLarge = { ...toPb(large), inner: toPb(large.inner as never), children: large.children.map((c) => toPb(c as never)) };
    expect(hex(encodeProtobuf(bench.Large, large))).toBe(hex(pb.Large.encode(pbLarge as never).finish()));
    expect(decodeProtobuf(bench.Large, pb.Large.encode(pbLarge as never).finish())).toEqual(large);
    const small = bench.Small.create({ id: -5n, name: "s", age: -1, active: false, score: -0.5 });
    expect(hex(encodeProtobuf(bench.Small, small))).toBe(hex(pb.Small.encode(toPb(small) as never).finish()));
  });
});

describe("ProtoJSON on generated messages", () => {
  test("a user with well-known types, maps, oneofs and enums: exact JSON and back", async () => {
    const { toJson, fromJson, toJsonString } = await import("kitewire");
    const user = ex.User.create({
      id: 9007199254740993n, name: "Ada", status: ex.Status.STATUS_ACTIVE,
      labels: new Map([["k", "v"]]), byId: new Map([[-1n, ex.User_Address.create({ city: "x" })]]),
      contact: { case: "phone", value: "+33" }, createdAt: { seconds: 1700000000n, nanos: 5000000 },
      nickname: { value: "adie" }, roles: [ex.User_Role.ROLE_ADMIN],
    });
    expect(toJson(ex.User, user)).toEqual({
      id: "9007199254740993", name: "Ada", status: "STATUS_ACTIVE", labels: { k: "v" }, byId: { "-1": { city: "x" } },
      phone: "+33", createdAt: "2023-11-14T22:13:20.005Z", nickname: "adie", roles: ["ROLE_ADMIN"],
    });
    expect(fromJson(ex.User, JSON.parse(toJsonString(ex.User, user)))).toEqual(user);
    expect(() => fromJson(ex.User, { id: "x" })).toThrow(expect.objectContaining({ code: "INVALID_VALUE" }));
  });
});

describe("absent repeated and map fields of decoded messages", () => {
  const full = () => bench.Profile.create({
    id: 7n, labels: new Map([["a", "b"]]), items: new Map([[1, bench.Inner.create({ a: 1 })]]),
    scores: [1, -2], aliases: ["x"], friends: [bench.Inner.create({ b: "f" })],
  });

  test("read as empty, share one frozen default, and refuse to be changed with a TypeError", () => {
    const bytes = encodeProtobuf(bench.Profile, bench.Profile.create({ id: 1n, name: "n" }));
    const a = decodeProtobuf(bench.Profile, bytes);
    const b = decodeProtobuf(bench.Profile, bytes);
    for (const v of [a, b]) {
      expect([v.labels.size, v.items.size, v.scores.length, v.aliases.length, v.friends.length]).toEqual([0, 0, 0, 0, 0]);
      expect([...v.labels, ...v.items, ...v.scores, ...v.aliases, ...v.friends]).toEqual([]);
    }
    expect(a.aliases).toBe(b.aliases);
    expect(a.labels).toBe(b.labels);
    expect(a).toEqual(bench.Profile.create({ id: 1n, name: "n" })); // equal to a message made with create()
    expect(() => a.aliases.push("no")).toThrow(TypeError);
    expect(() => a.labels.set("k", "v")).toThrow(/assign a new Map/);
    expect([b.aliases.length, b.labels.size]).toEqual([0, 0]);
    a.aliases = ["yes"];
    a.labels = new Map([["k", "v"]]);
    expect(decodeProtobuf(bench.Profile, encodeProtobuf(bench.Profile, a))).toEqual({ ...a });
  });

  test("present fields get lists and maps of their own, in every way they arrive", () => {
    const bytes = encodeProtobuf(bench.Profile, full());
    const a = decodeProtobuf(bench.Profile, bytes);
    const b = decodeProtobuf(bench.Profile, bytes);
    expect(a).toEqual(full());
    for (const k of ["labels", "items", "scores", "aliases", "friends"] as const) expect(a[k]).not.toBe(b[k]);
    a.aliases.push("more");
    a.labels.set("c", "d");
    expect([b.aliases.length, b.labels.size]).toEqual([1, 1]);
    // Unpacked scores (each its own tag) as another writer may send them.
    const unpacked = Uint8Array.of(0x28, 0x05, 0x28, 0x06);
    expect(decodeProtobuf(bench.Profile, unpacked).scores).toEqual([5, 6]);
  });

  test("a map entry without a value gets the value's default message; one whose value comes in parts merges them", () => {
    // items = 4, entry { key = 1 } alone; then entry { key = 2, value { a = 5 }, value { b = "z" } }.
    const bytes = Uint8Array.of(0x22, 0x02, 0x08, 0x01, 0x22, 0x0b, 0x08, 0x02, 0x12, 0x02, 0x08, 0x05, 0x12, 0x03, 0x12, 0x01, 0x7a);
    const v = decodeProtobuf(bench.Profile, bytes);
    expect(v.items.get(1)).toEqual(bench.Inner.create());
    expect(v.items.get(2)).toEqual(bench.Inner.create({ a: 5, b: "z" }));
    expect(v.items.get(1)).not.toBe(decodeProtobuf(bench.Profile, bytes.subarray(0, 4)).items.get(1));
    expect(pb.Profile.decode(bytes).items).toEqual({ 1: pb.Inner.create(), 2: pb.Inner.create({ a: 5, b: "z" }) });
  });

  test("decoding into a message made with create() adds to its own lists and maps", () => {
    const into = bench.Profile.create({ aliases: ["first"] });
    const [aliases, labels] = [into.aliases, into.labels];
    const v = bench.Profile.decode(new ProtobufReader().load(encodeProtobuf(bench.Profile, full())), into);
    expect(v.aliases).toBe(aliases);
    expect(v.aliases).toEqual(["first", "x"]);
    expect(v.labels).toBe(labels);
    expect(v.labels.get("a")).toBe("b");
  });
});
