// The service module of the cores benchmark: the 1 KiB echo of bench/rpc/echo.thrift. Server
// threads (listen threads), cluster workers and the echo thread import it; the generated
// module's URL and the bundle's come in BENCH_CORES_GEN.
const { bundle, kitewire } = JSON.parse(process.env.BENCH_CORES_GEN);
const kw = await import(bundle);
const gen = await import(kitewire);

export default function makeServer() {
  return new kw.Server({ logger: kw.silentLogger }).register(gen.Echo, { echo: (payload) => payload });
}
