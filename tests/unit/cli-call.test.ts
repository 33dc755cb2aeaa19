/**
 * `kitewire call` (bin/kitewire.mjs, the bundled CLI) against kitewire servers running
 * generated code on 127.0.0.1: every method of the golden UserService (its inherited one
 * too) over TTHeader, Framed and Buffered, Binary and Compact (each spawn costs a Node start,
 * so three combinations rather than all); metainfo; a declared
 * exception; a timeout; a bad method name; an unreachable server; `--list`; Protobuf over
 * Kitex Protobuf framing and over gRPC (all four call shapes, on the same port).
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { init, listen, Server, type Listener, type RpcContext } from "../../src/runtime/node/index.js";
import * as base from "../golden/thrift/gen/base.js";
import * as ex from "../golden/thrift/gen/example.js";
import * as pb from "../golden/proto/gen/example.js";
import { ECHO_PROTO, echo, echoHandler } from "../grpc/support.js";

const bin = new URL("../../bin/kitewire.mjs", import.meta.url).pathname;
const GOLDEN = new URL("../golden/", import.meta.url).pathname;
const THRIFT = ["-f", `${GOLDEN}thrift/example.thrift`];
let listener: Listener;
const touched: bigint[] = [];

class Handler implements ex.UserServiceHandler {
  async getUser(id: bigint, b: base.Base, ctx: RpcContext): Promise<ex.User> {
    if (id < 0n) throw new ex.NotFound({ message: `no user ${id}`, id });
    if (id === 999n) await new Promise((r) => setTimeout(r, 1000));
    return ex.User.create({ id, name: `user ${id} via ${b?.Caller ?? "?"}`, tags: [ctx.metadata["tenant"] ?? "-"] });
  }
  listUsers(page: number, size: number): ex.User[] {
    return Array.from({ length: size }, (_, i) => ex.User.create({ id: BigInt(page * 100 + i), name: "u" }));
  }
  updateUser(user: ex.User): void {
    if (user.name === "") throw new ex.Invalid({ code: 400 });
  }
  touch(id: bigint): void {
    touched.push(id);
  }
  contactOf(id: bigint): ex.Contact {
    return { case: "phone", value: String(id) };
  }
  statuses(ids: Set<bigint>): Map<bigint, ex.Status> {
    return new Map([...ids].map((id) => [id, ex.Status.DELETED]));
  }
  ping(message: string): string {
    return `pong: ${message}`;
  }
}

beforeAll(async () => {
  await init();
  const server = new Server().register(ex.UserService, new Handler()).register(pb.UserService, {
    getUser: (req: pb.GetUserRequest) => pb.User.create({ id: req.id, name: "pb", status: pb.Status.STATUS_ACTIVE }),
  }).register(echo.Echo, echoHandler);
  listener = await listen(server);
});

afterAll(async () => {
  await listener.close({ timeoutMs: 1000 });
});

/** Runs the CLI without blocking this process's event loop (the server lives here). */
function run(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    const timer = setTimeout(() => child.kill(), 20_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

const at = () => `127.0.0.1:${listener.port}`;

describe.each([
  ["ttheader", "binary"], ["framed", "compact"], ["buffered", "binary"],
])("--transport %s --protocol %s", (transport, protocol) => {
  const call = (method: string, data: string, ...more: string[]) =>
    run(["call", ...THRIFT, "-m", `UserService/${method}`, "-d", data, "--transport", transport, "--protocol", protocol, ...more, at()]);

  test("every method of UserService prints its reply as JSON", async () => {
    const user = await call("getUser", '{"id": 9007199254740993, "base": {"Caller": "cli"}}');
    expect(user.err).toBe("");
    expect(user.code).toBe(0);
    expect(JSON.parse(user.out)).toMatchObject({ id: "9007199254740993", name: "user 9007199254740993 via cli", status: 1 });
    const list = await call("listUsers", '{"page": 3, "size": 2}');
    expect(JSON.parse(list.out).map((u: { id: number }) => u.id)).toEqual([300, 301]);
    expect((await call("updateUser", '{"user": {"id": 1, "name": "x"}}')).out).toBe("null\n");
    expect((await call("contactOf", '{"id": 4, "hint": {}}')).out).toBe('{"phone":"4"}\n');
    expect((await call("statuses", '{"ids": [1, 2]}')).out).toBe('{"1":16,"2":16}\n');
    expect((await call("ping", '{"message": "hi"}')).out).toBe('"pong: hi"\n');
    const id = BigInt(Math.floor(Math.random() * 1e9));
    const touch = await call("touch", `{"id": ${id}}`);
    expect(touch.code).toBe(0);
    for (let i = 0; i < 50 && !touched.includes(id); i++) await new Promise((r) => setTimeout(r, 10));
    expect(touched).toContain(id);
  });

  test("a declared exception is printed as JSON with its type, exit 1", async () => {
    const r = await call("getUser", '{"id": -5}');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toEqual({ exception: "NotFound", value: { message: "no user -5", id: -5 } });
    const invalid = await call("updateUser", '{"user": {"id": 1, "name": ""}}');
    expect(JSON.parse(invalid.out)).toEqual({ exception: "Invalid", value: { code: 400 } });
  });
});

test("Apache THeader framing", async () => {
  const r = await run(["call", ...THRIFT, "-m", "UserService/ping", "-d", '{"message": "th"}', "--transport", "theader", "--protocol", "compact", at()]);
  expect(r.err).toBe("");
  expect(r.out).toBe('"pong: th"\n');
});

test("--meta reaches the handler over TTHeader", async () => {
  const r = await run(["call", ...THRIFT, "-m", "UserService/getUser", "-d", '{"id": 1}', "--meta", "tenant=acme", at()]);
  expect(JSON.parse(r.out).tags).toEqual(["acme"]);
});

test("a call past --timeout fails with TIMEOUT, exit 1", async () => {
  const started = Date.now();
  const r = await run(["call", ...THRIFT, "-m", "UserService/getUser", "-d", '{"id": 999}', "--timeout", "100ms", at()]);
  expect(r.code).toBe(1);
  expect(r.err).toMatch(/^kitewire call: TIMEOUT: /);
  expect(Date.now() - started).toBeLessThan(5000);
});

test("a bad method name lists the methods; a bad service the services; bad JSON its path", async () => {
  const method = await run(["call", ...THRIFT, "-m", "UserService/getUsr", at()]);
  expect(method.code).toBe(1);
  expect(method.err).toBe("kitewire call: UNKNOWN_METHOD: UserService has no method 'getUsr' " +
    "(it has: ping, getUser, listUsers, updateUser, touch, contactOf, statuses)\n");
  const service = await run(["call", ...THRIFT, "-m", "Users/getUser", at()]);
  expect(service.err).toContain("the IDL has no service 'Users' (it has: base.BaseService, UserService)");
  const json = await run(["call", ...THRIFT, "-m", "UserService/getUser", "-d", '{"id": true}', at()]);
  expect(json.err).toBe("kitewire call: INVALID_VALUE: $.id: expected i64, got boolean true\n");
});

test("an unreachable server fails with CONNECTION; usage errors exit 1 with the reason", async () => {
  const down = await run(["call", ...THRIFT, "-m", "UserService/ping", "127.0.0.1:1"]);
  expect(down.code).toBe(1);
  expect(down.err).toMatch(/^kitewire call: CONNECTION: /);
  const usage = await run(["call", ...THRIFT, "-m", "UserService/ping", "--transport", "http", at()]);
  expect(usage.code).toBe(1);
  expect(usage.err).toContain("--transport must be ttheader, framed, buffered or theader");
  expect((await run(["call", "-m", "UserService/ping", at()])).err).toContain("give the IDL with -f FILE");
});

test("--list prints every service's methods with their argument shapes; --help the usage", async () => {
  const r = await run(["call", "--list", ...THRIFT]);
  expect(r.code).toBe(0);
  expect(r.out).toBe([
    "base.BaseService",
    "  string ping(1: string message)",
    "UserService",
    "  string ping(1: string message)",
    "  User getUser(1: i64 id, 2: base.Base base) throws (1: NotFound notFound)",
    "  list<User> listUsers(1: i32 page, 2: i32 size)",
    "  void updateUser(1: User user) throws (1: NotFound notFound, 2: Invalid invalid)",
    "  oneway void touch(1: i64 id)",
    "  Contact contactOf(1: i64 id, 2: Contact hint)",
    "  map<i64, Status> statuses(1: set<i64> ids)",
    "",
  ].join("\n"));
  const proto = await run(["call", "--list", "-I", `${GOLDEN}proto`, "-f", `${GOLDEN}proto/example.proto`]);
  expect(proto.out).toContain("example.v1.UserService\n  GetUser(example.v1.GetUserRequest) returns (example.v1.User)\n" +
    "  ListUsers(example.v1.GetUserRequest) returns (stream example.v1.User)\n");
  const help = await run(["call", "--help"]);
  expect(help.code).toBe(0);
  expect(help.out).toContain("usage: kitewire call");
  expect((await run(["--help"])).out).toContain("call [-I DIR]...");
});

test("Protobuf over Kitex Protobuf framing, and over TTHeader", async () => {
  for (const transport of ["kitex-protobuf", "ttheader"]) {
    const r = await run(["call", "-I", `${GOLDEN}proto`, "-f", `${GOLDEN}proto/example.proto`, "-m", "UserService/GetUser",
      "-d", '{"id": "77"}', "--transport", transport, at()]);
    expect(r.err).toBe("");
    expect(r.out).toBe('{"id":"77","name":"pb","status":"STATUS_ACTIVE"}\n');
  }
});

test("Protobuf over gRPC: unary, a server stream as JSON lines, client and bidi streams from a JSON array, a status as its code", async () => {
  const unary = await run(["call", "-I", `${GOLDEN}proto`, "-f", `${GOLDEN}proto/example.proto`, "-m", "UserService/GetUser",
    "-d", '{"id": "78"}', "--transport", "grpc", at()]);
  expect(unary.err).toBe("");
  expect(unary.out).toBe('{"id":"78","name":"pb","status":"STATUS_ACTIVE"}\n');
  const echoCall = (method: string, data: string) => run(["call", "-f", ECHO_PROTO, "-m", `kitewire.grpc.test.Echo/${method}`, "-d", data, "--transport", "grpc", at()]);
  const stream = await echoCall("ServerStream", '{"message": "s", "count": 3}');
  expect(stream.err).toBe("");
  expect(stream.out.trim().split("\n").map((l) => JSON.parse(l).message)).toEqual(["s 0", "s 1", "s 2"]);
  const client = await echoCall("ClientStream", '[{"message": "a"}, {"message": "b"}]');
  expect(client.out).toBe('{"message":"a,b","index":2}\n');
  const bidi = await echoCall("Bidi", '[{"message": "x"}, {"message": "y"}]');
  expect(bidi.err).toBe("");
  expect(bidi.out.trim().split("\n")).toHaveLength(2);
  const failed = await echoCall("Unary", '{"message": "m", "failWith": 7}');
  expect(failed.code).toBe(1);
  expect(failed.err).toMatch(/PERMISSION_DENIED|permission/i);
  const notArray = await echoCall("ClientStream", '{"message": "a"}');
  expect(notArray.code).toBe(1);
  expect(notArray.err).toContain("give -d a JSON array");
  const thrift = await run(["call", ...THRIFT, "-m", "UserService/ping", "-d", '{"message": "m"}', "--transport", "grpc", at()]);
  expect(thrift.err).toContain("--transport grpc is for Protobuf services");
});
