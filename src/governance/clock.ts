/**
 * The clock of governance statistics (breaker windows, retry breaker, budget, token
 * buckets), read on every call. `Date.now()` can cost a system call (0.7 µs on a VM whose
 * clock source is not in the vDSO: more than a whole echo call's client work), so this is a
 * variable a timer refreshes every 10 ms; the timer starts at the first read and stops
 * itself after a second without reads. Decisions that need the exact time (deadlines,
 * backoff, max duration) read `Date.now()` themselves.
 */

const TICK_MS = 10;
/** Ticks without a read before the timer stops. */
const IDLE_TICKS = 100;

let current = 0;
let timer: ReturnType<typeof setInterval> | undefined;
let read = false;
let idle = 0;

/** Milliseconds since the epoch, at most ~10 ms old. */
export function coarseNow(): number {
  if (timer === undefined) start();
  read = true;
  return current;
}

function start(): void {
  current = Date.now();
  idle = 0;
  timer = setInterval(tick, TICK_MS);
  // Node and Deno: the clock must not keep a process alive.
  (timer as { unref?: () => void }).unref?.();
}

function tick(): void {
  current = Date.now();
  if (read) {
    read = false;
    idle = 0;
  } else if (++idle >= IDLE_TICKS) {
    clearInterval(timer);
    timer = undefined;
  }
}
