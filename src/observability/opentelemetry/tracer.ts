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
  context as otelContext, INVALID_SPAN_CONTEXT, INVALID_TRACEID, propagation, ProxyTracerProvider, ROOT_CONTEXT, SpanKind, SpanStatusCode,
  trace, type Attributes, type Context, type Exception, type Span, type SpanOptions, type TextMapPropagator, type Tracer as OtelTracer,
  type TracerProvider,
} from "@opentelemetry/api";
import { ErrorCode, KitewireError } from "../../errors.js";
import type { Framing } from "../../remote/transport.js";
import type { RpcContext } from "../../rpc/context.js";
import type { Tracer } from "../tracer.js";
import { injectSpanContext, mapCarrier, W3CPropagator } from "./propagation.js";

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
  /** kitewire: the attempt number of a retried call's attempt span (1 the first), and of its `retry` events. */
  RETRY_ATTEMPT: "kitewire.retry.attempt",
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
  const client = side === "client";
  // The global provider's tracer is a proxy that follows an SDK registered later.
  const provider = tracerProvider ?? trace.getTracerProvider();
  const tracer: OtelTracer = provider.getTracer(INSTRUMENTATION);
  const globalProxy = provider instanceof ProxyTracerProvider ? provider : undefined;
  const shapes = new SpanShapes(client ? SpanKind.CLIENT : SpanKind.SERVER);
  // kitewire's own W3C propagator: trace context written straight from the span context, no Context made for it.
  const w3c = propagator instanceof W3CPropagator;

  /** Starts the span of `ctx` (a call, or an attempt `n` of one) below `parent`, and sends its context on with the request. */
  const begin = (ctx: RpcContext, parent: Context, attempt: number): void => {
    const span = tracer.startSpan(shapes.nameOf(ctx), shapes.optionsOf(ctx, !client, attempt), parent);
    const sc = span.spanContext();
    // A no-op tracer's span (an SDK given but not recording anything, no trace to continue): nothing to keep or send.
    if (parent === ROOT_CONTEXT && (sc === INVALID_SPAN_CONTEXT || sc.traceId === INVALID_TRACEID)) return;
    // The span alone, unless the parent carries baggage that calls made from this one must pass on.
    const baggage = parent !== ROOT_CONTEXT && propagation.getBaggage(parent) !== undefined;
    ctx.trace = baggage ? trace.setSpan(parent, span) : span;
    if (!client || !carriesMetainfo(ctx)) return;
    const transient = ctx.metainfo.transient;
    if (w3c && !baggage) injectSpanContext(sc, transient);
    else propagator.inject(contextOf(ctx.trace as Span | Context), transient, mapCarrier);
    if (serviceName) transient.set(SERVICE_NAME_KEY, serviceName);
  };

  /** Ends the span of `ctx`, with the peer (a client's is known only once picked) and the error, if any. */
  const end = (ctx: RpcContext, error: unknown): void => {
    const span = spanOf(ctx);
    if (span === undefined) return;
    if (span.isRecording()) {
      if (client) {
        const peer = ctx.peer === undefined ? undefined : splitPeer(ctx.peer);
        if (peer !== undefined) {
          span.setAttribute(Attr.SERVER_ADDRESS, peer.host);
          span.setAttribute(Attr.SERVER_PORT, peer.port);
        }
      }
      if (error !== undefined) {
        span.recordException(asException(error));
        span.setAttribute(Attr.ERROR_TYPE, error instanceof KitewireError ? error.code : (error as Error)?.name ?? "Error");
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      }
    }
    span.end();
  };

  return {
    start(ctx: RpcContext) {
      let parent: Context;
      if (!client) {
        parent = ctx.metainfo.hasForward ? propagator.extract(ROOT_CONTEXT, ctx.metainfo.transient, mapCarrier) : ROOT_CONTEXT;
      } else {
        const from = ctx.parent?.trace as Span | Context | undefined;
        parent = from === undefined ? otelContext.active() : contextOf(from);
      }
      // No SDK and no trace to continue: nothing to record or pass on, so nothing is made.
      if (parent === ROOT_CONTEXT && globalProxy?.getDelegate() === NOOP_PROVIDER) return;
      begin(ctx, parent, 0);
    },
    io(ctx: RpcContext, direction: "read" | "write", bytes: number) {
      const span = spanOf(ctx);
      if (span?.isRecording()) span.setAttribute(direction === "write" ? Attr.SEND_SIZE : Attr.RECV_SIZE, bytes);
    },
    finish(ctx: RpcContext, error?: unknown) {
      end(ctx, error);
    },
    retry(ctx: RpcContext, kind: "failure" | "backup") {
      const span = spanOf(ctx);
      if (span?.isRecording()) span.addEvent("retry", { [Attr.RETRY_ATTEMPT]: ctx.retries, "kitewire.retry.kind": kind });
    },
    // A client call under a retry policy: a span per attempt below the call's, the attempt's context sent with it.
    ...(client && {
      attemptStart(attempt: RpcContext, call: RpcContext, n: number) {
        const from = call.trace as Span | Context | undefined;
        if (from !== undefined) begin(attempt, contextOf(from), n);
      },
      attemptFinish(attempt: RpcContext, error?: unknown) {
        end(attempt, error);
      },
    }),
  };
}

/** The span a call's `trace` holds: the span itself, or a Context (one with baggage) that holds it. */
function spanOf(ctx: RpcContext): Span | undefined {
  const t = ctx.trace as Span | Context | undefined;
  return t === undefined || isSpan(t) ? t : trace.getSpan(t);
}

/** A call's `trace` as a Context (made when a child call or a propagator needs one). */
function contextOf(t: Span | Context): Context {
  return isSpan(t) ? trace.setSpan(ROOT_CONTEXT, t) : t;
}

function isSpan(t: Span | Context): t is Span {
  return typeof (t as Span).spanContext === "function";
}

/** Framings whose requests carry metainfo (Framed, Buffered and Kitex Protobuf carry none: nothing to write). */
function carriesMetainfo(ctx: RpcContext): boolean {
  const framing = ctx.transport?.framing;
  return framing !== "framed" && framing !== "buffered" && framing !== "kitex-protobuf";
}

/**
 * The name and start options of spans, per service and method (and framing, peer and
 * attempt), made once and reused: the attributes go to `startSpan` in one object instead
 * of a `setAttribute` call each.
 */
class SpanShapes {
  private readonly byService = new Map<string, Map<string, MethodShape>>();
  private last: MethodShape | undefined;

  constructor(private readonly kind: SpanKind) {}

  /** `Service/method` (a Protobuf service's name includes its package). */
  nameOf(ctx: RpcContext): string {
    return this.shapeOf(ctx).name;
  }

  /**
   * Start options of a span of `ctx`: a server's with its caller's address and name, an
   * attempt's (`attempt` > 0) with its number. Kept for the last peer, framing and caller
   * seen (calls come in runs on a connection); an attempt's made anew.
   */
  optionsOf(ctx: RpcContext, server: boolean, attempt: number): SpanOptions {
    const shape = this.shapeOf(ctx);
    if (attempt > 0) return { kind: this.kind, attributes: { ...this.attributes(ctx, undefined), [Attr.RETRY_ATTEMPT]: attempt } };
    const peer = server ? ctx.peer : undefined;
    const caller = (server && ctx.metainfo.hasForward ? ctx.metainfo.transient.get(SERVICE_NAME_KEY) : undefined) || undefined;
    const framing = ctx.transport?.framing;
    if (shape.options !== undefined && peer === shape.peer && framing === shape.framing && caller === shape.caller) return shape.options;
    shape.peer = peer;
    shape.framing = framing;
    shape.caller = caller;
    const attributes = this.attributes(ctx, peer);
    if (caller !== undefined) attributes[Attr.PEER_SERVICE] = caller;
    return (shape.options = { kind: this.kind, attributes });
  }

  private attributes(ctx: RpcContext, peer: string | undefined): Attributes {
    const attributes: Attributes = { [Attr.RPC_SYSTEM]: RPC_SYSTEM, [Attr.RPC_SERVICE]: ctx.service, [Attr.RPC_METHOD]: ctx.method };
    if (ctx.transport) attributes[Attr.REQUEST_PROTOCOL] = PROTOCOL_NAMES[ctx.transport.framing] ?? ctx.transport.framing;
    const split = peer === undefined ? undefined : splitPeer(peer);
    if (split !== undefined) {
      attributes[Attr.PEER_ADDRESS] = split.host;
      attributes[Attr.PEER_PORT] = split.port;
    }
    return attributes;
  }

  private shapeOf(ctx: RpcContext): MethodShape {
    // Calls come in runs of one method: the last one's shape without a lookup.
    const last = this.last;
    if (last !== undefined && ctx.method === last.method && ctx.service === last.service) return last;
    let byMethod = this.byService.get(ctx.service);
    if (byMethod === undefined) this.byService.set(ctx.service, (byMethod = new Map()));
    let shape = byMethod.get(ctx.method);
    if (shape === undefined) {
      // A server's unknown methods are named by the caller: one name, not remembered, keeps them bounded.
      shape = new MethodShape(ctx.service, ctx.method, ctx.service ? `${ctx.service}/${ctx.method}` : "unknown");
      if (!ctx.service) return shape;
      byMethod.set(ctx.method, shape);
    }
    return (this.last = shape);
  }
}

class MethodShape {
  options: SpanOptions | undefined = undefined;
  peer: string | undefined = undefined;
  framing: string | undefined = undefined;
  caller: string | undefined = undefined;

  constructor(readonly service: string, readonly method: string, readonly name: string) {}
}

function asException(error: unknown): Exception {
  if (error instanceof Error) return error;
  return { name: "Error", message: String(error) };
}

let lastPeer: string | undefined;
let lastSplit: { host: string; port: number } | undefined;

/** `host:port` (or `[v6]:port`) split, the last one remembered (most calls go to or come from the peer of the previous one). */
function splitPeer(peer: string): { host: string; port: number } | undefined {
  if (peer !== lastPeer) {
    const colon = peer.lastIndexOf(":");
    const port = Number(peer.slice(colon + 1));
    lastSplit = colon <= 0 || !Number.isInteger(port) ? undefined : { host: peer.slice(0, colon).replace(/^\[|\]$/g, ""), port };
    lastPeer = peer;
  }
  return lastSplit;
}
