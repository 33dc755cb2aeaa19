/**
 * The Prometheus tracer over real sockets on 127.0.0.1: monitor-prometheus's names, labels
 * and buckets, call counts per status, bytes, connections, close reasons; the /metrics
 * endpoint over HTTP. (A real Prometheus scraping it: tests/peers/prometheus.test.ts.)
 */
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { Registry } from "prom-client";
import { composeTracers, createClient, init, KitewireError, listen, nodeTransport, Server, type Listener, type Transport } from "kitewire";
import { prometheusTracer, serveMetrics, DEFAULT_BUCKETS, LABEL_NAMES, type PrometheusTracer } from "../../src/observability/prometheus/node/index.js";
import * as ex from "../golden/thrift/gen/example.js";
import { SlowHandler } from "../rpc/support.js";
import * as base from "../golden/thrift/gen/base.js";

class Handler extends SlowHandler {
  override async getUser(id: bigint): Promise<ex.User> {
    if (id < 0n) throw new ex.NotFound({ message: `no user ${id}`, id });
    return ex.User.create({ id, name: "u" });
  }
  override updateUser(user: ex.User): void {
    if (user.name === "boom") throw new Error("handler exploded");
  }
}

/** The samples of `name` in Prometheus text format, as "labels value" keyed by their label set. */
function samples(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    const m = /^([a-zA-Z_:][\w:]*)(\{.*\})? (\S+)$/.exec(line);
    if (m && m[1] === name) out.set(m[2] ?? "", Number(m[3]));
  }
  return out;
}

const labels = (l: Record<string, string>) => `{${Object.entries(l).map(([k, v]) => `${k}="${v}"`).join(",")}}`;

let registry: Registry;
let serverMetrics: PrometheusTracer;
let clientMetrics: PrometheusTracer;
let listener: Listener;
const transport: Transport = { framing: "ttheader", protocol: "binary" };

beforeAll(async () => {
  await init();
  registry = new Registry();
  serverMetrics = prometheusTracer({ side: "server", registry });
  clientMetrics = prometheusTracer({ side: "client", registry, buckets: [100, 1000, 1e6] });
  listener = await listen(new Server({ tracer: serverMetrics }).register(ex.UserService, new Handler()));
});

afterAll(async () => {
  await listener.close({ timeoutMs: 1000 });
});

describe("prometheusTracer", () => {
  test("counts calls per caller, callee, method, status and retry, as monitor-prometheus labels them", async () => {
    const client = createClient<ex.UserServiceClient>(ex.UserService, {
      transport, fromService: "frontend", tracer: clientMetrics,
      connection: nodeTransport({ address: `127.0.0.1:${listener.port}`, transport, mode: "mux" }),
    });
    try {
      for (let i = 0; i < 7; i++) await client.getUser(BigInt(i), base.Base.create());
      // A declared exception is an answer: Kitex's tracers count it as succeed.
      await expect(client.getUser(-1n, base.Base.create())).rejects.toBeInstanceOf(ex.NotFound);
      for (let i = 0; i < 3; i++) await expect(client.updateUser(ex.User.create({ id: 1n, name: "boom" }))).rejects.toBeInstanceOf(KitewireError);
      await client.updateUser(ex.User.create({ id: 1n, name: "ok" }));
      const text = await registry.metrics();

      for (const side of ["client", "server"]) {
        const throughput = samples(text, `kitex_${side}_throughput`);
        const at = (method: string, status: string) => throughput.get(labels({ caller: "frontend", callee: "UserService", method, status, retry: "0" }));
        expect(at("getUser", "succeed"), side).toBe(8);
        expect(at("updateUser", "error"), side).toBe(3);
        expect(at("updateUser", "succeed"), side).toBe(1);
        expect(at("getUser", "error"), side).toBeUndefined();
        expect([...throughput.values()].reduce((a, b) => a + b), side).toBe(12);
        for (const key of throughput.keys()) expect([...key.matchAll(/(\w+)="/g)].map((m) => m[1]), side).toEqual([...LABEL_NAMES]);
        expect(samples(text, `kitewire_${side}_inflight_calls`).get(""), side).toBe(0);
      }

      // Buckets: the server's are Kitex's defaults, the client's as configured; cumulative, +Inf = count.
      const key = (le: string) => labels({ caller: "frontend", callee: "UserService", method: "getUser", status: "succeed", retry: "0", le });
      const server = samples(text, "kitex_server_latency_us_bucket");
      expect(DEFAULT_BUCKETS).toEqual([5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000]);
      for (const le of DEFAULT_BUCKETS) expect(server.get(key(String(le)))).toBeGreaterThanOrEqual(0);
      expect(server.get(key("+Inf"))).toBe(8);
      const clientBuckets = samples(text, "kitex_client_latency_us_bucket");
      expect([...clientBuckets.keys()].filter((k) => k.includes('method="getUser",status="succeed"')).map((k) => /le="([^"]+)"/.exec(k)![1]))
        .toEqual(["100", "1000", "1000000", "+Inf"]);
      expect(clientBuckets.get(key("1000000"))).toBe(8); // every call took less than a second
      const sum = samples(text, "kitex_client_latency_us_sum").get(labels({ caller: "frontend", callee: "UserService", method: "getUser", status: "succeed", retry: "0" }))!;
      expect(sum).toBeGreaterThan(0);
      expect(sum).toBeLessThan(8 * 1e6);

      // Every byte the client wrote, the server read (whole frames), and back.
      const cBytes = samples(text, "kitewire_client_bytes_total");
      const sBytes = samples(text, "kitewire_server_bytes_total");
      expect(cBytes.get('{direction="write"}')).toBeGreaterThan(12 * 20);
      expect(cBytes.get('{direction="write"}')).toBe(sBytes.get('{direction="read"}'));
      expect(cBytes.get('{direction="read"}')).toBe(sBytes.get('{direction="write"}'));
      expect(samples(text, "kitewire_server_connections_open").get("")).toBe(1);
    } finally {
      await client.close();
    }
    await waitFor(async () => samples(await registry.metrics(), "kitewire_server_connections_open").get("") === 0);
  });

  test("a server's unknown methods and unnamed callers are labelled unknown", async () => {
    const other = createClient<{ nope(m: string): Promise<string> }>(
      { ...base.BaseService, methods: { nope: { ...base.BaseService.methods.ping!, name: "nope" } } },
      { transport, connection: nodeTransport({ address: `127.0.0.1:${listener.port}`, transport }) });
    try {
      await expect(other.nope("x")).rejects.toMatchObject({ code: "UNKNOWN_METHOD" });
    } finally {
      await other.close();
    }
    const throughput = samples(await registry.metrics(), "kitex_server_throughput");
    expect(throughput.get(labels({ caller: "unknown", callee: "unknown", method: "unknown", status: "error", retry: "0" }))).toBe(1);
  });

  test("connections the server refuses are counted by reason", async () => {
    const before = samples(await registry.metrics(), "kitewire_server_rejections_total").get('{reason="unknown-protocol"}') ?? 0;
    const socket = connect(listener.port, "127.0.0.1");
    await new Promise<void>((resolve) => socket.on("connect", resolve));
    socket.on("error", () => {});
    socket.write(Buffer.from("GET / HTTP/1.1\r\nHost: x\r\n\r\n"));
    await new Promise<void>((resolve) => socket.on("close", () => resolve()));
    await waitFor(async () => {
      const rejected = samples(await registry.metrics(), "kitewire_server_rejections_total");
      return rejected.get('{reason="unknown-protocol"}') === before + 1;
    });
  });

  test("a server remembers at most maxCallers caller names; the rest are \"other\"", async () => {
    const reg = new Registry();
    const metrics = prometheusTracer({ side: "server", registry: reg, maxCallers: 3 });
    const l = await listen(new Server({ tracer: metrics }).register(ex.UserService, new Handler()));
    try {
      for (let i = 0; i < 10; i++) {
        const c = createClient<ex.UserServiceClient>(ex.UserService, {
          transport, fromService: `caller-${i}`, connection: nodeTransport({ address: `127.0.0.1:${l.port}`, transport }),
        });
        await c.ping("x");
        await c.close();
      }
    } finally {
      await l.close({ timeoutMs: 1000 });
    }
    const callers = [...samples(await reg.metrics(), "kitex_server_throughput").keys()].map((k) => /caller="([^"]+)"/.exec(k)![1]);
    expect(callers).toEqual(["caller-0", "caller-1", "caller-2", "other"]);
    expect(samples(await reg.metrics(), "kitex_server_throughput").get(labels({ caller: "other", callee: "UserService", method: "ping", status: "succeed", retry: "0" }))).toBe(7);
  });

  test("retry attempts are labelled with their number; retry and breaker hooks feed their metrics", async () => {
    const reg = new Registry();
    const metrics = prometheusTracer({ side: "client", registry: reg });
    const { RpcContext } = await import("kitewire");
    const ctx = new RpcContext("UserService", "getUser");
    ctx.startedAt = performance.now();
    metrics.start!(ctx);
    ctx.retries = 2;
    metrics.retry!(ctx, "failure");
    metrics.retry!(ctx, "backup");
    metrics.finish!(ctx, new Error("x"));
    metrics.breaker!("frontend/UserService/getUser", "open");
    metrics.breaker!("127.0.0.1:1", "half-open");
    const text = await reg.metrics();
    expect(samples(text, "kitex_client_throughput").get(labels({ caller: "unknown", callee: "UserService", method: "getUser", status: "error", retry: "2" }))).toBe(1);
    expect(samples(text, "kitewire_client_retries_total").get(labels({ callee: "UserService", method: "getUser", kind: "failure" }))).toBe(1);
    expect(samples(text, "kitewire_client_breaker_state")).toEqual(new Map([
      ['{breaker="frontend/UserService/getUser"}', 1], ['{breaker="127.0.0.1:1"}', 2],
    ]));
  });

  test("a client's retries and breakers reach its tracer: the retry label, the retry counter, the breaker state", async () => {
    const reg = new Registry();
    const metrics = prometheusTracer({ side: "client", registry: reg });
    // The first attempt of each call waits past the 150 ms attempt timeout; the retry is answered at once.
    let attempts = 0;
    class SlowFirst extends SlowHandler {
      override async getUser(id: bigint): Promise<ex.User> {
        if (attempts++ % 2 === 0) await new Promise((r) => setTimeout(r, 400));
        return ex.User.create({ id, name: "u" });
      }
    }
    const slow = await listen(new Server().register(ex.UserService, new SlowFirst()));
    const c = createClient<ex.UserServiceClient>(ex.UserService, {
      transport, connection: nodeTransport({ address: `127.0.0.1:${slow.port}`, transport, mode: "mux" }), tracer: metrics,
      timeoutMs: 150, retry: { policies: { getUser: { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 2 } } } } },
    });
    expect((await c.getUser(7n)).id).toBe(7n);
    await c.close();
    await slow.close({ timeoutMs: 1000 });
    // A service breaker opened by connection failures to a closed port.
    const refused = createClient<ex.UserServiceClient>(ex.UserService, {
      transport, connection: nodeTransport({ address: "127.0.0.1:1", transport }), tracer: metrics, fromService: "frontend",
      circuitBreaker: { service: { minSample: 3, errRate: 0.5 } },
    });
    for (let i = 0; i < 4; i++) await refused.getUser(1n).catch(() => undefined);
    await refused.close();
    const text = await reg.metrics();
    expect(samples(text, "kitex_client_throughput").get(labels({ caller: "unknown", callee: "UserService", method: "getUser", status: "succeed", retry: "1" }))).toBe(1);
    expect(samples(text, "kitewire_client_retries_total").get(labels({ callee: "UserService", method: "getUser", kind: "failure" }))).toBe(1);
    expect(samples(text, "kitewire_client_breaker_state").get('{breaker="frontend/UserService/getUser"}')).toBe(1);
  });

  test("options are checked at construction", () => {
    expect(() => prometheusTracer({ side: "client", buckets: [] })).toThrow(/buckets/);
    expect(() => prometheusTracer({ side: "client", buckets: [10, 5] })).toThrow(/increasing/);
    expect(() => prometheusTracer({ side: "client", maxCallers: 0 })).toThrow(/maxCallers/);
    expect(() => prometheusTracer({ side: "both" as "client" })).toThrow(/side/);
    // Two tracers of one side cannot share a registry (their metric names would clash).
    const reg = new Registry();
    prometheusTracer({ side: "server", registry: reg });
    expect(() => prometheusTracer({ side: "server", registry: reg })).toThrow(/already been registered/);
  });
});

describe("serveMetrics", () => {
  test("serves the registry at its path over HTTP; other paths are 404", async () => {
    const endpoint = await serveMetrics(registry, { path: "/kitex" });
    try {
      expect(endpoint.url).toBe(`http://127.0.0.1:${endpoint.port}/kitex`);
      const res = await fetch(endpoint.url);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toContain("text/plain; version=0.0.4");
      const text = await res.text();
      expect(text).toContain("# TYPE kitex_server_throughput counter");
      expect(text).toContain("# TYPE kitex_server_latency_us histogram");
      expect((await fetch(`http://127.0.0.1:${endpoint.port}/metrics`)).status).toBe(404);
    } finally {
      await endpoint.close();
    }
    await expect(fetch(endpoint.url)).rejects.toThrow();
  });
});

describe("composeTracers", () => {
  test("tells every tracer, in order; hooks none has stay absent", () => {
    const seen: string[] = [];
    const a = { start: () => seen.push("a.start"), finish: () => seen.push("a.finish") };
    const b = { start: () => seen.push("b.start"), connection: () => seen.push("b.connection") };
    const t = composeTracers(a, undefined, b);
    expect(t.io).toBeUndefined();
    t.start!({} as never);
    t.finish!({} as never);
    t.connection!("open", "p");
    expect(seen).toEqual(["a.start", "b.start", "a.finish", "b.connection"]);
    expect(composeTracers(a)).toBe(a);
  });
});

async function waitFor(check: () => Promise<boolean>, ms = 2000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
