/**
 * Generic calls carry the IDL's idempotent mark as generated ones do: the runtime IDL
 * loader reads Thrift `(idempotent = "true")` and Protobuf `idempotency_level`, the mark
 * reaches the generic method bindings, and a `*` retry policy retries a marked generic call
 * that timed out but not an unmarked one (end to end over loopback).
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  createGenericClient, ErrorCode, init, listen, loadIdl, nodeTransport, registerGeneric, Server,
  type Idl, type Listener, type ProtobufService, type ThriftService,
} from "kitewire";
import { serviceTable } from "../../src/generic/service.js";
import { protobufBindings, thriftBindings } from "../../src/rpc/method.js";
import { GOLDEN, readFile } from "./support.js";

let thrift: Idl;
let listener: Listener;
const calls = new Map<string, number>();

beforeAll(async () => {
  await init();
  thrift = loadIdl([`${GOLDEN}thrift/example.thrift`], { readFile });
  const server = new Server({});
  registerGeneric(server, {
    idl: thrift, service: "UserService", kind: "map",
    async handle(method) {
      calls.set(method, (calls.get(method) ?? 0) + 1);
      await new Promise((r) => setTimeout(r, 300));
      return undefined;
    },
  });
  listener = await listen(server, { host: "127.0.0.1", port: 0 });
});

afterAll(async () => {
  await listener.close({ timeoutMs: 1000 });
});

test("the loaded IDL's marks reach the generic method bindings, Thrift and Protobuf", () => {
  const t = thriftBindings(serviceTable(thrift, "UserService") as ThriftService);
  expect(t.get("getUser")!.idempotent).toBe(true);
  expect(t.get("updateUser")!.idempotent).toBe(false);
  const proto = loadIdl([`${GOLDEN}proto/example.proto`], { readFile, includeDirs: [`${GOLDEN}proto`] });
  const service = [...(proto.services as Map<string, ProtobufService>).values()].find((s) => s.methods["GetUser"] !== undefined)!;
  const p = protobufBindings(serviceTable(proto, service.name) as ProtobufService);
  expect(p.get("GetUser")!.idempotent).toBe(true); // option idempotency_level = NO_SIDE_EFFECTS
  expect([...p.values()].filter((b) => b.idempotent).map((b) => b.name)).toEqual(["GetUser"]);
});

test("a `*` retry policy retries a timed-out marked generic call, not an unmarked one", async () => {
  const transport = { framing: "ttheader", protocol: "binary" } as const;
  const client = createGenericClient({
    idl: thrift, service: "UserService", kind: "json", transport, timeoutMs: 100,
    retry: { policies: { "*": { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 2, cbPolicy: { errorRate: 0.3 } } } } } },
    connection: nodeTransport({ address: { host: "127.0.0.1", port: (listener as unknown as { port: number }).port }, transport, mode: "mux" }),
  });
  try {
    await expect(client.call("getUser", '{"id": 1}')).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    await expect(client.call("updateUser", '{"user": {"id": 1, "name": "a"}}')).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    await new Promise((r) => setTimeout(r, 400)); // a retry of the write would have arrived by now
    expect(calls.get("getUser")).toBe(3);
    expect(calls.get("updateUser")).toBe(1);
  } finally {
    await client.close();
  }
});
