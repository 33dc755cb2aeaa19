/**
 * The Protobuf syntax tree: what the `.proto` parser (or the FileDescriptorSet reader)
 * produces and the checker annotates. Plain data, JSON-friendly except `bigint`
 * constants, like the Thrift tree. Names: `name` is the simple name, `fullName` the
 * package-qualified name without a leading dot (`pkg.Outer.Inner`).
 */
import type { Span } from "../diagnostics.js";

export type ScalarType =
  | "double" | "float" | "int32" | "int64" | "uint32" | "uint64" | "sint32" | "sint64"
  | "fixed32" | "fixed64" | "sfixed32" | "sfixed64" | "bool" | "string" | "bytes";

/** Where a message or enum is defined: the resolved path of its file and its full name. */
export interface ProtoRef {
  file: string;
  fullName: string;
  kind: "message" | "enum";
}

export type ProtoType =
  | { kind: "scalar"; name: ScalarType; span: Span }
  /** A message or enum as written (`Foo`, `pkg.Foo`, `.pkg.Foo`); the checker sets `target`. */
  | { kind: "named"; name: string; target?: ProtoRef; span: Span }
  | { kind: "map"; key: ScalarType; value: ProtoType; span: Span };

/** An option value: a constant, an identifier (enum value, `inf`, `nan`) or an aggregate `{ ... }`. */
export type OptionValue =
  | { kind: "int"; value: bigint; span: Span }
  | { kind: "float"; value: number; span: Span }
  /**
   * A string literal (adjacent literals joined). Protobuf strings are bytes: when the
   * escapes make bytes that are not valid UTF-8, `bytes` holds them (and `value` has
   * U+FFFD in their place); otherwise the bytes are `value` encoded as UTF-8.
   */
  | { kind: "string"; value: string; bytes?: Uint8Array; span: Span }
  | { kind: "bool"; value: boolean; span: Span }
  | { kind: "identifier"; name: string; span: Span }
  /** Text-format message literal, kept as its source text. */
  | { kind: "aggregate"; text: string; span: Span };

export interface ProtoOption {
  /** As written: `java_package`, `(my.ext)`, `(my.ext).sub.field`. */
  name: string;
  /** For a custom option `(my.ext)...`: the full name of the extension it resolved to (set by the checker). */
  extension?: string;
  value: OptionValue;
  span: Span;
}

export type Label = "optional" | "required" | "repeated" | "none";

export interface ProtoField {
  name: string;
  number: number;
  /**
   * `none` is a proto3 (or editions) singular field without a label. Oneof members are
   * `none` and map fields `repeated` (as in descriptors) in every syntax; editions fields
   * with `features.field_presence = LEGACY_REQUIRED` are `required` (set by the checker).
   */
  label: Label;
  type: ProtoType;
  /** Name of the oneof the field belongs to (a proto3 `optional` field's synthetic oneof is not one). */
  oneof?: string;
  /** proto2 `[default = ...]`. */
  defaultValue?: OptionValue;
  /** JSON name: `[json_name = ...]` or lowerCamelCase of the name (set by the parser). */
  jsonName: string;
  /** Whether a repeated scalar is packed on the wire (set by the checker from syntax and options). */
  packed?: boolean;
  /** Whether the field has explicit presence (proto2 optional/required, proto3 optional, messages, oneof members). */
  presence?: boolean;
  /**
   * A proto2 group: the field's type names the group's message. Also set (by the
   * checker) on editions message fields with `features.message_encoding = DELIMITED`,
   * which use the group wire format.
   */
  group?: boolean;
  options: ProtoOption[];
  doc?: string;
  span: Span;
  nameSpan: Span;
}

export interface ProtoOneof {
  name: string;
  /** Names of its fields, in declaration order. */
  fields: string[];
  options: ProtoOption[];
  doc?: string;
  span: Span;
}

export interface Reserved {
  /** Inclusive ranges; `max` is stored as the largest field number (or enum value). */
  ranges: [number, number][];
  names: string[];
}

export interface ProtoMessage {
  kind: "message";
  name: string;
  fullName: string;
  fields: ProtoField[];
  oneofs: ProtoOneof[];
  messages: ProtoMessage[];
  enums: ProtoEnum[];
  extends: ProtoExtend[];
  reserved: Reserved;
  extensionRanges: [number, number][];
  /**
   * Options of the extension ranges (`extensions 100 to 199 [(opt) = ...]`), parallel
   * to `extensionRanges`; absent when no range has any.
   */
  extensionRangeOptions?: ProtoOption[][];
  options: ProtoOption[];
  /** A synthesized map entry message (`FooEntry` with key = 1, value = 2). */
  mapEntry?: boolean;
  doc?: string;
  span: Span;
  nameSpan: Span;
}

export interface ProtoEnumValue {
  name: string;
  number: number;
  options: ProtoOption[];
  doc?: string;
  span: Span;
}

export interface ProtoEnum {
  kind: "enum";
  name: string;
  fullName: string;
  values: ProtoEnumValue[];
  reserved: Reserved;
  options: ProtoOption[];
  /** proto2 enums are closed (unknown values go to unknown fields); proto3 ones are open. */
  closed: boolean;
  doc?: string;
  span: Span;
  nameSpan: Span;
}

export interface ProtoMethod {
  name: string;
  input: ProtoType & { kind: "named" };
  output: ProtoType & { kind: "named" };
  clientStreaming: boolean;
  serverStreaming: boolean;
  options: ProtoOption[];
  doc?: string;
  span: Span;
  nameSpan: Span;
}

export interface ProtoService {
  kind: "service";
  name: string;
  fullName: string;
  methods: ProtoMethod[];
  options: ProtoOption[];
  doc?: string;
  span: Span;
  nameSpan: Span;
}

/** `extend Foo { ... }` (parsed; the checker resolves `extendee`). */
export interface ProtoExtend {
  extendee: string;
  target?: ProtoRef;
  fields: ProtoField[];
  span: Span;
}

export interface ProtoImport {
  path: string;
  kind: "default" | "public" | "weak";
  /** The file it resolved to (set by the loader). */
  resolved?: string;
  span: Span;
}

/** One `.proto` file. */
export interface ProtoFile {
  kind: "proto";
  file: string;
  /**
   * The path imports use for this file, relative to its include folder
   * (`google/protobuf/any.proto`) — a descriptor's `name`. Set by the loaders; `file` is
   * where it was read from.
   */
  importPath?: string;
  syntax: "proto2" | "proto3" | "editions";
  /** For `edition = "2023"`. */
  edition?: string;
  /** The package, "" when none. */
  package: string;
  imports: ProtoImport[];
  options: ProtoOption[];
  messages: ProtoMessage[];
  enums: ProtoEnum[];
  services: ProtoService[];
  extends: ProtoExtend[];
}
