/**
 * The gateway in front of a Protobuf service (Kitex Protobuf framing) in another process:
 * routes from google.api.http options (path variables, query parameters of proto and JSON
 * names, repeated query keys, body "*" and body "<field>", response_body,
 * additional_bindings), Connect JSON (ProtoJSON) and application/proto, gRPC-web+proto.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import {
  createGateway, createRpcClient, decodeProtobuf, encodeProtobuf, init, loadIdl, nodeTransport, serveGateway,
  type GatewayServer, type ProtoIdl,
} from "kitewire";
import { FIXTURES, startUpstream, type Upstream } from "./support.js";

const transport = { framing: "kitex-protobuf", protocol: "protobuf" } as const;
let upstream: Upstream;
let server: GatewayServer;
let idl: ProtoIdl;

beforeAll(async () => {
  await init();
  upstream = await startUpstream();
  idl = loadIdl([`${FIXTURES}library.proto`], {
    includeDirs: [FIXTURES], readFile: (p) => { try { return readFileSync(p, "utf8"); } catch { return undefined; } },
  }) as ProtoIdl;
  const gateway = createGateway({
    idl, upstreams: { Library: { transport, connection: nodeTransport({ address: `127.0.0.1:${upstream.port}`, transport, mode: "mux" }) } },
  });
  expect(gateway.routes).toEqual([
    "GET /v1/books/{id} -> library.v1.Library/GetBook",
    "GET /v1/books -> library.v1.Library/ListBooks",
    "POST /v1/books:search -> library.v1.Library/ListBooks",
    "POST /v1/shelves/{shelf}/books -> library.v1.Library/CreateBook",
  ]);
  server = await serveGateway(gateway);
});

afterAll(async () => {
  await server?.close();
  await upstream?.stop();
});

test("google.api.http: path variable, query by proto and JSON name, repeated query key, bool", async () => {
  const one = await fetch(`${server.url}/v1/books/1`);
  expect(one.status).toBe(200);
  expect(await one.json()).toEqual({ id: "1", title: "Dune", tags: ["sf"], available: true });
  const list = await fetch(`${server.url}/v1/books?page_size=5&tags=sf&availableOnly=true`);
  expect(list.status).toBe(200);
  expect(await list.json()).toEqual({ books: [{ id: "1", title: "Dune", tags: ["sf"], available: true }], total: 1 });
  const bad = await fetch(`${server.url}/v1/books?page_size=many`);
  expect(bad.status).toBe(400);
  const unknown = await fetch(`${server.url}/v1/books?colour=red`);
  expect(unknown.status).toBe(400);
  expect(await unknown.json()).toMatchObject({ code: "invalid_argument", message: expect.stringContaining("colour") });
});

test("google.api.http: body \"*\" (additional binding), body \"book\" with response_body", async () => {
  const search = await fetch(`${server.url}/v1/books:search`, { method: "POST", body: '{"filter":"Em"}' });
  expect(search.status).toBe(200);
  expect(await search.json()).toEqual({ books: [{ id: "2", title: "Emma", tags: ["classic"] }], total: 1 });
  const made = await fetch(`${server.url}/v1/shelves/top/books`, { method: "POST", body: '{"title":"Ulysses","tags":["modern"]}' });
  expect(made.status).toBe(200);
  expect(await made.json()).toBe("Ulysses");
  const failed = await fetch(`${server.url}/v1/books/9`);
  expect(failed.status).toBe(500);
  expect(await failed.json()).toMatchObject({ code: "unknown", message: expect.stringContaining("no book 9") });
});

test("Connect JSON and application/proto, gRPC-web+proto, and the browser client, on a Protobuf upstream", async () => {
  const json = await fetch(`${server.url}/library.v1.Library/GetBook`, { method: "POST", headers: { "content-type": "application/json" }, body: '{"id":"2"}' });
  expect(json.status).toBe(200);
  expect(await json.json()).toEqual({ id: "2", title: "Emma", tags: ["classic"] });
  const m = idl.services.get("library.v1.Library")!.methods["GetBook"]!;
  const bin = await fetch(`${server.url}/library.v1.Library/GetBook`, {
    method: "POST", headers: { "content-type": "application/proto" }, body: encodeProtobuf(m.input, m.input.create({ id: 1n })),
  });
  expect(bin.status).toBe(200);
  expect(decodeProtobuf(m.output, new Uint8Array(await bin.arrayBuffer()))).toMatchObject({ id: 1n, title: "Dune", available: true });
  for (const protocol of ["connect", "grpc-web"] as const) {
    const client = createRpcClient({ baseUrl: server.url, idl, service: "Library", protocol });
    expect(await client.call("ListBooks", { tags: ["classic"] })).toMatchObject({ books: [{ id: 2n, title: "Emma" }], total: 1 });
  }
});
