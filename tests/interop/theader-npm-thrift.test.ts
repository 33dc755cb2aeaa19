/**
 * Apache THeader against npm `thrift` 0.24's header transport (THeaderProtocol over
 * TBufferedTransport, its only working pairing), with the js:node code Apache Thrift 0.17
 * generates for example.thrift (tests/fixtures/thrift-js/), over real sockets on
 * 127.0.0.1, both ways, in Binary and Compact:
 *  - npm thrift's THeaderProtocol writes requests to a kitewire server and reads the
 *    replies: results, a declared exception, info headers both ways (the client's reach
 *    the handler as metadata, the handler's backward metainfo comes back as reply headers).
 *    npm thrift's generated client cannot send a THeader (it flushes the transport, not
 *    the protocol, so the header is never written): a test pins that it is served as
 *    Buffered;
 *  - a kitewire client calls an npm thrift server: results and a declared exception.
 * npm thrift supports no transforms (it throws on any): zlib is tested against Python
 * (tests/peers/python-theader.test.ts). Calls are made one at a time: npm thrift's header
 * reader always parses the header at the start of its buffer.
 */
import { readFileSync } from "node:fs";
import { connect, createServer as createNetServer } from "node:net";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClient, init, listen, nodeTransport, Server, type Listener, type RpcContext, type Transport } from "kitewire";
import * as ex from "../golden/thrift/gen/example.js";

const require = createRequire(import.meta.url);
const thrift = require("thrift");
const fixtures = fileURLToPath(new URL("../fixtures/thrift-js/", import.meta.url));
const NpmUserService = require(`${fixtures}UserService.js`);
const npmTypes = require(`${fixtures}example_types.js`);

/** npm thrift's sub-protocol ids (THeaderTransport.SubprotocolId). */
const NPM_PROTOCOL = { binary: 0, compact: 2 } as const;

class Handler implements ex.UserServiceHandler {
  getUser(id: bigint, _base: unknown, ctx: RpcContext): ex.User {
    if (id < 0n) throw new ex.NotFound({ message: `no user ${id}`, id });
    return ex.User.create({ id, name: `user ${id}`, tags: [ctx.transport?.framing ?? "", ctx.metadata["tenant"] ?? ""] });
  }
  listUsers(): ex.User[] {
    return [];
  }
  updateUser(): void {}
  touch(): void {}
  contactOf(): ex.Contact {
    return { case: undefined };
  }
  statuses(): Map<bigint, ex.Status> {
    return new Map();
  }
  ping(message: string, ctx: RpcContext): string {
    ctx.metainfo.backward.set("served-by", "kitewire");
    return `pong: ${message} (${ctx.transport?.framing}/${ctx.transport?.protocol}, tenant ${ctx.metadata["tenant"]})`;
  }
}

let listener: Listener;
beforeAll(async () => {
  await init();
  listener = await listen(new Server().register(ex.UserService, new Handler()));
});
afterAll(async () => {
  await listener.close({ timeoutMs: 500 });
});

interface NpmProtocol {
  writeFieldBegin(name: string, type: number, id: number): void;
  writeFieldEnd(): void;
  writeString(s: string): void;
  writeI64(v: unknown): void;
  readFieldBegin(): { ftype: number; fid: number };
  readString(): string;
  skip(type: number): void;
  [other: string]: unknown;
}

/**
 * One call written and read by npm thrift's own THeaderProtocol (its flush writes the
 * header), on a fresh socket: the request frame is what npm thrift makes, and the reply is
 * parsed by it, headers included.
 */
async function npmHeaderCall(port: number, protocolId: number, headers: Record<string, string>, name: string,
  writeArgs: (p: NpmProtocol) => void): Promise<{ type: number; headers: Record<string, string>; protocol: NpmProtocol }> {
  let request: Buffer | undefined;
  const out = new thrift.TBufferedTransport(undefined, (bytes: Buffer) => (request = bytes));
  out.setProtocolId(protocolId);
  for (const [k, v] of Object.entries(headers)) out.setWriteHeader(k, v);
  const p = new thrift.THeaderProtocol(out);
  p.writeMessageBegin(name, thrift.Thrift.MessageType.CALL, 41);
  p.writeStructBegin("args");
  writeArgs(p);
  p.writeFieldStop();
  p.writeStructEnd();
  p.writeMessageEnd();
  p.flush();
  expect(request!.readUInt16BE(4)).toBe(0x0fff); // npm thrift did write a THeader
  const reply = await new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: "127.0.0.1", port }, () => socket.write(request!));
    socket.on("data", (chunk) => {
      chunks.push(chunk);
      const all = Buffer.concat(chunks);
      if (all.length >= 4 && all.length >= 4 + all.readUInt32BE(0)) {
        socket.end();
        resolve(all);
      }
    });
    socket.on("error", reject);
    socket.on("close", () => reject(new Error("closed before a whole reply")));
  });
  let parsed: { type: number; headers: Record<string, string>; protocol: NpmProtocol } | undefined;
  thrift.TBufferedTransport.receiver((trans: { getReadHeaders(): Record<string, string> }) => {
    const rp = new thrift.THeaderProtocol(trans);
    const header = rp.readMessageBegin();
    expect([header.fname, header.rseqid]).toEqual([name, 41]);
    parsed = { type: header.mtype, headers: { ...trans.getReadHeaders() }, protocol: rp };
  })(reply);
  return parsed!;
}

/** Reads a result struct's field 0 with `read`, skipping the rest. */
function readSuccess<T>(p: NpmProtocol, read: (p: NpmProtocol) => T): T {
  let value: T | undefined;
  (p.readStructBegin as () => void)();
  for (let f = p.readFieldBegin(); f.ftype !== thrift.Thrift.Type.STOP; f = p.readFieldBegin()) {
    if (f.fid === 0) value = read(p);
    else p.skip(f.ftype);
  }
  return value!;
}

/** A module-private args/result constructor of the js:node UserService (see generated-npm-thrift.test.ts). */
function serviceStruct(name: string): new () => { read(p: NpmProtocol): void; [field: string]: any } {
  const path = `${fixtures}UserService.js`;
  const body = `${readFileSync(path, "utf8")}\n;return ${name};`;
  return new Function("exports", "require", "module", body)({}, createRequire(path), { exports: {} });
}

/** Calls a callback-style npm thrift client method as a promise. */
function npmCall<T>(client: Record<string, (...args: unknown[]) => void>, method: string, ...args: unknown[]): Promise<T> {
  return new Promise((resolve, reject) => client[method]!(...args, (err: unknown, result: T) => (err ? reject(err) : resolve(result))));
}

describe.each(["binary", "compact"] as const)("THeader %s", (protocol) => {
  test("npm thrift's THeaderProtocol calls a kitewire server: headers both ways, results, exceptions", async () => {
    const call = (name: string, writeArgs: (p: NpmProtocol) => void) =>
      npmHeaderCall(listener.port, NPM_PROTOCOL[protocol], { tenant: "acme" }, name, writeArgs);
    const ping = await call("ping", (p) => {
      p.writeFieldBegin("message", thrift.Thrift.Type.STRING, 1);
      p.writeString("hi");
      p.writeFieldEnd();
    });
    expect(ping.type).toBe(thrift.Thrift.MessageType.REPLY);
    expect(readSuccess(ping.protocol, (p) => p.readString())).toBe(`pong: hi (theader/${protocol}, tenant acme)`);
    expect(ping.headers).toEqual({ "served-by": "kitewire" });
    const writeId = (id: number) => (p: NpmProtocol) => {
      p.writeFieldBegin("id", thrift.Thrift.Type.I64, 1);
      p.writeI64(new thrift.Int64(id));
      p.writeFieldEnd();
    };
    const found = await call("getUser", writeId(7));
    const user = readSuccess(found.protocol, (p) => {
      const u = new npmTypes.User();
      u.read(p);
      return u;
    });
    expect([thrift.toBigInt(user.id), user.name, user.tags]).toEqual([7n, "user 7", ["theader", "acme"]]);
    const missing = await call("getUser", writeId(-3));
    const result = new (serviceStruct("UserService_getUser_result"))();
    result.read(missing.protocol);
    expect(result.notFound).toBeInstanceOf(npmTypes.NotFound);
    expect(result.notFound.message).toBe("no user -3");
  });

  test("npm thrift's generated client never writes the THeader (it flushes the transport, not the protocol): served as Buffered", async () => {
    const connection = thrift.createConnection("127.0.0.1", listener.port, {
      transport: thrift.TBufferedTransport, protocol: thrift.THeaderProtocol,
    });
    connection.on("error", () => {});
    const client = thrift.createClient(NpmUserService, connection);
    client.output.setProtocolId(NPM_PROTOCOL[protocol]);
    client.output.setWriteHeader("tenant", "acme");
    try {
      expect(await npmCall(client, "ping", "hi")).toBe(`pong: hi (buffered/${protocol}, tenant undefined)`);
    } finally {
      connection.end();
    }
  });

  test("a kitewire THeader client calls an npm thrift THeader server", async () => {
    const seen: string[] = [];
    const server = thrift.createServer(NpmUserService, {
      ping(message: string, callback: (err: unknown, result?: string) => void) {
        seen.push(message);
        callback(null, `npm pong: ${message}`);
      },
      getUser(id: { toNumber(): number }, _base: unknown, callback: (err: unknown, result?: unknown) => void) {
        const n = id.toNumber();
        if (n < 0) callback(new npmTypes.NotFound({ message: `npm: no user ${n}`, id }));
        else callback(null, new npmTypes.User({ id, name: `npm user ${n}`, tags: ["x"] }));
      },
    }, { transport: thrift.TBufferedTransport, protocol: thrift.THeaderProtocol });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as { port: number }).port;
    const transport: Transport = { framing: "theader", protocol };
    const client = createClient<ex.UserServiceClient>(ex.UserService, {
      transport, connection: nodeTransport({ address: { host: "127.0.0.1", port }, transport }),
    });
    try {
      expect(await client.ping("hi")).toBe("npm pong: hi");
      const user = await client.getUser(12n, undefined as never);
      expect(user.id).toBe(12n);
      expect(user.name).toBe("npm user 12");
      expect(user.tags).toEqual(["x"]);
      await expect(client.getUser(-4n, undefined as never)).rejects.toMatchObject({ message: "npm: no user -4", id: -4n });
      expect(await client.ping("again")).toBe("npm pong: again");
      expect(seen).toEqual(["hi", "again"]);
    } finally {
      await client.close();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

test("a kitewire client whose transport the server does not speak gets an error naming both transports", async () => {
  // A server answering a Framed request in THeader framing (a THeader-only peer).
  const server = createNetServer((socket) => {
    socket.once("data", () => {
      const reply = Buffer.from("0000001a0fff0000000000010001000080010002000000046e6f706500000001", "hex");
      socket.end(reply);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const transport: Transport = { framing: "framed", protocol: "binary" };
  const client = createClient<ex.UserServiceClient>(ex.UserService, {
    transport, connection: nodeTransport({ address: { host: "127.0.0.1", port }, transport }),
  });
  try {
    await expect(client.ping("x")).rejects.toMatchObject({
      code: "MALFORMED_FRAME", message: "the server answered in theader/binary, this client sends framed/binary: configure the same transport on both sides",
    });
  } finally {
    await client.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
