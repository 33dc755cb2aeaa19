/**
 * A rolling count of successes and failures over the last `buckets × bucketMs` ms, the
 * statistic behind circuit breakers, the retry breaker and the retry budget (Kitex's
 * gopkg/circuitbreaker window: 100 buckets of 100 ms, 10 s).
 */

/** Milliseconds now; injectable so tests drive time by hand. */
export type Now = () => number;

export class RollingWindow {
  private readonly successes: Float64Array;
  private readonly failures: Float64Array;
  /** Absolute index (time / bucketMs) of the newest bucket written. */
  private head = -1;
  private successTotal = 0;
  private failureTotal = 0;
  /** The last `now` asked about and its slot: calls between two ticks of the coarse clock skip the arithmetic. */
  private lastNow = NaN;
  private lastSlot = 0;

  constructor(readonly buckets = 100, readonly bucketMs = 100) {
    this.successes = new Float64Array(buckets);
    this.failures = new Float64Array(buckets);
  }

  /** Counts one outcome at time `now`. */
  add(success: boolean, now: number): void {
    const i = this.advance(now);
    if (success) {
      this.successes[i]!++;
      this.successTotal++;
    } else {
      this.failures[i]!++;
      this.failureTotal++;
    }
  }

  /** Successes in the window ending at `now`. */
  successCount(now: number): number {
    this.advance(now);
    return this.successTotal;
  }

  /** Failures in the window ending at `now`. */
  failureCount(now: number): number {
    this.advance(now);
    return this.failureTotal;
  }

  /** Failures / (successes + failures) in the window ending at `now`; 0 without samples. */
  errorRate(now: number): number {
    this.advance(now);
    const total = this.successTotal + this.failureTotal;
    return total === 0 ? 0 : this.failureTotal / total;
  }

  /** Outcomes counted in the window ending at `now`. */
  samples(now: number): number {
    this.advance(now);
    return this.successTotal + this.failureTotal;
  }

  /** Forgets every count. */
  reset(): void {
    this.successes.fill(0);
    this.failures.fill(0);
    this.successTotal = this.failureTotal = 0;
  }

  /** Drops the buckets that left the window and returns the slot of the bucket holding `now`. */
  private advance(now: number): number {
    if (now === this.lastNow) return this.lastSlot;
    this.lastNow = now;
    const index = Math.floor(now / this.bucketMs);
    if (index > this.head) {
      if (index - this.head >= this.buckets) this.reset();
      else {
        for (let b = this.head + 1; b <= index; b++) {
          const slot = b % this.buckets;
          this.successTotal -= this.successes[slot]!;
          this.failureTotal -= this.failures[slot]!;
          this.successes[slot] = 0;
          this.failures[slot] = 0;
        }
      }
      this.head = index;
    }
    return (this.lastSlot = this.head % this.buckets);
  }
}
