/** Generated Thrift code at run time: round trips, defaults, requiredness, unions, exceptions, unknown fields. */
import { beforeAll, describe, expect, test } from "vitest";
import {
  decodeThrift, encodeThrift, init, KitewireError, readStruct, ThriftBinaryReader, ThriftBinaryWriter, ThriftCompactReader,
  ThriftCompactWriter, TType, type ThriftProtocol, type ThriftStructCodec,
} from "kitewire";
import * as ex from "../golden/thrift/gen/example.js";
import * as base from "../golden/thrift/gen/base.js";
import * as bench from "../golden/thrift/gen/bench.js";
import { Session } from "../golden/thrift/gen/modern.js";

beforeAll(async () => {
  await init();
});

const protocols: ThriftProtocol[] = ["binary", "compact"];

function fullUser(): ex.User {
  return ex.User.create({
    id: -(2n ** 63n),
    name: "Ada Lovelace — 🧮",
    email: "ada@example.org",
    status: ex.Status.SUSPENDED,
    tags: ["a", "", "é"],
    addresses: new Map([["home", [ex.Address.create({ street: "x", zip: 75001 })]], ["none", []]]),
    friends: new Set([1n, -1n, 2n ** 62n]),
    home: ex.Address.create({ street: "y", city: "Lyon" }),
    avatar: new Uint8Array([0, 255, 7]),
    score: -0.25,
    level: -128,
    flags: 127,
    verified: true,
    token: "t",
    matrix: [[1, 2], [], [-2147483648]],
    base: base.Base.create({ LogID: "log", TrafficEnv: base.TrafficEnv.create({ Open: true }), Extra: new Map([["k", "v"]]) }),
    legacy: 42,
  });
}

describe.each(protocols)("%s", (protocol) => {
  test("a struct with every field kind round-trips", () => {
    const user = fullUser();
    const bytes = encodeThrift(ex.User, user, protocol);
    expect(decodeThrift(ex.User, bytes, protocol)).toEqual(user);
  });

  test("defaults apply to fields the wire leaves out; optional ones stay absent", () => {
    const bytes = encodeThrift(ex.Address, { street: "s", zip: 1, city: undefined }, protocol);
    expect(decodeThrift(ex.Address, bytes, protocol)).toEqual({ street: "s", zip: 1, city: "Paris" });
    const created = ex.User.create({ id: 1n, name: "n" });
    expect(created.status).toBe(ex.Status.ACTIVE);
    expect(created.score).toBe(0.5);
    expect(created.flags).toBe(-1);
    expect(created.email).toBeUndefined();
    expect(decodeThrift(ex.User, encodeThrift(ex.User, created, protocol), protocol)).toEqual(created);
  });

  test("a missing required field is MISSING_FIELD naming struct and field", () => {
    const bytes = encodeThrift(ex.Address, ex.Address.create(), protocol); // an Address is not a User
    expect(() => decodeThrift(ex.User, bytes, protocol)).toThrow(
      expect.objectContaining({ code: "MISSING_FIELD", message: expect.stringContaining("User.id") }),
    );
    expect(() => encodeThrift(ex.User, { ...fullUser(), name: undefined as unknown as string }, protocol)).toThrow(
      expect.objectContaining({ code: "MISSING_FIELD", message: expect.stringContaining("User.name is not set") }),
    );
  });

  test("unions: each case round-trips; two fields on the wire is an error", () => {
    const cases: ex.Contact[] = [
      { case: "phone", value: "+33" },
      { case: "address", value: ex.Address.create({ street: "z" }) },
      { case: "emails", value: ["a@b", "c@d"] },
      { case: undefined },
    ];
    for (const c of cases) expect(decodeThrift(ex.Contact, encodeThrift(ex.Contact, c, protocol), protocol)).toEqual(c);
    const w = protocol === "binary" ? new ThriftBinaryWriter() : new ThriftCompactWriter();
    w.writeStructBegin();
    w.writeFieldBegin(TType.STRING, 1);
    w.writeString("+1");
    w.writeFieldBegin(TType.LIST, 3);
    w.writeListBegin(TType.STRING, 0);
    w.writeFieldStop();
    w.writeStructEnd();
    expect(() => decodeThrift(ex.Contact, w.finish(), protocol)).toThrow(
      expect.objectContaining({ code: "INVALID_VALUE", message: expect.stringContaining("union Contact has more than one field") }),
    );
  });

  test("exceptions are Errors with their fields and round-trip", () => {
    const e = new ex.NotFound({ message: "no such user", id: 7n });
    expect(e).toBeInstanceOf(Error);
    expect(e.message).toBe("no such user");
    expect(e.name).toBe("NotFound");
    const back = decodeThrift(ex.NotFound, encodeThrift(ex.NotFound, e, protocol), protocol);
    expect(back).toBeInstanceOf(ex.NotFound);
    expect(back.message).toBe("no such user");
    expect(back.id).toBe(7n);
    const invalid = decodeThrift(ex.Invalid, encodeThrift(ex.Invalid, new ex.Invalid({ code: 3 }), protocol), protocol);
    expect(invalid.code).toBe(3);
    expect(invalid.message).toBe("Invalid");
  });

  test("uuid fields travel as 16 bytes and read back as canonical text", () => {
    const s: Session = {
      id: "0f8fad5b-d9cb-469f-a165-70867728950e",
      parent: undefined,
      children: ["00000000-0000-0000-0000-000000000000"],
      labels: new Map([["7c9e6679-7425-40de-944b-e07fc1f90ae7", "x"]]),
    };
    const bytes = encodeThrift(Session, s, protocol);
    expect(decodeThrift(Session, bytes, protocol)).toEqual(s);
    expect(() => encodeThrift(Session, { ...s, id: "not-a-uuid" }, protocol)).toThrow(expect.objectContaining({ code: "INVALID_VALUE" }));
  });

  test("unknown fields are skipped, or kept and written back (in either protocol)", () => {
    // Small is an older Large: the same first five fields.
    const large = bench.Large.create({
      id: 1n, name: "n", age: 2, active: true, score: 0.5, email: "e", inner: bench.Inner.create({ a: 1 }),
      numbers: [1, 2, 3], tags: ["t"], children: [bench.Inner.create({ b: "b" })], payload: new Uint8Array([9]),
    });
    const bytes = encodeThrift(bench.Large, large, protocol);
    const skipped = decodeThrift(bench.Small, bytes, protocol);
    expect(skipped.$unknown).toBeUndefined();
    expect(skipped.name).toBe("n");
    const kept = decodeThrift(bench.Small, bytes, protocol, { keepUnknown: true });
    expect(kept.$unknown?.map((f) => f.id)).toEqual([6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]);
    for (const other of protocols) {
      const again = encodeThrift(bench.Small, kept, other);
      expect(decodeThrift(bench.Large, again, other)).toEqual(large);
    }
  });

  test("trailing bytes after a struct are TRAILING_BYTES unless allowed", () => {
    const bytes = encodeThrift(ex.Address, ex.Address.create(), protocol);
    const longer = new Uint8Array([...bytes, 0]);
    expect(() => decodeThrift(ex.Address, longer, protocol)).toThrow(expect.objectContaining({ code: "TRAILING_BYTES" }));
    expect(decodeThrift(ex.Address, longer, protocol, { allowTrailing: true }).city).toBe("Paris");
  });

  test("a list whose elements are not the declared type is UNKNOWN_TYPE", () => {
    const w = new ThriftBinaryWriter();
    w.writeStructBegin();
    w.writeFieldBegin(TType.LIST, 5);
    w.writeI32List([1, 2]);
    w.writeFieldStop();
    const bytes = w.finish();
    if (protocol === "binary") {
      expect(() => decodeThrift(ex.User, bytes, "binary")).toThrow(expect.objectContaining({ code: "UNKNOWN_TYPE" }));
    }
  });
});

describe("the Binary-only read methods", () => {
  const values: [ThriftStructCodec<unknown>, unknown][] = [
    [ex.User, fullUser()],
    [ex.Contact, { case: "address", value: ex.Address.create({ street: "z" }) }],
    [ex.NotFound, new ex.NotFound({ message: "m", id: 1n })],
    [bench.Large, bench.Large.create({ inner: bench.Inner.create({ a: 1 }), children: [bench.Inner.create({ b: "c" })], numbers: [1, -2] })],
  ];

  test("read and readBinaryProtocol decode Binary input to the same value, errors included", () => {
    for (const [codec, value] of values) {
      const bytes = encodeThrift(codec, value, "binary");
      const generic = codec.read(new ThriftBinaryReader().load(bytes));
      expect(codec.readBinaryProtocol).toBeTypeOf("function");
      expect(codec.readBinaryProtocol!(new ThriftBinaryReader().load(bytes))).toEqual(generic);
      expect(generic).toEqual(value);
      const cut = bytes.subarray(0, bytes.length - 3);
      const errorOf = (read: () => unknown) => { try { read(); } catch (e) { return e; } throw new Error("no error"); };
      const a = errorOf(() => codec.read(new ThriftBinaryReader().load(cut)));
      const b = errorOf(() => codec.readBinaryProtocol!(new ThriftBinaryReader().load(cut)));
      expect(b).toBeInstanceOf(KitewireError);
      expect({ ...(b as KitewireError), message: (b as Error).message }).toEqual({ ...(a as KitewireError), message: (a as Error).message });
    }
  });

  test("readStruct takes readBinaryProtocol for Binary readers and read otherwise", () => {
    const calls: string[] = [];
    const codec: ThriftStructCodec<string> = {
      typeName: "Spy",
      write: () => {},
      read: (r) => (calls.push(`read ${r.protocol}`), "generic"),
      readBinaryProtocol: () => (calls.push("readBinaryProtocol"), "binary"),
    };
    expect(readStruct(codec, new ThriftBinaryReader())).toBe("binary");
    expect(readStruct(codec, new ThriftCompactReader())).toBe("generic");
    expect(readStruct({ ...codec, readBinaryProtocol: undefined }, new ThriftBinaryReader())).toBe("generic");
    expect(calls).toEqual(["readBinaryProtocol", "read compact", "read binary"]);
  });
});

describe("constants", () => {
  test("have their IDL values and cannot be changed", () => {
    expect(ex.MAX_PAGE).toBe(100);
    expect(ex.BIG).toBe(9007199254740993n);
    expect(ex.RATIO).toBe(1500);
    expect(ex.GREETING).toBe('héllo "world"');
    expect(ex.COLORS).toEqual(["red", "green"]);
    expect(Object.isFrozen(ex.COLORS)).toBe(true);
    expect([...ex.PRIMES]).toEqual([2, 3, 5, 7]);
    expect(ex.STATUS_BY_NAME.get("gone")).toBe(16);
    expect(ex.DEFAULT_STATUS).toBe(ex.Status.ACTIVE);
    expect(new TextDecoder().decode(ex.MAGIC)).toBe("kw");
    expect(ex.ENABLED).toBe(true);
    expect(ex.HOME).toEqual({ street: "1 rue", city: "Paris", zip: 75001 });
    expect(ex.Implicit).toEqual({ A: 0, B: 1, C: 10, D: 11 });
  });
});

describe("services", () => {
  test("the method table includes inherited methods and maps args and results", () => {
    const methods = ex.UserService.methods;
    expect(Object.keys(methods).sort()).toEqual(
      ["contactOf", "getUser", "listUsers", "ping", "statuses", "touch", "updateUser"],
    );
    expect(ex.UserService.extends).toBe(base.BaseService);
    const getUser = methods.getUser!;
    expect(getUser.params).toEqual(["id", "base"]);
    expect(getUser.oneway).toBe(false);
    expect(methods.touch!.oneway).toBe(true);
    expect(methods.updateUser!.void).toBe(true);
    expect(getUser.exceptions.notFound).toBe(ex.NotFound);
    const args = { id: 5n, base: base.Base.create({ Caller: "c" }) };
    for (const protocol of protocols) {
      expect(decodeThrift(getUser.args, encodeThrift(getUser.args, args, protocol), protocol)).toEqual(args);
      const result = { success: undefined, notFound: new ex.NotFound({ message: "m", id: 5n }) };
      const decoded = decodeThrift(getUser.result, encodeThrift(getUser.result, result, protocol), protocol) as typeof result;
      expect(decoded.notFound).toBeInstanceOf(ex.NotFound);
      expect(decoded.success).toBeUndefined();
    }
  });
});

test("errors from generated code are KitewireErrors with offsets", () => {
  const bytes = encodeThrift(ex.User, fullUser(), "compact");
  for (let n = 0; n < bytes.length; n += 7) {
    try {
      decodeThrift(ex.User, bytes.subarray(0, n), "compact");
      throw new Error("accepted a truncated struct");
    } catch (error) {
      expect(error).toBeInstanceOf(KitewireError);
      expect((error as KitewireError).offset).toBeLessThanOrEqual(n);
    }
  }
  expect(new ThriftCompactReader().load(bytes).remaining).toBe(bytes.length);
});
