/**
 * Dynamic governance through a real etcd (Debian's /usr/bin/etcd on free loopback ports,
 * a temporary data dir, stopped after): documents at kitex-contrib/config-etcd's keys change
 * a running client's retry policy and a running server's rate limit within a second,
 * without restart; an invalid document changes nothing and is logged with its key.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Etcd3 } from "etcd3";
import { afterAll, beforeAll, expect, test } from "vitest";
import {
  clientConfigKey, consoleLogger, createClient, EtcdConfigSource, ErrorCode, init, KitewireError, listen, nodeTransport,
  serverConfigKey, Server, type Listener, type Logger,
} from "kitewire";
import * as ex from "../golden/thrift/gen/example.js";

const ETCD = process.env.ETCD ?? "/usr/bin/etcd";
let etcd: ChildProcess;
let dataDir: string;
let etcdClient: Etcd3;
let endpoint: string;
const TRANSPORT = { framing: "ttheader", protocol: "binary" } as const;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });
}

beforeAll(async () => {
  await init();
  const [clientPort, peerPort] = [await freePort(), await freePort()];
  dataDir = mkdtempSync(join(tmpdir(), "kitewire-etcd-config-"));
  const client = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  etcd = spawn(ETCD, ["--name", "kw", "--data-dir", dataDir, "--listen-client-urls", client, "--advertise-client-urls", client,
    "--listen-peer-urls", peer, "--initial-advertise-peer-urls", peer, "--initial-cluster", `kw=${peer}`, "--log-level", "error"],
  { stdio: "ignore" });
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      if ((await fetch(`${client}/health`)).ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error("etcd did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
  etcdClient = new Etcd3({ hosts: client });
  endpoint = `127.0.0.1:${clientPort}`;
});

afterAll(async () => {
  etcdClient?.close();
  if (etcd && etcd.exitCode === null) {
    etcd.kill("SIGTERM");
    await new Promise((r) => etcd.once("exit", r));
  }
  rmSync(dataDir, { recursive: true, force: true });
});

/** A UserService handler: `methods`, the others unused. */
function handler(methods: { ping(message: string): string }): ex.UserServiceHandler {
  const unused = () => {
    throw new Error("unused");
  };
  return { getUser: unused, listUsers: unused, updateUser: unused, touch: unused, contactOf: unused, statuses: unused, ...methods };
}

function recordingLogger(): Logger & { warnings: Record<string, unknown>[] } {
  const warnings: Record<string, unknown>[] = [];
  return { ...consoleLogger({ level: "silent" }), warn: (message, fields) => void warnings.push({ message, ...fields }), warnings };
}

/** Calls `call` every 20 ms until `check` holds; returns how long that took (ms). */
async function timeUntil(call: () => Promise<boolean>, limitMs = 3000): Promise<number> {
  const start = Date.now();
  while (!(await call())) {
    if (Date.now() - start > limitMs) throw new Error(`not seen within ${limitMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

test("a retry policy put in etcd applies within a second; an invalid one changes nothing and is logged", async () => {
  let attempts = 0;
  const server = new Server().register(ex.UserService, handler({
    ping() {
      attempts++;
      throw new KitewireError(ErrorCode.TIMEOUT, "always failing");
    },
  }));
  const listener: Listener = await listen(server, {});
  const logger = recordingLogger();
  const source = new EtcdConfigSource({ client: etcdClient, logger });
  const key = clientConfigKey("ClientName", ex.UserService.name, "retry");
  await etcdClient.delete().key(key);
  const c = createClient<ex.UserServiceClient>(ex.UserService, {
    transport: TRANSPORT, fromService: "ClientName", logger,
    config: { source },
    connection: nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport: TRANSPORT, mode: "mux" }),
  });
  /** Attempts one call makes. */
  const attemptsPerCall = async () => {
    const before = attempts;
    await c.ping("x").catch(() => undefined);
    return attempts - before;
  };
  expect(await attemptsPerCall()).toBe(1);
  const policy = (times: number) => JSON.stringify({
    ping: { enable: true, type: 0, failure_policy: { stop_policy: { max_retry_times: times, cb_policy: { error_rate: 0.3 } } } },
  });
  await etcdClient.put(key).value(policy(2));
  const took = await timeUntil(async () => (await attemptsPerCall()) === 3);
  console.log(`retry policy from etcd in force after ${took} ms`);
  expect(took).toBeLessThan(1000);
  await etcdClient.put(key).value(policy(6)); // Kitex's bound is 5
  await timeUntil(async () => logger.warnings.length > 0);
  expect(logger.warnings[0]).toMatchObject({ message: "config document refused, previous settings kept", key });
  expect(String(logger.warnings[0]!["reason"])).toMatch(/maxRetryTimes/);
  await etcdClient.put(key).value("{\"ping\": ");
  await timeUntil(async () => logger.warnings.length > 1);
  expect(String(logger.warnings[1]!["reason"])).toMatch(/not JSON/);
  // the policy in force is still the valid one (6 attempts so far: below the retry breaker's 10 samples)
  expect(await attemptsPerCall()).toBe(3);
  await etcdClient.delete().key(key);
  await timeUntil(async () => (await attemptsPerCall()) === 1);
  await c.close();
  await source.close();
  await listener.close({ timeoutMs: 500 });
});

test("a server's qps_limit and connection_limit put in etcd apply within a second; deleted, the server is unlimited again", async () => {
  const server = new Server().register(ex.UserService, handler({ ping: (m: string) => m }));
  const listener = await listen(server, {});
  const source = new EtcdConfigSource({ endpoints: endpoint }); // its own etcd3 client, closed with it
  const key = serverConfigKey("UserServer", "limit");
  await etcdClient.delete().key(key);
  const stop = server.watchConfig(source, { server: "UserServer" });
  const c = createClient<ex.UserServiceClient>(ex.UserService, {
    transport: TRANSPORT, connection: nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport: TRANSPORT, mode: "mux" }),
  });
  const overloadedOf = async (n: number) => (await Promise.allSettled(Array.from({ length: n }, () => c.ping("x"))))
    .filter((o) => o.status === "rejected" && (o.reason as KitewireError).code === ErrorCode.OVERLOADED).length;
  expect(await overloadedOf(50)).toBe(0);
  await etcdClient.put(key).value(JSON.stringify({ connection_limit: 1, qps_limit: 5 }));
  const took = await timeUntil(async () => (await overloadedOf(50)) > 0);
  console.log(`server limit from etcd in force after ${took} ms`);
  expect(took).toBeLessThan(1000);
  // the client's one connection is the limit: another is closed on accept
  const second = connect({ host: "127.0.0.1", port: listener.port });
  second.on("error", () => undefined);
  await new Promise((resolve) => second.once("close", resolve));
  await etcdClient.delete().key(key);
  await timeUntil(async () => (await overloadedOf(50)) === 0);
  stop();
  await c.close();
  await source.close();
  await listener.close({ timeoutMs: 500 });
});

test("documents changing while calls are in flight drop none of them", async () => {
  const slow = new Server({ middlewares: [(next) => async (ctx, args) => (await new Promise((r) => setTimeout(r, 30)), next(ctx, args))] });
  slow.register(ex.UserService, handler({ ping: (m: string) => m }));
  const listener = await listen(slow, {});
  const source = new EtcdConfigSource({ client: etcdClient, logger: recordingLogger() });
  const c = createClient<ex.UserServiceClient>(ex.UserService, {
    transport: TRANSPORT, fromService: "Live", config: { source }, logger: recordingLogger(),
    connection: nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport: TRANSPORT, mode: "mux" }),
  });
  const key = (category: "retry" | "circuit_break" | "rpc_timeout") => clientConfigKey("Live", ex.UserService.name, category);
  let calls = 0;
  let failed = 0;
  let running = true;
  const workers = Array.from({ length: 20 }, async () => {
    while (running) {
      await c.ping("x").then(() => calls++, () => failed++);
    }
  });
  const steps = [
    () => etcdClient.put(key("retry")).value(JSON.stringify({ "*": { enable: true, type: 1, backup_policy: { retry_delay_ms: 200 } } })),
    () => etcdClient.put(key("circuit_break")).value(JSON.stringify({ ping: { enable: true, err_rate: 0.5, min_sample: 10 } })),
    () => etcdClient.put(key("rpc_timeout")).value(JSON.stringify({ "*": { rpc_timeout_ms: 5000 } })),
    () => etcdClient.put(key("retry")).value("not json"),
    () => etcdClient.put(key("retry")).value(JSON.stringify({ ping: { enable: true, type: 0, failure_policy: { stop_policy: { max_retry_times: 1 } } } })),
    () => etcdClient.delete().key(key("retry")),
    () => etcdClient.delete().key(key("circuit_break")),
    () => etcdClient.delete().key(key("rpc_timeout")),
  ];
  for (const step of steps) {
    await step();
    await new Promise((r) => setTimeout(r, 100));
  }
  running = false;
  await Promise.all(workers);
  expect(calls).toBeGreaterThan(100);
  expect(failed).toBe(0);
  await c.close();
  await source.close();
  await listener.close({ timeoutMs: 500 });
});
