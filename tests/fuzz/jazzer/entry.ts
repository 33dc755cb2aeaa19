/**
 * The module Jazzer.js loads (bundled to CommonJS by run.mjs): `fuzz` runs the target named
 * by KITEWIRE_FUZZ_TARGET; `targets` gives run.mjs each target's seeds, dictionary and function (for --replay).
 */
import { registerTransform } from "kitewire";
import { zlibTransform } from "../../../src/remote/node/zlib.js";
import { checkEngineMemory } from "../engine.js";
import { TARGETS, dictionaryText } from "../targets.js";

// What the Node entry (src/runtime/node/index.ts, the "kitewire" of the tests) registers and
// the targets reach: THeader frames may carry zlib-compressed payloads.
registerTransform(zlibTransform);

const chosen = process.env.KITEWIRE_FUZZ_TARGET;
const run = chosen === undefined ? undefined : TARGETS[chosen]?.run;

/** Frames of a stack trace, outside the fuzzed call (where Error.stackTraceLimit is 0). */
const STACK_FRAMES = Error.stackTraceLimit;

/**
 * The fuzz function Jazzer.js calls with each input: the target, then the engine's memory
 * and live blocks (as fuzz.test.ts checks them).
 *
 * No stack traces are captured while an input runs: nearly every input is rejected with a
 * KitewireError, and capturing their stacks took most of the time of some targets (the
 * frames target makes 2.5 times the executions per CPU second without). An input that
 * breaks a property runs once more with stacks on, so that the finding shows where.
 */
export function fuzz(data: Buffer): void {
  if (run === undefined) throw new Error(`KITEWIRE_FUZZ_TARGET names no target: ${chosen}`);
  Error.stackTraceLimit = 0;
  try {
    run(data);
    checkEngineMemory();
  } catch (finding) {
    Error.stackTraceLimit = STACK_FRAMES;
    run(data); // the targets are deterministic: this throws the same, with its stack
    checkEngineMemory();
    throw finding;
  } finally {
    Error.stackTraceLimit = STACK_FRAMES;
  }
}

export const targets = Object.fromEntries(Object.entries(TARGETS).map(([name, t]) => [name, {
  about: t.about, run: t.run, seeds: () => t.seeds(), dictionary: () => dictionaryText(t.dictionary),
}]));
