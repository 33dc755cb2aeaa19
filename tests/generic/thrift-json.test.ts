/**
 * The Thrift JSON mapping of JSON generic: what it accepts (i64 as number or string, exact
 * beyond 2^53; enums by name or number; base64; stringified map keys; null as absence) and
 * what it refuses, each refusal a KitewireError naming the JSON path and what was expected.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  bytesToJson, decodeGeneric, ErrorCode, init, jsonToBytes, KitewireError, loadIdl, ThriftGenericException,
  type ThriftIdl,
} from "kitewire";
import { GOLDEN, readFile } from "./support.js";

let idl: ThriftIdl;
beforeAll(async () => {
  await init();
  idl = loadIdl([`${GOLDEN}thrift/example.thrift`], { readFile }) as ThriftIdl;
});

const user = (extra: string) => `{"id": 1, "name": "ada"${extra}}`;

function failure(type: string, json: string, options = {}): KitewireError {
  try {
    jsonToBytes(idl, type, json, options);
  } catch (e) {
    expect(e).toBeInstanceOf(KitewireError);
    return e as KitewireError;
  }
  throw new Error(`accepted ${json}`);
}

describe("accepted", () => {
  test("i64 as a number, a string, and exactly beyond 2^53 either way; written back as a string only beyond 2^53", () => {
    for (const id of ["9007199254740993", '"9007199254740993"']) {
      const bytes = jsonToBytes(idl, "User", `{"id": ${id}, "name": "x"}`);
      expect((decodeGeneric(idl, "User", bytes) as { id: bigint }).id).toBe(9007199254740993n);
      expect(JSON.parse(bytesToJson(idl, "User", bytes)).id).toBe("9007199254740993");
    }
    const small = jsonToBytes(idl, "User", '{"id": "-42", "name": "x"}');
    expect(JSON.parse(bytesToJson(idl, "User", small)).id).toBe(-42);
  });

  test("long digit runs inside strings stay as they are; escaped quotes do not end a string; -0 keeps its sign", () => {
    const json = '{"id": 12345678901234567890, "name": "a\\"12345678901234567890\\\\", "email": "9007199254740993", "score": -0}';
    expect(() => jsonToBytes(idl, "User", json)).toThrow("$.id: expected i64, got string \"12345678901234567890\"");
    const ok = json.replace("12345678901234567890,", "-9223372036854775808,");
    const v = decodeGeneric(idl, "User", jsonToBytes(idl, "User", ok)) as Record<string, unknown>;
    expect(v["id"]).toBe(-9223372036854775808n);
    expect(v["name"]).toBe('a"12345678901234567890\\');
    expect(v["email"]).toBe("9007199254740993");
    expect(Object.is(v["score"], -0)).toBe(true);
    expect(JSON.parse(bytesToJson(idl, "User", jsonToBytes(idl, "User", ok)))["score"]).toBe("-0");
    for (const score of ["0.12345678901234567", "12345678901234567.5", "12345678901234567e2", "1.5E+12345678901234567"]) {
      const d = decodeGeneric(idl, "User", jsonToBytes(idl, "User", user(`, "score": ${score}`))) as { score: number };
      expect(d.score, score).toBe(Number(score));
    }
  });

  test("binary prints as Node's standard base64 at every length mod 3, and reads back", () => {
    for (let n = 0; n < 12; n++) {
      const avatar = Uint8Array.from({ length: n }, (_, i) => (i * 97 + n) & 0xff);
      const b64 = Buffer.from(avatar).toString("base64");
      const bytes = jsonToBytes(idl, "User", user(`, "avatar": "${b64}"`));
      expect(JSON.parse(bytesToJson(idl, "User", bytes))["avatar"]).toBe(b64);
      expect((decodeGeneric(idl, "User", bytes) as { avatar: Uint8Array }).avatar).toEqual(avatar);
    }
  });

  test("enums by name or number, binary as base64, sets and maps, unions as one key, null as absence", () => {
    const json = user(`, "status": "SUSPENDED", "avatar": "AQID", "friends": [3, "4"], "email": null,
      "addresses": {"home": [{"street": "s", "zip": 1}]}, "level": -3`);
    const v = decodeGeneric(idl, "User", jsonToBytes(idl, "User", json)) as Record<string, unknown>;
    expect(v["status"]).toBe(2);
    expect(v["avatar"]).toEqual(new Uint8Array([1, 2, 3]));
    expect(v["friends"]).toEqual(new Set([3n, 4n]));
    expect(v["email"]).toBeUndefined();
    expect((v["addresses"] as Map<string, unknown[]>).get("home")).toEqual([{ street: "s", city: "Paris", zip: 1 }]);
    expect(JSON.parse(bytesToJson(idl, "User", jsonToBytes(idl, "User", user(', "status": 16'))))["status"]).toBe(16);
    const contact = jsonToBytes(idl, "Contact", '{"emails": ["a@b"]}');
    expect(decodeGeneric(idl, "Contact", contact)).toEqual({ case: "emails", value: ["a@b"] });
    expect(bytesToJson(idl, "Contact", contact)).toBe('{"emails":["a@b"]}');
  });

  test("map keys of every scalar kind from their string form", () => {
    const bytes = jsonToBytes(idl, "UserService$statuses$result", '{"success": {"1": "ACTIVE", "-9007199254740993": 16}}');
    const v = decodeGeneric(idl, "UserService$statuses$result", bytes) as { success: Map<bigint, number> };
    expect([...v.success]).toEqual([[1n, 1], [-9007199254740993n, 16]]);
  });

  test("an exception's JSON reads as a ThriftGenericException with its fields", () => {
    const bytes = jsonToBytes(idl, "UserService$getUser$result", '{"notFound": {"message": "gone", "id": 7}}');
    const v = decodeGeneric(idl, "UserService$getUser$result", bytes) as { notFound: ThriftGenericException };
    expect(v.notFound).toBeInstanceOf(ThriftGenericException);
    expect(v.notFound.typeName).toBe("NotFound");
    expect(v.notFound.message).toBe("gone");
    expect(v.notFound["id"]).toBe(7n);
  });

  test("unknown keys are skipped when asked", () => {
    const bytes = jsonToBytes(idl, "User", user(', "nickname": "x", "home": {"street": "s", "extra": 1}'), { ignoreUnknownFields: true });
    expect((decodeGeneric(idl, "User", bytes) as { home: unknown }).home).toEqual({ street: "s", city: "Paris", zip: 0 });
  });
});

describe("refused, with the JSON path", () => {
  test.each([
    ["User", user(', "nickname": "x"'), ErrorCode.INVALID_VALUE, "$.nickname: User has no field 'nickname'"],
    ["User", user(', "home": {"street": "s", "town": "t"}'), ErrorCode.INVALID_VALUE, "$.home.town: Address has no field 'town'"],
    ["User", '{"name": "ada"}', ErrorCode.MISSING_FIELD, "$.id: required field User.id is missing"],
    ["User", '{"id": 1}', ErrorCode.MISSING_FIELD, "$.name: required field User.name is missing"],
    ["User", user(', "tags": ["a", 2]'), ErrorCode.INVALID_VALUE, "$.tags[1]: expected string, got number 2"],
    ["User", user(', "addresses": {"k": [{"zip": "x"}]}'), ErrorCode.INVALID_VALUE, '$.addresses["k"][0].zip: expected i32, got string "x"'],
    ["User", user(', "level": 200'), ErrorCode.INVALID_VALUE, "$.level: expected byte, got number 200"],
    ["User", '{"id": 1.5, "name": "x"}', ErrorCode.INVALID_VALUE, "$.id: expected i64, got number 1.5"],
    ["User", '{"id": "9223372036854775808", "name": "x"}', ErrorCode.INVALID_VALUE, "$.id: expected i64"],
    ["User", user(', "status": "GONE"'), ErrorCode.INVALID_VALUE, '$.status: expected enum Status, got string "GONE" (values: ACTIVE, SUSPENDED, DELETED, LEGACY)'],
    ["User", user(', "avatar": "A"'), ErrorCode.INVALID_VALUE, '$.avatar: expected base64 string, got string "A"'],
    ["User", user(', "friends": {}'), ErrorCode.INVALID_VALUE, "$.friends: expected set<i64>, got an object"],
    ["User", user(', "verified": "yes"'), ErrorCode.INVALID_VALUE, '$.verified: expected bool, got string "yes"'],
    ["User", user(', "home": []'), ErrorCode.INVALID_VALUE, "$.home: expected struct Address, got an array"],
    ["Contact", '{"phone": "1", "emails": []}', ErrorCode.INVALID_VALUE, "$: union Contact has more than one field set"],
    ["UserService$statuses$result", '{"success": {"x": 1}}', ErrorCode.INVALID_VALUE, '$.success["x"]: expected i64, got string "x"'],
    ["User", '[1]', ErrorCode.INVALID_VALUE, "$: expected struct User, got an array"],
    ["User", '{"id": 1, "name": "x",}', ErrorCode.JSON_SYNTAX, "invalid JSON"],
    ["User", '{"id": 1, "id": 2, "name": "x"}', ErrorCode.INVALID_VALUE, "duplicate"],
    ["Nope", "{}", ErrorCode.INVALID_VALUE, "the IDL has no type 'Nope'"],
  ])("%s %s", (type, json, code, message) => {
    const e = failure(type, json);
    expect(e.code).toBe(code);
    expect(e.message).toContain(message);
  });

  test("nesting deeper than maxDepth", () => {
    // Contact -> Address is shallow; a deep chain needs a recursive struct, so go through the depth option.
    const e = failure("User", user(', "home": {"street": "s"}'), { maxDepth: 1 });
    expect(e.code).toBe(ErrorCode.DEPTH_LIMIT);
    expect(e.message).toContain("$.home");
  });
});
