/**
 * The Thrift IDL syntax tree: what the parser produces and the checker annotates. It is
 * plain data (no classes, no cycles) so external generators can receive it as JSON; the
 * only non-JSON values are `bigint` integer constants, which the plugin protocol writes
 * as decimal strings.
 */
import type { Span } from "../diagnostics.js";

/** `(key = "value", flag)` after a type, field, function or definition. */
export interface Annotation {
  key: string;
  /** The value, or "" for a bare key. */
  value: string;
  span: Span;
}

export type BaseTypeName = "bool" | "byte" | "i8" | "i16" | "i32" | "i64" | "double" | "string" | "binary" | "uuid";

export type TypeRef =
  | { kind: "base"; name: BaseTypeName; annotations: Annotation[]; span: Span }
  /**
   * A reference to a typedef, enum, struct, union or exception, possibly `include.Name`.
   * The checker sets `target` to the definition it names.
   */
  | { kind: "named"; name: string; target?: DefinitionRef; annotations: Annotation[]; span: Span }
  | { kind: "list"; element: TypeRef; annotations: Annotation[]; span: Span }
  | { kind: "set"; element: TypeRef; annotations: Annotation[]; span: Span }
  | { kind: "map"; key: TypeRef; value: TypeRef; annotations: Annotation[]; span: Span };

export type ConstValue =
  | { kind: "int"; value: bigint; span: Span }
  | { kind: "double"; value: number; span: Span }
  | { kind: "string"; value: string; span: Span }
  /**
   * An enum value (`Color.RED`, `inc.Color.RED`) or another constant. The checker sets
   * `target` (with `member` naming the enum value).
   */
  | { kind: "identifier"; name: string; target?: DefinitionRef & { member?: string }; span: Span }
  | { kind: "list"; items: ConstValue[]; span: Span }
  /** A map literal; also struct literals, whose keys are field names as strings. */
  | { kind: "map"; entries: { key: ConstValue; value: ConstValue }[]; span: Span };

/** Where a definition lives: the resolved path of its file and its name there. */
export interface DefinitionRef {
  file: string;
  name: string;
}

export type Requiredness = "required" | "optional" | "default";

export interface Field {
  id: number;
  /** False when the IDL gave no id and the parser assigned one (negative, as Apache does). */
  explicitId: boolean;
  requiredness: Requiredness;
  type: TypeRef;
  name: string;
  default?: ConstValue;
  annotations: Annotation[];
  doc?: string;
  span: Span;
  /** Span of the field's name, where diagnostics about it point. */
  nameSpan: Span;
}

interface DefinitionBase {
  name: string;
  annotations: Annotation[];
  doc?: string;
  span: Span;
  nameSpan: Span;
}

export interface Typedef extends DefinitionBase {
  kind: "typedef";
  type: TypeRef;
}

export interface Const extends DefinitionBase {
  kind: "const";
  type: TypeRef;
  value: ConstValue;
}

export interface EnumValue {
  name: string;
  value: number;
  /** False when the value was implied (previous + 1). */
  explicit: boolean;
  annotations: Annotation[];
  doc?: string;
  span: Span;
}

export interface Enum extends DefinitionBase {
  kind: "enum";
  values: EnumValue[];
}

export interface Struct extends DefinitionBase {
  kind: "struct" | "union" | "exception";
  fields: Field[];
}

export interface ThriftFunction {
  name: string;
  oneway: boolean;
  /** The result type; `{ kind: "base", name: ... }` etc., or null for `void`. */
  returnType: TypeRef | null;
  params: Field[];
  throws: Field[];
  annotations: Annotation[];
  doc?: string;
  span: Span;
  nameSpan: Span;
}

export interface Service extends DefinitionBase {
  kind: "service";
  /** Base service, possibly `include.Name`; the checker sets `extendsTarget`. */
  extends?: string;
  extendsTarget?: DefinitionRef;
  extendsSpan?: Span;
  functions: ThriftFunction[];
}

export type Definition = Typedef | Const | Enum | Struct | Service;

export interface Include {
  /** The path as written. */
  path: string;
  /** The file it resolved to (set by the loader). */
  resolved?: string;
  /** The prefix definitions of the included file take here: its base name without `.thrift`. */
  name: string;
  span: Span;
}

export interface Namespace {
  /** The scope: a language (`go`, `js`, `py`, ...) or `*`. */
  scope: string;
  name: string;
  annotations: Annotation[];
  span: Span;
}

/** One parsed `.thrift` file. */
export interface ThriftDocument {
  kind: "thrift";
  file: string;
  includes: Include[];
  cppIncludes: string[];
  namespaces: Namespace[];
  definitions: Definition[];
}
