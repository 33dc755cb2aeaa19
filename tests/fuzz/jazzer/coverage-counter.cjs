/**
 * Preloaded (`node -r`) before the Jazzer.js CLI, after load-addon.cjs: a faster coverage
 * counter increment, the same counts.
 *
 * Jazzer.js 4.0 calls `coverageTracker.incrementCounter(edgeId)` on every edge of the
 * instrumented code; it reads and writes its counter with `Buffer#readUint8` and
 * `#writeUint8`, whose checks made that call the most expensive part of an execution
 * (a fifth of the IDL targets' time). Indexing the same Buffer does the same with the
 * same NeverZero rule (255 wraps to 1, never 0). Left alone, with a warning, when the
 * method is not the one this replaces (another Jazzer.js version).
 */
"use strict";
const { CoverageTracker } = require("@jazzer.js/fuzzer/dist/coverage");

const original = CoverageTracker.prototype.incrementCounter;
if (typeof original === "function" && /readUint8\(edgeId\)[\s\S]*counter == 255 \? 1 : counter \+ 1/.test(String(original))) {
  CoverageTracker.prototype.incrementCounter = function incrementCounter(edgeId) {
    const map = this.coverageMap;
    const counter = map[edgeId];
    map[edgeId] = counter === 255 ? 1 : counter + 1;
  };
} else {
  console.error("coverage-counter.cjs: Jazzer.js's incrementCounter is not the one it replaces; left as it is");
}
