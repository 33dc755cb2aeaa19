/**
 * A call's reply timer (src/client/pending-replies.ts, a DeadlineTimer) fails it only once `Date.now()` has
 * reached its deadline. Node runs timers on a monotonic millisecond clock whose boundaries
 * are not `Date.now()`'s, so a plain timer fires up to a millisecond before `Date.now()`
 * reaches its due time now and then (~1 in 1,500 in a script setting timers from busy
 * callbacks): a retry step deciding after such a failure saw the call's deadline still ahead
 * and started one attempt too many (a CI failure of tests/governance/timeouts.test.ts). Here
 * `Date.now()` is made to lag the timers' clock, so the timer always fires early.
 */
import { expect, test } from "vitest";
import { ErrorCode } from "kitewire";
import { PendingReplies } from "../../src/client/pending-replies.js";
import { withDateNowLagging } from "../support/clock.js";

test("a reply timer that fires before Date.now() reaches the deadline waits for it, then fails TIMEOUT", async () => {
  const pending = new PendingReplies();
  const deadline = Date.now() + 10;
  const reply = pending.expect(1, deadline, undefined)!;
  await withDateNowLagging(3, async () => {
    let failedAt = 0;
    const error = await reply.catch((e: unknown) => {
      failedAt = Date.now();
      return e;
    });
    expect(error).toMatchObject({ code: ErrorCode.TIMEOUT });
    expect(failedAt).toBeGreaterThanOrEqual(deadline);
    expect(pending.size).toBe(0);
  });
});
