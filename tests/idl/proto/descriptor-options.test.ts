/**
 * Custom options set field by field in descriptor sets. protoc writes
 * `[(opt).x = 1, (opt).y = "z"]` as two records of the extension field (`50001 { 1: 1 }
 * 50001 { 2: "z" }`); reading the set must merge them, as protobuf merges repeated
 * occurrences of a singular message field, and keep repeated options as lists.
 *
 * descriptor/option-paths.binpb was compiled from descriptor/option-paths.proto with
 * Debian's protoc 3.21 (the tests below run without protoc; tests/peers/protoc-options.test.ts
 * checks a set protoc makes at test time):
 *
 *   protoc --include_imports --descriptor_set_out=tests/idl/proto/descriptor/option-paths.binpb \
 *     -I tests/idl/proto/descriptor tests/idl/proto/descriptor/option-paths.proto
 *
 * descriptor/source-info.binpb, for positions read from `source_code_info`, likewise:
 *
 *   protoc --include_source_info --descriptor_set_out=tests/idl/proto/descriptor/source-info.binpb \
 *     -I tests/idl/proto/descriptor tests/idl/proto/descriptor/source-info.proto
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { beforeAll, describe, expect, test } from "vitest";
import type { ProtoOption } from "../../../src/idl/proto/ast.js";
import { loadDescriptorSet } from "../../../src/idl/proto/descriptor-set.js";
import { init } from "../../../src/runtime/node/index.js";
import { generatedModules, heads } from "./helpers.js";

const dir = fileURLToPath(new URL("./descriptor", import.meta.url));
const PROTO = `${dir}/option-paths.proto`;
const SET = `${dir}/option-paths.binpb`;

beforeAll(async () => {
  await init();
});

/** `name = value` of each option, custom names by their extension's full name. */
function shown(options: ProtoOption[]): string[] {
  return options.map((o) => {
    const name = o.extension ? o.name.replace(/^\([^)]*\)/, `(${o.extension})`) : o.name;
    const v = o.value;
    const value = v.kind === "aggregate" ? `{ ${v.text} }` : v.kind === "identifier" ? v.name : v.kind === "string" ? JSON.stringify(v.value) : String(v.value);
    return `${name} = ${value}`;
  });
}

describe("custom options set by sub-field, from a protoc descriptor set", () => {
  test("the set loads without diagnostics", () => {
    expect(heads(loadDescriptorSet(readFileSync(SET)).diagnostics)).toEqual([]);
  });

  test("it generates the same code as the .proto source", () => {
    const fromSet = generatedModules([SET]);
    expect([...fromSet.keys()]).toEqual(["option-paths.ts"]);
    expect(fromSet).toEqual(generatedModules([PROTO], [dir]));
  });

  test("each option's records merge into one value, at every level", () => {
    const file = loadDescriptorSet(readFileSync(SET)).files.get("option-paths.proto")!;
    const p = "kitewire.paths";
    expect(shown(file.options)).toEqual([`(${p}.file_opt) = { x: 1 inner { a: 2 b: "file" } }`]);
    const m = file.messages.find((x) => x.name === "M")!;
    expect(shown(m.options)).toEqual([`(${p}.message_opt) = { y: "message" x: 3 }`]);
    const field = (name: string) => shown(m.fields.find((f) => f.name === name)!.options);
    // Repeated sub-fields stay lists inside the merged message.
    expect(field("custom")).toEqual([`(${p}.field_opt) = { x: 1 z: 1 z: 2 y: "z" }`]);
    expect(field("nested")).toEqual(["deprecated = true", `(${p}.field_opt) = { inner { a: 5 b: "n" } }`]);
    // Repeated options are lists, never merged: one option per value, in order.
    expect(field("listed")).toEqual([
      "packed = true", `(${p}.field_list) = { x: 1 }`, `(${p}.field_list) = { y: "two" }`,
      `(${p}.field_numbers) = 7`, `(${p}.field_numbers) = 8`, `(${p}.field_numbers) = 7`,
    ]);
    expect(shown(m.oneofs[0]!.options)).toEqual([`(${p}.oneof_opt) = { x: 4 y: "oneof" }`]);
    expect(m.extensionRangeOptions?.map(shown)).toEqual([[`(${p}.range_opt) = { x: 6 y: "range" }`]]);
    const e = file.enums[0]!;
    expect(shown(e.options)).toEqual([`(${p}.enum_opt) = { x: 7 inner { a: 8 } }`]);
    expect(e.values.map((v) => shown(v.options))).toEqual([
      [`(${p}.value_opt) = { x: 9 y: "zero" }`], [`(${p}.value_opt) = { inner { b: "one" a: 10 } }`],
    ]);
    const s = file.services[0]!;
    expect(shown(s.options)).toEqual([`(${p}.service_opt) = { y: "service" x: 11 }`]);
    expect(shown(s.methods[0]!.options)).toEqual([`(${p}.method_opt) = { x: 12 inner { a: 13 } y: "method" }`]);
  });
});

describe("positions from source_code_info (protoc --include_source_info)", () => {
  const load = () => loadDescriptorSet(readFileSync(`${dir}/source-info.binpb`));
  const at = (span: { start: { line: number; column: number } }) => `${span.start.line}:${span.start.column}`;

  test("diagnostics point at the lines protoc recorded", () => {
    expect(heads(load().diagnostics)).toEqual([
      "source-info.proto:7:1: error: import 'google/protobuf/descriptor.proto' is not in the descriptor set (build it with --include_imports)",
      "source-info.proto:8:1: error: import 'google/protobuf/empty.proto' is not in the descriptor set (build it with --include_imports)",
      "source-info.proto:15:8: error: undefined message '.google.protobuf.FieldOptions'",
      "source-info.proto:20:3: error: undefined type '.google.protobuf.Empty'",
      "source-info.proto:25:24: error: undefined message type '.google.protobuf.Empty'",
    ]);
  });

  test("elements, names, types and options get their spans; a merged option is placed at its first assignment", () => {
    const file = load().files.get("source-info.proto")!;
    const m = file.messages.find((x) => x.name === "M")!;
    expect([at(m.span), at(m.nameSpan)]).toEqual(["19:1", "19:9"]);
    const plain = m.fields.find((f) => f.name === "plain")!;
    expect([at(plain.span), at(plain.nameSpan), at(plain.type.span)]).toEqual(["21:3", "21:9", "21:3"]);
    expect(plain.options.map((o) => [o.name, at(o.span)])).toEqual([["deprecated", "21:35"], ["(kitewire.info.opt)", "21:20"]]);
    expect(plain.options[1]!.value).toMatchObject({ kind: "aggregate", text: 'y: "a" x: 1' });
    const call = file.services[0]!.methods[0]!;
    expect([at(call.span), at(call.nameSpan), at(call.input.span), at(call.output.span)]).toEqual(["25:3", "25:7", "25:12", "25:24"]);
    expect(file.imports.map((i) => at(i.span))).toEqual(["7:1", "8:1"]);
  });

  test("without source info everything is at file:1:1", () => {
    const file = loadDescriptorSet(readFileSync(SET)).files.get("option-paths.proto")!;
    const m = file.messages.find((x) => x.name === "M")!;
    expect([m.span, m.fields[0]!.span, m.fields[0]!.options[0]!.span].map(at)).toEqual(["1:1", "1:1", "1:1"]);
  });
});
