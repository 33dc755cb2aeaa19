#!/usr/bin/env node
/**
 * Prints the EXPECTED_HEX block of roundtrip.mjs: the bytes the Node bundle writes for
 * every message the cross-runtime round trip encodes.
 *
 *   npm run build
 *   node tests/runtimes/shared/make-expected.mjs           # print the block
 *   node tests/runtimes/shared/make-expected.mjs --write   # replace it in roundtrip.mjs
 *
 * These are golden values: they make workerd, Deno and Chromium prove they write exactly
 * what Node writes. They are not a correctness oracle by themselves — the Node vitest suite
 * independently checks these encoders against the npm `thrift` and `protobufjs` packages
 * (tests/interop/). Regenerate only after an intended change to the wire format, and
 * review the diff.
 */
import { readFile, writeFile } from "node:fs/promises";
import * as kitewire from "../../../dist/kitewire.node.mjs";
import { encodeAll, toHex } from "./roundtrip.mjs";

const BEGIN = "// BEGIN EXPECTED";
const END = "// END EXPECTED";
const LINE = 120;

await kitewire.init();
const encoded = encodeAll(kitewire);

let block = "export const EXPECTED_HEX = {\n";
for (const [name, bytes] of Object.entries(encoded)) {
  const hex = toHex(bytes);
  block += `  // ${bytes.length} bytes\n  ${name}: [\n`;
  for (let i = 0; i < hex.length; i += LINE) block += `    "${hex.slice(i, i + LINE)}",\n`;
  block += `  ].join(""),\n`;
}
block += "};\n";

if (process.argv.includes("--write")) {
  const file = new URL("./roundtrip.mjs", import.meta.url);
  const source = await readFile(file, "utf8");
  const begin = source.indexOf(BEGIN);
  const end = source.indexOf(END);
  if (begin < 0 || end < begin) throw new Error(`roundtrip.mjs has no ${BEGIN} ... ${END} block`);
  const header = source.slice(begin, source.indexOf("\n", begin) + 1);
  await writeFile(file, source.slice(0, begin) + header + block + source.slice(end));
  console.error(`wrote ${Object.keys(encoded).length} constants into ${file.pathname}`);
} else {
  process.stdout.write(block);
}
