/**
 * `kitewire gen` as a library function: load and check IDL files, then run the built-in
 * backend. Runtime-agnostic: files are read through the injected `readFile`.
 */
import { formatDiagnostic, type Diagnostic } from "../idl/diagnostics.js";
import { loadThrift } from "../idl/thrift/load.js";
import type { ReadFile, ThriftProgram } from "../idl/thrift/program.js";
import type { GeneratedFile, GeneratorOptions } from "./backend.js";
import { thriftTypeScriptBackend } from "./thrift/index.js";

export interface GenerateOptions extends GeneratorOptions {
  /** Folders searched for includes and imports (`-I`). */
  includeDirs?: string[];
  readFile: ReadFile;
}

export interface GenerateResult {
  /** The checked program (for plugins), present when the IDL had no errors. */
  program?: ThriftProgram;
  /** Generated files; empty when the IDL had errors. */
  files: GeneratedFile[];
  diagnostics: Diagnostic[];
  /** Each diagnostic rendered with its source line and caret. */
  messages: string[];
  /** False when any diagnostic is an error. */
  ok: boolean;
}

/** Loads, checks and generates TypeScript for `files` (`.thrift`). */
export function generate(files: string[], options: GenerateOptions): GenerateResult {
  const program = loadThrift(files, { includeDirs: options.includeDirs ?? [], readFile: options.readFile });
  const messages = program.diagnostics.map((d) => formatDiagnostic(d, program.sources));
  const ok = !program.diagnostics.some((d) => d.severity === "error");
  if (!ok) return { files: [], diagnostics: program.diagnostics, messages, ok };
  return {
    program,
    files: thriftTypeScriptBackend.generate(program, options),
    diagnostics: program.diagnostics,
    messages,
    ok,
  };
}
