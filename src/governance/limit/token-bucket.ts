/**
 * A token bucket: `rate` tokens a second, holding at most `burst`; a call takes one or is
 * refused. Refilled from the clock when asked (no timer).
 */
import { coarseNow } from "../clock.js";
import type { Now } from "../window.js";

export class TokenBucket {
  private tokens: number;
  private last: number;

  constructor(private rate: number, private burst: number, private readonly now: Now = coarseNow) {
    this.tokens = burst;
    this.last = now();
  }

  /** Takes a token: false when none is left. */
  tryTake(): boolean {
    this.refill();
    if (this.tokens < 1) return false;
    this.tokens--;
    return true;
  }

  /** New rate and burst; the tokens held stay (at most the new burst). */
  update(rate: number, burst: number): void {
    this.refill(); // the time before the change earns tokens at the old rate
    this.rate = rate;
    this.burst = burst;
    this.tokens = Math.min(this.tokens, burst);
  }

  private refill(): void {
    const now = this.now();
    if (now > this.last) {
      this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) * this.rate) / 1000);
      this.last = now;
    }
  }
}
