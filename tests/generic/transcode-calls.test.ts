/**
 * JSON generic calls take the engine transcoder: a JSON-kind client and a JSON-kind server
 * over real sockets (127.0.0.1), both protocols, with middleware on both sides recording
 * what the call carried, so the test sees the engine path taken (transcoded structs and
 * JSON text in the first parameter's place), and sees the JS path take what the engine
 * leaves with the same results, exceptions and errors.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createGenericClient, init, listen, loadIdl, nodeTransport, registerGeneric, Server, ThriftGenericException,
  type Idl, type Listener, type Middleware, type ThriftIdl, type ThriftProtocol, type Transport,
} from "kitewire";
import { JsonText, TranscodedStruct } from "../../src/generic/transcode/calls.js";
import { GOLDEN, jsBytes, jsJson, readFile } from "./support.js";

let idl: Idl;
let listener: Listener;
/** What the server's middleware saw as each call's first parameter, newest last. */
const serverSaw: unknown[] = [];

beforeAll(async () => {
  await init();
  idl = loadIdl([`${GOLDEN}thrift/example.thrift`], { readFile });
  const record: Middleware = (next) => (ctx, args) => {
    serverSaw.push(Object.values(args as object)[0]);
    return next(ctx, args);
  };
  const server = new Server({ middlewares: [record] });
  registerGeneric(server, {
    idl, service: "UserService", kind: "json",
    handle(method, args) {
      const a = JSON.parse(args as string);
      switch (method) {
        case "getUser":
          if (a.id < 0) throw new ThriftGenericException("NotFound", { message: `no user ${a.id}`, id: a.id });
          return JSON.stringify({ id: a.id, name: `user ${a.id}`, score: 1 / 3, addresses: { home: [{ street: "s", zip: 1 }] } });
        case "statuses":
          // Keys out of JS order: the engine leaves this text to the JS path, which sorts them.
          return '{"9": 2, "1": 1}';
        case "ping":
          return JSON.stringify(`pong: ${a.message}`);
        case "listUsers":
          return "not json";
        default:
          return "null";
      }
    },
  });
  listener = await listen(server);
});

afterAll(async () => {
  await listener.close({ timeoutMs: 1000 });
});

describe.each<Transport>([
  { framing: "ttheader", protocol: "binary" }, { framing: "framed", protocol: "compact" },
])("generic JSON client → generic JSON server, $framing $protocol", (transport) => {
  test("the engine path both ways, the JS path where the engine leaves the text, the same answers", async () => {
    const clientSaw: unknown[] = [];
    const record: Middleware = (next) => async (ctx, args) => {
      clientSaw.push(Object.values(args as object)[0]);
      const result = await next(ctx, args);
      clientSaw.push(result);
      return result;
    };
    const client = createGenericClient({
      idl, service: "UserService", kind: "json", transport, middlewares: [record],
      connection: nodeTransport({ address: { host: "127.0.0.1", port: (listener as unknown as { port: number }).port }, transport }),
    });
    try {
      const out = await client.call("getUser", '{"id": 7, "base": {"Caller": "c"}}');
      expect(JSON.parse(out as string)).toMatchObject({ id: 7, name: "user 7", score: 1 / 3, addresses: { home: [{ street: "s", city: "Paris", zip: 1 }] } });
      expect(clientSaw[0]).toBeInstanceOf(TranscodedStruct);
      expect(clientSaw[1]).toBeInstanceOf(JsonText);
      expect(serverSaw.at(-1)).toBeInstanceOf(JsonText);
      // The JSON text the handler got is the JS path's for the same arguments.
      const args = (idl as ThriftIdl).services.get("UserService")!.methods.get("getUser")!.argsStruct;
      const input = '{"id": 7, "base": {"Caller": "c"}}';
      expect((serverSaw.at(-1) as JsonText).text).toBe(jsJson(args, jsBytes(args, input, transport.protocol as ThriftProtocol), transport.protocol as ThriftProtocol));

      // UTF-8 bytes in, as a gateway has a request body.
      expect(await client.call("ping", new TextEncoder().encode('{"message": "é"}'))).toBe('"pong: é"');

      // The engine leaves these to the JS path: unordered integer keys (the server's handler
      // text), a declared exception, an argument error with its JSON path, a handler's bad JSON.
      clientSaw.length = 0;
      expect(await client.call("statuses", '{"ids": [9, 1]}')).toBe('{"1":1,"9":2}');
      // The server's JS path wrote the map in JS order, so the client's engine takes the reply.
      expect(clientSaw[1]).toBeInstanceOf(JsonText);
      const notFound = await client.call("getUser", '{"id": -3}').catch((e: unknown) => e);
      expect(notFound).toBeInstanceOf(ThriftGenericException);
      expect(notFound).toMatchObject({ typeName: "NotFound", message: "no user -3", id: -3 });
      await expect(client.call("getUser", '{"id": "x"}')).rejects.toMatchObject({ code: "INVALID_VALUE", message: expect.stringContaining("$.id") });
      await expect(client.call("listUsers", '{"page": 1, "size": 2}')).rejects.toMatchObject({ code: "REMOTE" });
      expect(await client.call("updateUser", '{"user": {"id": 1, "name": "n"}}')).toBe("null");
    } finally {
      await client.close();
    }
  });
});
