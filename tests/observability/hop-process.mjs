// One kitewire process of the tracing test (trace.test.ts): a Hop server with an
// OpenTelemetry tracer (sdk-trace-base, in-memory exporter), which calls the next hop, if
// any, with a traced client, continuing the trace of the call it serves. argv[2] is JSON:
// { bundle, otel, gen, name, next?: port }. IPC: sends { op: "listening", port }; on
// { op: "call", fail, baggage } calls the next hop as a new trace (with that baggage in the
// active context), answering { op: "called", result | error }; answers { op: "spans" } with
// the finished spans; exits on { op: "exit" }.
import { context, propagation, ROOT_CONTEXT } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";

/** The smallest context manager: `with` sets the active context for a synchronous run. */
class StackContextManager {
  stack = [ROOT_CONTEXT];
  active = () => this.stack[this.stack.length - 1];
  with(ctx, fn, thisArg, ...args) {
    this.stack.push(ctx);
    try {
      return fn.call(thisArg, ...args);
    } finally {
      this.stack.pop();
    }
  }
  bind = (_ctx, target) => target;
  enable = () => this;
  disable = () => this;
}
context.setGlobalContextManager(new StackContextManager());

const spec = JSON.parse(process.argv[2]);
const kw = await import(spec.bundle);
const { openTelemetryTracer } = await import(spec.otel);
const { Hop } = await import(spec.gen);
await kw.init();

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
const transport = { framing: "ttheader", protocol: "binary" };
const next = spec.next === undefined ? undefined : kw.createClient(Hop, {
  transport, fromService: spec.name,
  tracer: openTelemetryTracer({ side: "client", tracerProvider: provider, serviceName: spec.name }),
  connection: kw.nodeTransport({ address: `127.0.0.1:${spec.next}`, transport, mode: "mux" }),
});
const server = new kw.Server({ tracer: openTelemetryTracer({ side: "server", tracerProvider: provider }) }).register(Hop, {
  async call(path, fail, ctx) {
    const here = `${path}/${spec.name}`;
    if (next) return next.call(here, fail, { context: ctx });
    if (fail) throw new Error(`${spec.name} refused ${here}`);
    return `${here} (baggage: ${ctx.metadata.baggage ?? "none"})`;
  },
});
const listener = await kw.listen(server);

process.on("message", async (m) => {
  if (m.op === "call") {
    const active = propagation.setBaggage(ROOT_CONTEXT, propagation.createBaggage({ tenant: { value: m.baggage } }));
    // The client's tracer reads the active context when the call starts (synchronously).
    const pending = context.with(active, () => next.call(`/${spec.name}`, m.fail));
    pending.then((result) => process.send({ op: "called", result }), (error) => process.send({ op: "called", error: `${error.code}: ${error.message}` }));
  } else if (m.op === "spans") {
    process.send({ op: "spans", spans: exporter.getFinishedSpans().map((s) => ({
      name: s.name, kind: s.kind, traceId: s.spanContext().traceId, spanId: s.spanContext().spanId,
      parentSpanId: s.parentSpanContext?.spanId ?? s.parentSpanId, attributes: s.attributes, status: s.status,
      events: s.events.map((e) => ({ name: e.name, attributes: e.attributes })),
    })) });
  } else if (m.op === "exit") {
    await next?.close();
    await listener.close({ timeoutMs: 500 });
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(1));
process.send({ op: "listening", port: listener.port });
