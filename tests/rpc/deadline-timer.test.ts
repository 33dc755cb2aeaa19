/**
 * The deadline timer every deadline of the RPC core uses (src/rpc/deadline-timer.ts: reply
 * timers, gRPC calls, served calls' signals): its function runs once `Date.now()` has reached
 * the deadline, even when the timer fires before (here `Date.now()` is made to lag the timers'
 * clock, so it always does), and never after `cancel()`.
 */
import { expect, test, vi } from "vitest";
import { DeadlineTimer } from "../../src/rpc/deadline-timer.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("runs once Date.now() has reached the deadline, though the timer fires before it", async () => {
  const real = Date.now.bind(Date);
  const deadline = real() + 10;
  let ranAt = 0;
  let runs = 0;
  new DeadlineTimer(deadline, () => {
    ranAt = Date.now();
    runs++;
  });
  const lagging = vi.spyOn(Date, "now").mockImplementation(() => real() - 3);
  try {
    await sleep(40);
  } finally {
    lagging.mockRestore();
  }
  expect(runs).toBe(1);
  expect(ranAt).toBeGreaterThanOrEqual(deadline);
});

test("a deadline already passed runs in a timer, not at once; cancel stops it, also while it waits for the clock", async () => {
  let ran = 0;
  new DeadlineTimer(Date.now() - 5, () => ran++);
  expect(ran).toBe(0);
  await sleep(5);
  expect(ran).toBe(1);

  const cancelled = new DeadlineTimer(Date.now() + 5, () => ran++);
  cancelled.cancel();
  const real = Date.now.bind(Date);
  const waiting = new DeadlineTimer(real() + 5, () => ran++);
  const lagging = vi.spyOn(Date, "now").mockImplementation(() => real() - 20);
  try {
    await sleep(12); // fired early and set again for what is left
    waiting.cancel();
  } finally {
    lagging.mockRestore();
  }
  await sleep(30);
  expect(ran).toBe(1);
});
