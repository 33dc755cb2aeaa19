/**
 * The tracer's other metrics (in-flight calls, bytes, connections, rejections, retries,
 * breaker states) as prom-client metric objects over values kitewire keeps itself, read
 * only when scraped, like `CallMetric` (series.ts): recording is an addition or a Map
 * update, and a registry's `resetMetrics()` zeroes the counters while the gauges keep
 * saying what is true now (prom-client's own `Gauge.reset()` would zero a gauge that
 * `inc`/`dec` track, which then goes negative).
 */

type Labels = Record<string, string>;

/** One sample as prom-client's registry renders it. */
export interface Sample {
  labels: Labels;
  value: number;
}

/** A counter or gauge whose samples `read` returns at each scrape; `zero` is what a registry reset does (counters). */
export class ScrapedMetric {
  readonly aggregator = "sum";

  constructor(public name: string, readonly help: string, readonly type: "counter" | "gauge",
    private readonly read: () => Sample[], private readonly zero?: () => void) {}

  async get(): Promise<{ name: string; help: string; type: "counter" | "gauge"; aggregator: "sum"; values: Sample[] }> {
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values: this.read() };
  }

  reset(): void {
    this.zero?.();
  }
}

/** Counts by a set of label values (a reason, a breaker, a callee/method/kind): found by `key`, listed in first-seen order. */
export class LabelledValues {
  private readonly byKey = new Map<string, Sample>();

  /** Adds `n` to the value of `key` (whose label values are `labels`). */
  add(key: string, labels: Labels, n: number): void {
    const s = this.byKey.get(key);
    if (s !== undefined) s.value += n;
    else this.byKey.set(key, { labels, value: n });
  }

  /** Sets the value of `key` (whose label values are `labels`). */
  set(key: string, labels: Labels, value: number): void {
    const s = this.byKey.get(key);
    if (s !== undefined) s.value = value;
    else this.byKey.set(key, { labels, value });
  }

  samples(): Sample[] {
    return [...this.byKey.values()].map((s) => ({ labels: { ...s.labels }, value: s.value }));
  }

  /** Zeroes every value; the label sets stay (a counter reset). */
  zero(): void {
    for (const s of this.byKey.values()) s.value = 0;
  }
}
