// A kitewire server in a process of its own, for the hostile-client suite and the soak
// benchmark: its RSS is what they sample (/proc/<pid>/status). argv[2] is a JSON spec:
// { bundle: URL of the kitewire build, gen: URL of the generated Hostile module, options:
// ServerOptions, statsMs?: print memory figures to stderr this often }. Prints {"port": N} on stdout once listening; logs (the server's
// rejections) go to stderr. Exits when stdin closes (its parent went away).
const spec = JSON.parse(process.argv[2]);
const kw = await import(spec.bundle);
await kw.init();
const gen = await import(spec.gen);
const blobs = new Map();
const server = new kw.Server(spec.options ?? {}).register(gen.Hostile, {
  blob(size) {
    let b = blobs.get(size);
    if (b === undefined) blobs.set(size, (b = new Uint8Array(Math.max(0, Math.min(size, 16 << 20))).fill(0x5a)));
    return b;
  },
  echo(payload) {
    return payload;
  },
  count(values) {
    return values.length;
  },
});
const mirror = await import(new URL("mirror.mjs", spec.gen).href);
server.register(mirror.Mirror, { echo: (request) => request });
const listener = await kw.listen(server, { host: "127.0.0.1", port: 0 });
process.stdout.write(JSON.stringify({ port: listener.port }) + "\n");
if (spec.statsMs) {
  const { monitorEventLoopDelay } = await import("node:perf_hooks");
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  setInterval(() => {
    const m = process.memoryUsage();
    const mib = (n) => (n / 1048576).toFixed(1);
    process.stderr.write(`stats rss=${mib(m.rss)} heap=${mib(m.heapUsed)} external=${mib(m.external)} arrayBuffers=${mib(m.arrayBuffers)}` +
      ` wasm=${mib(kw.getEngine().exports.memory.buffer.byteLength)} loopDelayMaxMs=${(delay.max / 1e6).toFixed(0)}\n`);
    delay.reset();
  }, spec.statsMs).unref();
}
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
