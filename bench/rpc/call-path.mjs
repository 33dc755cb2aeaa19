// The call path in one process, without sockets: what kitewire's own code costs per call on
// each side, for A/B runs under load (CPU time does not depend on how the two processes of a
// socket benchmark are scheduled against each other). A client calls echo through a
// ClientTransport that hands the request frame to a Server in the same process (the
// server's FrameDecoder and `Server.handle`, as a connection would) and decodes its reply
// with the client's FrameDecoder; nothing else is left out. Cases:
//
//   plain, governed          Framed binary, 64 B echo, an async handler (as the governance
//                            benchmark's fault server): none, and failure retry + breakers
//                            on the client with a rate + concurrency limit on the server,
//                            configured but never triggered (issue 18);
//   tth-none, tth-prom, tth-otel-api, tth-otel, tth-otel-0pct, tth-both
//                            TTHeader binary, 1 KiB echo, a sync handler (as the
//                            observability benchmark's server), each side with the same
//                            tracers: none, Prometheus, OpenTelemetry without an SDK, with
//                            sdk-trace-base (bench/observability/tracers.mjs), with it
//                            sampling every span out, Prometheus + OpenTelemetry (issue 19).
//
// For each case: "server", `Server.handle` alone on the request frame the case's client
// sends (captured once), and "call", a whole call (both sides); client = call - server.
// CPU ns per call (process.cpuUsage), 100 calls in flight for "call", median of interleaved
// rounds. With several builds (CALL_PATH_DISTS=dirA,dirB: dist folders, each a copy of
// `npm run build`'s dist/), each runs in its own process and the rounds alternate builds.
//
//   npm run build && node bench/rpc/call-path.mjs
//   CALL_PATH_DISTS=/path/to/old/dist,dist CALL_PATH_CASES=plain,governed CALL_PATH_ROUNDS=15 node bench/rpc/call-path.mjs
//   node --cpu-prof bench/rpc/call-path.mjs --profile tth-prom call 6000    # one case alone, for a profile (CALL_PATH_DIST=dir)
import { fork } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const env = process.env;
const ALL = ["plain", "governed", "tth-none", "tth-prom", "tth-otel-api", "tth-otel", "tth-otel-0pct", "tth-both"];
const CASES = (env.CALL_PATH_CASES ?? ALL.join(",")).split(",");
const ROUNDS = Number(env.CALL_PATH_ROUNDS ?? 9);
const MS = Number(env.CALL_PATH_MS ?? 300);
const root = fileURLToPath(new URL("../..", import.meta.url));

if (process.argv[2] === "--child") await child(resolve(process.argv[3]));
else if (process.argv[2] === "--profile") await profile(process.argv[3], process.argv[4] ?? "call", Number(process.argv[5] ?? 3000));
else await parent();

/** `--profile CASE [server|call] [MS]`: runs one case alone in this process (for `node --cpu-prof`). */
async function profile(id, side, ms) {
  const c = await setUp(resolve(env.CALL_PATH_DIST ?? join(root, "dist")), [id]);
  const ns = side === "server" ? await c.get(id).serverOnly(ms) : await c.get(id).calls(ms);
  console.log(`${id} ${side}: ${ns.toFixed(0)} CPU ns per call, ${lastCount} calls`);
}

async function parent() {
  const dists = (env.CALL_PATH_DISTS ?? join(root, "dist")).split(",").map((d) => resolve(d));
  const load = () => loadavg().map((v) => v.toFixed(2)).join(" ");
  console.log(`call path in one process: ${ROUNDS} rounds of ${MS} ms per case, side and build, interleaved; load average ${load()}`);
  const children = await Promise.all(dists.map(async (dist) => {
    const c = fork(fileURLToPath(import.meta.url), ["--child", dist], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    await reply(c, "ready");
    return c;
  }));
  const ask = (c, msg) => {
    const p = reply(c, "result");
    c.send(msg);
    return p.then((m) => m.ns);
  };
  // warm-up
  for (const c of children) for (const id of CASES) for (const side of ["server", "call"]) await ask(c, { op: "run", id, side, ms: MS });
  const runs = new Map(); // `${build}|${id}|${side}` -> ns[]
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? children.map((c, i) => i) : children.map((c, i) => i).reverse();
    for (const id of r % 2 === 0 ? CASES : [...CASES].reverse()) {
      for (const side of ["server", "call"]) {
        for (const b of order) {
          const key = `${b}|${id}|${side}`;
          if (!runs.has(key)) runs.set(key, []);
          runs.get(key).push(await ask(children[b], { op: "run", id, side, ms: MS }));
        }
      }
    }
  }
  for (const c of children) c.send({ op: "exit" });
  const med = (v) => [...v].sort((x, y) => x - y)[Math.floor((v.length - 1) / 2)];
  console.log(`load average at the end ${load()}\n`);
  const head = dists.map((d, b) => `build ${b} server | build ${b} client | build ${b} call`).join(" | ");
  console.log(`| case | ${head} |\n|---|${dists.map(() => "---:|---:|---:|").join("")}`);
  for (const id of CASES) {
    const cells = dists.map((_, b) => {
      const s = med(runs.get(`${b}|${id}|server`));
      const c = med(runs.get(`${b}|${id}|call`));
      return `${s.toFixed(0)} | ${(c - s).toFixed(0)} | ${c.toFixed(0)}`;
    });
    console.log(`| ${id} | ${cells.join(" | ")} |`);
  }
  console.log("\nbuilds: " + dists.map((d, b) => `${b}: ${d}`).join(", "));
  if (dists.length > 1) {
    console.log("\nbuild 1 ÷ build 0, median of paired rounds (CPU per call; < 1: build 1 cheaper):");
    for (const id of CASES) {
      const ratio = (side) => med(runs.get(`1|${id}|${side}`).map((x, i) => x / runs.get(`0|${id}|${side}`)[i])).toFixed(3);
      console.log(`  ${id}: server ${ratio("server")}, call ${ratio("call")}`);
    }
  }
  const pairs = [["governed", "plain"], ["tth-prom", "tth-none"], ["tth-otel-api", "tth-none"], ["tth-otel", "tth-none"], ["tth-otel-0pct", "tth-none"], ["tth-both", "tth-none"]];
  for (let b = 0; b < dists.length; b++) {
    const lines = [];
    for (const [x, base] of pairs) {
      if (!CASES.includes(x) || !CASES.includes(base)) continue;
      const added = (side) => med(runs.get(`${b}|${x}|${side}`).map((v, i) => v - runs.get(`${b}|${base}|${side}`)[i]));
      const kept = med(runs.get(`${b}|${base}|call`).map((v, i) => v / runs.get(`${b}|${x}|call`)[i]));
      lines.push(`  ${x} vs ${base}: server +${added("server").toFixed(0)} ns, call +${added("call").toFixed(0)} ns, kept by CPU ${kept.toFixed(3)}`);
    }
    if (lines.length) console.log(`\nbuild ${b}, added per call against the case without (median of paired rounds):\n${lines.join("\n")}`);
  }
}

function reply(c, op) {
  return new Promise((res, rej) => {
    const on = (m) => {
      if (m?.op !== op) return;
      c.off("message", on);
      res(m);
    };
    c.on("message", on);
    c.once("exit", (code) => rej(new Error(`child exited ${code}`)));
    c.setMaxListeners(0);
  });
}

async function child(dist) {
  const cases = await setUp(dist, CASES);
  process.on("message", async (m) => {
    if (m.op === "exit") process.exit(0);
    const c = cases.get(m.id);
    const ns = m.side === "server" ? await c.serverOnly(m.ms) : await c.calls(m.ms);
    process.send({ op: "result", ns });
  });
  process.send({ op: "ready" });
}

/** The cases `ids` on the build in `dist`. */
async function setUp(dist, ids) {
  const esm = (p) => pathToFileURL(join(dist, "esm", p)).href;
  // The generated echo module imports the build under test (dist/esm, so that the frame decoder is of the same module graph).
  env.BENCH_RPC_BUNDLE = join(dist, "esm/runtime/node/index.js");
  const { generate } = await import(new URL("./codegen.mjs", import.meta.url).href);
  const kw = await import(esm("runtime/node/index.js"));
  await kw.init({ source: { simd: () => readFileSync(join(dist, "kitewire.simd.wasm")), plain: () => readFileSync(join(dist, "kitewire.wasm")) } });
  const { FrameDecoder } = await import(esm("remote/frame-decoder.js"));
  const { tracerFor } = await import(new URL("../observability/tracers.mjs", import.meta.url).href);
  const tmp = mkdtempSync(join(tmpdir(), "kitewire-call-path-"));
  let gen;
  try {
    gen = await import(generate(tmp).kitewire);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const dists = { prometheus: esm("observability/prometheus/node/index.js"), opentelemetry: esm("observability/opentelemetry/index.js") };
  const cases = new Map();
  for (const id of ids) cases.set(id, await makeCase(kw, gen, FrameDecoder, id, tracerFor, dists));
  return cases;
}

var lastCount = 0; // var: read by code that runs during the top-level await above

async function makeCase(kw, gen, FrameDecoder, id, tracerFor, dists) {
  const framed = id === "plain" || id === "governed";
  const transport = framed ? { framing: "framed", protocol: "binary" } : { framing: "ttheader", protocol: "binary" };
  const payload = new Uint8Array(framed ? 64 : 1024).fill(7);
  const observe = { "tth-none": "none", "tth-prom": "prometheus", "tth-otel-api": "otel-api", "tth-otel": "otel", "tth-otel-0pct": "both-0pct", "tth-both": "both" }[id] ?? "none";
  const tracers = (side) => tracerFor(kw, observe, side, dists);
  let clientTracer = await tracers("client");
  let serverTracer = await tracers("server");
  if (id === "tth-otel-0pct") {
    // both-0pct composes Prometheus too: this case is OpenTelemetry alone, sampling every span out.
    clientTracer = await tracerFor(kw, "otel-0pct", "client", dists);
    serverTracer = await tracerFor(kw, "otel-0pct", "server", dists);
  }
  const server = new kw.Server({
    logger: kw.silentLogger, ...(serverTracer ? { tracer: serverTracer } : {}),
    ...(id === "governed" ? { limits: { qps: 1e9, concurrency: 1e6, methods: { echo: { qps: 1e9, concurrency: 1e6 } } } } : {}),
  }).register(gen.Echo, framed ? { async echo(p) { return p; } } : { echo(p) { return p; } });
  const engine = server.engine;
  const serverChain = new kw.BufferChain(engine);
  const serverDecoder = new FrameDecoder(engine, { maxFrameSize: server.options.maxFrameSize });
  const clientChain = new kw.BufferChain(engine);
  const clientDecoder = new FrameDecoder(engine, { maxFrameSize: server.options.maxFrameSize, transport });
  let captured;
  /** Serves `bytes` as a connection would; `write` gets the reply. */
  const serve = (bytes, write) => {
    serverChain.append(bytes);
    let pending;
    try {
      const frame = serverDecoder.next(serverChain);
      pending = server.handle(frame, { peer: "127.0.0.1:40000", write });
    } finally {
      serverChain.skip(serverChain.length);
    }
    return pending;
  };
  const connection = {
    peer: "127.0.0.1:8888",
    send(call) {
      if (captured === undefined) captured = Uint8Array.from(call.bytes);
      return new Promise((resolveReply, reject) => {
        try {
          const pending = serve(call.bytes, (reply) => {
            clientChain.append(reply);
            try {
              resolveReply(clientDecoder.next(clientChain));
            } finally {
              clientChain.skip(clientChain.length);
            }
          });
          if (pending !== undefined) pending.then(undefined, reject);
        } catch (error) {
          reject(error);
        }
      });
    },
    close: async () => {},
  };
  const RETRY = { echo: { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 3, cbPolicy: { errorRate: 0.3 } } } } };
  const client = kw.createClient(gen.Echo, {
    transport, connection, fromService: "bench", logger: kw.silentLogger, ...(clientTracer ? { tracer: clientTracer } : {}),
    ...(id === "governed" ? { retry: { policies: RETRY }, circuitBreaker: {} } : {}),
  });
  const echoed = await client.echo(payload);
  if (echoed.length !== payload.length) throw new Error(`${id}: echo differs`);
  const request = captured;
  const noWrite = () => {};
  return {
    /** CPU ns per served request frame: Server.handle alone, 100 frames per "read" (as a busy connection's chunk). */
    async serverOnly(ms) {
      let n = 0;
      const cpu = process.cpuUsage();
      const end = performance.now() + ms;
      const pending = [];
      while (performance.now() < end) {
        for (let i = 0; i < 100; i++) {
          const p = serve(request, noWrite);
          if (p !== undefined) pending.push(p);
        }
        n += 100;
        if (pending.length > 0) {
          await Promise.all(pending);
          pending.length = 0;
        }
      }
      lastCount = n;
      const used = process.cpuUsage(cpu);
      return ((used.user + used.system) * 1000) / n;
    },
    /** CPU ns per whole call, 100 in flight. */
    async calls(ms) {
      let n = 0;
      const cpu = process.cpuUsage();
      const end = performance.now() + ms;
      await Promise.all(Array.from({ length: 100 }, async () => {
        while (performance.now() < end) {
          for (let i = 0; i < 20; i++) await client.echo(payload);
          n += 20;
        }
      }));
      const used = process.cpuUsage(cpu);
      lastCount = n;
      return ((used.user + used.system) * 1000) / n;
    },
  };
}
