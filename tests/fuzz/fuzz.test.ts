/**
 * The short fuzz run of `npm test`: each target over its seeds, then over inputs made by
 * mutating the seeds (fast-check: bit flips, byte edits, splices of two seeds, truncation,
 * dictionary tokens), bounded in count and time. The long coverage-guided runs are
 * `npm run fuzz` (Jazzer.js, tests/fuzz/README.md).
 */
import { beforeAll, beforeEach, describe, expect, test } from "vitest";
import fc from "fast-check";
import { checkEngineMemory, fuzzEngine, resetEngineBaseline } from "./engine.js";
import { TARGETS } from "./targets.js";

/** Mutated inputs per target, and the wall-clock bound on them. */
const RUNS = 400;
const BUDGET_MS = 2500;
/** Slowest a single input may be (a hang shows up far above this). */
const MAX_INPUT_MS = 1000;

beforeAll(() => {
  fuzzEngine();
});

function mutation(seeds: Uint8Array[], tokens: readonly (string | Uint8Array)[]): fc.Arbitrary<Uint8Array> {
  const seed = seeds.length > 0 ? fc.constantFrom(...seeds) : fc.uint8Array({ maxLength: 64 });
  const token = fc.constantFrom(...tokens.map((t) => (typeof t === "string" ? new TextEncoder().encode(t) : t)));
  const edit = fc.oneof(
    fc.record({ kind: fc.constant("flip" as const), at: fc.nat(), bit: fc.nat(7) }),
    fc.record({ kind: fc.constant("set" as const), at: fc.nat(), value: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ kind: fc.constant("insert" as const), at: fc.nat(), token }),
    fc.record({ kind: fc.constant("cut" as const), at: fc.nat() }),
    fc.record({ kind: fc.constant("splice" as const), at: fc.nat(), other: seed, from: fc.nat() }),
  );
  return fc.tuple(seed, fc.array(edit, { minLength: 1, maxLength: 4 })).map(([start, edits]) => {
    let b = Uint8Array.from(start);
    for (const e of edits) {
      const at = b.length === 0 ? 0 : e.at % (b.length + 1);
      if (e.kind === "flip" && at < b.length) b[at]! ^= 1 << e.bit;
      else if (e.kind === "set" && at < b.length) b[at] = e.value;
      else if (e.kind === "insert") b = Uint8Array.from([...b.subarray(0, at), ...e.token, ...b.subarray(at)]);
      else if (e.kind === "cut") b = b.subarray(0, at);
      else if (e.kind === "splice") b = Uint8Array.from([...b.subarray(0, at), ...e.other.subarray(e.from % (e.other.length + 1))]);
    }
    return b;
  });
}

function timed(run: (data: Uint8Array) => void, data: Uint8Array): void {
  const start = performance.now();
  run(data);
  const ms = performance.now() - start;
  if (ms > MAX_INPUT_MS) throw new Error(`one input took ${ms.toFixed(0)} ms`);
  checkEngineMemory();
}

describe.each(Object.entries(TARGETS))("fuzz target %s", (name, target) => {
  const seeds = target.seeds();
  beforeEach(resetEngineBaseline);

  test("holds for every seed", () => {
    expect(seeds.length).toBeGreaterThan(0);
    for (const s of seeds) timed(target.run, s);
  });

  test("holds for mutated seeds (fast-check, bounded)", () => {
    fc.assert(fc.property(mutation(seeds, target.dictionary), (data) => timed(target.run, data)), {
      numRuns: RUNS, interruptAfterTimeLimit: BUDGET_MS, markInterruptAsFailure: false, seed: Number(process.env.KITEWIRE_SEED ?? 0x5eed),
    });
  });
});
