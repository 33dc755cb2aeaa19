/**
 * Streaming Protobuf methods over kitewire's own transports (Kitex Protobuf, TTHeader), which
 * carry unary calls only: calls to them are unknown methods, and the client's error says to
 * use gRPC (tests/grpc covers them there).
 */
import { beforeAll, expect, test } from "vitest";
import {
  consoleLogger, createClient, init, listen, nodeTransport, Server, type ProtobufService, type Transport,
} from "kitewire";
import * as pb from "../golden/proto/gen/example.js";

beforeAll(async () => {
  await init();
});

const handler: pb.UserServiceHandler = {
  getUser: (request) => pb.User.create({ id: request.id }),
  listUsers: () => (async function* () {})(),
  importUsers: async () => pb.GetUserRequest.create(),
  chat: () => (async function* () {})(),
};

test("register says, at debug level only, that the streaming methods are served over gRPC only", () => {
  const lines: string[] = [];
  new Server({ logger: consoleLogger({ level: "debug", sink: (line) => lines.push(line) }) }).register(pb.UserService, handler);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/ DEBUG example\.v1\.UserService: streaming methods are served over gRPC only/);
  expect(lines[0]).toContain("methods=ListUsers,ImportUsers,Chat");
  const quiet: string[] = [];
  new Server({ logger: consoleLogger({ sink: (line) => quiet.push(line) }) }).register(pb.UserService, handler);
  expect(quiet).toEqual([]);
});

test("a call to a streaming method is an unknown method on the server; the client says why it will not send one", async () => {
  const server = new Server({ logger: consoleLogger({ level: "silent" }) }).register(pb.UserService, handler);
  const listener = await listen(server, { host: "127.0.0.1", port: 0 });
  const transport: Transport = { framing: "kitex-protobuf", protocol: "protobuf" };
  const connection = () => nodeTransport({ address: `127.0.0.1:${listener.port}`, transport });
  // A peer that sends ListUsers as a unary call anyway.
  const asUnary: ProtobufService = {
    ...pb.UserService,
    methods: { listUsers: { ...pb.UserService.methods.listUsers!, kind: "unary" } },
  };
  const raw = createClient<{ listUsers(r: pb.GetUserRequest): Promise<pb.User> }>(asUnary, { transport, connection: connection() });
  const c = createClient<pb.UserServiceClient>(pb.UserService, { transport, connection: connection() });
  try {
    await expect(raw.listUsers(pb.GetUserRequest.create({ id: 1n }))).rejects.toMatchObject({ message: expect.stringContaining("ListUsers") });
    await expect(raw.listUsers(pb.GetUserRequest.create({ id: 1n }))).rejects.toMatchObject({ message: expect.stringContaining("unknown method") });
    const error = await (c.listUsers({ id: 1n }) as unknown as Promise<unknown>).catch((e: unknown) => e);
    expect(error).toMatchObject({
      code: "INVALID_STATE",
      message: "example.v1.UserService.ListUsers is a server streaming method: kitewire's transports (kitex-protobuf, TTHeader) " +
        "carry unary calls only; call streaming methods over gRPC (createGrpcClient)",
    });
    // Iterated, as its type says (server streaming), or awaited (client streaming): the same error.
    const iterated = await (async () => {
      for await (const _ of c.chat((async function* () {})())) return "a value";
      return "no error";
    })().catch((e: unknown) => e);
    expect(iterated).toMatchObject({ code: "INVALID_STATE", message: expect.stringContaining("UserService.Chat is a bidi streaming method") });
    await expect(c.importUsers((async function* () {})())).rejects.toMatchObject({
      code: "INVALID_STATE", message: expect.stringContaining("ImportUsers is a client streaming method"),
    });
    expect((await c.getUser({ id: 3n })).id).toBe(3n);
  } finally {
    await raw.close();
    await c.close();
    await listener.close({ timeoutMs: 500 });
  }
});
