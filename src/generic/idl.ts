/**
 * IDLs loaded at run time: `.thrift` or `.proto` files through the same front ends the
 * code generators use (or a compiled FileDescriptorSet), described for generic calls.
 * Files are read through an injected `readFile`, so this runs in every runtime.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { formatDiagnostic, type Diagnostic, type SourceText } from "../idl/diagnostics.js";
import type { ReadFile } from "../idl/files.js";
import { loadDescriptorSet, type DescriptorSetOptions } from "../idl/proto/descriptor-set.js";
import { loadProto } from "../idl/proto/load.js";
import { loadThrift } from "../idl/thrift/load.js";
import { describeProto, type ProtoIdl } from "./proto/describe.js";
import type { ThriftIdl } from "./thrift/descriptor.js";
import { describeThrift } from "./thrift/describe.js";

export type { ProtoIdl } from "./proto/describe.js";
export type * from "./thrift/descriptor.js";

/** A Thrift or Protobuf IDL loaded at run time. */
export type Idl = ThriftIdl | ProtoIdl;

/** Options of `loadIdl`. */
export interface LoadIdlOptions {
  /** Reads a file; returns undefined when it does not exist. */
  readFile: ReadFile;
  /** Folders searched for includes/imports (`-I`), in order. */
  includeDirs?: string[];
}

/**
 * Loads `files` (all `.thrift` or all `.proto`) and what they include. Throws INVALID_VALUE
 * listing every error as `file:line:col: error: message` when the IDL does not check.
 */
export function loadIdl(files: string[], options: LoadIdlOptions): Idl {
  const thrift = files.filter((f) => f.endsWith(".thrift")).length;
  if (files.length === 0 || (thrift !== 0 && thrift !== files.length) || (thrift === 0 && !files.every((f) => f.endsWith(".proto")))) {
    throw new KitewireError(ErrorCode.INVALID_VALUE, `loadIdl: give .thrift files or .proto files (got ${files.join(", ") || "none"})`);
  }
  if (thrift > 0) {
    const program = loadThrift(files, options);
    failOnErrors(program.diagnostics, program.sources);
    return describeThrift(program);
  }
  const program = loadProto(files, options);
  failOnErrors(program.diagnostics, program.sources);
  return describeProto(program);
}

/** Describes a serialized FileDescriptorSet (`protoc --descriptor_set_out --include_imports`). */
export function loadIdlDescriptorSet(bytes: Uint8Array, options?: DescriptorSetOptions): ProtoIdl {
  const program = loadDescriptorSet(bytes, options);
  failOnErrors(program.diagnostics, program.sources);
  return describeProto(program);
}

function failOnErrors(diagnostics: readonly Diagnostic[], sources: ReadonlyMap<string, SourceText>): void {
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length === 0) return;
  throw new KitewireError(ErrorCode.INVALID_VALUE, `the IDL has errors:\n${errors.map((d) => formatDiagnostic(d, sources)).join("\n")}`, {
    details: { diagnostics: errors },
  });
}
