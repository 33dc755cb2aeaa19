/** Per-engine state: made once per engine, found again when engines alternate. */
import { expect, test } from "vitest";
import type { Engine } from "../../src/wasm/engine.js";
import { perEngine } from "../../src/wasm/per-engine.js";

test("each engine gets its own value, made once, also when engines alternate", () => {
  const made: Engine[] = [];
  const stateOf = perEngine((engine) => {
    made.push(engine);
    return { engine };
  });
  const a = {} as Engine;
  const b = {} as Engine;
  const first = stateOf(a);
  expect(stateOf(a)).toBe(first);
  const second = stateOf(b);
  expect(second).not.toBe(first);
  expect(stateOf(a)).toBe(first);
  expect(stateOf(b)).toBe(second);
  expect(made).toEqual([a, b]);
});
