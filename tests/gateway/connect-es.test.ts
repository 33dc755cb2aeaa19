/**
 * The gateway against the reference Connect clients: @connectrpc/connect 2.1.1 with
 * connect-node's Connect transport (JSON and binary, HTTP/1.1) and gRPC-web transport,
 * calling library.proto's Library (a kitewire Protobuf server in another process) through
 * the gateway, with the schema described at run time for @bufbuild/protobuf. Replies,
 * error codes (unknown for a failing handler, unimplemented for a method the gateway does
 * not serve), and Connect GET (useHttpGet: GetBook is marked free of side effects).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import { create, createFileRegistry } from "@bufbuild/protobuf";
import { FileDescriptorSetSchema } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { createGateway, init, loadIdl, nodeTransport, serveGateway, type GatewayServer } from "kitewire";
import { FIXTURES, startUpstream, type Upstream } from "./support.js";

const string = (name: string, number: number, label = 1) => ({ name, number, type: 9, label, jsonName: name });
const registry = createFileRegistry(create(FileDescriptorSetSchema, {
  file: [{
    name: "library.proto", package: "library.v1", syntax: "proto3",
    messageType: [
      { name: "Book", field: [{ name: "id", number: 1, type: 3, label: 1, jsonName: "id" }, string("title", 2), string("tags", 3, 3),
        { name: "available", number: 4, type: 8, label: 1, jsonName: "available" }] },
      { name: "GetBookRequest", field: [{ name: "id", number: 1, type: 3, label: 1, jsonName: "id" }] },
      { name: "ListBooksRequest", field: [{ name: "page_size", number: 1, type: 5, label: 1, jsonName: "pageSize" }, string("filter", 2),
        string("tags", 3, 3), { name: "available_only", number: 4, type: 8, label: 1, jsonName: "availableOnly" }] },
      { name: "ListBooksResponse", field: [{ name: "books", number: 1, type: 11, label: 3, typeName: ".library.v1.Book", jsonName: "books" },
        { name: "total", number: 2, type: 5, label: 1, jsonName: "total" }] },
    ],
    service: [{ name: "Library", method: [
      { name: "GetBook", inputType: ".library.v1.GetBookRequest", outputType: ".library.v1.Book", options: { idempotencyLevel: 1 } },
      { name: "ListBooks", inputType: ".library.v1.ListBooksRequest", outputType: ".library.v1.ListBooksResponse" },
      // Not in the gateway's library.proto: the gateway answers unimplemented.
      { name: "DeleteBook", inputType: ".library.v1.GetBookRequest", outputType: ".library.v1.Book" },
    ] }],
  }],
}));
const Library = registry.getService("library.v1.Library")!;

let upstream: Upstream;
let server: GatewayServer;

beforeAll(async () => {
  await init();
  upstream = await startUpstream();
  const idl = loadIdl([`${FIXTURES}library.proto`], {
    includeDirs: [FIXTURES], readFile: (p) => { try { return readFileSync(p, "utf8"); } catch { return undefined; } },
  });
  const transport = { framing: "kitex-protobuf", protocol: "protobuf" } as const;
  server = await serveGateway(createGateway({
    idl, upstreams: { Library: { transport, connection: nodeTransport({ address: `127.0.0.1:${upstream.port}`, transport, mode: "mux" }) } },
  }));
});

afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

const transports = () => ({
  "connect json": createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: false }),
  "connect binary": createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: true }),
  "connect GET": createConnectTransport({ baseUrl: server.url, httpVersion: "1.1", useHttpGet: true }),
  "grpc-web binary": createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: true }),
  "grpc-web json": createGrpcWebTransport({ baseUrl: server.url, httpVersion: "1.1", useBinaryFormat: false }),
});

test("connect-es clients call through the gateway: replies and error codes over every transport", async () => {
  for (const [name, transport] of Object.entries(transports())) {
    const client = createClient(Library, transport);
    const book = await client.getBook({ id: 1n });
    expect({ id: book.id, title: book.title, tags: book.tags, available: book.available }, name).toEqual({ id: 1n, title: "Dune", tags: ["sf"], available: true });
    const list = await client.listBooks({ tags: ["classic"] });
    expect(list.books.map((b) => b.title), name).toEqual(["Emma"]);
    expect(list.total, name).toBe(1);
    const failed = await client.getBook({ id: 9n }).catch((e: unknown) => e);
    expect(failed, name).toBeInstanceOf(ConnectError);
    expect((failed as ConnectError).code, name).toBe(Code.Unknown);
    expect((failed as ConnectError).rawMessage, name).toContain("no book 9");
    const missing = await client.deleteBook({ id: 1n }).catch((e: unknown) => e);
    expect((missing as ConnectError).code, name).toBe(Code.Unimplemented);
  }
});
