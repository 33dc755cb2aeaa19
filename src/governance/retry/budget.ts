/**
 * The retry budget: retries may be at most `ratio` of the calls made over a sliding window
 * (10 s of 100 ms buckets by default), so an outage can never multiply the load a client
 * sends by more than 1 + ratio.
 */
import { coarseNow } from "../clock.js";
import { RollingWindow, type Now } from "../window.js";

export class RetryBudget {
  /** Calls count as successes, retries as failures: one window holds both. */
  private readonly window: RollingWindow;

  constructor(readonly ratio: number, windowMs = 10_000, private readonly now: Now = coarseNow) {
    this.window = new RollingWindow(100, Math.max(1, windowMs / 100));
  }

  /** Counts a call (its first attempt). */
  call(): void {
    this.window.add(true, this.now());
  }

  /** Takes the budget for one retry: false when the window's retries would pass `ratio` × calls. */
  tryRetry(): boolean {
    const now = this.now();
    if (this.window.failureCount(now) + 1 > this.ratio * this.window.successCount(now)) return false;
    this.window.add(false, now);
    return true;
  }
}
