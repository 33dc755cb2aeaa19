/** kitewire's OpenTelemetry adapter (runtime-agnostic: `@opentelemetry/api` only). */
export {
  openTelemetryTracer, makeOpenTelemetryTracerOptions, Attr, RPC_SYSTEM, SERVICE_NAME_KEY, type OpenTelemetryTracerOptions,
} from "./tracer.js";
export { W3CPropagator, parseTraceparent, parseBaggage, mapCarrier, TRACEPARENT, TRACESTATE, BAGGAGE } from "./propagation.js";
