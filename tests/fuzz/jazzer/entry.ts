/**
 * The module Jazzer.js loads (bundled to CommonJS by run.mjs): `fuzz` runs the target named
 * by KITEWIRE_FUZZ_TARGET; `targets` gives run.mjs each target's seeds, dictionary and function (for --replay).
 */
import { registerTransform } from "kitewire";
import { zlibTransform } from "../../../src/remote/node/zlib.js";
import { TARGETS, dictionaryText } from "../targets.js";

// What the Node entry (src/runtime/node/index.ts, the "kitewire" of the tests) registers and
// the targets reach: THeader frames may carry zlib-compressed payloads.
registerTransform(zlibTransform);

const chosen = process.env.KITEWIRE_FUZZ_TARGET;
const run = chosen === undefined ? undefined : TARGETS[chosen]?.run;

/** The fuzz function Jazzer.js calls with each input. */
export function fuzz(data: Buffer): void {
  if (run === undefined) throw new Error(`KITEWIRE_FUZZ_TARGET names no target: ${chosen}`);
  run(data);
}

export const targets = Object.fromEntries(Object.entries(TARGETS).map(([name, t]) => [name, {
  about: t.about, run: t.run, seeds: () => t.seeds(), dictionary: () => dictionaryText(t.dictionary),
}]));
