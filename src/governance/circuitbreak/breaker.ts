/**
 * One circuit breaker with the state machine of Kitex (gopkg/cloud/circuitbreaker):
 * closed → open when the error rate over its 10 s window (100 buckets of 100 ms) reaches
 * `errRate` with at least `minSample` calls; open fails fast for a cooling time (5 s), then
 * half-open lets one probe through every 200 ms; two probe successes close it (the window
 * starts afresh), a probe failure opens it again.
 */
import { coarseNow } from "../clock.js";
import { RollingWindow, type Now } from "../window.js";
import type { CircuitBreakerConfig } from "./config.js";

export type BreakerState = "closed" | "open" | "half-open";

/** Timing of the state machine; Kitex's values are the defaults. */
export interface BreakerTiming {
  /** How long an open breaker fails fast before probing (ms). */
  readonly coolingMs: number;
  /** Half-open: at most one probe per this many ms. */
  readonly probeIntervalMs: number;
  /** Half-open: probe successes in a row that close the breaker. */
  readonly halfOpenSuccesses: number;
}

export const BREAKER_TIMING_DEFAULTS: BreakerTiming = Object.freeze({ coolingMs: 5000, probeIntervalMs: 200, halfOpenSuccesses: 2 });

export class CircuitBreaker {
  private readonly window = new RollingWindow(100, 100);
  private stateValue: BreakerState = "closed";
  private openedAt = 0;
  private lastProbe = 0;
  private probeSuccesses = 0;

  /** @param config read at each decision, so an update takes effect at once. */
  /** @param onChange told each new state (a tracer's `breaker` hook). */
  constructor(public config: CircuitBreakerConfig, private readonly timing: BreakerTiming = BREAKER_TIMING_DEFAULTS,
    private readonly now: Now = coarseNow, private readonly onChange?: (state: BreakerState) => void) {}

  get state(): BreakerState {
    return this.stateValue;
  }

  /** Whether a call may go ahead now (in half-open, taking the probe slot if it is free). */
  allow(): boolean {
    if (this.stateValue === "closed" || !this.config.enable) return true;
    const now = this.now();
    if (this.stateValue === "open") {
      if (now - this.openedAt < this.timing.coolingMs) return false;
      this.stateValue = "half-open";
      this.probeSuccesses = 0;
      this.lastProbe = now;
      this.onChange?.("half-open");
      return true;
    }
    if (now - this.lastProbe < this.timing.probeIntervalMs) return false;
    this.lastProbe = now;
    return true;
  }

  /** Counts a call that went ahead: `ok` false for a failure of the kind this breaker counts. */
  record(ok: boolean): void {
    const now = this.now();
    if (this.stateValue === "half-open") {
      if (!ok) this.open(now);
      else if (++this.probeSuccesses >= this.timing.halfOpenSuccesses) {
        this.stateValue = "closed";
        this.window.reset();
        this.onChange?.("closed");
      }
      return;
    }
    if (this.stateValue === "open") return;
    this.window.add(ok, now);
    if (!ok && this.config.enable && this.window.samples(now) >= this.config.minSample &&
      this.window.errorRate(now) >= this.config.errRate) this.open(now);
  }

  /** Error rate and samples of the current window (for logs and errors). */
  stats(): { errorRate: number; samples: number } {
    const now = this.now();
    return { errorRate: this.window.errorRate(now), samples: this.window.samples(now) };
  }

  private open(now: number): void {
    this.stateValue = "open";
    this.openedAt = now;
    this.onChange?.("open");
  }
}
