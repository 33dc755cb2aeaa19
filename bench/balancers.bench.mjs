// Load balancer picks: ns per pick of each balancer over 3, 100 and 1,000 instances (weights
// 1..10 in turn), as a client's discovery step makes them: one RpcContext per call, from a
// rotating set of 1,024 (each with its own metainfo key, read by consistent hashing).
// No peers: Kitex's balancers are Go. After the tables, the number of young-generation
// GCs during 2,000,000 more picks of each case: 0 means the pick allocates nothing.
import { PerformanceObserver } from "node:perf_hooks";
import { Suite, kw, isMain } from "./lib.mjs";

const SIZES = [3, 100, 1000];
const BALANCERS = [
  ["weighted round robin", () => kw.weightedRoundRobin()],
  ["weighted random", () => kw.weightedRandom()],
  ["least loaded (p2c)", () => kw.leastLoaded()],
  ["consistent hash (metainfo key)", () => kw.consistentHash({ key: "user" })],
];

function candidates(n) {
  return Array.from({ length: n }, (_, i) => ({
    instance: kw.makeInstance(`10.${(i >> 8) & 255}.${i & 255}.1:8888`, 1 + (i % 10)),
    inflight: i % 7,
  }));
}

const contexts = Array.from({ length: 1024 }, (_, i) => {
  const ctx = new kw.RpcContext("Echo", "echo");
  ctx.metainfo.transient.set("user", `user-${i * 7919}`);
  return ctx;
});

function picker(make, n) {
  const p = make().newPicker();
  p.update(candidates(n));
  let i = 0;
  return () => p.pick(contexts[(i = (i + 1) & 1023)], undefined);
}

/** Young-generation collections while `fn` runs `n` times. */
function scavenges(fn, n) {
  let count = 0;
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) if (e.detail?.kind === 1) count++; // NODE_PERFORMANCE_GC_MINOR
  });
  obs.observe({ entryTypes: ["gc"] });
  globalThis.gc?.();
  for (let k = 0; k < n; k++) fn();
  return new Promise((resolve) => setTimeout(() => {
    obs.disconnect();
    resolve(count);
  }, 50));
}

export async function run() {
  const suite = new Suite("balancers", "a load balancer's pick, by number of instances");
  for (const n of SIZES) {
    const g = suite.group(`${n} instances`, { unit: "pick" });
    for (const [name, make] of BALANCERS) g.add(name, picker(make, n));
  }
  const gcLines = [];
  for (const n of SIZES) {
    for (const [name, make] of BALANCERS) {
      const fn = picker(make, n);
      for (let k = 0; k < 200_000; k++) fn(); // optimized before counting
      gcLines.push(`young-generation GCs during 2,000,000 picks, ${name}, ${n} instances: ${await scavenges(fn, 2_000_000)}`);
    }
  }
  suite.after(() => gcLines);
  return suite.run();
}

if (isMain(import.meta.url)) await run();
