/** A checked set of `.proto` files: the Protobuf front end's output. */
import type { Diagnostic, SourceText } from "../diagnostics.js";
import type { ReadFile } from "../files.js";
import type { ProtoFile } from "./ast.js";

export type { ReadFile };

/** Options of `loadProto`. */
export interface ProtoLoadOptions {
  /** Folders searched for imports (`-I`), in order; the well-known types are built in. */
  includeDirs?: string[];
  readFile: ReadFile;
}

export interface ProtoProgram {
  /** Resolved paths of the files named on the command line, in order. */
  roots: string[];
  /** Every file reached through imports, by resolved path (roots included). */
  files: Map<string, ProtoFile>;
  /** Source texts by path, for rendering diagnostics (absent for files from a descriptor set). */
  sources: Map<string, SourceText>;
  /** Errors and warnings, sorted by file, line and column. */
  diagnostics: Diagnostic[];
}
