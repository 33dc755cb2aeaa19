/**
 * Calls whose spans an SDK samples out (@opentelemetry/sdk-trace-base, over TTHeader on
 * loopback): the tracer gives such a span no attributes, events, exception or status (it
 * would record none of them), yet the trace context still travels, so the server continues
 * the caller's trace (as not sampled) and its own calls would too.
 */
import type { Span, Tracer as OtelTracer, TracerProvider } from "@opentelemetry/api";
import { AlwaysOffSampler, BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { beforeAll, expect, test } from "vitest";
import { createClient, init, listen, nodeTransport, Server, type RpcContext } from "kitewire";
import { openTelemetryTracer } from "../../src/observability/opentelemetry/index.js";
import * as ex from "../golden/thrift/gen/example.js";
import { SlowHandler, TTHEADER } from "../rpc/support.js";

beforeAll(async () => {
  await init();
});

/** Span methods that record something: a non-recording span ignores them, so the tracer should not call them. */
const RECORDING = new Set(["setAttribute", "setAttributes", "addEvent", "addLink", "addLinks", "recordException", "setStatus", "updateName"]);

/** `provider`, its spans watched: every call of a RECORDING method is listed in `calls`. */
function watched(provider: TracerProvider): { provider: TracerProvider; calls: string[] } {
  const calls: string[] = [];
  const watch = (span: Span): Span => new Proxy(span, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        if (RECORDING.has(String(key))) calls.push(String(key));
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return {
    calls,
    provider: {
      getTracer(name, version, options) {
        const tracer = provider.getTracer(name, version, options);
        return { startSpan: (n, o, c) => watch(tracer.startSpan(n, o, c)), startActiveSpan: tracer.startActiveSpan.bind(tracer) } as OtelTracer;
      },
    },
  };
}

test("a sampled-out call gets no attributes, events or status, and still carries its trace context to the server", async () => {
  const exporter = new InMemorySpanExporter();
  // The client samples every trace out; the server's default sampler follows its parent's decision.
  const clientSide = watched(new BasicTracerProvider({ sampler: new AlwaysOffSampler(), spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  const serverSide = watched(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
  const seen: { traceparent: string | undefined; traceId: string; recording: boolean }[] = [];
  let calls = 0;
  const server = new Server({ tracer: openTelemetryTracer({ side: "server", tracerProvider: serverSide.provider }) }).register(ex.UserService,
    Object.assign(new SlowHandler(), {
      async ping(message: string, ctx: RpcContext) {
        const span = ctx.trace as Span;
        seen.push({ traceparent: ctx.metainfo.transient.get("traceparent"), traceId: span.spanContext().traceId, recording: span.isRecording() });
        if (calls++ === 0) await new Promise((r) => setTimeout(r, 300)); // the first attempt times out: a retry
        if (message === "fail") throw new Error("handler failed");
        return message;
      },
    }));
  const listener = await listen(server);
  const client = createClient<ex.UserServiceClient>(ex.UserService, {
    transport: TTHEADER, timeoutMs: 100, tracer: openTelemetryTracer({ side: "client", tracerProvider: clientSide.provider }),
    retry: { policies: { ping: { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 1, cbPolicy: { errorRate: 0.3 } } } } } },
    connection: nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport: TTHEADER, mode: "mux" }),
  });
  try {
    expect(await client.ping("x")).toBe("x");
    await expect(client.ping("fail")).rejects.toThrow();
    await new Promise((r) => setTimeout(r, 300)); // the first attempt's handler finishes
  } finally {
    await client.close();
    await listener.close({ timeoutMs: 1000 });
  }
  // Retried, failed and answered calls, on both sides: nothing recorded, nothing asked of the spans.
  expect(calls).toBe(3);
  expect(clientSide.calls).toEqual([]);
  expect(serverSide.calls).toEqual([]);
  expect(exporter.getFinishedSpans()).toEqual([]);
  // Each request carried the client span's context, not sampled, and the server continued that trace.
  for (const s of seen) {
    const m = /^00-([0-9a-f]{32})-[0-9a-f]{16}-00$/.exec(s.traceparent ?? "");
    expect(m, s.traceparent).not.toBeNull();
    expect(s.traceId).toBe(m![1]);
    expect(s.recording).toBe(false);
  }
});
