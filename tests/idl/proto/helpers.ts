/** Shared helpers for the Protobuf front-end tests: parse from a string, load from memory or disk, generate. */
import { existsSync, readFileSync } from "node:fs";
import { generate } from "../../../src/codegen/generate.js";
import { DiagnosticBag, SourceText, formatDiagnostic } from "../../../src/idl/diagnostics.js";
import type { Diagnostic } from "../../../src/idl/diagnostics.js";
import type { ProtoEnum, ProtoField, ProtoFile, ProtoMessage } from "../../../src/idl/proto/ast.js";
import { loadProto } from "../../../src/idl/proto/load.js";
import { parseProto } from "../../../src/idl/proto/parser.js";
import type { ProtoProgram } from "../../../src/idl/proto/program.js";

/** `file:line:col: severity: message` for each diagnostic, in order. */
export function heads(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => formatDiagnostic(d, new Map()));
}

/** Parses `text` as `test.proto`; returns the file and the diagnostics as heads. */
export function parse(text: string): { file: ProtoFile; diagnostics: string[] } {
  const bag = new DiagnosticBag();
  const file = parseProto(new SourceText("test.proto", text), bag);
  return { file, diagnostics: heads(bag.sorted()) };
}

/** Parses `text`, failing the test on any diagnostic. */
export function parseClean(text: string): ProtoFile {
  const { file, diagnostics } = parse(text);
  if (diagnostics.length > 0) throw new Error(`unexpected diagnostics:\n${diagnostics.join("\n")}`);
  return file;
}

/** Loads `roots` from an in-memory file system. */
export function loadMemory(files: Record<string, string>, roots: string[], includeDirs?: string[]): ProtoProgram {
  return loadProto(roots, { readFile: (p) => files[p], includeDirs });
}

/** Loads one in-memory file `test.proto` and returns the diagnostics as heads. */
export function check(text: string, more: Record<string, string> = {}): { program: ProtoProgram; diagnostics: string[] } {
  const program = loadMemory({ "test.proto": text, ...more }, ["test.proto"]);
  return { program, diagnostics: heads(program.diagnostics) };
}

/** The message at a dotted path of simple names (`Outer.Inner`). */
export function message(file: ProtoFile, path: string): ProtoMessage {
  let list = file.messages;
  let found: ProtoMessage | undefined;
  for (const name of path.split(".")) {
    found = list.find((m) => m.name === name);
    if (!found) throw new Error(`no message '${path}'`);
    list = found.messages;
  }
  return found!;
}

/** A field of a message by name. */
export function field(m: ProtoMessage, name: string): ProtoField {
  const f = m.fields.find((x) => x.name === name);
  if (!f) throw new Error(`no field '${name}' in '${m.name}'`);
  return f;
}

/** A top-level or nested enum by dotted path. */
export function enumAt(file: ProtoFile, path: string): ProtoEnum {
  const parts = path.split(".");
  const name = parts.pop()!;
  const list = parts.length === 0 ? file.enums : message(file, parts.join(".")).enums;
  const e = list.find((x) => x.name === name);
  if (!e) throw new Error(`no enum '${path}'`);
  return e;
}

/**
 * The modules `kitewire gen` makes of `files` (read from disk) by path, less
 * google/protobuf/descriptor.ts (a descriptor set carries protoc's own, older copy);
 * fails the test on any diagnostic.
 */
export function generatedModules(files: string[], includeDirs: string[] = []): Map<string, string> {
  const result = generate(files, {
    version: "test",
    includeDirs,
    readFile: (p) => (existsSync(p) ? readFileSync(p, "utf8") : undefined),
    readBinary: (p) => (existsSync(p) ? readFileSync(p) : undefined),
  });
  if (result.messages.length > 0) throw new Error(`unexpected diagnostics:\n${result.messages.join("\n")}`);
  return new Map(result.files.filter((f) => f.path !== "google/protobuf/descriptor.ts").map((f) => [f.path, f.content]));
}
