/**
 * The engine transcoder (JSON text ⇄ Thrift bytes without JS values) against the JS path
 * it stands in for: for every struct of every golden IDL, both protocols, random values
 * give the same bytes and the same JSON text either way (JSON keys shuffled too); random
 * corruptions of the text and of the bytes are refused by the engine whenever the JS path
 * refuses them, and give the JS path's result whenever the engine takes them.
 */
import { beforeAll, describe, expect, test } from "vitest";
import { readFileSync } from "node:fs";
import {
  encodeThrift, init, loadEngine, type Engine, type ThriftProtocol,
} from "kitewire";
import { jsonToThriftInEngine, thriftToJsonTextInEngine } from "../../src/generic/transcode/index.js";
import { seeds } from "../support/random.js";
import { jsBytes, jsJson, Random, randomStruct, structsOf } from "./support.js";

const FILES = ["base", "bench", "example", "modern", "names", "typedef_types", "typedefs"];
const PROTOCOLS: ThriftProtocol[] = ["binary", "compact"];
const hex = (b: Uint8Array | undefined) => (b === undefined ? "(none)" : Buffer.from(b).toString("hex"));

/** Both builds of the engine: the SIMD one and the plain one have different fast paths. */
const BUILDS = ["kitewire.wasm", "kitewire.simd.wasm"];
const builds: Record<string, Engine> = {};
beforeAll(async () => {
  await init();
  for (const name of BUILDS) builds[name] = await loadEngine(readFileSync(new URL(`../../build/${name}`, import.meta.url)));
});

function attempt<T>(f: () => T): { value?: T; error?: unknown } {
  try {
    return { value: f() };
  } catch (error) {
    return { error };
  }
}

/** JSON text with each object's keys in a random order (maps' too). */
function shuffled(rng: Random, json: string): string {
  const rewrite = (v: unknown): string => {
    if (Array.isArray(v)) return `[${v.map(rewrite).join(",")}]`;
    if (typeof v !== "object" || v === null) return JSON.stringify(v);
    const keys = Object.keys(v);
    for (let i = keys.length - 1; i > 0; i--) {
      const j = rng.int(0, i);
      [keys[i], keys[j]] = [keys[j]!, keys[i]!];
    }
    return `{${keys.map((k) => `${JSON.stringify(k)}:${rewrite((v as Record<string, unknown>)[k])}`).join(",")}}`;
  };
  // Integers beyond 2^53 are strings in this JSON (the JS path prints them so): JSON.parse loses nothing.
  return rewrite(JSON.parse(json));
}

describe.each(BUILDS.flatMap((b) => FILES.map((f) => [b, f])))("%s, %s.thrift", (build, file) => {
  test.each(PROTOCOLS)("random values: engine bytes and JSON text = the JS path's (%s)", (protocol) => {
    const engine = builds[build]!;
    let taken = 0;
    let total = 0;
    for (const s of structsOf(file)) {
      for (const seed of seeds(25)) {
        const rng = new Random(seed);
        const at = `${s.name} seed ${seed} ${protocol}`;
        const bytes = encodeThrift(s.codec, randomStruct(rng, s), protocol);
        const json = jsJson(s, bytes, protocol);
        const text = thriftToJsonTextInEngine(engine, s, bytes, protocol);
        if (text !== undefined) expect(text, at).toBe(json);
        const expected = jsBytes(s, json, protocol);
        const out = jsonToThriftInEngine(engine, s, json, protocol);
        if (out !== undefined) expect(hex(out), `${at}: ${json}`).toBe(hex(expected));
        const mixed = shuffled(rng, json);
        const outMixed = jsonToThriftInEngine(engine, s, mixed, protocol);
        if (outMixed !== undefined) expect(hex(outMixed), `${at}: ${mixed}`).toBe(hex(jsBytes(s, mixed, protocol)));
        total += 3;
        taken += Number(text !== undefined) + Number(out !== undefined) + Number(outMixed !== undefined);
      }
    }
    // names.thrift's Promise has a field named toString, which the engine leaves to the JS path.
    expect(taken / total, `${file}: share the engine took`).toBeGreaterThan(file === "names" ? 0.6 : 0.95);
  });
});

/** `text` with one to three random edits (JSON punctuation, digits, quotes and escapes favoured). */
function corruptText(rng: Random, text: string): string {
  const pieces = ['"', "\\", "{", "}", "[", "]", ":", ",", "0", "1", "-", ".", "e", "null", "true", " ", "\\u00e9", "\\ud800", "é", "\u0001", "9007199254740993"];
  let s = text;
  for (let n = rng.int(1, 3); n > 0; n--) {
    const at = rng.int(0, s.length);
    switch (rng.int(0, 3)) {
      case 0: s = s.slice(0, at) + s.slice(at + 1); break;
      case 1: s = s.slice(0, at) + rng.pick(pieces) + s.slice(at); break;
      case 2: s = s.slice(0, at) + rng.pick(pieces) + s.slice(at + 1); break;
      default: s = s.slice(0, at);
    }
  }
  return s;
}

/** `bytes` with one to three random edits (bytes flipped, inserted, removed, cut). */
function corruptBytes(rng: Random, bytes: Uint8Array): Uint8Array {
  let b = Array.from(bytes);
  for (let n = rng.int(1, 3); n > 0; n--) {
    const at = rng.int(0, b.length);
    switch (rng.int(0, 3)) {
      case 0: if (at < b.length) b[at] = rng.pick([0, 1, 2, 0x7f, 0x80, 0xff, rng.int(0, 255)]); break;
      case 1: b.splice(at, 0, rng.int(0, 255)); break;
      case 2: b.splice(at, 1); break;
      default: b = b.slice(0, at);
    }
  }
  return Uint8Array.from(b);
}

describe.each(BUILDS)("%s: corruptions: the engine refuses whatever the JS path refuses, and agrees with it otherwise", (build) => {
  test.each(PROTOCOLS)("JSON text and Thrift bytes of every golden struct (%s)", (protocol) => {
    const engine = builds[build]!;
    let refused = 0;
    let agreed = 0;
    for (const file of FILES) {
      for (const s of structsOf(file)) {
        for (const seed of seeds(12)) {
          const rng = new Random(seed ^ 0xbad);
          const bytes = encodeThrift(s.codec, randomStruct(rng, s), protocol);
          const json = jsJson(s, bytes, protocol);
          for (let k = 0; k < 4; k++) {
            const text = corruptText(rng, json);
            const ref = attempt(() => jsBytes(s, text, protocol, k % 2 === 1));
            const got = jsonToThriftInEngine(engine, s, text, protocol, { ignoreUnknownFields: k % 2 === 1 });
            const at = `${s.name} seed ${seed} ${protocol}: ${text}`;
            if (ref.error !== undefined) {
              expect(got, `${at} (JS path: ${String(ref.error)})`).toBeUndefined();
              refused++;
            } else if (got !== undefined) {
              expect(hex(got), at).toBe(hex(ref.value));
              agreed++;
            }
            const broken = corruptBytes(rng, bytes);
            const refJson = attempt(() => jsJson(s, broken, protocol));
            const gotJson = thriftToJsonTextInEngine(engine, s, broken, protocol);
            const where = `${s.name} seed ${seed} ${protocol}: ${hex(broken)}`;
            if (refJson.error !== undefined) {
              expect(gotJson, `${where} (JS path: ${String(refJson.error)})`).toBeUndefined();
              refused++;
            } else if (gotJson !== undefined) {
              expect(gotJson, where).toBe(refJson.value);
              agreed++;
            }
          }
        }
      }
    }
    expect(refused).toBeGreaterThan(1000);
    expect(agreed).toBeGreaterThan(400);
  });
});
