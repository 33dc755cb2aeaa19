// The server process of the scaling cases: `single` (listen), `threads:N` (listen with N
// server threads) or `cluster:N` (listenCluster). Sends { address, pids } once listening;
// closes and exits on "exit".
const mode = process.argv[2];
const { bundle } = JSON.parse(process.env.BENCH_CORES_GEN);
const kw = await import(bundle);
await kw.init();
const service = new URL("./echo-service.mjs", import.meta.url);
let close;
let address;
let pids = [process.pid];
if (mode === "single") {
  const l = await kw.listen((await import(service.href)).default(), { host: "127.0.0.1", port: 0 });
  address = l.address;
  close = () => l.close({ timeoutMs: 200 });
} else if (mode.startsWith("threads:")) {
  const spinMicros = mode.endsWith("-spin") ? Number(process.argv[3]) : 0;
  const l = await kw.listen(new kw.Server({ logger: kw.silentLogger }), { host: "127.0.0.1", port: 0, threads: parseInt(mode.slice(8), 10), serverModule: service, spinMicros });
  address = l.address;
  close = () => l.close({ timeoutMs: 200 });
} else {
  const c = await kw.listenCluster({ workers: Number(mode.slice(8)), serverModule: service, logger: kw.silentLogger });
  address = c.address;
  pids = [process.pid, ...c.pids];
  close = () => c.close({ timeoutMs: 200 });
}
process.send({ address, pids });
process.on("message", async (m) => {
  if (m === "exit") {
    await close();
    process.exit(0);
  }
});
