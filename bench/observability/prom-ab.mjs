// The Prometheus tracer's hooks against an earlier build of them, in this process, CPU ns per
// call and side (process.cpuUsage), interleaved rounds, medians: a call's context made as in
// hooks.mjs, then start, two io and finish; every PER_RUN calls the loop yields to the
// microtask queue (a server reads its start time once per event-loop run, so how many
// requests share a run matters: 1 is the worst case). Rows: the call context alone, the
// same through prom-client's API (counter.inc + histogram.observe, Kitex's labels: what
// recording through prom-client would add), the tracer of BEFORE's build, this build's.
// THRASH_KB > 0 reads that many KiB of a large buffer between calls, so the hooks run with
// cold caches as inside a real call path.
//   npm run build && BEFORE=path/to/older/dist node bench/observability/prom-ab.mjs
//   (BEFORE: a copy of an older build's dist/ inside this checkout, e.g. .tmp/ab/dist-main, so
//   that it finds prom-client; default: this build again, an A/A run)
// ROUNDS (default 11), MS per round, case and side (default 150), PER_RUN (default 4).
import { Counter, Histogram, Registry } from "prom-client";

const env = process.env;
const dist = new URL("../../dist/", import.meta.url);
const before = env.BEFORE ? new URL(`${env.BEFORE.replace(/\/?$/, "/")}`, `file://${process.cwd()}/`) : dist;
const kw = await import(new URL("kitewire.node.mjs", dist).href);
await kw.init();
const NOW = await import(new URL("kitewire.prometheus.mjs", dist).href);
const OLD = await import(new URL("kitewire.prometheus.mjs", before).href);
const ROUNDS = Number(env.ROUNDS ?? 11);
const MS = Number(env.MS ?? 150);
const PER_RUN = Math.max(1, Number(env.PER_RUN ?? 4));
const THRASH_KB = Number(env.THRASH_KB ?? 0);

const big = new Uint8Array(8 << 20);
let sink = 0;
let at = 0;
function thrash() {
  for (let i = THRASH_KB * 16; i > 0; i--) {
    sink += big[at];
    at = (at + 4160) & (big.length - 1);
  }
}

/** The per-call function of one side: a context, and `record` on it (or nothing). */
function side(name, record) {
  const caller = name === "client" ? "bench" : "frontend";
  return () => {
    const ctx = new kw.RpcContext("Echo", "echo");
    ctx.caller = caller;
    ctx.peer = "127.0.0.1:8888";
    record?.(ctx);
  };
}

function tracerCase(mod) {
  const sides = {};
  for (const name of ["client", "server"]) {
    const t = mod.prometheusTracer({ side: name });
    const [first, second] = name === "client" ? ["write", "read"] : ["read", "write"];
    sides[name] = side(name, (ctx) => {
      t.start(ctx);
      t.io(ctx, first, 1100);
      t.io(ctx, second, 1100);
      t.finish(ctx, undefined);
    });
  }
  return sides;
}

function promClientCase() {
  const sides = {};
  for (const name of ["client", "server"]) {
    const registers = [new Registry()];
    const labelNames = ["caller", "callee", "method", "status", "retry"];
    const counter = new Counter({ name: "t", help: "h", labelNames, registers });
    const histogram = new Histogram({ name: "l", help: "h", labelNames, registers, buckets: [5000, 10000, 25000, 50000, 100000, 250000, 500000, 1000000] });
    sides[name] = side(name, (ctx) => {
      const started = performance.now();
      const labels = { caller: ctx.caller || "unknown", callee: ctx.service || "unknown", method: ctx.method || "unknown", status: "succeed", retry: "0" };
      counter.inc(labels);
      histogram.observe(labels, (performance.now() - started) * 1000);
    });
  }
  return sides;
}

const cases = {
  "call context alone": { client: side("client"), server: side("server") },
  "prom-client API (inc + observe)": promClientCase(),
  "Prometheus tracer, BEFORE build": tracerCase(OLD),
  "Prometheus tracer, this build": tracerCase(NOW),
};

async function cpuPerCall(fn) {
  let n = 0;
  const t0 = performance.now();
  const u0 = process.cpuUsage();
  while (performance.now() - t0 < MS) {
    for (let run = 0; run < 64; run++) {
      for (let k = 0; k < PER_RUN; k++) {
        if (THRASH_KB > 0) thrash();
        fn();
      }
      n += PER_RUN;
      await null;
    }
  }
  const u = process.cpuUsage(u0);
  return ((u.user + u.system) * 1e3) / n;
}

const res = Object.fromEntries(Object.keys(cases).map((k) => [k, { client: [], server: [] }]));
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 ? Object.entries(cases).reverse() : Object.entries(cases);
  for (const [name, c] of order) for (const s of ["client", "server"]) res[name][s].push(await cpuPerCall(c[s]));
}
const median = (v) => [...v].sort((a, b) => a - b)[Math.floor(v.length / 2)];
const base = res["call context alone"];
const added = (v, s) => median(v.map((x, i) => x - base[s][i]));
console.log(`Prometheus hooks, CPU ns per call and side, median of ${ROUNDS} interleaved rounds of ${MS} ms; ${PER_RUN} calls per event-loop run` +
  `${THRASH_KB ? `, ${THRASH_KB} KiB read between calls` : ""}; BEFORE = ${env.BEFORE ?? "this build"}; load ${(await import("node:os")).loadavg().map((l) => l.toFixed(2)).join(" ")}`);
console.log(`| case | client | added | server | added |\n|---|---:|---:|---:|---:|`);
for (const [name, v] of Object.entries(res)) {
  console.log(`| ${name} | ${median(v.client).toFixed(0)} | ${added(v.client, "client").toFixed(0)} | ${median(v.server).toFixed(0)} | ${added(v.server, "server").toFixed(0)} |`);
}
if (sink === 0.5) console.log(sink);
process.exit(0);
