/**
 * A checked set of Thrift files: the front end's output and the code generators' input.
 */
import type { Diagnostic, SourceText } from "../diagnostics.js";
import type { ThriftDocument } from "./ast.js";

/** Reads an IDL file; returns undefined when it does not exist. Injected so the front end runs anywhere. */
export type ReadFile = (path: string) => string | undefined;

/** Options of `loadThrift`. */
export interface LoadOptions {
  /** Folders searched for includes after the including file's own folder (`-I`). */
  includeDirs?: string[];
  /** How files are read (the CLI passes one over node:fs). */
  readFile: ReadFile;
}

/** The result of loading and checking: every document reached, and what was found. */
export interface ThriftProgram {
  /** Resolved paths of the files named on the command line, in order. */
  roots: string[];
  /** Every document reached through includes, by resolved path (roots included). */
  documents: Map<string, ThriftDocument>;
  /** Source texts by path, for rendering diagnostics. */
  sources: Map<string, SourceText>;
  /** Errors and warnings, sorted by file, line and column. */
  diagnostics: Diagnostic[];
}
