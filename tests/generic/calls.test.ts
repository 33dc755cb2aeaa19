/**
 * Generic calls over real sockets on 127.0.0.1: a generic client (JSON and map kinds)
 * against a kitewire server running generated code, over every framing and protocol and
 * each connection mode; a generic server (JSON kind) against a generated client; a generic
 * client against npm thrift's server (js:node generated code); Protobuf over Kitex Protobuf
 * framing and TTHeader.
 */
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createClient, createGenericClient, init, listen, loadIdl, nodeTransport, registerGeneric, Server,
  ThriftGenericException, type Idl, type Listener, type RpcContext, type Transport,
} from "kitewire";
import * as base from "../golden/thrift/gen/base.js";
import * as ex from "../golden/thrift/gen/example.js";
import * as pb from "../golden/proto/gen/example.js";
import { GOLDEN, readFile } from "./support.js";

let thriftIdl: Idl;
let protoIdl: Idl;
let server: Server;
let listener: Listener;
const touched: bigint[] = [];

class Handler implements ex.UserServiceHandler {
  async getUser(id: bigint, b: base.Base, ctx: RpcContext): Promise<ex.User> {
    if (id < 0n) throw new ex.NotFound({ message: `no user ${id}`, id });
    if (id === 999n) await new Promise((r) => setTimeout(r, 300));
    return ex.User.create({ id, name: `user ${id} via ${b?.Caller ?? "?"}`, tags: [ctx.metadata["tenant"] ?? ""], avatar: new Uint8Array([1, 2]) });
  }
  listUsers(page: number, size: number): ex.User[] {
    return Array.from({ length: size }, (_, i) => ex.User.create({ id: BigInt(page * 100 + i), name: "u" }));
  }
  updateUser(user: ex.User): void {
    if (user.name === "") throw new ex.Invalid({ code: 400, fields: new Map([["name", "empty"]]) });
    if (user.name === "boom") throw new Error("handler exploded");
  }
  touch(id: bigint): void {
    touched.push(id);
  }
  contactOf(id: bigint, hint: ex.Contact): ex.Contact {
    return hint.case === undefined ? { case: "phone", value: String(id) } : hint;
  }
  statuses(ids: Set<bigint>): Map<bigint, ex.Status> {
    return new Map([...ids].map((id) => [id, ex.Status.SUSPENDED]));
  }
  ping(message: string): string {
    return `pong: ${message}`;
  }
}

beforeAll(async () => {
  await init();
  thriftIdl = loadIdl([`${GOLDEN}thrift/example.thrift`], { readFile });
  protoIdl = loadIdl([`${GOLDEN}proto/example.proto`], { readFile, includeDirs: [`${GOLDEN}proto`] });
  server = new Server().register(ex.UserService, new Handler()).register(pb.UserService, {
    getUser: (req: pb.GetUserRequest) => pb.User.create({ id: req.id, name: `pb ${req.id}`, labels: new Map([["k", "v"]]) }),
    listUsers: () => { throw new Error("streaming"); },
    importUsers: () => { throw new Error("streaming"); },
    chat: () => { throw new Error("streaming"); },
  });
  listener = await listen(server);
});

afterAll(async () => {
  await listener.close({ timeoutMs: 1000 });
});

const address = () => ({ host: "127.0.0.1", port: listener.port });
const THRIFT: Transport[] = [
  { framing: "framed", protocol: "binary" }, { framing: "framed", protocol: "compact" },
  { framing: "buffered", protocol: "binary" }, { framing: "buffered", protocol: "compact" },
  { framing: "ttheader", protocol: "binary" }, { framing: "ttheader", protocol: "compact" },
  { framing: "ttheader-framed", protocol: "binary" }, { framing: "ttheader-framed", protocol: "compact" },
  { framing: "theader", protocol: "binary" }, { framing: "theader", protocol: "compact" },
];

describe.each(THRIFT)("generic client → generated server, $framing $protocol", (transport) => {
  test.each(["pool", "mux", "short"] as const)("JSON kind: every method, exceptions, oneway, a bad method name (%s)", async (mode) => {
    const client = createGenericClient({
      idl: thriftIdl, service: "UserService", kind: "json", transport, connection: nodeTransport({ address: address(), transport, mode }),
    });
    try {
      const user = JSON.parse(await client.call("getUser", '{"id": 7, "base": {"Caller": "json"}}', { metadata: { tenant: "t1" } }) as string);
      // Metainfo travels in TTHeader only.
      const tenant = transport.framing.startsWith("ttheader") || transport.framing === "theader" ? "t1" : "";
      expect(user).toMatchObject({ id: 7, name: "user 7 via json", status: 1, tags: [tenant], avatar: "AQI=", score: 0.5 });
      expect(JSON.parse(await client.call("listUsers", { page: 2, size: 2 }) as string).map((u: { id: number }) => u.id)).toEqual([200, 201]);
      expect(await client.call("contactOf", '{"id": 5, "hint": {}}')).toBe('{"phone":"5"}');
      expect(await client.call("contactOf", '{"id": 5, "hint": {"emails": ["a"]}}')).toBe('{"emails":["a"]}');
      expect(await client.call("statuses", '{"ids": [1, "9007199254740993"]}')).toBe('{"1":2,"9007199254740993":2}');
      expect(await client.call("ping", '{"message": "hi"}')).toBe('"pong: hi"');
      expect(await client.call("updateUser", '{"user": {"id": 1, "name": "fine"}}')).toBe("null");
      const notFound = await client.call("getUser", '{"id": -3}').catch((e: unknown) => e);
      expect(notFound).toBeInstanceOf(ThriftGenericException);
      expect(notFound).toMatchObject({ typeName: "NotFound", message: "no user -3", id: -3 });
      const invalid = await client.call("updateUser", '{"user": {"id": 1, "name": ""}}').catch((e: unknown) => e);
      expect(invalid).toMatchObject({ typeName: "Invalid", code: 400, fields: { name: "empty" } });
      await expect(client.call("updateUser", '{"user": {"id": 1, "name": "boom"}}')).rejects.toMatchObject({
        code: "REMOTE", message: expect.stringContaining("handler exploded"),
      });
      const id = BigInt(Math.floor(Math.random() * 1e9));
      await client.call("touch", `{"id": ${id}}`);
      for (let i = 0; i < 50 && !touched.includes(id); i++) await new Promise((r) => setTimeout(r, 10));
      expect(touched).toContain(id);
      await expect(client.call("getUsr", "{}")).rejects.toMatchObject({
        code: "UNKNOWN_METHOD", message: expect.stringContaining("getUser, listUsers, updateUser, touch, contactOf, statuses"),
      });
      await expect(client.call("getUser", '{"id": "x"}')).rejects.toMatchObject({ code: "INVALID_VALUE", message: expect.stringContaining("$.id") });
    } finally {
      await client.close();
    }
  });

  test("map kind: generated code's values in and out; a timeout", async () => {
    const client = createGenericClient({
      idl: thriftIdl, service: "UserService", kind: "map", transport, connection: nodeTransport({ address: address(), transport, mode: "mux" }),
    });
    try {
      const user = await client.call("getUser", { id: 7n, base: { Caller: "map" } }) as ex.User;
      expect(user).toMatchObject({ id: 7n, name: "user 7 via map", avatar: new Uint8Array([1, 2]) });
      expect(await client.call("statuses", { ids: new Set([4n]) })).toEqual(new Map([[4n, 2]]));
      const notFound = await client.call("getUser", { id: -3n }).catch((e: unknown) => e);
      expect(notFound).toMatchObject({ typeName: "NotFound", id: -3n });
      await expect(client.call("getUser", { id: 999n }, { timeoutMs: 50 })).rejects.toMatchObject({ code: "TIMEOUT" });
    } finally {
      await client.close();
    }
  });
});

test("a generic client through discovery: a target instead of a connection", async () => {
  const transport: Transport = { framing: "ttheader", protocol: "binary" };
  const client = createGenericClient({ idl: thriftIdl, service: "UserService", kind: "json", transport, target: `127.0.0.1:${listener.port}` });
  try {
    expect(await client.call("ping", '{"message": "via target"}')).toBe('"pong: via target"');
  } finally {
    await client.close();
  }
});

describe("generic server (JSON kind) → generated client", () => {
  let genericListener: Listener;
  const seen: string[] = [];
  beforeAll(async () => {
    const generic = registerGeneric(new Server(), {
      idl: thriftIdl, service: "UserService", kind: "json",
      handle(method, args, ctx) {
        seen.push(`${method} ${args as string}`);
        const a = JSON.parse(args as string);
        switch (method) {
          case "getUser":
            if (a.id < 0) throw new ThriftGenericException("NotFound", { message: "json says no", id: a.id });
            return { id: a.id, name: `json ${ctx.method}`, friends: ["9007199254740993"], status: "DELETED" };
          case "ping": return JSON.stringify(`json pong ${a.message}`);
          case "statuses": return Object.fromEntries(a.ids.map((id: number) => [String(id), "ACTIVE"]));
          case "updateUser": throw new Error("not today");
          default: return null;
        }
      },
    });
    genericListener = await listen(generic);
  });
  afterAll(async () => {
    await genericListener.close({ timeoutMs: 1000 });
  });

  test.each(THRIFT)("$framing $protocol", async (transport) => {
    const client = createClient<ex.UserServiceClient>(ex.UserService, {
      transport, connection: nodeTransport({ address: { host: "127.0.0.1", port: genericListener.port }, transport }),
    });
    try {
      const user = await client.getUser(5n, base.Base.create({ Caller: "c" }));
      expect(user).toEqual(ex.User.create({ id: 5n, name: "json getUser", friends: new Set([9007199254740993n]), status: ex.Status.DELETED }));
      expect(seen).toContain('getUser {"id":5,"base":{"LogID":"","Caller":"c","Addr":"","Client":""}}');
      const e = await client.getUser(-1n, base.Base.create()).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(ex.NotFound);
      expect(e).toMatchObject({ message: "json says no", id: -1n });
      expect(await client.ping("x")).toBe("json pong x");
      expect(await client.statuses(new Set([3n]))).toEqual(new Map([[3n, ex.Status.ACTIVE]]));
      await expect(client.updateUser(ex.User.create({ id: 1n, name: "n" }))).rejects.toMatchObject({
        code: "REMOTE", message: expect.stringContaining("not today"),
      });
    } finally {
      await client.close();
    }
  });
});

describe("Protobuf", () => {
  const transports: Transport[] = [{ framing: "kitex-protobuf", protocol: "protobuf" }, { framing: "ttheader-framed", protocol: "protobuf" }];
  test.each(transports)("generic client (JSON and map) → generated server, $framing", async (transport) => {
    for (const kind of ["json", "map"] as const) {
      const client = createGenericClient({
        idl: protoIdl, service: "UserService", kind, transport, connection: nodeTransport({ address: address(), transport }),
      });
      try {
        expect(client.service).toBe("example.v1.UserService");
        if (kind === "json") {
          expect(await client.call("GetUser", '{"id": "12"}')).toBe('{"id":"12","name":"pb 12","labels":{"k":"v"}}');
          await expect(client.call("GetUser", '{"idd": 1}')).rejects.toMatchObject({ code: "INVALID_VALUE" });
        } else {
          expect(await client.call("GetUser", { id: 12n })).toMatchObject({ id: 12n, name: "pb 12", labels: new Map([["k", "v"]]) });
        }
        await expect(client.call("ListUsers", "{}")).rejects.toMatchObject({ code: "INVALID_STATE" });
      } finally {
        await client.close();
      }
    }
  });

  test("generic server (JSON kind) → generated client over Kitex Protobuf", async () => {
    const generic = registerGeneric(new Server(), {
      idl: protoIdl, service: "example.v1.UserService", kind: "json",
      handle: (method, args) => `{"id": "${JSON.parse(args as string).id}", "name": "${method}", "roles": ["ROLE_ADMIN"]}`,
    });
    const l = await listen(generic);
    const transport: Transport = { framing: "kitex-protobuf", protocol: "protobuf" };
    const client = createClient<pb.UserServiceClient>(pb.UserService, {
      transport, connection: nodeTransport({ address: { host: "127.0.0.1", port: l.port }, transport }),
    });
    try {
      expect(await client.getUser({ id: 4n })).toEqual(pb.User.create({ id: 4n, name: "GetUser", roles: [pb.User_Role.ROLE_ADMIN] }));
    } finally {
      await client.close();
      await l.close({ timeoutMs: 1000 });
    }
  });
});

describe("generic client → npm thrift server (js:node generated code)", () => {
  const require = createRequire(fileURLToPath(new URL("../fixtures/thrift-js/", import.meta.url)));
  const thrift = require("thrift");
  const UserService = require("./UserService.js");
  const types = require("./example_types.js");
  const cases = [
    { transport: { framing: "framed", protocol: "binary" } as Transport, npm: { transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol } },
    { transport: { framing: "buffered", protocol: "compact" } as Transport, npm: { transport: thrift.TBufferedTransport, protocol: thrift.TCompactProtocol } },
  ];
  test.each(cases)("$transport.framing $transport.protocol", async ({ transport, npm }) => {
    const npmServer = thrift.createServer(UserService, {
      getUser: (id: { toNumber(): number }, _b: unknown, done: (e: unknown, r?: unknown) => void) => {
        if (id.toNumber() < 0) return done(new types.NotFound({ message: "npm: none", id }));
        done(null, new types.User({ id, name: `npm ${id.toNumber()}`, tags: ["a"], status: 2 }));
      },
      ping: (m: string, done: (e: unknown, r?: unknown) => void) => done(null, `npm pong ${m}`),
    }, npm);
    await new Promise<void>((resolve) => npmServer.listen(0, "127.0.0.1", resolve));
    const port = (npmServer.address() as AddressInfo).port;
    const client = createGenericClient({
      idl: thriftIdl, service: "UserService", kind: "json", transport, connection: nodeTransport({ address: { host: "127.0.0.1", port }, transport }),
    });
    try {
      expect(JSON.parse(await client.call("getUser", '{"id": 41}') as string)).toMatchObject({ id: 41, name: "npm 41", tags: ["a"], status: 2 });
      expect(await client.call("ping", '{"message": "m"}')).toBe('"npm pong m"');
      await expect(client.call("getUser", '{"id": -1}')).rejects.toMatchObject({ typeName: "NotFound", message: "npm: none", id: -1 });
    } finally {
      await client.close();
      await new Promise((r) => npmServer.close(r));
    }
  });
});
