/** A file with thousands of errors: a bounded list per file, the rest counted, text rendered on demand. */
import { expect, test } from "vitest";
import { generate } from "../../src/codegen/generate.js";
import { countErrors, DiagnosticBag, MAX_DIAGNOSTICS_PER_FILE } from "../../src/idl/diagnostics.js";

const broken = Array.from({ length: 1000 }, (_, i) => `struct S${i} { 1: Missing${i} a; 2: i32 }\n`).join("");

test.each([
  ["broken.thrift", broken],
  ["broken.proto", 'syntax = "proto3";\n' + Array.from({ length: 700 }, (_, i) => `message M${i} { Missing${i} a = 1; int32 b = 0; }\n`).join("")],
])("%s: the first 100 diagnostics are kept, one more says how many were left out", (file, text) => {
  const result = generate([file], { readFile: (p) => (p === file ? text : undefined) });
  expect(result.ok).toBe(false);
  const { diagnostics } = result;
  expect(diagnostics).toHaveLength(MAX_DIAGNOSTICS_PER_FILE + 1);
  const last = diagnostics[diagnostics.length - 1]!;
  expect(last.omitted).toBeDefined();
  expect(last.severity).toBe("error");
  expect(last.message).toBe(`${last.omitted!.diagnostics} more errors in this file not shown (the first ${MAX_DIAGNOSTICS_PER_FILE} are)`);
  // Every error is counted, kept or not: two per line of the file, syntax or type.
  expect(countErrors(diagnostics)).toBeGreaterThanOrEqual(text.split("\n").length - 2);
  expect(countErrors(diagnostics)).toBe(MAX_DIAGNOSTICS_PER_FILE + last.omitted!.errors);
  // The summary sits at the last kept position, so it renders like the others.
  expect(last.span.start).toEqual(diagnostics[diagnostics.length - 2]!.span.start);
  // Text is made on first use only, once.
  const descriptor = Object.getOwnPropertyDescriptor(result, "messages");
  expect(descriptor?.get).toBeTypeOf("function");
  expect(result.messages).toHaveLength(diagnostics.length);
  expect(result.messages).toBe(result.messages);
  expect(result.messages[result.messages.length - 1]).toMatch(new RegExp(`^${file}:\\d+:\\d+: error: \\d+ more errors in this file not shown`));
});

test("the cap is per file, warnings and errors left out are told apart, and nothing is left out under it", () => {
  const bag = new DiagnosticBag(3);
  const at = (file: string, line: number) => ({ start: { file, line, column: 1 }, end: { file, line, column: 2 } });
  for (let i = 1; i <= 5; i++) bag.warning(at("a.thrift", i), `w${i}`);
  bag.error(at("a.thrift", 9), "late error");
  bag.error(at("b.thrift", 1), "only one");
  expect(bag.errors).toBe(2);
  const sorted = bag.sorted();
  expect(sorted.map((d) => `${d.span.start.file}:${d.span.start.line} ${d.severity} ${d.message}`)).toEqual([
    "a.thrift:1 warning w1", "a.thrift:2 warning w2", "a.thrift:3 warning w3",
    "a.thrift:3 error 3 more diagnostics (1 error) in this file not shown (the first 3 are)",
    "b.thrift:1 error only one",
  ]);
  expect(countErrors(sorted)).toBe(2);
  const small = new DiagnosticBag(3);
  for (let i = 1; i <= 3; i++) small.warning(at("c.thrift", i), `w${i}`);
  expect(small.sorted().map((d) => d.message)).toEqual(["w1", "w2", "w3"]);
});
