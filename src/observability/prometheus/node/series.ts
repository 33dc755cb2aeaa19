/**
 * The call counts and latency histograms of one tracer, kept in plain numbers and handed
 * to prom-client only when scraped: recording a call is a few Map lookups and additions,
 * with no allocation (prom-client's own `labels().observe()` builds a label hash string
 * per call). Each `CallMetric` below is a prom-client metric object (`get()` in its
 * `MetricObjectWithValues` shape), registered in the user's registry like its own.
 */
import { ERROR, OTHER, SUCCEED, UNKNOWN } from "../kitex.js";
import type { RpcContext } from "../../../rpc/context.js";

/** Retry label values kept apart; later attempts share the last one (Kitex allows 5 retries). */
const MAX_ATTEMPT = 15;

type Labels = Record<string, string>;

/** One label combination: its call count and latency histogram. */
export class Series {
  count = 0;
  sum = 0;
  /** Observations per bucket (not cumulative), the last for above every bound. */
  readonly buckets: Float64Array;

  constructor(readonly labels: Readonly<Labels>, bounds: number) {
    this.buckets = new Float64Array(bounds + 1);
  }
}

/** The series of one caller, callee and method (their label values), by retry count and status: `retry * 2 + failed`. */
class SeriesSlots {
  readonly series: (Series | undefined)[] = [];

  constructor(readonly caller: string, readonly callee: string, readonly method: string) {}
}

/** The series of a tracer, found by caller → callee → method → retry count and status. */
export class SeriesTable {
  readonly all: Series[] = [];
  private readonly byCaller = new Map<string, Map<string, Map<string, SeriesSlots>>>();
  /** The last caller, service and method recorded and their slots (calls come in runs): found without Map lookups. */
  private lastCaller: string | undefined;
  private lastService: string | undefined;
  private lastMethod: string | undefined;
  private lastSlots: SeriesSlots | undefined;

  constructor(readonly bounds: Float64Array, private readonly maxCallers: number) {}

  /** Counts a finished call that took `micros`. */
  record(ctx: RpcContext, failed: boolean, micros: number): void {
    const s = this.series(ctx, failed);
    s.count++;
    s.sum += micros;
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && micros > bounds[i]!) i++;
    s.buckets[i]!++;
  }

  private series(ctx: RpcContext, failed: boolean): Series {
    const slots = ctx.caller === this.lastCaller && ctx.service === this.lastService && ctx.method === this.lastMethod
      ? this.lastSlots!
      : this.slotsOf(ctx);
    const retry = Math.min(Math.max(0, ctx.retries | 0), MAX_ATTEMPT);
    const slot = retry * 2 + (failed ? 1 : 0);
    const s = slots.series[slot];
    return s !== undefined ? s : this.add(slots, slot, retry, failed);
  }

  /** The series slots of `ctx`'s caller, service and method, remembered as the last ones. */
  private slotsOf(ctx: RpcContext): SeriesSlots {
    let caller = ctx.caller || UNKNOWN;
    let byCallee = this.byCaller.get(caller);
    if (byCallee === undefined) {
      if (this.byCaller.size >= this.maxCallers) {
        caller = OTHER;
        byCallee = this.byCaller.get(OTHER);
      }
      if (byCallee === undefined) this.byCaller.set(caller, (byCallee = new Map()));
    }
    // A server's unknown methods are named by the caller: one "unknown" keeps them bounded.
    const callee = ctx.service || UNKNOWN;
    const method = ctx.service ? ctx.method || UNKNOWN : UNKNOWN;
    let byMethod = byCallee.get(callee);
    if (byMethod === undefined) byCallee.set(callee, (byMethod = new Map()));
    let slots = byMethod.get(method);
    if (slots === undefined) byMethod.set(method, (slots = new SeriesSlots(caller, callee, method)));
    this.lastCaller = ctx.caller;
    this.lastService = ctx.service;
    this.lastMethod = ctx.method;
    return (this.lastSlots = slots);
  }

  private add(slots: SeriesSlots, slot: number, retry: number, failed: boolean): Series {
    const { caller, callee, method } = slots;
    const s = (slots.series[slot] = new Series({ caller, callee, method, status: failed ? ERROR : SUCCEED, retry: String(retry) }, this.bounds.length));
    this.all.push(s);
    return s;
  }
}

/** The shape prom-client's registry renders (its `MetricObjectWithValues`). */
interface MetricSnapshot {
  name: string;
  help: string;
  type: "counter" | "histogram";
  aggregator: "sum";
  /** A bucket's `le` is its bound as a number (or "+Inf"), as prom-client's Histogram gives it. */
  values: { labels: Record<string, string | number>; value: number; metricName?: string }[];
}

/** A counter or histogram over a `SeriesTable`, in prom-client's metric interface. */
export class CallMetric {
  readonly aggregator = "sum";

  constructor(public name: string, readonly help: string, readonly type: "counter" | "histogram", private readonly table: SeriesTable) {}

  async get(): Promise<MetricSnapshot> {
    const values: MetricSnapshot["values"] = [];
    for (const s of this.table.all) {
      if (this.type === "counter") {
        values.push({ labels: { ...s.labels }, value: s.count });
        continue;
      }
      let cumulative = 0;
      const bounds = this.table.bounds;
      for (let i = 0; i < bounds.length; i++) {
        cumulative += s.buckets[i]!;
        values.push({ labels: { ...s.labels, le: bounds[i]! }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { ...s.labels, le: "+Inf" }, value: s.count, metricName: `${this.name}_bucket` });
      values.push({ labels: { ...s.labels }, value: s.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...s.labels }, value: s.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  /** Zeroes every series, which stays listed at 0 (prom-client's `registry.resetMetrics()`: Prometheus sees a counter reset). */
  reset(): void {
    for (const s of this.table.all) {
      s.count = 0;
      s.sum = 0;
      s.buckets.fill(0);
    }
  }
}
