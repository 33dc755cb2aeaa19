/**
 * A real Prometheus (Debian's `prometheus`, 2.42) scrapes a kitewire server's /metrics:
 * after a bounded load, its HTTP API reports the calls made per method and status under
 * monitor-prometheus's names, and histogram_quantile over the latency buckets is a number.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, expect, test } from "vitest";
import { Registry } from "prom-client";
import { createClient, init, listen, nodeTransport, Server, type Listener, type Transport } from "kitewire";
import { prometheusTracer, serveMetrics, type MetricsEndpoint } from "kitewire/prometheus";
import * as ex from "../golden/thrift/gen/example.js";
import * as base from "../golden/thrift/gen/base.js";

const PROMETHEUS = "/usr/bin/prometheus";
const SCRAPE_INTERVAL = "1s";

let dir: string;
let prometheus: ChildProcess | undefined;
let prometheusUrl: string;
let listener: Listener;
let endpoint: MetricsEndpoint;
let log = "";

class Handler {
  getUser(id: bigint): ex.User {
    if (id < 0n) throw new ex.NotFound({ message: "no such user", id });
    return ex.User.create({ id, name: "u" });
  }
  updateUser(user: ex.User): void {
    if (user.name === "boom") throw new Error("handler exploded");
  }
  listUsers = () => [];
  touch() {}
  contactOf = () => ({ case: undefined });
  statuses = () => new Map();
  ping = (m: string) => m;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Runs a PromQL instant query; returns its vector result. */
async function query(promql: string): Promise<{ metric: Record<string, string>; value: [number, string] }[]> {
  const res = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = await res.json() as { status: string; data: { result: { metric: Record<string, string>; value: [number, string] }[] }; error?: string };
  if (body.status !== "success") throw new Error(`query ${promql}: ${body.error}`);
  return body.data.result;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${ms} ms; prometheus log:\n${log.slice(-3000)}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

beforeAll(async () => {
  await init();
  const registry = new Registry();
  const server = new Server({ tracer: prometheusTracer({ side: "server", registry }) }).register(ex.UserService, new Handler());
  listener = await listen(server);
  prometheusTracer({ side: "client", registry }); // both sides in one registry, as a service that calls others has
  endpoint = await serveMetrics(registry);

  dir = mkdtempSync(join(tmpdir(), "kitewire-prometheus-"));
  const port = await freePort();
  prometheusUrl = `http://127.0.0.1:${port}`;
  writeFileSync(join(dir, "prometheus.yml"), [
    "global:",
    `  scrape_interval: ${SCRAPE_INTERVAL}`,
    `  evaluation_interval: ${SCRAPE_INTERVAL}`,
    "scrape_configs:",
    "  - job_name: kitewire",
    "    static_configs:",
    `      - targets: ["127.0.0.1:${endpoint.port}"]`,
    "",
  ].join("\n"));
  prometheus = spawn(PROMETHEUS, [
    `--config.file=${join(dir, "prometheus.yml")}`, `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`, "--log.level=warn",
  ], { stdio: ["ignore", "pipe", "pipe"] });
  prometheus.stdout!.on("data", (d: Buffer) => (log += d.toString()));
  prometheus.stderr!.on("data", (d: Buffer) => (log += d.toString()));
  await until("prometheus ready", async () => ((await fetch(`${prometheusUrl}/-/ready`)).ok ? true : undefined));
  await until("first scrape", async () => ((await query('up{job="kitewire"}'))[0]?.value[1] === "1" ? true : undefined));
});

afterAll(async () => {
  if (prometheus && prometheus.exitCode === null) {
    const exited = new Promise((resolve) => prometheus!.once("exit", resolve));
    prometheus.kill("SIGTERM");
    const timer = setTimeout(() => prometheus!.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
  await endpoint?.close();
  await listener?.close({ timeoutMs: 1000 });
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test("Prometheus finds the calls made, per method and status, and a latency quantile", async () => {
  const transport: Transport = { framing: "ttheader", protocol: "binary" };
  const client = createClient<ex.UserServiceClient>(ex.UserService, {
    transport, fromService: "loadgen", connection: nodeTransport({ address: `127.0.0.1:${listener.port}`, transport, mode: "mux" }),
  });
  // A bounded load spread over a few scrapes (so rate() has increases to see): 6 rounds, 0.5 s apart.
  const made = { ok: 0, declared: 0, failed: 0, ping: 0 };
  try {
    for (let round = 0; round < 6; round++) {
      const calls: Promise<unknown>[] = [];
      for (let i = 0; i < 50; i++, made.ok++) calls.push(client.getUser(BigInt(i), base.Base.create()));
      for (let i = 0; i < 7; i++, made.declared++) calls.push(client.getUser(-1n, base.Base.create()).catch(() => undefined));
      for (let i = 0; i < 4; i++, made.failed++) calls.push(client.updateUser(ex.User.create({ id: 1n, name: "boom" })).catch(() => undefined));
      for (let i = 0; i < 9; i++, made.ping++) calls.push(client.ping("x"));
      await Promise.all(calls);
      await new Promise((r) => setTimeout(r, 500));
    }
  } finally {
    await client.close();
  }

  const count = async (method: string, status: string) => {
    const r = await query(`kitex_server_throughput{job="kitewire",caller="loadgen",callee="UserService",method="${method}",status="${status}",retry="0"}`);
    return r.length === 1 ? Number(r[0]!.value[1]) : undefined;
  };
  // The last scrape may predate the last calls: wait until Prometheus has the final counts.
  await until("final counts scraped", async () => ((await count("ping", "succeed")) === made.ping ? true : undefined));
  expect(await count("getUser", "succeed")).toBe(made.ok + made.declared); // a declared exception is an answer (Kitex: succeed)
  expect(await count("updateUser", "error")).toBe(made.failed);
  expect(await count("getUser", "error")).toBeUndefined();
  const byStatus = await query('sum by (status) (kitex_server_throughput{job="kitewire"})');
  expect(Object.fromEntries(byStatus.map((r) => [r.metric["status"], Number(r.value[1])])))
    .toEqual({ succeed: made.ok + made.declared + made.ping, error: made.failed });

  const buckets = await query('count(kitex_server_latency_us_bucket{job="kitewire",method="getUser",status="succeed"})');
  expect(Number(buckets[0]!.value[1])).toBe(9); // 8 bounds + +Inf
  const q = await until("a latency quantile", async () => {
    const r = await query('histogram_quantile(0.99, sum by (le) (rate(kitex_server_latency_us_bucket{job="kitewire",method="getUser"}[1m])))');
    const v = Number(r[0]?.value[1]);
    return Number.isFinite(v) ? v : undefined;
  });
  expect(q).toBeGreaterThan(0);
  expect(q).toBeLessThanOrEqual(1_000_000);
  const inflight = await query('kitewire_server_inflight_calls{job="kitewire"}');
  expect(Number(inflight[0]!.value[1])).toBe(0);
});
