/**
 * `Date.now()` made to lag the timers' clock by `ms` while `body` runs, then restored: a
 * timer set for a `Date.now()` deadline then always fires before `Date.now()` reaches it,
 * as Node's timers now and then do by up to a millisecond (src/rpc/deadline-timer.ts).
 */
import { vi } from "vitest";

export async function withDateNowLagging<T>(ms: number, body: () => Promise<T>): Promise<T> {
  const real = Date.now.bind(Date);
  const lagging = vi.spyOn(Date, "now").mockImplementation(() => real() - ms);
  try {
    return await body();
  } finally {
    lagging.mockRestore();
  }
}
