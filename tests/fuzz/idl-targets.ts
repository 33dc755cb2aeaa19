/**
 * Fuzz targets of the IDL front ends: Thrift and Protobuf sources (lexer, parser, loader,
 * checker) and binary FileDescriptorSets, through `generate`, as the CLI runs them.
 *
 * Property: nothing is thrown; malformed input gives diagnostics (with a position inside
 * the file), and input without errors gives generated files.
 */
import { generate, type GenerateResult } from "kitewire";
import { holds } from "./check.js";

/** The files an input may include or import besides itself (found next to it). */
const INCLUDABLE: Record<string, string> = {
  "base.thrift": "namespace go base\nstruct Base { 1: string LogID = \"\", 255: optional map<string, string> Extra }\n",
  "dep.proto": "syntax = \"proto3\";\npackage dep;\nmessage Dep { int64 id = 1; repeated string tags = 2; }\nenum Kind { KIND_UNSPECIFIED = 0; KIND_A = 1; }\n",
};

function check(result: GenerateResult, file: string, text: string | undefined): void {
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0) {
    const roots = result.checked?.program.roots.length ?? 0;
    holds(result.files.length > 0 || roots === 0, `${file}: no errors and no generated files`);
    return;
  }
  if (text === undefined) return;
  let lines = 1;
  for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) lines++;
  for (const d of errors) {
    const { line, column } = d.span.start;
    if (d.span.start.file !== file) continue;
    holds(Number.isInteger(line) && line >= 1 && line <= lines && Number.isInteger(column) && column >= 1,
      `${file}: diagnostic at ${line}:${column} outside the file's ${lines} lines: ${d.message}`);
  }
}

const utf8 = new TextDecoder();

function idlSource(file: string): (data: Uint8Array) => void {
  return (data) => {
    const text = utf8.decode(data);
    // Object.hasOwn: an include of "constructor" must find no file, not Object.prototype's.
    const result = generate([file], { version: "fuzz", readFile: (p) => (p === file ? text : Object.hasOwn(INCLUDABLE, p) ? INCLUDABLE[p] : undefined) });
    check(result, file, text);
  };
}

/** A Thrift IDL file (it may include base.thrift). */
export const thriftIdl = idlSource("fuzz.thrift");
/** A .proto file (it may import dep.proto and the well-known types). */
export const protoIdl = idlSource("fuzz.proto");

/** A binary FileDescriptorSet, as from `protoc --descriptor_set_out`. */
export function descriptorSet(data: Uint8Array): void {
  const result = generate(["fuzz.binpb"], { version: "fuzz", readFile: () => undefined, readBinary: () => data });
  check(result, "fuzz.binpb", undefined);
}
