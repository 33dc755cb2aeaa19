// The RPC benchmark's service (bench/rpc.bench.mjs): echo a 1 KiB binary payload.
// kitewire code is generated from this file at bench time (`kitewire gen`), and so is
// npm thrift's (`thrift --gen js:node`, Apache Thrift 0.17).
service Echo {
  binary echo(1: binary payload)
}
