/**
 * Rate-limited logging for events an attacker can cause at will (bad frames, refused
 * connections): each kind of event (its key, e.g. the rejection reason) may log `burst`
 * lines per `intervalMs`; the rest are counted, and the count is reported on the next line
 * of that kind that gets through (`suppressed=N`). Memory is bounded: at most `maxKeys`
 * kinds are tracked, and past that every new kind shares one overflow key.
 */
import type { LogFields, Logger, LogLevel } from "./logger.js";

export interface RateLimitOptions {
  /** Lines per kind per interval (default 5). */
  burst?: number;
  /** The interval, ms (default 10 000). */
  intervalMs?: number;
  /** Kinds tracked at once (default 256). */
  maxKeys?: number;
  /** The clock (ms); tests pass a fake one. */
  now?: () => number;
}

interface Window {
  started: number;
  logged: number;
  suppressed: number;
}

const OVERFLOW_KEY = "\u0000overflow";

export class RateLimitedLog {
  private readonly windows = new Map<string, Window>();
  private readonly burst: number;
  private readonly intervalMs: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(private readonly logger: () => Logger, options: RateLimitOptions = {}) {
    this.burst = options.burst ?? 5;
    this.intervalMs = options.intervalMs ?? 10_000;
    this.maxKeys = options.maxKeys ?? 256;
    this.now = options.now ?? Date.now;
  }

  /**
   * Logs `message` at `level` unless lines of kind `key` are over their budget for this
   * interval. Returns whether the line was written.
   */
  log(level: LogLevel, key: string, message: string, fields?: LogFields): boolean {
    const now = this.now();
    let w = this.windows.get(key);
    if (w === undefined) {
      if (this.windows.size >= this.maxKeys) this.evict(now);
      if (this.windows.size >= this.maxKeys) key = OVERFLOW_KEY;
      w = this.windows.get(key);
      if (w === undefined) this.windows.set(key, (w = { started: now, logged: 0, suppressed: 0 }));
    }
    if (now - w.started >= this.intervalMs) {
      w.started = now;
      w.logged = 0;
    }
    if (w.logged >= this.burst) {
      w.suppressed++;
      return false;
    }
    w.logged++;
    const suppressed = w.suppressed;
    w.suppressed = 0;
    this.logger()[level](message, suppressed > 0 ? { ...fields, suppressed } : fields);
    return true;
  }

  /** Forgets kinds whose interval is over and that have nothing left to report. */
  private evict(now: number): void {
    for (const [key, w] of this.windows) {
      if (now - w.started >= this.intervalMs && w.suppressed === 0) this.windows.delete(key);
    }
  }
}
