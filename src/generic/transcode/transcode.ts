/**
 * JSON text ⇄ Thrift bytes in the engine (the JSON generic fast path): one engine call per
 * message, no JS value per field. Each function gives exactly what the JS path gives, or
 * `undefined` when the engine leaves the message to it (any error, and the few shapes it
 * does not do exactly: see assembly/transcode/). The JS path stays the reference: callers
 * run it on `undefined`, which is also how errors get their JSON path and message.
 */
import type { ThriftProtocol } from "../../codec/thrift/protocol.js";
import { encodeUtf8 } from "../../codec/utf8.js";
import type { Engine } from "../../wasm/engine.js";
import type { ThriftFieldDescriptor, ThriftStructDescriptor } from "../thrift/descriptor.js";
import { engineDescriptor } from "./descriptor.js";

/** Options of the JSON to Thrift direction (those of the JS path's reader). */
export interface TranscodeOptions {
  /** Skip JSON keys that name no field (default false: the JS path refuses them). */
  ignoreUnknownFields?: boolean;
  /** Deepest nesting of structs accepted (default 100). */
  maxDepth?: number;
}

/** The JS reader's default depth for decoding (src/codec/byte-reader.ts). */
const DECODE_DEPTH = 64;
/** Longest text `String(x)` gives for a double: the gap the engine leaves for one. */
const GAP = 25;
const FIX_COMPACT = 1;
const FIX_FROM_STRING = 2;
const decoder = new TextDecoder();
const bits = new Float64Array(1);
const halves = new Uint32Array(bits.buffer);

/** Copies `input` (JSON text, or its UTF-8) into engine memory; returns [address, length]. */
function load(engine: Engine, input: string | Uint8Array): [number, number] {
  if (typeof input === "string") {
    const at = engine.scratch(input.length * 3 + 8);
    return [at, encodeUtf8(input, engine.u8, at)];
  }
  const at = engine.scratch(input.length + 8);
  engine.u8.set(input, at);
  return [at, input.length];
}

/**
 * JSON text (a string, or UTF-8 bytes) as Thrift bytes of struct `desc`: the bytes
 * `jsonToBytes` writes, or undefined (take the JS path). With `firstFieldValue` the text
 * is the value of `desc`'s first field (a method's success value in its result struct),
 * and the bytes are the struct holding it alone.
 */
export function jsonToThriftInEngine(
  engine: Engine, desc: ThriftStructDescriptor, json: string | Uint8Array, protocol: ThriftProtocol,
  options: TranscodeOptions = {}, firstFieldValue = false,
): Uint8Array | undefined {
  const d = engineDescriptor(engine, desc);
  const [at, len] = load(engine, json);
  const x = engine.exports;
  const flags = (protocol === "compact" ? 1 : 0) | (options.ignoreUnknownFields ? 2 : 0) | (firstFieldValue ? 4 : 0);
  const n = x.transcodeJsonToThrift(d, at, len, flags, options.maxDepth ?? 100);
  engine.refresh();
  if (n < 0) return undefined;
  const out = x.transcodeOutput();
  const fixups = x.transcodeFixupCount();
  if (fixups > 0 && !finishDoubles(engine, at, out, x.transcodeFixups(), fixups)) return undefined;
  return engine.u8.slice(out, out + n);
}

/** Parses the doubles the engine left (their text in the input) into the output. */
function finishDoubles(engine: Engine, input: number, out: number, records: number, count: number): boolean {
  const { u8, dv } = engine;
  for (let i = 0; i < count; i++) {
    const r = records + i * 16;
    const text = input + dv.getUint32(r, true);
    const len = dv.getUint32(r + 4, true);
    const kind = dv.getUint32(r + 12, true);
    let s = "";
    for (let k = 0; k < len; k++) s += String.fromCharCode(u8[text + k]!);
    const v = Number(s);
    // The JS path takes a double from a string only when it is finite.
    if ((kind & FIX_FROM_STRING) !== 0 && !Number.isFinite(v)) return false;
    dv.setFloat64(out + dv.getUint32(r + 8, true), v, (kind & FIX_COMPACT) !== 0);
  }
  return true;
}

/**
 * Thrift bytes of struct `desc` as the UTF-8 of the JSON text `bytesToJson` prints, or
 * undefined (take the JS path). The result is a view of engine memory, valid until the
 * engine's next call: copy or decode it at once.
 */
export function thriftToJsonInEngine(
  engine: Engine, desc: ThriftStructDescriptor, bytes: Uint8Array, protocol: ThriftProtocol, onlyField = false,
): Uint8Array | undefined {
  const d = engineDescriptor(engine, desc);
  const [at, len] = load(engine, bytes);
  const x = engine.exports;
  let n = x.transcodeThriftToJson(d, at, len, (protocol === "compact" ? 1 : 0) | (onlyField ? 2 : 0), DECODE_DEPTH);
  engine.refresh();
  if (n < 0) return undefined;
  const out = x.transcodeOutput();
  const gaps = x.transcodeFixupCount();
  if (gaps > 0) {
    const { u8, dv } = engine;
    const records = x.transcodeFixups();
    for (let i = 0; i < gaps; i++) {
      const r = records + i * 16;
      dv.setUint32(r + 12, 0, true);
      halves[0] = dv.getUint32(r, true);
      halves[1] = dv.getUint32(r + 4, true);
      const s = String(bits[0]);
      const p = out + dv.getUint32(r + 8, true);
      for (let k = 0; k < s.length && k < GAP; k++) u8[p + k] = s.charCodeAt(k);
      dv.setUint32(r + 12, s.length, true);
    }
    n = x.transcodeCloseGaps();
  }
  return engine.u8.subarray(out, out + n);
}

/** The JSON text of `thriftToJsonInEngine`, or undefined. */
export function thriftToJsonTextInEngine(
  engine: Engine, desc: ThriftStructDescriptor, bytes: Uint8Array, protocol: ThriftProtocol,
): string | undefined {
  const utf8 = thriftToJsonInEngine(engine, desc, bytes, protocol);
  return utf8 === undefined ? undefined : decoder.decode(utf8);
}

/**
 * The JSON text of the one field set in a struct (a method's result: its success or
 * declared exception) and that field's descriptor (undefined when none is set), or
 * undefined when the engine leaves the struct to the JS path (more than one field too).
 */
export function onlyFieldToJsonInEngine(
  engine: Engine, desc: ThriftStructDescriptor, bytes: Uint8Array, protocol: ThriftProtocol,
): { field: ThriftFieldDescriptor | undefined; text: string } | undefined {
  const got = onlyFieldToJsonBytesInEngine(engine, desc, bytes, protocol);
  return got === undefined ? undefined : { field: got.field, text: decoder.decode(got.utf8) };
}

/** `onlyFieldToJsonInEngine` with the text's UTF-8 (a view of engine memory, valid until the engine's next call). */
export function onlyFieldToJsonBytesInEngine(
  engine: Engine, desc: ThriftStructDescriptor, bytes: Uint8Array, protocol: ThriftProtocol,
): { field: ThriftFieldDescriptor | undefined; utf8: Uint8Array } | undefined {
  const utf8 = thriftToJsonInEngine(engine, desc, bytes, protocol, true);
  if (utf8 === undefined) return undefined;
  return { field: desc.fields[engine.exports.transcodeRootField()], utf8 };
}
