/**
 * W3C Trace Context (`traceparent`, `tracestate`) and W3C Baggage (`baggage`), written and
 * read as kitex-contrib/obs-opentelemetry carries them: as transient metainfo under those
 * very keys, so on the TTHeader wire they are the string headers `RPC_TRANSIT_traceparent`,
 * `RPC_TRANSIT_tracestate` and `RPC_TRANSIT_baggage`. Built on `@opentelemetry/api` alone
 * (the propagators of `@opentelemetry/core` are the SDK's; the formats are small).
 */
import {
  createTraceState, INVALID_SPANID, INVALID_TRACEID, isSpanContextValid, propagation, trace, TraceFlags, baggageEntryMetadataFromString,
  type BaggageEntry, type Context, type SpanContext, type TextMapGetter, type TextMapPropagator, type TextMapSetter,
} from "@opentelemetry/api";

export const TRACEPARENT = "traceparent";
export const TRACESTATE = "tracestate";
export const BAGGAGE = "baggage";

/** Limits of W3C Baggage: what a peer sends beyond them is dropped, not kept. */
const MAX_BAGGAGE_BYTES = 8192;
const MAX_BAGGAGE_ENTRIES = 180;

/** W3C Trace Context and Baggage in one propagator (the `traceparent`, `tracestate` and `baggage` fields). */
export class W3CPropagator implements TextMapPropagator {
  inject(context: Context, carrier: unknown, setter: TextMapSetter): void {
    const sc = trace.getSpanContext(context);
    if (sc !== undefined && isSpanContextValid(sc)) {
      setter.set(carrier, TRACEPARENT, traceparentOf(sc));
      const state = sc.traceState?.serialize();
      if (state) setter.set(carrier, TRACESTATE, state);
    }
    const bag = propagation.getBaggage(context);
    if (bag !== undefined) {
      const parts: string[] = [];
      let bytes = 0;
      for (const [key, entry] of bag.getAllEntries()) {
        let part = `${encodeURIComponent(key)}=${encodeURIComponent(entry.value)}`;
        if (entry.metadata !== undefined) part += `;${entry.metadata.toString()}`;
        if (parts.length >= MAX_BAGGAGE_ENTRIES || bytes + part.length + 1 > MAX_BAGGAGE_BYTES) break;
        parts.push(part);
        bytes += part.length + 1;
      }
      if (parts.length > 0) setter.set(carrier, BAGGAGE, parts.join(","));
    }
  }

  extract(context: Context, carrier: unknown, getter: TextMapGetter): Context {
    let out = context;
    const parent = remoteSpanContext(first(getter.get(carrier, TRACEPARENT)));
    if (parent !== undefined) {
      const state = first(getter.get(carrier, TRACESTATE));
      if (state) parent.traceState = createTraceState(state);
      out = trace.setSpanContext(out, parent);
    }
    const raw = first(getter.get(carrier, BAGGAGE));
    if (raw) {
      const entries = parseBaggage(raw);
      if (entries !== undefined) out = propagation.setBaggage(out, propagation.createBaggage(entries));
    }
    return out;
  }

  fields(): string[] {
    return [TRACEPARENT, TRACESTATE, BAGGAGE];
  }
}

/** `traceparent` of a span context (version 00). */
function traceparentOf(sc: SpanContext): string {
  return `00-${sc.traceId}-${sc.spanId}-${sc.traceFlags === TraceFlags.SAMPLED ? "01" : (sc.traceFlags & 0xff).toString(16).padStart(2, "0")}`;
}

/**
 * What `W3CPropagator.inject` writes for a context holding only the span context `sc` (no
 * baggage), written straight into a metainfo Map: the tracer's path for its own spans, whose
 * ids the SDK made valid.
 */
export function injectSpanContext(sc: SpanContext, carrier: Map<string, string>): void {
  carrier.set(TRACEPARENT, traceparentOf(sc));
  const state = sc.traceState?.serialize();
  if (state) carrier.set(TRACESTATE, state);
}

function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The span context a `traceparent` names, or undefined when it is not a valid one:
 * `version-traceid-parentid-flags` in lowercase hex, a later version possibly followed by
 * more fields after a dash.
 */
export function parseTraceparent(value: string | undefined): { traceId: string; spanId: string; traceFlags: number } | undefined {
  const sc = remoteSpanContext(value);
  return sc === undefined ? undefined : { traceId: sc.traceId, spanId: sc.spanId, traceFlags: sc.traceFlags };
}

/**
 * The four fields of a `traceparent` (and a dash or the end after them). One anchored
 * regular expression: a server reads a `traceparent` per call, and this costs half of a
 * check by hand, character by character (~100 against ~200 ns here).
 */
const TRACEPARENT_FORM = /^[\da-f]{2}-[\da-f]{32}-[\da-f]{16}-[\da-f]{2}(?:$|-)/;

/** `parseTraceparent`'s result as the remote span context a server continues (one object per request). */
function remoteSpanContext(value: string | undefined): SpanContext | undefined {
  if (value === undefined || value.length < 55) return undefined;
  // Surrounding whitespace is allowed; characters 0x21-0x7e are none, so most values need no trim.
  const first = value.charCodeAt(0);
  const last = value.charCodeAt(value.length - 1);
  const v = first <= 0x20 || first >= 0x7f || last <= 0x20 || last >= 0x7f ? value.trim() : value;
  if (!TRACEPARENT_FORM.test(v)) return undefined;
  // Version ff is forbidden; version 00 has exactly four fields; a later one may add `-...` (no line breaks).
  const v0 = v.charCodeAt(0);
  const v1 = v.charCodeAt(1);
  if (v0 === F && v1 === F) return undefined;
  if (v.length > 55 && ((v0 === ZERO && v1 === ZERO) || /[\n\r\u2028\u2029]/.test(v.slice(56)))) return undefined;
  const traceId = v.slice(3, 35);
  const spanId = v.slice(36, 52);
  if (traceId === INVALID_TRACEID || spanId === INVALID_SPANID) return undefined;
  return { traceId, spanId, traceFlags: hexDigit(v.charCodeAt(54)) & TraceFlags.SAMPLED, isRemote: true };
}

const ZERO = 0x30;
const F = 0x66;

function hexDigit(c: number): number {
  return c <= 0x39 ? c - 0x30 : c - 0x61 + 10;
}

/** The entries of a `baggage` header (undefined when it has none), within W3C's limits. */
export function parseBaggage(value: string): Record<string, BaggageEntry> | undefined {
  if (value.length > MAX_BAGGAGE_BYTES) return undefined;
  const entries: Record<string, BaggageEntry> = {};
  let count = 0;
  for (const member of value.split(",")) {
    if (count >= MAX_BAGGAGE_ENTRIES) break;
    const [pair, ...props] = member.split(";");
    const eq = pair!.indexOf("=");
    if (eq <= 0) continue;
    let key: string;
    let val: string;
    try {
      key = decodeURIComponent(pair!.slice(0, eq).trim());
      val = decodeURIComponent(pair!.slice(eq + 1).trim());
    } catch {
      continue; // a malformed percent-escape: that member only is dropped
    }
    if (key === "") continue;
    entries[key] = props.length > 0 ? { value: val, metadata: baggageEntryMetadataFromString(props.join(";")) } : { value: val };
    count++;
  }
  return count > 0 ? entries : undefined;
}

/** Reads and writes a metainfo Map (string keys and values) for a propagator. */
export const mapCarrier: TextMapGetter<Map<string, string>> & TextMapSetter<Map<string, string>> = {
  get: (carrier, key) => carrier.get(key),
  set: (carrier, key, value) => {
    carrier.set(key, value);
  },
  keys: (carrier) => [...carrier.keys()],
};
