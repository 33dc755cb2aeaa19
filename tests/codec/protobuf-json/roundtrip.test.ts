/**
 * Random messages of every test type (every field kind, the well-known types, Anys of
 * several types) through ProtoJSON and back, under each set of options: the message read
 * back is the message printed, printing it again gives the same JSON, and the JSON value
 * and its text agree. Reproduce a failure from the seed in its message (or KITEWIRE_SEED).
 */
import { beforeAll, describe, expect, test } from "vitest";
import {
  decodeProtobuf, encodeProtobuf, fromJson, fromJsonString, init, toJson, toJsonString,
  type JsonWriteOptions, type ProtobufMessageCodec,
} from "kitewire";
import * as s from "../../support/protobuf-json-schema.js";
import { expandAnys } from "../../support/protobuf-reflect.js";
import { randomMessage } from "../../support/protobuf-random.js";
import { Random, seeds } from "../../support/random.js";
import { registry } from "./helpers.js";

type Codec = ProtobufMessageCodec<unknown>;
const SEEDS = seeds(150);
const ANY_TYPES: Codec[] = [s.Nested, s.Enums, s.Legacy, s.Timestamp, s.Duration, s.FieldMask, s.Value, s.Struct,
  s.ListValue, s.Int64Value, s.FloatValue, s.BytesValue, s.Empty, s.Any, s.Maps];

/** Anys compared by the messages they hold: map entries inside may come back in another order. */
const expanded = (codec: Codec, v: unknown) => expandAnys(codec, v, (n) => registry.findMessage(n), (c, b) => decodeProtobuf(c, b));

beforeAll(async () => {
  await init();
});

const OPTIONS: [string, JsonWriteOptions][] = [
  ["defaults", {}],
  ["useProtoNames, enumAsInteger", { useProtoNames: true, enumAsInteger: true }],
  ["emitDefaults", { emitDefaults: true }],
];

describe.each(OPTIONS)("random messages round-trip, %s", (_, options) => {
  test.each(s.TEST_MESSAGES.map((c) => [c.typeName, c] as const))("%s", (_name, codec) => {
    const o = { ...options, typeRegistry: registry };
    for (const seed of SEEDS) {
      const what = `seed ${seed}, ${codec.typeName}`;
      const value = decodeProtobuf(codec, encodeProtobuf(codec, randomMessage(new Random(seed), codec, 0, { anyTypes: ANY_TYPES, nan: true })));
      const json = toJson(codec, value, o);
      const text = toJsonString(codec, value, o);
      expect(JSON.parse(text), `${what}: text and value agree`).toEqual(json);
      const indented = toJsonString(codec, value, { ...o, indent: 2 });
      expect(JSON.parse(indented), `${what}: indented text and value agree`).toEqual(json);
      // The layout is JSON.stringify's (which would print -0 as 0).
      if (!text.includes("-0")) expect(indented, `${what}: indented`).toBe(JSON.stringify(json, null, 2));
      const back = fromJson(codec, json, o);
      expect(expanded(codec, back), `${what}: read back`).toEqual(expanded(codec, value));
      expect(expanded(codec, fromJsonString(codec, text, { ...o, ignoreUnknownFields: true })), `${what}: read back from text`)
        .toEqual(expanded(codec, value));
      expect(toJson(codec, back, o), `${what}: printed again`).toEqual(json);
    }
  });
});
