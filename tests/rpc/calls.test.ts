/** Calls over real sockets on 127.0.0.1: every framing and protocol, exceptions, oneway, timeouts. */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createClient, init, KitewireError, listen, nodeTransport, Server, type Listener, type Transport,
  type RpcContext,
} from "kitewire";
import * as ex from "../golden/thrift/gen/example.js";
import * as base from "../golden/thrift/gen/base.js";

let server: Server;
let listener: Listener;
const touched: bigint[] = [];

class Handler implements ex.UserServiceHandler {
  async getUser(id: bigint, b: base.Base, ctx: RpcContext): Promise<ex.User> {
    if (id < 0n) throw new ex.NotFound({ message: `no user ${id}`, id });
    if (id === 999n) await new Promise((r) => setTimeout(r, 300));
    return ex.User.create({ id, name: `user ${id} via ${b?.Caller ?? "?"}`, tags: [ctx.method, ctx.metadata["tenant"] ?? ""] });
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
    return new Map([...ids].map((id) => [id, ex.Status.ACTIVE]));
  }
  ping(message: string): string {
    return `pong: ${message}`;
  }
}

beforeAll(async () => {
  await init();
  server = new Server().register(ex.UserService, new Handler());
  listener = await listen(server);
});

afterAll(async () => {
  await listener.close({ timeoutMs: 1000 });
});

const transports: Transport[] = [
  { framing: "framed", protocol: "binary" }, { framing: "framed", protocol: "compact" },
  { framing: "buffered", protocol: "binary" }, { framing: "buffered", protocol: "compact" },
  { framing: "ttheader", protocol: "binary" }, { framing: "ttheader", protocol: "compact" },
  { framing: "ttheader-framed", protocol: "binary" }, { framing: "ttheader-framed", protocol: "compact" },
  { framing: "theader", protocol: "binary" }, { framing: "theader", protocol: "compact" },
];

describe.each(transports)("$framing $protocol", (transport) => {
  const make = (mode: "pool" | "mux" | "short" = "pool") => createClient<ex.UserServiceClient>(ex.UserService, {
    transport, connection: nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport, mode }),
  });

  test("calls return results, including inherited methods", async () => {
    const client = make();
    try {
      const user = await client.getUser(7n, base.Base.create({ Caller: "test" }));
      expect(user.id).toBe(7n);
      expect(user.name).toBe("user 7 via test");
      expect((await client.listUsers(2, 3)).map((u) => u.id)).toEqual([200n, 201n, 202n]);
      expect(await client.contactOf(5n, { case: undefined })).toEqual({ case: "phone", value: "5" });
      expect(await client.statuses(new Set([1n, 2n]))).toEqual(new Map([[1n, 1], [2n, 1]]));
      expect(await client.ping("hi")).toBe("pong: hi");
    } finally {
      await client.close();
    }
  });

  test("declared exceptions arrive as their classes; other failures as REMOTE errors", async () => {
    const client = make();
    try {
      await expect(client.getUser(-3n, base.Base.create())).rejects.toBeInstanceOf(ex.NotFound);
      await expect(client.getUser(-3n, base.Base.create())).rejects.toMatchObject({ message: "no user -3", id: -3n });
      const invalid = await client.updateUser(ex.User.create({ id: 1n, name: "" })).catch((e: unknown) => e);
      expect(invalid).toBeInstanceOf(ex.Invalid);
      expect((invalid as ex.Invalid).fields).toEqual(new Map([["name", "empty"]]));
      await expect(client.updateUser(ex.User.create({ id: 1n, name: "boom" }))).rejects.toMatchObject({
        code: "REMOTE", message: expect.stringContaining("handler exploded"),
      });
      await expect(client.updateUser(ex.User.create({ id: 1n, name: "fine" }))).resolves.toBeUndefined();
    } finally {
      await client.close();
    }
  });

  test("oneway calls reach the server and return at once", async () => {
    const client = make();
    const id = BigInt(Math.floor(Math.random() * 1e9));
    try {
      await expect(client.touch(id)).resolves.toBeUndefined();
      for (let i = 0; i < 50 && !touched.includes(id); i++) await new Promise((r) => setTimeout(r, 10));
      expect(touched).toContain(id);
    } finally {
      await client.close();
    }
  });

  test("a call past its timeout fails with TIMEOUT; the client stays usable", async () => {
    const client = make("mux");
    try {
      const started = Date.now();
      await expect(client.getUser(999n, base.Base.create(), { timeoutMs: 50 })).rejects.toMatchObject({ code: "TIMEOUT" });
      expect(Date.now() - started).toBeLessThan(250);
      expect((await client.getUser(1n, base.Base.create())).id).toBe(1n);
    } finally {
      await client.close();
    }
  });

  test("many calls in flight on one multiplexed connection, answered out of order", async () => {
    const client = make("mux");
    try {
      const ids = Array.from({ length: 200 }, (_, i) => BigInt(i % 7 === 0 ? 999 : i));
      const users = await Promise.all(ids.map((id) => client.getUser(id, base.Base.create())));
      expect(users.map((u) => u.id)).toEqual(ids);
    } finally {
      await client.close();
    }
  });
});

test("an unknown method is UNKNOWN_METHOD", async () => {
  const transport: Transport = { framing: "framed", protocol: "binary" };
  const other = createClient<base.BaseServiceClient>({ ...base.BaseService, methods: { nope: { ...base.BaseService.methods.ping!, name: "nope" } } }, {
    transport, connection: nodeTransport({ address: `127.0.0.1:${listener.port}`, transport }),
  });
  try {
    await expect((other as unknown as { nope(m: string): Promise<string> }).nope("x")).rejects.toMatchObject({ code: "UNKNOWN_METHOD" });
  } finally {
    await other.close();
  }
  expect(KitewireError).toBeDefined();
});
