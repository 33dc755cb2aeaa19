// The service module of the cores benchmark: the 1 KiB echo of bench/rpc/echo.thrift, and of
// bench/rpc/echo.proto for the gRPC cases. Server threads (listen threads), cluster workers and the
// echo thread import it; the generated modules' URLs and the bundle's come in BENCH_CORES_GEN.
const { bundle, kitewire, proto } = JSON.parse(process.env.BENCH_CORES_GEN);
const kw = await import(bundle);
const gen = await import(kitewire);
const pb = proto === undefined ? undefined : await import(proto);

export default function makeServer() {
  const server = new kw.Server({ logger: kw.silentLogger }).register(gen.Echo, { echo: (payload) => payload });
  return pb === undefined ? server : server.register(pb.Echo, { echo: (message) => message });
}
