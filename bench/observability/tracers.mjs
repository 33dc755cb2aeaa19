// The tracers a case of bench/observability.bench.mjs runs with, on one side: none,
// Prometheus (prom-client registry, no scrapes), the OpenTelemetry tracer without an SDK
// ("otel-api"), with sdk-trace-base ("otel": a BatchSpanProcessor and an exporter that
// drops the spans, an SDK's full cost without I/O), or Prometheus and OpenTelemetry
// together ("both"; "both-10pct": the SDK samples 10% of traces, ParentBased on servers;
// "both-0pct": it samples none, so every span is a non-recording one: a sampled-out call).
//
// The SDK as set up here: sdk-trace-base's BasicTracerProvider given to the tracer, not
// registered globally, so no context manager is installed (the API's NoopContextManager:
// `context.active()` is the root context, `context.with` only calls its function; no
// AsyncLocalStorage or async_hooks cost on promises), a BatchSpanProcessor with its
// defaults (batches of 512, queue of 2048, 5 s delay) and an exporter that drops each batch:
// the SDK's whole cost but the exporter's I/O. Note that the processor keeps up to 512
// finished spans alive between exports: every scavenge in the process copies them (about
// 1 MB in the one-process run), a cost of the whole process that a tight loop of
// startSpan/end does not show.
import { BasicTracerProvider, BatchSpanProcessor, ParentBasedSampler, TraceIdRatioBasedSampler } from "@opentelemetry/sdk-trace-base";

const dist = new URL("../../dist/", import.meta.url);

/** An exporter that accepts every batch and keeps nothing. */
const dropExporter = {
  export: (_spans, done) => done({ code: 0 }),
  shutdown: async () => {},
  forceFlush: async () => {},
};

/** The SDK the benchmark's OpenTelemetry cases run with: every span recorded, batched to an exporter that drops them. */
export function sdkProvider(sampler) {
  return new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(dropExporter)], ...(sampler ? { sampler } : {}) });
}

/** The adapters' bundles beside the kitewire bundle at URL `bundle` (a copy of dist/ for an A/B run), for `tracerFor`. */
export function adaptersBeside(bundle) {
  return { prometheus: new URL("kitewire.prometheus.mjs", bundle).href, opentelemetry: new URL("kitewire.opentelemetry.mjs", bundle).href };
}

/**
 * The tracer for `observe` (a case id; also "otel-0pct": OpenTelemetry alone, every span sampled
 * out) on `side`, or undefined. `modules`: the adapters' module URLs, { prometheus,
 * opentelemetry } (default: the bundles in dist/).
 */
export async function tracerFor(kw, observe, side, modules = {}) {
  if (observe === "none" || observe === "control") return undefined;
  const tracers = [];
  const both = observe.startsWith("both");
  if (observe === "prometheus" || both) {
    const { prometheusTracer } = await import(modules.prometheus ?? new URL("kitewire.prometheus.mjs", dist).href);
    tracers.push(prometheusTracer({ side }));
  }
  if (observe.startsWith("otel") || both) {
    const { openTelemetryTracer } = await import(modules.opentelemetry ?? new URL("kitewire.opentelemetry.mjs", dist).href);
    const ratio = observe === "both-10pct" ? 0.1 : observe.endsWith("-0pct") ? 0 : undefined;
    const sampler = ratio === undefined ? undefined : new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio) });
    const tracerProvider = observe === "otel-api" ? undefined : sdkProvider(sampler);
    tracers.push(openTelemetryTracer({ side, ...(tracerProvider ? { tracerProvider } : {}) }));
  }
  return kw.composeTracers(...tracers);
}
