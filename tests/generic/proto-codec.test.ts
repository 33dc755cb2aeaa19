/**
 * Map and JSON generic on Protobuf: every message of every golden .proto (the well-known
 * types they import included), loaded at run time, has the field table generated code
 * has; random messages encode to generated code's bytes, decode from them to values
 * generated code encodes alike, and print and read the same ProtoJSON text.
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  bytesToJson, createTypeRegistry, decodeProtobuf, encodeProtobuf, fromJsonString, init, jsonToBytes, loadIdl, toJsonString,
  type ProtoIdl, type ProtobufMessageCodec,
} from "kitewire";
import * as bench from "../golden/proto/gen/bench.js";
import * as example from "../golden/proto/gen/example.js";
import * as extensions from "../golden/proto/gen/extensions.js";
import * as legacy from "../golden/proto/gen/legacy.js";
import { randomMessage } from "../support/protobuf-random.js";
import { seeds } from "../support/random.js";
import { GOLDEN, Random, readFile } from "./support.js";

type Codec = ProtobufMessageCodec<unknown>;
const MODULES: Record<string, Record<string, unknown>> = { bench, example, extensions, legacy };
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

beforeAll(async () => {
  await init();
});

/** Every message codec a generated module reaches (its own and, through fields, imported ones). */
function generatedCodecs(module: Record<string, unknown>): Map<string, Codec> {
  const out = new Map<string, Codec>();
  const add = (c: Codec) => {
    if (out.has(c.typeName)) return;
    out.set(c.typeName, c);
    for (const f of c.fields) {
      const t = f.type.kind === "map" ? f.type.value : f.type;
      if (t.kind === "message") add(t.type());
    }
  };
  for (const v of Object.values(module)) {
    const c = v as Partial<Codec> | undefined;
    if (c && typeof c === "object" && typeof c.typeName === "string" && Array.isArray(c.fields)) add(c as Codec);
  }
  return out;
}

/** A field table as data (type getters followed by name), to compare generic and generated tables. */
function tableOf(c: Codec): unknown {
  return c.fields.map((f) => {
    const t = (x: typeof f.type): unknown => x.kind === "map" ? { ...x, value: t(x.value) }
      : x.kind === "scalar" ? x : { ...x, type: x.type().typeName };
    const d = f.defaultValue;
    return { ...f, type: t(f.type), defaultValue: d instanceof Uint8Array ? [...d] : d };
  });
}

describe.each(Object.keys(MODULES))("%s.proto", (file) => {
  const load = () => loadIdl([`${GOLDEN}proto/${file}.proto`], { readFile, includeDirs: [`${GOLDEN}proto`] }) as ProtoIdl;

  test("every message has generated code's field table; every enum its table", () => {
    const idl = load();
    const generated = generatedCodecs(MODULES[file]!);
    expect(generated.size).toBeGreaterThan(0);
    for (const [name, codec] of generated) {
      const generic = idl.messages.get(name);
      expect(generic, name).toBeDefined();
      expect(tableOf(generic!), name).toEqual(tableOf(codec));
      for (const f of codec.fields) {
        const t = f.type.kind === "map" ? f.type.value : f.type;
        if (t.kind === "enum") expect(idl.enums.get(t.type().typeName), `${name}.${f.protoName}`).toEqual(t.type());
      }
    }
  });

  test("random messages: same bytes both ways, same ProtoJSON both ways", () => {
    const idl = load();
    const generated = generatedCodecs(MODULES[file]!);
    const registry = createTypeRegistry(...generated.values());
    const anyTypes = [...generated.values()].filter((c) => !c.typeName.startsWith("google.protobuf.")).slice(0, 3);
    let checked = 0;
    for (const [name, codec] of generated) {
      const generic = idl.messages.get(name)!;
      for (const seed of seeds(20)) {
        const at = `${name} seed ${seed}`;
        const value = randomMessage(new Random(seed), codec, 0, { anyTypes });
        let expected: Uint8Array;
        try {
          expected = encodeProtobuf(codec, value);
        } catch {
          continue; // proto2 required fields the random message left unset: generated code refuses it too
        }
        expect(hex(encodeProtobuf(generic, value)), at).toBe(hex(expected));
        const viaGeneric = decodeProtobuf(generic, expected);
        const viaGenerated = decodeProtobuf(codec, expected);
        expect(viaGeneric, at).toEqual(viaGenerated);
        expect(hex(encodeProtobuf(codec, viaGeneric)), at).toBe(hex(encodeProtobuf(codec, viaGenerated)));
        const json = toJsonString(codec, viaGenerated, { typeRegistry: registry });
        expect(bytesToJson(idl, name, expected), at).toBe(json);
        // Generated code reading the same text (map entries come in the JSON object's key order).
        const generatedFromJson = encodeProtobuf(codec, fromJsonString(codec, json, { typeRegistry: registry }));
        expect(hex(jsonToBytes(idl, name, json)), `${at} via ${json}`).toBe(hex(generatedFromJson));
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(generated.size * 5);
  });
});
