/**
 * OpenTelemetry tracing for a kitewire client or server, on `@opentelemetry/api` only
 * (the SDK, its sampler and exporter are the user's choice), as kitex-contrib/
 * obs-opentelemetry traces Kitex: a CLIENT span per call, a SERVER span per handled call,
 * named `package.Service/method`, with the span context and baggage carried in transient
 * metainfo (see propagation.ts) so a trace crosses kitewire and Kitex services.
 *
 * A handler continues the trace of the call it serves by passing that call's context to
 * its own calls (`client.method(args, { context: ctx })`); without one, a client call's
 * parent is OpenTelemetry's active context.
 *
 * @example
 * const server = new Server({ tracer: openTelemetryTracer({ side: "server" }) });
 * const client = createClient(Svc, { ..., tracer: openTelemetryTracer({ side: "client" }) });
 */
import {
  context as otelContext, INVALID_SPAN_CONTEXT, isSpanContextValid, ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace,
  type Context, type Exception, type Span, type SpanOptions, type TextMapPropagator, type Tracer as OtelTracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { ErrorCode, KitewireError } from "../../errors.js";
import type { Framing } from "../../remote/transport.js";
import type { RpcContext } from "../../rpc/context.js";
import type { Tracer } from "../tracer.js";
import { mapCarrier, W3CPropagator } from "./propagation.js";

/** Attribute keys: the OpenTelemetry RPC semantic conventions plus obs-opentelemetry's own. */
export const Attr = {
  RPC_SYSTEM: "rpc.system",
  RPC_SERVICE: "rpc.service",
  RPC_METHOD: "rpc.method",
  SERVER_ADDRESS: "server.address",
  SERVER_PORT: "server.port",
  PEER_ADDRESS: "network.peer.address",
  PEER_PORT: "network.peer.port",
  PEER_SERVICE: "peer.service",
  ERROR_TYPE: "error.type",
  /** obs-opentelemetry: the transport protocol, Kitex's names (TTHeader, Framed, ...). */
  REQUEST_PROTOCOL: "request.protocol",
  /** obs-opentelemetry: bytes sent and received for the call. */
  SEND_SIZE: "kitex.send_size",
  RECV_SIZE: "kitex.recv_size",
} as const;

/** `rpc.system` of kitewire spans: "kitex", as obs-opentelemetry reports Kitex calls (same wire, same dashboards). */
export const RPC_SYSTEM = "kitex";

/** The transient metainfo key obs-opentelemetry uses for the caller's `service.name`. */
export const SERVICE_NAME_KEY = "service.name";

/** Kitex's names of the framings (its `TransportProtocol`), for `request.protocol`; Apache THeader, which Kitex lacks, as "THeader". */
const PROTOCOL_NAMES: Readonly<Record<Framing, string>> = {
  framed: "Framed", buffered: "PurePayload", ttheader: "TTHeader", "ttheader-framed": "TTHeaderFramed", "kitex-protobuf": "Framed",
  theader: "THeader",
};

export interface OpenTelemetryTracerOptions {
  /** Which side this tracer is given to: its spans are CLIENT or SERVER spans. */
  side: "client" | "server";
  /** Where tracers come from (default: the global provider, `trace.getTracerProvider()`, read per call so an SDK registered later is used). */
  tracerProvider?: TracerProvider;
  /** How span context and baggage travel in metainfo (default: W3C Trace Context + Baggage, as Kitex sends them). */
  propagator: TextMapPropagator;
  /**
   * This service's name, sent to servers as transient metainfo `service.name` (servers
   * report it as `peer.service`), as obs-opentelemetry sends its resource's service name.
   */
  serviceName?: string;
}

const INSTRUMENTATION = "kitewire";

/** What the global provider delegates to while no SDK is registered (a fresh proxy's delegate is that one no-op). */
const NOOP_PROVIDER = new ProxyTracerProvider().getDelegate();

/** Fills in defaults and rejects impossible settings. */
export function makeOpenTelemetryTracerOptions(
  options: Partial<OpenTelemetryTracerOptions> & Pick<OpenTelemetryTracerOptions, "side">,
): Readonly<OpenTelemetryTracerOptions> {
  const o = { propagator: new W3CPropagator(), ...options };
  if (o.side !== "client" && o.side !== "server") throw new KitewireError(ErrorCode.INVALID_VALUE, `side must be "client" or "server", got ${String(o.side)}`);
  return Object.freeze(o);
}

/** Creates an OpenTelemetry tracer for one side (client or server) of kitewire. */
export function openTelemetryTracer(options: Partial<OpenTelemetryTracerOptions> & Pick<OpenTelemetryTracerOptions, "side">): Tracer {
  const { side, tracerProvider, serviceName, propagator } = makeOpenTelemetryTracerOptions(options);
  const spanOptions: SpanOptions = { kind: side === "client" ? SpanKind.CLIENT : SpanKind.SERVER };
  // The global provider's tracer is a proxy that follows an SDK registered later.
  const provider = tracerProvider ?? trace.getTracerProvider();
  const tracer: OtelTracer = provider.getTracer(INSTRUMENTATION);
  const globalProxy = provider instanceof ProxyTracerProvider ? provider : undefined;
  const names = new SpanNames();
  const peers = new PeerAddresses();

  const spanOf = (ctx: RpcContext): Span | undefined => (ctx.trace === undefined ? undefined : trace.getSpan(ctx.trace as Context));

  return {
    start(ctx: RpcContext) {
      let parent: Context;
      if (side === "server") {
        parent = ctx.metainfo.hasForward ? propagator.extract(ROOT_CONTEXT, ctx.metainfo.transient, mapCarrier) : ROOT_CONTEXT;
      } else {
        parent = (ctx.parent?.trace as Context | undefined) ?? otelContext.active();
      }
      // No SDK and no trace to continue: nothing to record or pass on, so nothing is made.
      if (parent === ROOT_CONTEXT && globalProxy?.getDelegate() === NOOP_PROVIDER) return;
      const span = tracer.startSpan(names.of(ctx), spanOptions, parent);
      const sc = span.spanContext();
      if (parent === ROOT_CONTEXT && (sc === INVALID_SPAN_CONTEXT || !isSpanContextValid(sc))) return;
      const spanContext = trace.setSpan(parent, span);
      ctx.trace = spanContext;
      if (side === "client") {
        propagator.inject(spanContext, ctx.metainfo.transient, mapCarrier);
        if (serviceName) ctx.metainfo.transient.set(SERVICE_NAME_KEY, serviceName);
      }
      if (!span.isRecording()) return;
      span.setAttribute(Attr.RPC_SYSTEM, RPC_SYSTEM);
      span.setAttribute(Attr.RPC_SERVICE, ctx.service);
      span.setAttribute(Attr.RPC_METHOD, ctx.method);
      if (ctx.transport) span.setAttribute(Attr.REQUEST_PROTOCOL, PROTOCOL_NAMES[ctx.transport.framing] ?? ctx.transport.framing);
      if (side === "server") {
        const caller = ctx.metainfo.hasForward ? ctx.metainfo.transient.get(SERVICE_NAME_KEY) : undefined;
        if (caller) span.setAttribute(Attr.PEER_SERVICE, caller);
      }
    },
    io(ctx: RpcContext, direction: "read" | "write", bytes: number) {
      const span = spanOf(ctx);
      if (span?.isRecording()) span.setAttribute(direction === "write" ? Attr.SEND_SIZE : Attr.RECV_SIZE, bytes);
    },
    finish(ctx: RpcContext, error?: unknown) {
      const span = spanOf(ctx);
      if (span === undefined) return;
      // Set now: a client's instance is picked after the call starts (discovery), a retry may pick another.
      const peer = span.isRecording() ? peers.of(ctx.peer) : undefined;
      if (peer !== undefined) {
        span.setAttribute(side === "client" ? Attr.SERVER_ADDRESS : Attr.PEER_ADDRESS, peer.host);
        span.setAttribute(side === "client" ? Attr.SERVER_PORT : Attr.PEER_PORT, peer.port);
      }
      if (error !== undefined && span.isRecording()) {
        span.recordException(asException(error));
        span.setAttribute(Attr.ERROR_TYPE, error instanceof KitewireError ? error.code : (error as Error)?.name ?? "Error");
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      }
      span.end();
    },
    retry(ctx: RpcContext, kind: "failure" | "backup") {
      spanOf(ctx)?.addEvent("retry", { "kitewire.retry.attempt": ctx.retries, "kitewire.retry.kind": kind });
    },
  };
}

/** Span names `Service/method` (a Protobuf service's name includes its package), made once per method. */
class SpanNames {
  private readonly byService = new Map<string, Map<string, string>>();

  of(ctx: RpcContext): string {
    let byMethod = this.byService.get(ctx.service);
    if (byMethod === undefined) this.byService.set(ctx.service, (byMethod = new Map()));
    let name = byMethod.get(ctx.method);
    if (name === undefined) {
      // A server's unknown methods are named by the caller: one name keeps them bounded.
      name = ctx.service ? `${ctx.service}/${ctx.method}` : "unknown";
      if (ctx.service) byMethod.set(ctx.method, name);
    }
    return name;
  }
}

function asException(error: unknown): Exception {
  if (error instanceof Error) return error;
  return { name: "Error", message: String(error) };
}

/** `host:port` (or `[v6]:port`) split, the last one remembered (most calls come on a connection the previous one used). */
class PeerAddresses {
  private last: string | undefined;
  private lastSplit: { host: string; port: number } | undefined;

  of(peer: string | undefined): { host: string; port: number } | undefined {
    if (peer === undefined) return undefined;
    if (peer !== this.last) {
      const colon = peer.lastIndexOf(":");
      const port = Number(peer.slice(colon + 1));
      this.lastSplit = colon <= 0 || !Number.isInteger(port) ? undefined : { host: peer.slice(0, colon).replace(/^\[|\]$/g, ""), port };
      this.last = peer;
    }
    return this.lastSplit;
  }
}
