/**
 * The deadline timer every deadline of the RPC core uses (src/rpc/deadline-timer.ts: reply
 * timers, gRPC calls, served calls' signals): its function runs once `Date.now()` has reached
 * the deadline, even when the timer fires before (here `Date.now()` is made to lag the timers'
 * clock, so it always does), and never after `cancel()`.
 */
import { expect, test } from "vitest";
import { DeadlineTimer } from "../../src/rpc/deadline-timer.js";
import { withDateNowLagging } from "../support/clock.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test("runs once Date.now() has reached the deadline, though the timer fires before it", async () => {
  const deadline = Date.now() + 10;
  let ranAt = 0;
  let runs = 0;
  new DeadlineTimer(deadline, () => {
    ranAt = Date.now();
    runs++;
  });
  await withDateNowLagging(3, () => sleep(40));
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
  const waiting = new DeadlineTimer(Date.now() + 5, () => ran++);
  await withDateNowLagging(20, async () => {
    await sleep(12); // fired early and set again for what is left
    waiting.cancel();
  });
  await sleep(30);
  expect(ran).toBe(1);
});
