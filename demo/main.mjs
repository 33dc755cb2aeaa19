// `npm start`: kitewire end to end. Generates TypeScript from demo/shop.thrift, serves it
// on 127.0.0.1, calls it over every framing, shows a declared exception and a timeout, a
// failure retried and an overload refused, runs a short bounded load, shuts down
// gracefully, then shows discovery: three servers registered in etcd (a throwaway one when
// /usr/bin/etcd is installed, else an in-memory registry) and a client balancing over them.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import {
  createClient, etcdRegistry, generate, init, KitewireError, listen, MemoryRegistry, nodeTransport, Server, silentLogger,
} from "../dist/kitewire.node.mjs";
import { ETCD, startEtcd } from "../tests/peers/etcd/support.mjs";
import { prometheusTracer, serveMetrics } from "../dist/kitewire.prometheus.mjs";

const engine = await init();
console.log(`kitewire: engine loaded (${engine.simd ? "SIMD" : "plain"} build)`);

// 1. Generate code from the IDL, as `npx kitewire gen demo/shop.thrift` would.
const idl = new URL("./shop.thrift", import.meta.url).pathname;
const { files, messages, ok } = generate([idl], { version: "demo", readFile: (p) => readFileSync(p, "utf8") });
for (const m of messages) console.log(m);
if (!ok) process.exit(1);
const dir = mkdtempSync(join(tmpdir(), "kitewire-demo-"));
const bundle = new URL("../dist/kitewire.node.mjs", import.meta.url).href;
for (const f of files) {
  const js = ts.transpileModule(f.content, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } }).outputText;
  writeFileSync(join(dir, f.path.replace(/\.ts$/, ".mjs")), js.replaceAll('from "kitewire"', `from ${JSON.stringify(bundle)}`));
}
console.log(`generated ${files.map((f) => f.path).join(", ")} (${files.reduce((n, f) => n + f.content.length, 0)} characters of TypeScript)`);
const shop = await import(pathToFileURL(join(dir, "shop.mjs")).href);
process.on("exit", () => rmSync(dir, { recursive: true, force: true })); // server threads import it too

// 2. Serve it, on 2 server threads: this thread owns the socket, each thread runs the
// handlers of demo/shop-service.mjs with its own engine.
process.env.KITEWIRE_DEMO_SHOP = pathToFileURL(join(dir, "shop.mjs")).href;
const { handler } = await import("./shop-service.mjs");
const metrics = prometheusTracer({ side: "server" }); // section 8: Prometheus metrics, served while the demo runs
const metricsEndpoint = await serveMetrics(metrics.registry, { host: "127.0.0.1", port: 0 });
const listener = await listen(new Server(), { host: "127.0.0.1", port: 0, threads: 2, serverModule: new URL("./shop-service.mjs", import.meta.url) });
console.log(`serving Shop on ${listener.host}:${listener.port} (2 server threads); Prometheus metrics at ${metricsEndpoint.url}\n`);

const connect = (transport, mode = "mux") => createClient(shop.Shop, {
  transport, timeoutMs: 1000, connection: nodeTransport({ address: `127.0.0.1:${listener.port}`, transport, mode }),
});

// 3. Call it over every framing the server detects on its one port.
const transports = [
  { framing: "framed", protocol: "binary" }, { framing: "buffered", protocol: "binary" },
  { framing: "framed", protocol: "compact" }, { framing: "buffered", protocol: "compact" },
  { framing: "ttheader", protocol: "binary" }, { framing: "ttheader-framed", protocol: "compact" },
  { framing: "theader", protocol: "compact" },
];
for (const transport of transports) {
  const client = connect(transport);
  const item = await client.getItem(2n);
  const found = await client.search("dun", 10);
  console.log(`${`${transport.framing}/${transport.protocol}`.padEnd(24)} getItem(2) -> ${item.title} (${item.priceCents} cents); search("dun") -> [${found.map((i) => i.title)}]`);
  await client.close();
}

// 4. A declared exception, and a timeout.
const client = connect({ framing: "ttheader", protocol: "binary" });
try {
  await client.getItem(42n);
} catch (error) {
  console.log(`\ngetItem(42) threw ${error.constructor.name}: ${error.message} (itemId ${error.itemId})`);
}
try {
  await client.slow(500, { timeoutMs: 100 });
} catch (error) {
  if (!(error instanceof KitewireError)) throw error;
  console.log(`slow(500) with a 100 ms timeout: ${error.code}: ${error.message}`);
}

// Governance: a failure retried, an overload refused. A second server whose getItem fails
// every other call (as a handler whose own downstream call timed out) and serves one slow
// call at a time; a client retrying getItem under a Kitex-shaped failure policy.
let attempts = 0;
const flaky = new Server({ tracer: metrics, limits: { methods: { slow: { concurrency: 1 } } } }).register(shop.Shop, {
  ...handler,
  getItem(id) {
    if (++attempts % 2 === 1) throw new KitewireError("TIMEOUT", "the inventory service did not answer in time");
    return handler.getItem(id);
  },
});
const flakyListener = await listen(flaky, { host: "127.0.0.1", port: 0 });
const governed = createClient(shop.Shop, {
  transport: { framing: "ttheader", protocol: "binary" }, timeoutMs: 1000,
  retry: { policies: { getItem: { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 2 } } } } },
  connection: nodeTransport({ address: `127.0.0.1:${flakyListener.port}`, transport: { framing: "ttheader", protocol: "binary" }, mode: "mux" }),
});
const retried = await governed.getItem(1n);
console.log(`
getItem(1) on a flaky server: the first attempt failed (TIMEOUT), the retry returned ${retried.title} (${attempts} attempts)`);
const burst = await Promise.allSettled([governed.slow(100), governed.slow(100)]);
const refused = burst.find((o) => o.status === "rejected")?.reason;
console.log(`two slow(100) at once, concurrency limit 1: ${burst.filter((o) => o.status === "fulfilled").length} served, one refused: ${refused?.code}: ${refused?.message}`);
await governed.close();
await flakyListener.close({ timeoutMs: 500 });

// 5. A short bounded load: 100 calls in flight for 2 s at most, on one multiplexed connection.
const load = connect({ framing: "framed", protocol: "binary" }, "mux");
const latencies = [];
const deadline = performance.now() + 2000;
const maxCalls = 200_000;
let calls = 0;
async function worker() {
  while (performance.now() < deadline && calls < maxCalls) {
    calls++;
    const t0 = performance.now();
    await load.getItem(1n);
    latencies.push(performance.now() - t0);
  }
}
const started = performance.now();
await Promise.all(Array.from({ length: 100 }, worker));
const seconds = (performance.now() - started) / 1000;
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor(latencies.length * p))].toFixed(2);
console.log(`\nload: ${latencies.length} calls in ${seconds.toFixed(2)} s = ${Math.round(latencies.length / seconds)} QPS (100 in flight, one connection); p50 ${pct(0.5)} ms, p99 ${pct(0.99)} ms`);
await load.close();

// 6. Graceful shutdown with a call in flight: it finishes, then the server closes.
const inFlight = client.slow(200);
await new Promise((r) => setTimeout(r, 20));
const closing = listener.close({ timeoutMs: 2000 });
await inFlight;
await closing;
await client.close();
console.log("graceful shutdown: the call in flight finished, then the server closed");

// 7. Discovery: three Shop servers register with weights 1, 2, 3; a client resolves the
// service and balances over them (smooth weighted round robin); one leaves.
const etcd = existsSync(ETCD) ? await startEtcd() : undefined;
const registry = etcd ? etcdRegistry({ endpoints: etcd.endpoint, logger: silentLogger }) : new MemoryRegistry();
const target = etcd ? `etcd://${etcd.endpoint}/shop` : registry.resolver("shop");
console.log(`\ndiscovery through ${etcd
  ? `etcd at ${etcd.endpoint} (a throwaway etcd with a temporary data dir), keys kitex/registry-etcd/shop/...`
  : "an in-memory registry (no etcd at /usr/bin/etcd: apt-get install etcd-server to see it with etcd)"}`);
const replicas = [];
for (const [name, weight] of [["a", 1], ["b", 2], ["c", 3]]) {
  const replica = new Server({ logger: silentLogger }).register(shop.Shop, {
    ...handler, getItem: (id) => shop.Item.create({ id, title: name, priceCents: 0, tags: [] }),
  });
  replicas.push(await listen(replica, { registry, registration: { service: "shop", weight } }));
}
const balanced = createClient(shop.Shop, { transport: { framing: "framed", protocol: "binary" }, target, logger: silentLogger });
const split = async (n) => {
  const counts = {};
  for (let i = 0; i < n; i++) {
    const { title } = await balanced.getItem(BigInt(i));
    counts[title] = (counts[title] ?? 0) + 1;
  }
  return Object.entries(counts).sort().map(([k, v]) => `${k}=${v}`).join(" ");
};
console.log(`600 calls over servers a, b, c (weights 1, 2, 3): ${await split(600)}`);
await replicas[2].close(); // deregisters first, then drains
await new Promise((r) => setTimeout(r, 200));
console.log(`c shut down (deregistered first): 300 calls: ${await split(300)}`);
await balanced.close();
for (const r of replicas.slice(0, 2)) await r.close();
await registry.close();
await etcd?.destroy();

// 8. Metrics: what Prometheus scraped from the endpoint while the demo ran (monitor-prometheus's names).
const scraped = await (await fetch(metricsEndpoint.url)).text();
console.log(`\n${metricsEndpoint.url} (a few of its lines):`);
for (const line of scraped.split("\n").filter((l) => /^kitex_server_throughput\{|^kitex_server_latency_us_bucket\{.*method="getItem",status="succeed".*le="(5000|\+Inf)"|^kitewire_server_(bytes_total|rejections)/.test(l))) {
  console.log(`  ${line}`);
}
await metricsEndpoint.close();
await (await import("./gateway.mjs")).runGatewayDemo(); // 9. kitewire call, and an HTTP call through the gateway
await import("./grpc.mjs"); // 10. gRPC: one unary and one server-streaming call over HTTP/2 (demo/grpc.mjs)
