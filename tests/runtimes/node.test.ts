/**
 * The cross-runtime codec round trip (shared/roundtrip.mjs) in Node, through the built
 * bundle dist/kitewire.node.mjs (the one that produced the expected hex constants).
 */
import { expect, test } from "vitest";
import { pathToFileURL } from "node:url";
import { distFile } from "./support.js";
import { run } from "./shared/roundtrip.mjs";

test("codec round trip in Node through dist/kitewire.node.mjs", async () => {
  const kitewire: unknown = await import(pathToFileURL(distFile("kitewire.node.mjs")).href);
  const result = await run(kitewire);
  expect(result.failures).toEqual([]);
  expect(result.ok).toBe(true);
  expect(result.simd).toBe(true);
  expect(result.checks).toBeGreaterThan(1000);
});
