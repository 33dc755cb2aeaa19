/**
 * Binary generic over real sockets: whole Thrift messages made by generated code go
 * through a binary generic client to a generated server and back with the caller's seqid;
 * a binary generic server in front of it proxies a generated client's calls untouched
 * (results, declared exceptions, oneway); malformed messages are refused.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createClient, createGenericClient, init, listen, loadIdl, MessageType, nodeTransport, registerGeneric, Server,
  ThriftBinaryReader, ThriftBinaryWriter, ThriftCompactReader, ThriftCompactWriter, type Idl, type Listener,
  type ThriftStructCodec, type Transport,
} from "kitewire";
import * as base from "../golden/thrift/gen/base.js";
import * as ex from "../golden/thrift/gen/example.js";
import { GOLDEN, readFile } from "./support.js";

let idl: Idl;
let backend: Listener;
const touched: bigint[] = [];

class Handler implements ex.UserServiceHandler {
  getUser(id: bigint): ex.User {
    if (id < 0n) throw new ex.NotFound({ message: "none", id });
    return ex.User.create({ id, name: `u${id}` });
  }
  listUsers(): ex.User[] { return []; }
  updateUser(): void {}
  touch(id: bigint): void { touched.push(id); }
  contactOf(): ex.Contact { return { case: undefined }; }
  statuses(): Map<bigint, ex.Status> { return new Map(); }
  ping(m: string): string { return m; }
}

beforeAll(async () => {
  await init();
  idl = loadIdl([`${GOLDEN}thrift/example.thrift`], { readFile });
  backend = await listen(new Server().register(ex.UserService, new Handler()));
});
afterAll(async () => {
  await backend.close({ timeoutMs: 1000 });
});

function message(protocol: "binary" | "compact", name: string, type: number, seqid: number, codec: ThriftStructCodec<unknown>, value: unknown) {
  const w = protocol === "compact" ? new ThriftCompactWriter() : new ThriftBinaryWriter();
  w.writeMessageBegin(name, type as never, seqid);
  codec.write(w, value);
  return w.finish();
}

function reply(protocol: "binary" | "compact", bytes: Uint8Array, codec: ThriftStructCodec<unknown>) {
  const r = protocol === "compact" ? new ThriftCompactReader() : new ThriftBinaryReader();
  r.load(bytes);
  const header = r.readMessageBegin();
  return { header, value: codec.read(r) as Record<string, unknown> };
}

const TRANSPORTS: Transport[] = [
  { framing: "framed", protocol: "binary" }, { framing: "ttheader", protocol: "compact" }, { framing: "buffered", protocol: "binary" },
];
const getUser = ex.UserService.methods["getUser"]!;

describe.each(TRANSPORTS)("$framing $protocol", (transport) => {
  const protocol = transport.protocol as "binary" | "compact";

  test("a whole message in, the whole reply out with the caller's seqid; exceptions inside; oneway", async () => {
    const client = createGenericClient({
      service: "UserService", kind: "binary", transport, connection: nodeTransport({ address: { host: "127.0.0.1", port: backend.port }, transport }),
    });
    try {
      const out = await client.call("getUser", message(protocol, "getUser", MessageType.CALL, 424242, getUser.args, { id: 7n, base: base.Base.create() })) as Uint8Array;
      const r = reply(protocol, out, getUser.result);
      expect(r.header).toEqual({ name: "getUser", type: MessageType.REPLY, seqid: 424242 });
      expect(r.value["success"]).toEqual(ex.User.create({ id: 7n, name: "u7" }));
      const failed = reply(protocol, await client.call("getUser", message(protocol, "getUser", MessageType.CALL, 1, getUser.args, { id: -1n })) as Uint8Array, getUser.result);
      expect(failed.value["notFound"]).toMatchObject({ message: "none", id: -1n });
      const id = BigInt(Math.floor(Math.random() * 1e9));
      const touch = ex.UserService.methods["touch"]!;
      expect(await client.call("touch", message(protocol, "touch", MessageType.ONEWAY, 3, touch.args, { id }))).toBeUndefined();
      for (let i = 0; i < 50 && !touched.includes(id); i++) await new Promise((res) => setTimeout(res, 10));
      expect(touched).toContain(id);
      // The name the client is called with wins over the message's (rewritten on the way).
      const renamed = reply(protocol, await client.call("ping", message(protocol, "whatever", MessageType.CALL, 9, ex.UserService.methods["ping"]!.args, { message: "m" })) as Uint8Array, ex.UserService.methods["ping"]!.result);
      expect(renamed.header.name).toBe("ping");
      expect(renamed.value["success"]).toBe("m");
    } finally {
      await client.close();
    }
  });

  test("a binary generic proxy passes a generated client's calls through to a generated server", async () => {
    const upstream = createGenericClient({
      service: "UserService", kind: "binary", transport, connection: nodeTransport({ address: { host: "127.0.0.1", port: backend.port }, transport }),
    });
    const seen: string[] = [];
    const proxy = await listen(registerGeneric(new Server(), {
      idl, service: "UserService", kind: "binary",
      handle: (method, call) => {
        seen.push(method);
        return upstream.call(method, call);
      },
    }));
    const client = createClient<ex.UserServiceClient>(ex.UserService, {
      transport, connection: nodeTransport({ address: { host: "127.0.0.1", port: proxy.port }, transport }),
    });
    try {
      expect(await client.getUser(5n, base.Base.create())).toEqual(ex.User.create({ id: 5n, name: "u5" }));
      await expect(client.getUser(-2n, base.Base.create())).rejects.toBeInstanceOf(ex.NotFound);
      expect(await client.ping("through")).toBe("through");
      expect(seen).toEqual(["getUser", "getUser", "ping"]);
    } finally {
      await client.close();
      await proxy.close({ timeoutMs: 1000 });
      await upstream.close();
    }
  });
});

test("malformed messages and unknown methods are refused before anything is sent", async () => {
  const transport: Transport = { framing: "framed", protocol: "binary" };
  const client = createGenericClient({
    idl, service: "UserService", kind: "binary", transport, connection: nodeTransport({ address: { host: "127.0.0.1", port: backend.port }, transport }),
  });
  try {
    await expect(client.call("getUser", "{}")).rejects.toMatchObject({ code: "INVALID_VALUE" });
    await expect(client.call("getUser", new Uint8Array([0x80, 0x01]))).rejects.toMatchObject({ code: "TRUNCATED" });
    const good = message("binary", "getUser", MessageType.CALL, 1, getUser.args, { id: 1n });
    await expect(client.call("getUser", good.subarray(0, good.length - 3))).rejects.toMatchObject({ code: "TRUNCATED" });
    const trailing = new Uint8Array([...good, 0]);
    await expect(client.call("getUser", trailing)).rejects.toMatchObject({ code: "TRAILING_BYTES" });
    await expect(client.call("nope", good)).rejects.toMatchObject({ code: "UNKNOWN_METHOD" });
    expect(reply("binary", await client.call("getUser", good) as Uint8Array, getUser.result).value["success"]).toMatchObject({ id: 1n });
  } finally {
    await client.close();
  }
});
