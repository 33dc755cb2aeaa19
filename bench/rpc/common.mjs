// Pieces shared by the RPC benchmark's client and server processes. (They do not import
// bench/lib.mjs, which loads kitewire into every process, peers' included.)

/**
 * npm thrift calls the deprecated `new Buffer()`; Node captures a stack trace for each such
 * call from node_modules until the warning has been shown once (first 10,000 calls). A
 * long-running process is past that within seconds; showing the (silenced) warning up front
 * puts the peer there now. Same as bench/lib.mjs.
 */
export function settleBufferDeprecation() {
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  // eslint-disable-next-line n/no-deprecated-api
  new Buffer(0);
  process.noDeprecation = quiet;
}

/** Deterministic bytes (mulberry32), so every run sends the same payload. */
export function payloadBytes(size, seed = 1) {
  let s = seed >>> 0;
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    out[i] = (t ^ (t >>> 14)) >>> 24;
  }
  return out;
}

/** Latency percentiles (ms) of the first `n` values of `lat` (sorted in place). */
export function percentiles(lat, n) {
  const s = lat.subarray(0, n).sort();
  const at = (q) => (n === 0 ? NaN : s[Math.min(n - 1, Math.ceil(q * n) - 1)]);
  let sum = 0;
  for (let i = 0; i < n; i++) sum += s[i];
  return { p50: at(0.5), p90: at(0.9), p99: at(0.99), p999: at(0.999), max: n ? s[n - 1] : NaN, mean: n ? sum / n : NaN };
}

/**
 * GC pauses of this process (PerformanceObserver "gc" entries: main-thread pause of each
 * scavenge, mark-compact, ...), counted from the last `reset()`.
 */
export async function gcMonitor() {
  const { PerformanceObserver } = await import("node:perf_hooks");
  let count = 0;
  let totalMs = 0;
  let maxMs = 0;
  let over2ms = 0;
  const observer = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) {
      count++;
      totalMs += e.duration;
      if (e.duration > maxMs) maxMs = e.duration;
      if (e.duration > 2) over2ms++;
    }
  });
  observer.observe({ entryTypes: ["gc"] });
  return {
    reset() {
      count = totalMs = maxMs = over2ms = 0;
    },
    snapshot: () => ({ count, totalMs, maxMs, over2ms }),
  };
}
