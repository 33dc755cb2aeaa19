/**
 * Trace context on the wire: kitewire's W3C propagator against @opentelemetry/core's (an
 * independent implementation), the exact TTHeader keys obs-opentelemetry uses, the cost of
 * the tracer without an SDK, and peers that know nothing of tracing (npm thrift).
 */
import { createRequire } from "node:module";
import { createServer, type Socket } from "node:net";
import { fileURLToPath } from "node:url";
import { propagation, ROOT_CONTEXT, trace, TraceFlags, createTraceState, defaultTextMapGetter, defaultTextMapSetter } from "@opentelemetry/api";
import { W3CBaggagePropagator, W3CTraceContextPropagator, parseTraceParent } from "@opentelemetry/core";
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from "@opentelemetry/sdk-trace-base";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { createClient, init, listen, nodeTransport, Server, type Transport } from "kitewire";
import { openTelemetryTracer, parseTraceparent, W3CPropagator } from "../../src/observability/opentelemetry/index.js";
import * as ex from "../golden/thrift/gen/example.js";
import { SlowHandler } from "../rpc/support.js";

const ours = new W3CPropagator();
const theirs = { trace: new W3CTraceContextPropagator(), baggage: new W3CBaggagePropagator() };

beforeAll(async () => {
  await init();
});

describe("W3CPropagator against @opentelemetry/core", () => {
  const sc = {
    traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7", traceFlags: TraceFlags.SAMPLED,
    traceState: createTraceState("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7"),
  };
  const withBaggage = propagation.setBaggage(trace.setSpanContext(ROOT_CONTEXT, sc),
    propagation.createBaggage({ tenant: { value: "acme corp" }, "user-id": { value: "42;x" }, pri: { value: "1", metadata: { toString: () => "prop=1" } as never } }));

  test("what kitewire writes, core reads back the same, and the other way", () => {
    const written: Record<string, string> = {};
    ours.inject(withBaggage, written, defaultTextMapSetter);
    expect(Object.keys(written).sort()).toEqual(["baggage", "traceparent", "tracestate"]);
    expect(written["traceparent"]).toBe("00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01");
    const read = theirs.baggage.extract(theirs.trace.extract(ROOT_CONTEXT, written, defaultTextMapGetter), written, defaultTextMapGetter);
    expect(trace.getSpanContext(read)).toMatchObject({ traceId: sc.traceId, spanId: sc.spanId, traceFlags: 1, isRemote: true });
    expect(trace.getSpanContext(read)!.traceState!.serialize()).toBe("congo=t61rcWkgMzE,rojo=00f067aa0ba902b7");
    expect(Object.fromEntries(propagation.getBaggage(read)!.getAllEntries().map(([k, e]) => [k, e.value])))
      .toEqual({ tenant: "acme corp", "user-id": "42;x", pri: "1" });

    const fromCore: Record<string, string> = {};
    theirs.trace.inject(withBaggage, fromCore, defaultTextMapSetter);
    theirs.baggage.inject(withBaggage, fromCore, defaultTextMapSetter);
    const back = ours.extract(ROOT_CONTEXT, fromCore, defaultTextMapGetter);
    expect(trace.getSpanContext(back)).toMatchObject({ traceId: sc.traceId, spanId: sc.spanId, traceFlags: 1, isRemote: true });
    expect(trace.getSpanContext(back)!.traceState!.get("rojo")).toBe("00f067aa0ba902b7");
    expect(propagation.getBaggage(back)!.getEntry("user-id")!.value).toBe("42;x");
    expect(propagation.getBaggage(back)!.getEntry("pri")!.metadata!.toString()).toBe("prop=1");
  });

  test("traceparent validity agrees with core's parser", () => {
    const cases = [
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-09",
      "00-00000000000000000000000000000000-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-0000000000000000-01",
      "ff-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-extra",
      "00-4BF92F3577B34DA6A3CE929D0E0E4736-00F067AA0BA902B7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e473-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b-01",
      "00_4bf92f3577b34da6a3ce929d0e0e4736_00f067aa0ba902b7_01",
      "",
      "garbage",
      " 00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01 ",
      "\t00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01x",
      "01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01-a\nb",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-0g",
      "0g-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01",
      "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01\u00e9",
    ];
    for (const value of cases) {
      const core = parseTraceParent(value);
      const mine = parseTraceparent(value);
      expect(mine === undefined, value).toBe(core === null);
      if (core !== null) expect(mine, value).toEqual({ traceId: core.traceId, spanId: core.spanId, traceFlags: core.traceFlags & 1 });
    }
  });

  test("a malformed baggage member is dropped alone; oversized baggage is ignored", () => {
    const bag = (raw: string) => propagation.getBaggage(ours.extract(ROOT_CONTEXT, { baggage: raw }, defaultTextMapGetter));
    expect(bag("a=1,b=%E0%A4%A,c=3")!.getAllEntries().map(([k]) => k)).toEqual(["a", "c"]);
    expect(bag(`a=${"x".repeat(9000)}`)).toBeUndefined();
    expect(bag("=1,,;")).toBeUndefined();
  });
});

/** A TCP server that keeps the first bytes it receives and never answers. */
async function capture(): Promise<{ port: number; bytes: () => Promise<Buffer>; close(): void }> {
  const sockets: Socket[] = [];
  let got: (b: Buffer) => void;
  const first = new Promise<Buffer>((resolve) => (got = resolve));
  const server = createServer((s) => {
    sockets.push(s);
    s.once("data", (b) => got(b));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as { port: number }).port,
    bytes: () => first,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe("on the wire", () => {
  const ttheader: Transport = { framing: "ttheader", protocol: "binary" };

  test("a traced TTHeader request carries RPC_TRANSIT_traceparent and its baggage, as Kitex reads them", async () => {
    const exporter = new InMemorySpanExporter();
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
    const peer = await capture();
    const client = createClient<ex.UserServiceClient>(ex.UserService, {
      transport: ttheader, timeoutMs: 200, tracer: openTelemetryTracer({ side: "client", tracerProvider: provider }),
      connection: nodeTransport({ address: `127.0.0.1:${peer.port}`, transport: ttheader }),
    });
    try {
      const call = client.ping("hi").catch((e: unknown) => e);
      const text = (await peer.bytes()).toString("latin1");
      await call;
      const [span] = exporter.getFinishedSpans();
      const traceparent = `00-${span!.spanContext().traceId}-${span!.spanContext().spanId}-01`;
      // TTHeader string info: u16 key length, key, u16 value length, value.
      const key = "RPC_TRANSIT_traceparent";
      const at = text.indexOf(key);
      expect(at).toBeGreaterThan(0);
      expect(text.charCodeAt(at - 2) * 256 + text.charCodeAt(at - 1)).toBe(key.length);
      expect(text.slice(at + key.length + 2, at + key.length + 2 + traceparent.length)).toBe(traceparent);
      expect(span!.status.code).toBe(2); // the capture never answers: the call timed out
    } finally {
      peer.close();
      await client.close();
    }
  });

  test("on Apache THeader the same values travel as plain headers (traceparent)", async () => {
    const theader: Transport = { framing: "theader", protocol: "binary" };
    const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(new InMemorySpanExporter())] });
    const peer = await capture();
    const client = createClient<ex.UserServiceClient>(ex.UserService, {
      transport: theader, timeoutMs: 100, tracer: openTelemetryTracer({ side: "client", tracerProvider: provider }),
      connection: nodeTransport({ address: `127.0.0.1:${peer.port}`, transport: theader }),
    });
    try {
      const call = client.ping("hi").catch((e: unknown) => e);
      const text = (await peer.bytes()).toString("latin1");
      await call;
      expect(text).toMatch(/traceparent.{1,2}00-[0-9a-f]{32}-[0-9a-f]{16}-01/s);
      expect(text).not.toContain("RPC_TRANSIT_");
    } finally {
      peer.close();
      await client.close();
    }
  });

  test("without an OpenTelemetry SDK the tracer adds nothing to requests and keeps no state", async () => {
    expect(trace.getTracerProvider().getTracer("x").startSpan("probe").isRecording()).toBe(false);
    const peer = await capture();
    const tracer = openTelemetryTracer({ side: "client" });
    const client = createClient<ex.UserServiceClient>(ex.UserService, {
      transport: ttheader, timeoutMs: 100, tracer, connection: nodeTransport({ address: `127.0.0.1:${peer.port}`, transport: ttheader }),
    });
    try {
      const call = client.ping("hi").catch((e: unknown) => e);
      expect((await peer.bytes()).toString("latin1")).not.toContain("traceparent");
      await call;
    } finally {
      peer.close();
      await client.close();
    }
    const { RpcContext } = await import("kitewire");
    const ctx = new RpcContext("UserService", "ping");
    tracer.start!(ctx);
    tracer.finish!(ctx);
    expect(ctx.trace).toBeUndefined();
    expect(ctx.metainfo.hasForward).toBe(false);

    // An SDK registered later, globally, is used from then on.
    const exporter = new InMemorySpanExporter();
    trace.setGlobalTracerProvider(new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }));
    try {
      const later = new RpcContext("UserService", "ping");
      tracer.start!(later);
      tracer.finish!(later);
      expect(later.metainfo.transient.get("traceparent")).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(exporter.getFinishedSpans().map((s) => s.name)).toEqual(["UserService/ping"]);
    } finally {
      trace.disable();
    }
  });
});

describe("a peer that knows nothing of tracing (npm thrift, Framed binary)", () => {
  const require = createRequire(fileURLToPath(new URL("../fixtures/thrift-js/", import.meta.url)));
  const thrift = require("thrift");
  const UserService = require("./UserService.js");
  const framed: Transport = { framing: "framed", protocol: "binary" };
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let npmServer: { listen(port: number, host: string, cb: () => void): void; address(): { port: number }; close(cb: () => void): void };

  beforeAll(async () => {
    npmServer = thrift.createServer(UserService, { ping: (message: string, result: (e: null, r: string) => void) => result(null, `npm: ${message}`) },
      { transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol });
    await new Promise<void>((resolve) => npmServer.listen(0, "127.0.0.1", resolve));
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => npmServer.close(() => resolve()));
  });

  test("a traced kitewire client calls it; its span ends OK", async () => {
    const client = createClient<ex.UserServiceClient>(ex.UserService, {
      transport: framed, tracer: openTelemetryTracer({ side: "client", tracerProvider: provider }),
      connection: nodeTransport({ address: `127.0.0.1:${npmServer.address().port}`, transport: framed }),
    });
    try {
      exporter.reset();
      expect(await client.ping("hi")).toBe("npm: hi");
      const [span] = exporter.getFinishedSpans();
      expect(span!.name).toBe("UserService/ping");
      expect(span!.status.code).toBe(0);
      expect(span!.attributes["request.protocol"]).toBe("Framed");
    } finally {
      await client.close();
    }
  });

  test("it calls a traced kitewire server; the server span is a root", async () => {
    const listener = await listen(new Server({ tracer: openTelemetryTracer({ side: "server", tracerProvider: provider }) })
      .register(ex.UserService, new SlowHandler()));
    const connection = thrift.createConnection("127.0.0.1", listener.port, { transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol, max_attempts: 1 });
    try {
      await new Promise((resolve) => connection.once("connect", resolve));
      const npmClient = thrift.createClient(UserService, connection);
      exporter.reset();
      const reply = await new Promise((resolve, reject) => npmClient.ping("there", (e: unknown, r: string) => (e ? reject(e) : resolve(r))));
      expect(reply).toBe("there");
      const [span] = exporter.getFinishedSpans();
      expect(span!.name).toBe("UserService/ping");
      expect(span!.parentSpanContext).toBeUndefined();
      expect(span!.status.code).toBe(0);
    } finally {
      connection.end();
      await listener.close({ timeoutMs: 500 });
    }
  });
});
