/**
 * `kitewire gen` as a library function: load and check IDL files (Thrift, Protobuf, or a
 * Protobuf FileDescriptorSet), then run the built-in TypeScript backend. Runtime-agnostic:
 * files are read through the injected `readFile`.
 */
import { formatDiagnostic, type Diagnostic } from "../idl/diagnostics.js";
import type { ReadFile } from "../idl/files.js";
import { loadDescriptorSet } from "../idl/proto/descriptor-set.js";
import { loadProto } from "../idl/proto/load.js";
import type { ProtoProgram } from "../idl/proto/program.js";
import { loadThrift } from "../idl/thrift/load.js";
import type { ThriftProgram } from "../idl/thrift/program.js";
import type { GeneratedFile, GeneratorOptions } from "./backend.js";
import { toJavaScript, type Target } from "./js/index.js";
import { protoTypeScriptBackend } from "./proto/index.js";
import { thriftTypeScriptBackend } from "./thrift/index.js";

export interface GenerateOptions extends GeneratorOptions {
  /** Folders searched for includes and imports (`-I`). */
  includeDirs?: string[];
  readFile: ReadFile;
  /** Reads a binary file (a FileDescriptorSet); needed only for descriptor-set inputs. */
  readBinary?: (path: string) => Uint8Array | undefined;
  /** "ts" (default): TypeScript modules; "js": JavaScript modules with `.d.ts` declarations. */
  target?: Target;
}

/** The checked program of either front end. */
export type CheckedProgram = { language: "thrift"; program: ThriftProgram } | { language: "protobuf"; program: ProtoProgram };

export interface GenerateResult {
  /** The checked program (for plugins), present when the IDL had no errors. */
  checked?: CheckedProgram;
  /** Generated files; empty when the IDL had errors. */
  files: GeneratedFile[];
  diagnostics: Diagnostic[];
  /** Each diagnostic rendered with its source line and caret (on first use). */
  readonly messages: string[];
  /** False when any diagnostic is an error. */
  ok: boolean;
}

/** File kinds `generate` accepts, by extension. */
export function inputKind(file: string): "thrift" | "proto" | "descriptor-set" | undefined {
  if (file.endsWith(".thrift")) return "thrift";
  if (file.endsWith(".proto")) return "proto";
  if (/\.(binpb|pb|desc|protoset)$/.test(file)) return "descriptor-set";
  return undefined;
}

/** Loads, checks and generates TypeScript (or JavaScript, `target: "js"`) for `files`: all .thrift, or all .proto / descriptor sets. */
export function generate(files: string[], options: GenerateOptions): GenerateResult {
  const kinds = new Set(files.map(inputKind));
  if (kinds.has(undefined)) throw new Error(`unsupported input: ${files.find((f) => !inputKind(f))}`);
  if (kinds.has("thrift") && kinds.size > 1) throw new Error("Thrift and Protobuf inputs cannot be mixed in one run");
  let checked: CheckedProgram;
  if (kinds.has("thrift")) {
    checked = { language: "thrift", program: loadThrift(files, { includeDirs: options.includeDirs ?? [], readFile: options.readFile }) };
  } else if (kinds.has("descriptor-set")) {
    if (files.length !== 1) throw new Error("give one FileDescriptorSet, alone");
    const bytes = options.readBinary?.(files[0]!);
    if (bytes === undefined) throw new Error(`cannot read ${files[0]}`);
    checked = { language: "protobuf", program: loadDescriptorSet(bytes) };
  } else {
    checked = { language: "protobuf", program: loadProto(files, { includeDirs: options.includeDirs ?? [], readFile: options.readFile }) };
  }
  const { diagnostics, sources } = checked.program;
  const ok = !diagnostics.some((d) => d.severity === "error");
  // Rendered when asked for: a caller that only counts or inspects diagnostics (a test, a
  // fuzzer, a gateway loading IDL) does not pay for the text.
  let messages: string[] | undefined;
  const rendered = { get messages() { return (messages ??= diagnostics.map((d) => formatDiagnostic(d, sources))); } };
  if (!ok) return Object.assign(rendered, { files: [], diagnostics, ok });
  const generated = checked.language === "thrift"
    ? thriftTypeScriptBackend.generate(checked.program, options)
    : protoTypeScriptBackend.generate(checked.program, options);
  return Object.assign(rendered, { checked, files: options.target === "js" ? toJavaScript(generated) : generated, diagnostics, ok });
}
