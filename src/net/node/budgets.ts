/**
 * Server-wide memory budgets shared by a server's connections: the bytes held in partial
 * frames (a hard cap enforced by closing the largest holder) and the reply bytes queued
 * for writing (a soft cap enforced by pausing the connections that queue them).
 */

/** A connection holding bytes of a partial frame. */
export interface PartialFrameHolder {
  /** Bytes it holds, as charged to the budget. */
  held: number;
  /** Closes the connection: the budget needs its bytes back. */
  evict(): void;
}

/** The cap on bytes held in partial frames over all connections. */
export class PartialFrameBudget {
  private used = 0;
  private readonly holders = new Set<PartialFrameHolder>();

  constructor(readonly limit: number) {}

  /** Bytes held now. */
  get held(): number {
    return this.used;
  }

  /**
   * Asks for `more` bytes for `holder`, before its buffer grows. While they do not fit, the
   * largest holder is evicted (closed); if that is `holder` itself (its grown size counted),
   * returns false and charges nothing. Otherwise charges them and returns true.
   */
  grow(holder: PartialFrameHolder, more: number): boolean {
    while (this.used + more > this.limit) {
      let largest: PartialFrameHolder | undefined;
      for (const h of this.holders) if (h !== holder && (largest === undefined || h.held > largest.held)) largest = h;
      if (largest === undefined || largest.held < holder.held + more) return false;
      this.release(largest);
      largest.evict();
    }
    this.used += more;
    holder.held += more;
    this.holders.add(holder);
    return true;
  }

  /** Returns everything `holder` holds. */
  release(holder: PartialFrameHolder): void {
    this.used -= holder.held;
    holder.held = 0;
    this.holders.delete(holder);
  }
}

/** The cap on reply bytes queued for writing over all connections, with a low-water mark. */
export class WriteQueueBudget {
  private used = 0;
  private readonly waiting = new Set<() => void>();

  constructor(readonly limit: number) {}

  /** Bytes queued now. */
  get queued(): number {
    return this.used;
  }

  /** Whether the total is at or past the cap. */
  get full(): boolean {
    return this.used >= this.limit;
  }

  /** Whether the total has drained below the low-water mark (half the cap). */
  get low(): boolean {
    return this.used <= this.limit / 2;
  }

  /** Counts bytes queued (positive) or written (negative); wakes the waiters once low. */
  add(delta: number): void {
    this.used += delta;
    if (delta < 0 && this.waiting.size > 0 && this.low) {
      const woken = [...this.waiting];
      this.waiting.clear();
      for (const wake of woken) wake();
    }
  }

  /** Calls `wake` once the total drains below the low-water mark. */
  wait(wake: () => void): void {
    this.waiting.add(wake);
  }

  /** Stops waiting (the connection closed). */
  cancel(wake: () => void): void {
    this.waiting.delete(wake);
  }
}
