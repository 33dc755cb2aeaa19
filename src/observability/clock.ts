/**
 * The start time of served calls as the Prometheus tracer takes it, read once per run of the
 * event loop instead of once per call: a clock read costs 150-250 ns on some virtual
 * machines, as much as the rest of the tracer's per-call work. The requests a server reads from one socket chunk start in one
 * synchronous run and share the time it began, which is when they arrived; their finish
 * times are read fresh, so waiting behind each other still counts. (A client reads the
 * clock per call: code may run for long before it issues one.)
 */
let cached = -1;
const expire = (): void => {
  cached = -1;
};
/** Expiry is a reaction to a settled promise: ~35 ns against ~75-120 ns for Node's `queueMicrotask` (an AsyncResource and a bound function each time). */
const settled = Promise.resolve();

/** `performance.now()` as of the start of the current synchronous run (ms). */
export function runStartNow(): number {
  if (cached < 0) {
    cached = performance.now();
    void settled.then(expire);
  }
  return cached;
}
