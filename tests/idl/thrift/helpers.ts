/** Shared helpers for the Thrift front-end tests: parse from a string, load from memory. */
import { DiagnosticBag, SourceText, formatDiagnostic } from "../../../src/idl/diagnostics.js";
import type { Diagnostic } from "../../../src/idl/diagnostics.js";
import type { Definition, Struct, ThriftDocument } from "../../../src/idl/thrift/ast.js";
import { loadThrift } from "../../../src/idl/thrift/load.js";
import { parseThrift } from "../../../src/idl/thrift/parser.js";
import type { ThriftProgram } from "../../../src/idl/thrift/program.js";

/** `file:line:col: severity: message` for each diagnostic, in order. */
export function heads(diagnostics: Diagnostic[]): string[] {
  return diagnostics.map((d) => formatDiagnostic(d, new Map()));
}

/** Parses `text` as `test.thrift`; returns the document and the diagnostics as heads. */
export function parse(text: string): { doc: ThriftDocument; diagnostics: string[] } {
  const bag = new DiagnosticBag();
  const doc = parseThrift(new SourceText("test.thrift", text), bag);
  return { doc, diagnostics: heads(bag.sorted()) };
}

/** Parses `text`, failing the test on any diagnostic. */
export function parseClean(text: string): ThriftDocument {
  const { doc, diagnostics } = parse(text);
  if (diagnostics.length > 0) throw new Error(`unexpected diagnostics:\n${diagnostics.join("\n")}`);
  return doc;
}

/** Loads `roots` from an in-memory file system. */
export function loadMemory(files: Record<string, string>, roots: string[], includeDirs?: string[]): ThriftProgram {
  return loadThrift(roots, { readFile: (p) => files[p], includeDirs });
}

/** The definition type for a `kind` (struct, union and exception share `Struct`). */
export type DefOf<K extends Definition["kind"]> = K extends Struct["kind"] ? Struct : Extract<Definition, { kind: K }>;

/** The definition named `name` of a document, with its kind checked. */
export function def<K extends Definition["kind"]>(doc: ThriftDocument, name: string, kind: K): DefOf<K> {
  const d = doc.definitions.find((x) => x.name === name);
  if (!d || d.kind !== kind) throw new Error(`no ${kind} '${name}'`);
  return d as DefOf<K>;
}
