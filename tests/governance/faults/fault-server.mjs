// A fault-injecting echo server, run as its own process (forked by cluster.ts) on loopback.
// argv[2] is a JSON spec: { bundle, gen, faults, limits?, seed? }, where `bundle` and `gen`
// are the URLs of the built kitewire bundle and of the generated Echo module, `limits` the
// server's `limits` option, and `faults`:
//   errorShare: p   this share of calls fails with `errorCode` (a KitewireError; TIMEOUT
//                   reaches the client as TIMEOUT, as from a handler whose own downstream
//                   call timed out)
//   errorCode       default "TIMEOUT"
//   delayShare: p   this share of calls is answered after delayMs
//   delayMs
//   resetShare: p   this share of the chunks clients send has its connection reset (RST)
//                   by a proxy in front of the server
// Shares are drawn from a seeded generator (spec.seed), so runs are alike.
// IPC, parent -> server: { op: "faults", faults } (replace the faults), { op: "stats" }
// (answers { op: "stats", served, failed, delayed, resets, cpuMicros }). Server -> parent:
// { op: "listening", port, direct } once it accepts connections (`port`: through the fault
// proxy; `direct`: the server itself, without resets). SIGKILL is the parent's to send.
import { createServer, connect } from "node:net";

const spec = JSON.parse(process.argv[2]);
let faults = spec.faults ?? {};
const stats = { served: 0, failed: 0, delayed: 0, resets: 0 };
let seed = (spec.seed ?? 1) >>> 0;
/** mulberry32: a uniform draw in [0, 1). */
function draw() {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}

const kw = await import(spec.bundle);
await kw.init();
const gen = await import(spec.gen);
const server = new kw.Server({ logger: kw.silentLogger, limits: spec.limits }).register(gen.Echo, {
  async echo(payload) {
    stats.served++;
    if (faults.errorShare && draw() < faults.errorShare) {
      stats.failed++;
      throw new kw.KitewireError(kw.ErrorCode[faults.errorCode ?? "TIMEOUT"], "injected failure");
    }
    if (faults.delayShare && draw() < faults.delayShare) {
      stats.delayed++;
      await new Promise((r) => setTimeout(r, faults.delayMs));
    }
    return payload;
  },
});
const listener = await kw.listen(server, { host: "127.0.0.1", port: 0 });

// The proxy that resets connections: every client connection is piped to the server, and
// a resetShare of the chunks from clients resets both sides instead of being passed on.
const proxy = createServer((downstream) => {
  const upstream = connect({ host: "127.0.0.1", port: listener.port });
  const reset = () => {
    stats.resets++;
    downstream.resetAndDestroy();
    upstream.destroy();
  };
  downstream.on("data", (chunk) => {
    if (faults.resetShare && draw() < faults.resetShare) reset();
    else upstream.write(chunk);
  });
  upstream.on("data", (chunk) => downstream.write(chunk));
  downstream.on("error", () => upstream.destroy());
  upstream.on("error", () => downstream.destroy());
  downstream.on("close", () => upstream.destroy());
  upstream.on("close", () => downstream.destroy());
});
await new Promise((resolve) => proxy.listen(0, "127.0.0.1", resolve));

process.on("message", (message) => {
  if (message.op === "faults") faults = message.faults;
  else if (message.op === "stats") {
    const cpu = process.cpuUsage();
    process.send({ op: "stats", ...stats, cpuMicros: cpu.user + cpu.system });
  }
});
process.on("disconnect", () => process.exit(0));
process.send({ op: "listening", port: proxy.address().port, direct: listener.port });
