/**
 * listenCluster: the golden service in 2 server processes sharing one port (node:cluster),
 * connections spread over them, a process killed mid-load and replaced, graceful close with
 * calls in flight in every process. Runs the build (dist/kitewire.node.mjs): the workers run it.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
// @ts-expect-error: a plain .mjs helper shared with the benchmarks
import { BUNDLE, generateGolden } from "./threads/support.mjs";

type Kw = typeof import("kitewire");
type Transport = import("kitewire").Transport;
let kw: Kw;
let ex: typeof import("../golden/thrift/gen/example.js");
let base: typeof import("../golden/thrift/gen/base.js");
const SERVICE = new URL("./threads/service.mjs", import.meta.url);
const transport: Transport = { framing: "ttheader", protocol: "binary" };
let cluster: import("kitewire").ClusterListener | undefined;

beforeAll(async () => {
  const gen = generateGolden() as { thrift: string; proto: string };
  process.env["KITEWIRE_TEST_GEN"] = JSON.stringify(gen);
  kw = await import(BUNDLE as string);
  await kw.init();
  ex = await import(gen.thrift);
  base = await import(gen.thrift.replace("example.mjs", "base.mjs"));
});

afterAll(async () => {
  await cluster?.close({ timeoutMs: 500 });
});

/** `n` clients, each on its own connection (the OS spreads connections, not calls). */
function clients(address: string, n: number) {
  return Array.from({ length: n }, () => kw.createClient<import("../golden/thrift/gen/example.js").UserServiceClient>(ex.UserService, {
    transport, connection: kw.nodeTransport({ address, transport, mode: "mux" }),
  }));
}

test("2 processes on one port: connections spread, a killed process is replaced, graceful close waits for calls in every process", async () => {
  cluster = await kw.listenCluster({ workers: 2, serverModule: SERVICE, logger: kw.silentLogger });
  expect(cluster.pids).toHaveLength(2);
  let cs = clients(cluster.address, 8);
  const names = await Promise.all(cs.map(async (c) => (await c.getUser(1n, base.Base.create())).name));
  const pids = new Set(names.map((n) => n.split(" ")[1]));
  expect(pids.size).toBe(2); // 8 connections over 2 processes
  expect([...pids].map(Number).sort()).toEqual([...cluster.pids].sort());

  // A process killed with calls in flight: those calls fail CONNECTION; it is replaced; later calls succeed.
  const victim = cluster.pids[0]!;
  const load = cs.map((c) => c.getUser(1400n, base.Base.create()).then(() => "ok", (e: { code: string }) => e.code));
  await new Promise((r) => setTimeout(r, 50));
  process.kill(victim, "SIGKILL");
  const outcomes = await Promise.all(load);
  expect(outcomes).toContain("CONNECTION");
  expect(outcomes).toContain("ok");
  for (let i = 0; i < 100 && (cluster.pids.length < 2 || cluster.pids.includes(victim)); i++) await new Promise((r) => setTimeout(r, 50));
  expect(cluster.pids).toHaveLength(2);
  expect(cluster.pids).not.toContain(victim);
  await Promise.all(cs.map((c) => c.close()));
  cs = clients(cluster.address, 8);
  const after = await Promise.all(cs.map(async (c) => (await c.getUser(2n, base.Base.create())).name.split(" ")[1]));
  expect(new Set(after).size).toBe(2);

  // Graceful close with a slow call in flight on every connection (so in both processes).
  const slow = cs.map((c, i) => c.getUser(1300n + BigInt(i), base.Base.create()));
  await new Promise((r) => setTimeout(r, 50));
  const started = Date.now();
  await cluster.close({ timeoutMs: 3000 });
  expect(Date.now() - started).toBeGreaterThan(150);
  expect((await Promise.all(slow)).map((u) => u.id)).toEqual(cs.map((_, i) => 1300n + BigInt(i)));
  await expect(cs[0]!.getUser(1n, base.Base.create())).rejects.toMatchObject({ code: "CONNECTION" });
  await Promise.all(cs.map((c) => c.close()));
  cluster = undefined;
});
