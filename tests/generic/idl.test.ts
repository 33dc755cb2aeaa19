/**
 * loadIdl from files held in memory (no file system: what a browser or workerd passes),
 * the descriptor it gives (typedefs followed, defaults evaluated, inherited methods,
 * Protobuf method kinds), and its refusals (IDL errors with file:line:col, mixed inputs,
 * unknown services and types).
 */
import { beforeAll, expect, test } from "vitest";
import { ErrorCode, init, jsonToBytes, loadIdl, serviceTable, type ProtoIdl, type ThriftIdl } from "kitewire";

const files: Record<string, string> = {
  "/idl/shared.thrift": `
    typedef i64 Id
    enum Level { LOW = 1, HIGH = 5 }
    struct Page { 1: i32 size = 20, 2: optional string cursor }
    service Base { string ping(1: string m) }`,
  "/idl/api.thrift": `
    include "shared.thrift"
    typedef shared.Id UserId
    struct Query {
      1: required UserId owner,
      2: shared.Page page = {"size": 5},
      3: list<shared.Level> levels = [shared.Level.HIGH],
      4: map<string, UserId> aliases,
    }
    exception Denied { 1: string message }
    service Search extends shared.Base {
      list<UserId> find(1: Query q) throws (1: Denied denied),
      oneway void forget(1: UserId id),
    }`,
  "/idl/bad.thrift": "struct Broken {\n  1: i32 a,\n  2: Missing b,\n}\n",
  "/protos/svc.proto": `syntax = "proto3"; package p;
    message Req { int64 id = 1; }
    service S { rpc Get(Req) returns (Req); rpc Watch(Req) returns (stream Req); }`,
};
const readFile = (path: string) => files[path];

beforeAll(async () => {
  await init();
});

test("a Thrift IDL from memory: typedefs followed, defaults evaluated, inherited methods, exceptions, oneway", () => {
  const idl = loadIdl(["/idl/api.thrift"], { readFile }) as ThriftIdl;
  expect([...idl.services.keys()]).toEqual(["shared.Base", "Search"]);
  const search = idl.services.get("Search")!;
  expect([...search.methods.keys()]).toEqual(["ping", "find", "forget"]);
  const find = search.methods.get("find")!;
  expect(find.result).toEqual({ kind: "list", element: { kind: "i64" } });
  expect(find.exceptions.map((e) => [e.id, e.name, e.type.kind])).toEqual([[1, "denied", "struct"]]);
  expect(search.methods.get("forget")).toMatchObject({ oneway: true, result: null });
  const query = idl.structs.get("Query")!;
  expect(query.fields.map((f) => [f.id, f.name, f.requiredness, f.type.kind])).toEqual([
    [1, "owner", "required", "i64"], [2, "page", "default", "struct"], [3, "levels", "default", "list"], [4, "aliases", "default", "map"],
  ]);
  expect(query.fields[1]!.default).toEqual({ size: 5 });
  expect(query.fields[2]!.default).toEqual([5]);
  expect(idl.enums.get("shared.Level")!.values).toEqual(new Map([["LOW", 1], ["HIGH", 5]]));
  // Defaults fill what JSON leaves out; each value its own copy.
  const a = jsonToBytes(idl, "Query", '{"owner": 1}');
  const b = jsonToBytes(idl, "Query", '{"owner": 1, "page": {"size": 5}, "levels": ["HIGH"], "aliases": {}}');
  expect(a).toEqual(b);
  expect(Object.keys(serviceTable(idl, "Search").methods)).toEqual(["ping", "find", "forget"]);
});

test("a Protobuf IDL from memory: method kinds", () => {
  const idl = loadIdl(["/protos/svc.proto"], { readFile, includeDirs: ["/protos"] }) as ProtoIdl;
  const s = idl.services.get("p.S")!;
  expect(Object.values(s.methods).map((m) => [m.name, m.kind, m.input.typeName])).toEqual([
    ["Get", "unary", "p.Req"], ["Watch", "server_streaming", "p.Req"],
  ]);
});

test("refusals: IDL errors with file:line:col, mixed or unknown inputs, unknown services", () => {
  expect(() => loadIdl(["/idl/bad.thrift"], { readFile })).toThrow(/\/idl\/bad\.thrift:3:6: error: .*Missing/);
  expect(() => loadIdl(["/idl/nope.thrift"], { readFile })).toThrow("cannot read file '/idl/nope.thrift'");
  expect(() => loadIdl(["/idl/api.thrift", "/protos/svc.proto"], { readFile })).toThrow(expect.objectContaining({ code: ErrorCode.INVALID_VALUE }));
  expect(() => loadIdl(["x.json"], { readFile })).toThrow("give .thrift files or .proto files");
  const idl = loadIdl(["/idl/api.thrift"], { readFile });
  expect(() => serviceTable(idl, "Searc")).toThrow("the IDL has no service 'Searc' (it has: shared.Base, Search)");
});
