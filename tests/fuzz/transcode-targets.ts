/**
 * Fuzz target of the engine transcoder (src/generic/transcode/): JSON text to Thrift bytes
 * and Thrift bytes to JSON text, in the engine, against the JS path it stands in for, over
 * every struct of the golden Thrift IDLs (loaded at run time).
 *
 * Input: a selector byte, then the JSON text or the Thrift bytes. Selector: bits 0-1 the
 * mode (JSON to Binary, JSON to Compact, Binary to JSON, Compact to JSON), bits 2-6 the
 * struct, bit 7 ignore unknown JSON keys.
 *
 * Properties: whatever the JS path refuses, the engine refuses (it returns undefined, and
 * the caller takes the JS path for the error); whatever the engine takes, it gives the JS
 * path's bytes or text exactly; the engine never throws.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  decodeThrift, encodeThrift, loadIdl, parseGenericJson, thriftStructFromJson, thriftStructToJson,
  type ThriftIdl, type ThriftProtocol, type ThriftStructDescriptor,
} from "kitewire";
import { engineDescriptor, jsonToThriftInEngine, thriftToJsonTextInEngine } from "../../src/generic/transcode/index.js";
import { randomStruct } from "../generic/support.js";
import { Random } from "../support/random.js";
import { hex, holds, sameBytes } from "./check.js";
import { fuzzEngine } from "./engine.js";

const GOLDEN = join(process.cwd(), "tests", "golden", "thrift");
const FILES = ["base", "bench", "example", "modern", "names", "typedef_types", "typedefs"];

/** Every struct of the golden IDLs, method args and results included. */
const STRUCTS: ThriftStructDescriptor[] = (() => {
  const out: ThriftStructDescriptor[] = [];
  for (const file of FILES) {
    const idl = loadIdl([join(GOLDEN, `${file}.thrift`)], {
      readFile: (p) => { try { return readFileSync(p, "utf8"); } catch { return undefined; } },
    }) as ThriftIdl;
    out.push(...idl.structs.values());
    for (const s of idl.services.values()) for (const m of s.methods.values()) out.push(m.argsStruct, m.resultStruct);
  }
  return out.slice(0, 32);
})();

// The descriptors (cached per engine) and the transcoder's own buffers are made before the
// first input, so the live-block check sees them as the baseline, not as a leak.
for (const s of STRUCTS) engineDescriptor(fuzzEngine(), s);
jsonToThriftInEngine(fuzzEngine(), STRUCTS[0]!, "{}", "binary");
thriftToJsonTextInEngine(fuzzEngine(), STRUCTS[0]!, Uint8Array.of(0), "binary");

const MODES: { json: boolean; protocol: ThriftProtocol }[] = [
  { json: true, protocol: "binary" }, { json: true, protocol: "compact" },
  { json: false, protocol: "binary" }, { json: false, protocol: "compact" },
];
const utf8 = new TextDecoder();

/** The JS path's answer, or the error it threw (any error: the engine must refuse then too). */
function reference<T>(fn: () => T): { value?: T; failed: boolean } {
  try {
    return { value: fn(), failed: false };
  } catch {
    return { failed: true };
  }
}

export function transcode(data: Uint8Array): void {
  if (data.length === 0) return;
  const sel = data[0]!;
  const mode = MODES[sel & 3]!;
  const s = STRUCTS[(sel >> 2) % STRUCTS.length]!;
  const ignoreUnknownFields = sel >= 0x80;
  const rest = data.subarray(1);
  const engine = fuzzEngine();
  const what = `${s.name} (${mode.json ? "JSON to " : ""}${mode.protocol}${mode.json ? "" : " to JSON"})`;
  if (mode.json) {
    const ref = reference(() => encodeThrift(s.codec, thriftStructFromJson(s, parseGenericJson(utf8.decode(rest)), { ignoreUnknownFields }), mode.protocol));
    const got = jsonToThriftInEngine(engine, s, rest, mode.protocol, { ignoreUnknownFields });
    if (ref.failed) holds(got === undefined, `${what}: the engine took JSON the JS path refuses: ${hex(rest)}`);
    else if (got !== undefined) sameBytes(got, ref.value!, `${what}: engine vs JS path`);
  } else {
    const ref = reference(() => JSON.stringify(thriftStructToJson(s, decodeThrift(s.codec, rest, mode.protocol))));
    const got = thriftToJsonTextInEngine(engine, s, rest, mode.protocol);
    if (ref.failed) holds(got === undefined, `${what}: the engine took bytes the JS path refuses: ${hex(rest)}`);
    else if (got !== undefined) holds(got === ref.value, `${what}: engine JSON ${got} vs JS path ${ref.value}`);
  }
}

/** Seeds: random values of each struct, as JSON text and as bytes, in each mode. */
export function transcodeSeeds(): Uint8Array[] {
  fuzzEngine();
  const out: Uint8Array[] = [];
  STRUCTS.forEach((s, i) => {
    for (let seed = 1; seed <= 2; seed++) {
      const value = randomStruct(new Random(seed * 7919 + i), s);
      MODES.forEach((mode, m) => {
        const bytes = encodeThrift(s.codec, value, mode.protocol);
        const body = mode.json ? new TextEncoder().encode(JSON.stringify(thriftStructToJson(s, decodeThrift(s.codec, bytes, mode.protocol)))) : bytes;
        out.push(Uint8Array.of((i << 2) | m | (seed === 2 ? 0x80 : 0), ...body));
      });
    }
  });
  return out;
}

/** Tokens of the JSON mapping and of both protocols. */
export const TRANSCODE_TOKENS: readonly (string | Uint8Array)[] = [
  "{", "}", "[", "]", ":", ",", "\"", "null", "true", "false", "-0", "1e999", "\"NaN\"", "\"Infinity\"", "\"-0\"",
  "\"\\u0000\"", "\"\\ud800\"", "\"\\ud83d\\ude00\"", "9007199254740993", "\"-9223372036854775808\"", "\"AA==\"", "\"-_\"",
  "0.30000000000000004", "\"4294967294\"", "\"__proto__\"", "\"id\"", "\"name\"", "\"success\"",
  Uint8Array.of(0x0b, 0x00, 0x01), Uint8Array.of(0x0d, 0x08, 0x0b), Uint8Array.of(0x0f, 0x04), Uint8Array.of(0x18),
  Uint8Array.of(0x1b, 0x58), Uint8Array.of(0x19, 0x17), Uint8Array.of(0x7f, 0xff, 0xff, 0xff), Uint8Array.of(0x00),
];
