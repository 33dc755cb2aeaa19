/** What the generic tests share: the golden IDLs read from disk, and random values made from descriptors. */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  decodeThrift, encodeThrift, loadIdl, parseGenericJson, thriftStructFromJson, thriftStructToJson,
  type ThriftIdl, type ThriftProtocol, type ThriftStructCodec, type ThriftStructDescriptor, type ThriftTypeDescriptor,
} from "kitewire";
import { Random } from "../support/random.js";

export const GOLDEN = fileURLToPath(new URL("../golden/", import.meta.url));

/** Reads a file, undefined when absent (what loadIdl takes). */
export function readFile(path: string): string | undefined {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** The codecs a generated module exports, by their IDL type name. */
export function codecsOf(module: Record<string, unknown>): Map<string, ThriftStructCodec<unknown>> {
  const out = new Map<string, ThriftStructCodec<unknown>>();
  for (const v of Object.values(module)) {
    const c = v as Partial<ThriftStructCodec<unknown>> | undefined;
    if (c && (typeof c === "object" || typeof c === "function") && typeof c.typeName === "string" && typeof c.write === "function") {
      out.set(c.typeName, c as ThriftStructCodec<unknown>);
    }
  }
  return out;
}

/** A random map-generic value of `t` (structs below `depth` 3 get their optional fields unset). */
export function randomThrift(rng: Random, t: ThriftTypeDescriptor, depth = 0): unknown {
  const n = () => (depth > 2 ? 0 : rng.int(0, 3));
  switch (t.kind) {
    case "bool": return rng.bool();
    case "byte": return rng.signed(8);
    case "i16": return rng.signed(16);
    case "i32": return rng.signed(32);
    case "i64": return rng.int64();
    case "double": return rng.double();
    case "string": return rng.string(12);
    case "binary": return rng.bytes(12);
    case "uuid": {
      const h = Array.from({ length: 16 }, () => rng.int(0, 255).toString(16).padStart(2, "0")).join("");
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
    }
    case "enum": return rng.pick([...t.enum.values.values()]);
    case "list": return Array.from({ length: n() }, () => randomThrift(rng, t.element, depth + 1));
    case "set": return new Set(Array.from({ length: n() }, () => randomThrift(rng, t.element, depth + 1)));
    case "map": {
      const m = new Map<unknown, unknown>();
      for (let i = n(); i > 0; i--) m.set(randomThrift(rng, t.key, depth + 1), randomThrift(rng, t.value, depth + 1));
      return m;
    }
    case "struct": return randomStruct(rng, t.struct, depth + 1);
  }
}

export function randomStruct(rng: Random, s: ThriftStructDescriptor, depth = 0): Record<string, unknown> {
  if (s.kind === "union") {
    const f = rng.pick(s.fields);
    return depth > 3 && f.type.kind === "struct" ? { case: undefined } : { case: f.name, value: randomThrift(rng, f.type, depth) };
  }
  const v: Record<string, unknown> = {};
  for (const f of s.fields) {
    const skip = f.requiredness !== "required" && (f.type.kind === "struct" || f.requiredness === "optional") && (depth > 3 || rng.bool());
    if (!skip) v[f.name] = randomThrift(rng, f.type, depth);
  }
  return v;
}

export { Random };

/** Every struct of a golden file, method args and results included. */
export function structsOf(file: string): ThriftStructDescriptor[] {
  const idl = loadIdl([`${GOLDEN}thrift/${file}.thrift`], { readFile }) as ThriftIdl;
  const out = [...idl.structs.values()];
  for (const s of idl.services.values()) for (const m of s.methods.values()) out.push(m.argsStruct, m.resultStruct);
  return out;
}

/** The JS path, bytes to JSON text (what bytesToJson does without the engine). */
export function jsJson(s: ThriftStructDescriptor, bytes: Uint8Array, protocol: ThriftProtocol): string {
  return JSON.stringify(thriftStructToJson(s, decodeThrift(s.codec, bytes, protocol)));
}

/** The JS path, JSON text to bytes (what jsonToBytes does without the engine). */
export function jsBytes(s: ThriftStructDescriptor, json: string, protocol: ThriftProtocol, ignoreUnknownFields = false): Uint8Array {
  return encodeThrift(s.codec, thriftStructFromJson(s, parseGenericJson(json), { ignoreUnknownFields }), protocol);
}

