/**
 * protoc 3.21 (/usr/bin/protoc) as the oracle for Protobuf extensions: the C++ text-format
 * parser and serializer over tests/golden/proto/extensions.proto, against the generated
 * extension constants (tests/golden/proto/gen/extensions.ts) and getExtension/setExtension
 * of the built package. protobufjs is the peer in the `npm test` suite
 * (tests/codegen/proto-extensions.test.ts).
 */
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { beforeAll, expect, test } from "vitest";
import { decodeProtobuf, encodeProtobuf, getExtension, init, setExtension, type ProtobufExtension } from "kitewire";
import * as ext from "../golden/proto/gen/extensions.js";
import * as legacy from "../golden/proto/gen/legacy.js";
import { ALL, HOST_TEXT, hostWithAll } from "../support/protobuf-extensions.js";

const PROTOC = "/usr/bin/protoc";
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex");

function protoc(args: string[], input: Uint8Array | string): Uint8Array {
  const r = spawnSync(PROTOC, [`-I${resolve("tests/golden/proto")}`, ...args, "extensions.proto"], { input });
  if (r.error) throw r.error;
  if (r.status !== 0) throw new Error(`protoc ${args.join(" ")} failed (${r.status}):\n${r.stderr.toString()}`);
  return new Uint8Array(r.stdout);
}
const encode = (type: string, text: string) => protoc([`--encode=${type}`], text);
/** protoc's parse and re-serialization of `bytes` (through the text format). */
const reencode = (type: string, bytes: Uint8Array) => encode(type, Buffer.from(protoc([`--decode=${type}`], bytes)).toString());

beforeAll(async () => {
  if (!existsSync(PROTOC)) throw new Error("protoc is missing: sudo apt-get update && sudo apt-get install -y protobuf-compiler");
  await init();
});

test("values set with setExtension encode to protoc's bytes for the same text", () => {
  expect(hex(encodeProtobuf(ext.Host, hostWithAll()))).toBe(hex(encode("extensions.Host", HOST_TEXT)));
});

test("protoc's bytes decode, and getExtension returns the values", () => {
  const h = decodeProtobuf(ext.Host, encode("extensions.Host", HOST_TEXT));
  expect(h.name).toBe("h");
  for (const [e, value] of ALL) expect(getExtension(h, e), e.typeName).toEqual(value);
});

test("protoc reads kitewire's bytes back to the same bytes", () => {
  const bytes = encodeProtobuf(ext.Host, hostWithAll());
  expect(hex(reencode("extensions.Host", bytes))).toBe(hex(bytes));
});

test("extensions of an imported message, from a nested and a top-level extend", () => {
  const r = legacy.Record$.create({ id: 1 });
  setExtension(r, ext.kind_ext, legacy.Kind.KIND_A);
  setExtension(r, ext.deltas, [-1, 1]);
  setExtension(r, ext.Scope_note, "n");
  const text = 'id: 1 [extensions.Scope.note]: "n" [extensions.deltas]: [-1, 1] [extensions.kind_ext]: KIND_A';
  const expected = encode("legacy.Record", text);
  expect(hex(encodeProtobuf(legacy.Record$, r))).toBe(hex(expected));
  const back = decodeProtobuf(legacy.Record$, expected);
  expect(getExtension(back, ext.Scope_note)).toBe("n");
  expect(getExtension(back, ext.deltas)).toEqual([-1, 1]);
  expect(getExtension(back, ext.kind_ext)).toBe(legacy.Kind.KIND_A);
});

test("merging: two encodings concatenated read as protoc merges them (last scalar wins, messages merge, lists collect)", () => {
  const first = hostWithAll();
  const second = ext.Host.create();
  setExtension(second, ext.count, 11);
  setExtension(second, ext.point, ext.Point.create({ y: 5 }));
  setExtension(second, ext.samples, [8]);
  setExtension(second, ext.points, [ext.Point.create({ y: 1 })]);
  setExtension(second, ext.label, "x");
  const both = new Uint8Array([...encodeProtobuf(ext.Host, first), ...encodeProtobuf(ext.Host, second)]);
  const h = decodeProtobuf(ext.Host, both);
  // Each value set again as read: one field per number, as protoc writes the merged message.
  for (const [e] of ALL) setExtension(h, e, getExtension(h, e as ProtobufExtension<ext.Host, unknown>));
  expect(getExtension(h, ext.point)).toEqual({ x: 1, y: 5 });
  expect(hex(encodeProtobuf(ext.Host, h))).toBe(hex(reencode("extensions.Host", both)));
});
