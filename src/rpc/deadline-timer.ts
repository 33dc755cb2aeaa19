/**
 * A timer for a deadline (`Date.now()` milliseconds) that runs its function only once
 * `Date.now()` has reached it. Node runs timers on a monotonic millisecond clock whose
 * boundaries are not `Date.now()`'s, so a plain `setTimeout(f, deadline - Date.now())` fires up
 * to a millisecond early now and then (2-4 in 3,000 here): a retry step deciding after such a
 * timeout saw the call's deadline still ahead and started one attempt too many, and a
 * handler's signal could abort while `ctx.remaining()` still said time was left.
 */
export class DeadlineTimer {
  private handle: ReturnType<typeof setTimeout>;

  /** Runs `run` once `Date.now()` >= `deadline` (at once, in a timer, if it already is). */
  constructor(private readonly deadline: number, private readonly run: () => void) {
    this.handle = setTimeout(DeadlineTimer.fire, Math.max(0, deadline - Date.now()), this);
  }

  /** Stops it: `run` does not run. */
  cancel(): void {
    clearTimeout(this.handle);
  }

  /** A timer's callback, shared (the timer is its argument): early, it waits for what is left. */
  private static fire(t: DeadlineTimer): void {
    const left = t.deadline - Date.now();
    if (left > 0) t.handle = setTimeout(DeadlineTimer.fire, left, t);
    else t.run();
  }
}
