/** The RPC suite's main cases over a Unix domain socket (`unix:/path`), and the socket file's life. */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { spawnSync } from "node:child_process";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClient, init, listen, MemoryRegistry, nodeTransport, Server, type CallContext, type Listener, type Transport } from "kitewire";
import * as base from "../golden/thrift/gen/base.js";
import { ex, SlowHandler } from "./support.js";

const dir = mkdtempSync(join(tmpdir(), "kitewire-uds-"));
const path = join(dir, "rpc.sock");
let listener: Listener;
const handler = new SlowHandler();

class Handler extends SlowHandler {
  override async getUser(id: bigint, ...rest: unknown[]): Promise<ex.User> {
    if (id < 0n) throw new ex.NotFound({ message: `no user ${id}`, id });
    return super.getUser(id, ...rest);
  }
  override updateUser(user: ex.User): void {
    if (user.name === "boom") throw new Error("handler exploded");
  }
  override ping(message: string, ctx?: CallContext): string {
    return message === "peer" ? `peer ${ctx?.peer}` : message;
  }
}

beforeAll(async () => {
  await init();
  listener = await listen(new Server().register(ex.UserService, new Handler()), { host: `unix:${path}` });
});

afterAll(async () => {
  await listener.close({ timeoutMs: 1000 });
  rmSync(dir, { recursive: true, force: true });
});

const transports: Transport[] = [
  { framing: "framed", protocol: "binary" }, { framing: "buffered", protocol: "compact" },
  { framing: "ttheader", protocol: "binary" }, { framing: "ttheader-framed", protocol: "compact" },
  { framing: "theader", protocol: "compact" },
];

const make = (transport: Transport, mode: "pool" | "mux" | "short" = "pool") => createClient<ex.UserServiceClient>(ex.UserService, {
  transport, connection: nodeTransport({ address: `unix:${path}`, transport, mode }),
});

test("the listener reports its unix: address, and the socket file exists while it listens", () => {
  expect(listener.address).toBe(`unix:${path}`);
  expect(listener.host).toBe(`unix:${path}`);
  expect(listener.port).toBe(0);
  expect(existsSync(path)).toBe(true);
});

describe.each(transports)("$framing $protocol over unix:", (transport) => {
  test.each(["pool", "mux", "short"] as const)("calls return results (%s)", async (mode) => {
    const client = make(transport, mode);
    try {
      expect((await client.getUser(7n, base.Base.create())).id).toBe(7n);
      expect((await client.listUsers(2, 3)).map((u) => u.name)).toEqual(["xx", "xx", "xx"]);
      expect(await client.ping("hi")).toBe("hi");
    } finally {
      await client.close();
    }
  });

  test("declared exceptions and handler failures arrive typed", async () => {
    const client = make(transport);
    try {
      await expect(client.getUser(-3n, base.Base.create())).rejects.toBeInstanceOf(ex.NotFound);
      await expect(client.updateUser(ex.User.create({ id: 1n, name: "boom" }))).rejects.toMatchObject({
        code: "REMOTE", message: expect.stringContaining("handler exploded"),
      });
    } finally {
      await client.close();
    }
  });

  test("many calls in flight on one multiplexed connection, answered out of order; a timeout leaves it usable", async () => {
    const client = make(transport, "mux");
    try {
      const ids = Array.from({ length: 200 }, (_, i) => BigInt(i % 7 === 0 ? 1020 : i));
      expect((await Promise.all(ids.map((id) => client.getUser(id, base.Base.create())))).map((u) => u.id)).toEqual(ids);
      await expect(client.getUser(1300n, base.Base.create(), { timeoutMs: 30 })).rejects.toMatchObject({ code: "TIMEOUT" });
      expect((await client.getUser(2n, base.Base.create())).id).toBe(2n);
    } finally {
      await client.close();
    }
  });
});

test("oneway calls reach the server", async () => {
  const calls = handler.calls;
  const local = join(dir, "oneway.sock");
  let touched = 0;
  const l = await listen(new Server().register(ex.UserService, Object.assign(new SlowHandler(), { touch: () => void touched++ })), { host: `unix:${local}` });
  const transport: Transport = { framing: "framed", protocol: "binary" };
  const client = createClient<ex.UserServiceClient>(ex.UserService, { transport, connection: nodeTransport({ address: `unix:${local}`, transport }) });
  try {
    await client.touch(1n);
    for (let i = 0; i < 50 && touched === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(touched).toBe(1);
    expect(handler.calls).toBe(calls);
  } finally {
    await client.close();
    await l.close();
  }
});

test("graceful close finishes the call in flight, then removes the socket file", async () => {
  const local = join(dir, "close.sock");
  const l = await listen(new Server().register(ex.UserService, new SlowHandler()), { host: `unix:${local}` });
  const transport: Transport = { framing: "ttheader", protocol: "binary" };
  const client = createClient<ex.UserServiceClient>(ex.UserService, { transport, connection: nodeTransport({ address: `unix:${local}`, transport, mode: "mux" }) });
  const slow = client.getUser(1150n, base.Base.create());
  await new Promise((r) => setTimeout(r, 30));
  await l.close({ timeoutMs: 2000 });
  expect((await slow).id).toBe(1150n);
  expect(existsSync(local)).toBe(false);
  await expect(client.getUser(1n, base.Base.create())).rejects.toMatchObject({ code: "CONNECTION" });
  await client.close();
});

test("a stale socket file (its server died) is replaced; a live one or a regular file is an error", async () => {
  const stale = join(dir, "stale.sock");
  // A socket file whose server is gone: a process that listens there, then is killed.
  spawnSync(process.execPath, ["-e", `require("node:net").createServer().listen(${JSON.stringify(stale)}, () => process.kill(process.pid, "SIGKILL"))`]);
  expect(existsSync(stale)).toBe(true);
  const l = await listen(new Server().register(ex.UserService, new SlowHandler()), { host: `unix:${stale}` });
  await expect(listen(new Server(), { host: `unix:${stale}` })).rejects.toMatchObject({
    code: "CONNECTION", message: expect.stringContaining("another server is listening"),
  });
  const transport: Transport = { framing: "framed", protocol: "binary" };
  const client = createClient<ex.UserServiceClient>(ex.UserService, { transport, connection: nodeTransport({ address: `unix:${stale}`, transport }) });
  expect(await client.ping("again")).toBe("again");
  await client.close();
  await l.close();
  const regular = join(dir, "regular");
  writeFileSync(regular, "not a socket");
  await expect(listen(new Server(), { host: `unix:${regular}` })).rejects.toMatchObject({ code: "CONNECTION" });
  expect(existsSync(regular)).toBe(true);
});

test("connecting to a missing socket fails with CONNECTION naming the address", async () => {
  const transport: Transport = { framing: "framed", protocol: "binary" };
  const missing = join(dir, "missing.sock");
  const client = createClient<ex.UserServiceClient>(ex.UserService, { transport, connection: nodeTransport({ address: `unix:${missing}`, transport }) });
  await expect(client.ping("x")).rejects.toMatchObject({ code: "CONNECTION", message: expect.stringContaining(`unix:${missing}`) });
  await client.close();
});

test("a handler's ctx.peer names the socket its peer connected to (Unix peers have no address)", async () => {
  const c = make({ framing: "ttheader", protocol: "binary" }, "mux");
  expect(await c.ping("peer")).toBe(`peer unix:${path}`);
  await c.close();
});

test("a registry needs registration.address with a Unix socket (it holds host:port addresses); with it, that is registered", async () => {
  const registry = new MemoryRegistry();
  const local = join(dir, "registered.sock");
  await expect(listen(new Server(), { host: `unix:${local}`, registry, registration: { service: "users" } })).rejects.toMatchObject({
    code: "INVALID_VALUE", message: expect.stringContaining(`listening on unix:${local}, and a registry holds host:port addresses: give registration.address`),
  });
  expect(existsSync(local)).toBe(false); // it stopped listening
  const l = await listen(new Server(), { host: `unix:${local}`, registry, registration: { service: "users", address: "10.0.0.7:8888" } });
  expect(registry.instances("users").map((i) => i.address)).toEqual(["10.0.0.7:8888"]);
  await l.close();
  expect(registry.instances("users")).toEqual([]);
});
