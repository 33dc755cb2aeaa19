/**
 * The Protobuf IDL front end: lexer, parser, loader, checker and FileDescriptorSet
 * reader. Code generators take a `ProtoProgram` from `loadProto` (sources) or
 * `loadDescriptorSet` (a compiled set); both give the same checked tree.
 */
export type * from "./ast.js";
export type { ProtoLoadOptions, ProtoProgram, ReadFile } from "./program.js";
export { tokenize, cleanComment } from "./lexer.js";
export type { Token, TokenKind } from "./lexer.js";
export { parseProto } from "./parser.js";
export { checkProto } from "./checker.js";
export type { CheckOptions } from "./checker.js";
export { loadProto } from "./load.js";
export { loadDescriptorSet } from "./descriptor-set.js";
export type { DescriptorSetOptions } from "./descriptor-set.js";
export {
  WELL_KNOWN_TYPES, ANY_PROTO, DESCRIPTOR_PROTO, DURATION_PROTO, EMPTY_PROTO, FIELD_MASK_PROTO, STRUCT_PROTO, TIMESTAMP_PROTO, WRAPPERS_PROTO,
} from "./wkt.js";
export { toJsonName, mapEntryName } from "./names.js";
export { DiagnosticBag, SourceText, formatDiagnostic, countErrors, MAX_DIAGNOSTICS_PER_FILE } from "../diagnostics.js";
export type { Diagnostic, Position, Severity, Span } from "../diagnostics.js";
