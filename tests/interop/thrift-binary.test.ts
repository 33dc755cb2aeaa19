/**
 * Thrift Binary interop: kitewire against the npm `thrift` package's TBinaryProtocol,
 * byte for byte and value for value in both directions (properties in thrift-interop.ts).
 * Reproduce a failure with KITEWIRE_SEED=<base> or from the seed in its message.
 */
import { beforeAll, test } from "vitest";
import { init, ThriftBinaryReader, ThriftBinaryWriter } from "../../src/runtime/node/index.js";
import { seeds } from "../support/random.js";
import { defineThriftInterop, thrift } from "./thrift-interop.js";

beforeAll(async () => {
  await init();
});

defineThriftInterop({
  name: "binary",
  compact: false,
  Writer: ThriftBinaryWriter,
  Reader: ThriftBinaryReader,
  Npm: thrift.TBinaryProtocol,
  seeds: seeds(250),
}, test);
