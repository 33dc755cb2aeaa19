/**
 * Which methods a retry policy retries, end to end over loopback with generated code: the
 * IDL's idempotent mark (example.thrift's `getUser` is annotated `(idempotent = "true")`)
 * reaches the method binding; a `*` policy retries a marked method, sends an unmarked one
 * again only when its request never left (connection refused), and never a oneway call.
 */
import { createServer } from "node:net";
import { afterEach, beforeAll, expect, test } from "vitest";
import { createClient, ErrorCode, init, nodeTransport, silentLogger, type Listener } from "kitewire";
import { protobufBindings, thriftBindings } from "../../src/rpc/method.js";
import * as pb from "../golden/proto/gen/example.js";
import { ex, SlowHandler, startServer, TTHEADER } from "../rpc/support.js";

const open: { close(): Promise<unknown> }[] = [];
beforeAll(async () => {
  await init();
});
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

const STAR_FAILURE_RETRY = { policies: { "*": { type: 0 as const, failurePolicy: { stopPolicy: { maxRetryTimes: 2, cbPolicy: { errorRate: 0.3 } } } } } };

class CountingHandler extends SlowHandler {
  updates = 0;
  touches = 0;
  override async updateUser(): Promise<void> {
    this.updates++;
    await new Promise((r) => setTimeout(r, 300));
  }
  override touch(): void {
    this.touches++;
  }
}

async function serve(handler: CountingHandler): Promise<Listener> {
  const { listener } = await startServer(handler);
  open.push({ close: () => listener.close({ timeoutMs: 1000 }) });
  return listener;
}

test("the IDL's mark reaches the binding", () => {
  const bindings = thriftBindings(ex.UserService);
  expect(bindings.get("getUser")!.idempotent).toBe(true);
  expect(bindings.get("updateUser")!.idempotent).toBe(false);
  // example.proto: GetUser has `option idempotency_level = NO_SIDE_EFFECTS`.
  expect(protobufBindings(pb.UserService).get("GetUser")!.idempotent).toBe(true);
});

test("`*` retries a timed-out idempotent call, not a timed-out write", async () => {
  const handler = new CountingHandler();
  const listener = await serve(handler);
  const c = createClient<ex.UserServiceClient>(ex.UserService, {
    transport: TTHEADER, timeoutMs: 100, retry: STAR_FAILURE_RETRY,
    connection: nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport: TTHEADER, mode: "mux" }),
  });
  open.push(c);
  await expect(c.getUser(1300n, undefined as never)).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
  await expect(c.updateUser(ex.User.create({ id: 1n, name: "a" }))).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
  await new Promise((r) => setTimeout(r, 300)); // a retry of the write would have arrived by now
  expect(handler.calls).toBe(3);
  expect(handler.updates).toBe(1);
});

test("a write whose connection was refused (nothing sent) goes to another instance; oneway calls are sent once", async () => {
  const handler = new CountingHandler();
  const listener = await serve(handler);
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
  const closedPort = (closed.address() as { port: number }).port;
  await new Promise((r) => closed.close(r));
  let retries = 0;
  const c = createClient<ex.UserServiceClient>(ex.UserService, {
    transport: TTHEADER, retry: STAR_FAILURE_RETRY, logger: silentLogger, tracer: { retry: () => { retries++; } },
    target: `127.0.0.1:${closedPort},127.0.0.1:${listener.port}`,
  });
  open.push(c);
  for (let i = 0; i < 4; i++) await c.updateUser(ex.User.create({ id: BigInt(i), name: "a" }));
  expect(handler.updates).toBe(4);
  expect(retries).toBeGreaterThanOrEqual(1); // at least the first call met the refusing instance first
  await c.touch(1n);
  await new Promise((r) => setTimeout(r, 50));
  expect(handler.touches).toBe(1);
});
