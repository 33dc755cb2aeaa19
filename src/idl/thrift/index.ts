/**
 * The Thrift IDL front end: lexer, parser, loader and checker. Code generators take a
 * `ThriftProgram` from `loadThrift` (or parse single files with `parseThrift`).
 */
export type * from "./ast.js";
export type { LoadOptions, ReadFile, ThriftProgram } from "./program.js";
export { tokenize, trimDoc } from "./lexer.js";
export type { Token, TokenKind } from "./lexer.js";
export { parseThrift } from "./parser.js";
export { checkThrift } from "./checker.js";
export { loadThrift } from "./load.js";
export { DiagnosticBag, SourceText, formatDiagnostic, countErrors, MAX_DIAGNOSTICS_PER_FILE } from "../diagnostics.js";
export type { Diagnostic, Position, Severity, Span } from "../diagnostics.js";
