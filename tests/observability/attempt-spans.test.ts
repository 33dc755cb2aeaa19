/**
 * A span per attempt of a retried client call, below the call's span, over TTHeader on
 * loopback with @opentelemetry/sdk-trace-base: each attempt's span carries its number, the
 * server span of each attempt is that attempt's child (its trace context travels with it),
 * and the failed attempt's span has an error status.
 */
import { SpanStatusCode } from "@opentelemetry/api";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { beforeAll, expect, test } from "vitest";
import { createClient, init, listen, nodeTransport, Server, type RpcContext } from "kitewire";
import { openTelemetryTracer } from "../../src/observability/opentelemetry/index.js";
import * as ex from "../golden/thrift/gen/example.js";
import { SlowHandler, TTHEADER } from "../rpc/support.js";

beforeAll(async () => {
  await init();
});

test("a retried call has a span per attempt, each the parent of the server span it reached", async () => {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let calls = 0;
  const server = new Server({ tracer: openTelemetryTracer({ side: "server", tracerProvider }) }).register(ex.UserService,
    Object.assign(new SlowHandler(), {
      async ping(message: string, _ctx: RpcContext) {
        if (calls++ === 0) await new Promise((r) => setTimeout(r, 300)); // the first attempt times out
        return message;
      },
    }));
  const listener = await listen(server);
  const client = createClient<ex.UserServiceClient>(ex.UserService, {
    transport: TTHEADER, timeoutMs: 100, tracer: openTelemetryTracer({ side: "client", tracerProvider }),
    retry: { policies: { ping: { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 1, cbPolicy: { errorRate: 0.3 } } } } } },
    connection: nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport: TTHEADER, mode: "mux" }),
  });
  expect(await client.ping("x")).toBe("x");
  await new Promise((r) => setTimeout(r, 300)); // the first attempt's handler finishes
  await client.close();
  await listener.close({ timeoutMs: 1000 });

  const spans = exporter.getFinishedSpans();
  const clientSpans = spans.filter((s) => s.kind === 2);
  const serverSpans = spans.filter((s) => s.kind === 1);
  const call = clientSpans.find((s) => s.attributes["kitewire.retry.attempt"] === undefined)!;
  const attempts = clientSpans.filter((s) => s.attributes["kitewire.retry.attempt"] !== undefined)
    .sort((a, b) => Number(a.attributes["kitewire.retry.attempt"]) - Number(b.attributes["kitewire.retry.attempt"]));
  expect(call.name).toBe("UserService/ping");
  expect(call.status.code).not.toBe(SpanStatusCode.ERROR);
  expect(call.events.map((e) => e.name)).toEqual(["retry"]);
  expect(attempts.map((s) => s.attributes["kitewire.retry.attempt"])).toEqual([1, 2]);
  for (const a of attempts) {
    expect(a.name).toBe("UserService/ping");
    expect(a.spanContext().traceId).toBe(call.spanContext().traceId);
    expect(a.parentSpanContext?.spanId).toBe(call.spanContext().spanId);
    expect(a.attributes["server.port"]).toBe(listener.port);
    expect(a.attributes["kitex.send_size"]).toBeGreaterThan(0);
  }
  expect(attempts[0]!.status).toMatchObject({ code: SpanStatusCode.ERROR });
  expect(attempts[0]!.attributes["error.type"]).toBe("TIMEOUT");
  expect(attempts[1]!.status.code).not.toBe(SpanStatusCode.ERROR);
  // Each server span is the child of the attempt that reached it.
  expect(serverSpans.map((s) => s.parentSpanContext?.spanId).sort()).toEqual(attempts.map((a) => a.spanContext().spanId).sort());
});
