/**
 * What a Thrift IDL loaded at run time describes: its services, methods and types, with
 * typedefs followed and defaults evaluated. Types point at each other directly (a
 * recursive struct is a cycle of objects), so walking one needs no lookups.
 */
import type { ThriftStructCodec } from "../../codec/thrift/struct.js";

/** A Thrift type with typedefs followed. */
export type ThriftTypeDescriptor =
  | { readonly kind: "bool" | "byte" | "i16" | "i32" | "i64" | "double" | "string" | "binary" | "uuid" }
  | { readonly kind: "enum"; readonly enum: ThriftEnumDescriptor }
  | { readonly kind: "list" | "set"; readonly element: ThriftTypeDescriptor }
  | { readonly kind: "map"; readonly key: ThriftTypeDescriptor; readonly value: ThriftTypeDescriptor }
  | { readonly kind: "struct"; readonly struct: ThriftStructDescriptor };

export interface ThriftEnumDescriptor {
  /** The name as the IDL's root file would write it (`base.Color` for an included one). */
  readonly name: string;
  /** Number of each value name. */
  readonly values: ReadonlyMap<string, number>;
  /** Name of each number. */
  readonly names: ReadonlyMap<number, string>;
}

export interface ThriftFieldDescriptor {
  readonly id: number;
  readonly name: string;
  readonly type: ThriftTypeDescriptor;
  readonly requiredness: "required" | "optional" | "default";
  /** The IDL default as a value of the field's type (map-generic rules), when it has one. */
  readonly default?: unknown;
  /** The field's annotations (`(api.query = "q")`), by key (the last one when a key repeats). */
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ThriftStructDescriptor {
  readonly name: string;
  readonly kind: "struct" | "union" | "exception";
  readonly fields: readonly ThriftFieldDescriptor[];
  /** Encodes and decodes values of this struct by the map-generic rules. */
  readonly codec: ThriftStructCodec<unknown>;
}

export interface ThriftMethodDescriptor {
  readonly name: string;
  readonly oneway: boolean;
  /** Annotated `(idempotent = "true")`: a retry policy for `*` may retry it, as a generated method. */
  readonly idempotent: boolean;
  /** Parameters in IDL order: the fields of the `<method>_args` struct. */
  readonly params: readonly ThriftFieldDescriptor[];
  /** The result type, null for `void`. */
  readonly result: ThriftTypeDescriptor | null;
  /** Declared exceptions: the fields after `success` in the `<method>_result` struct. */
  readonly exceptions: readonly ThriftFieldDescriptor[];
  /** The `<method>_args` and `<method>_result` structs. */
  readonly argsStruct: ThriftStructDescriptor;
  readonly resultStruct: ThriftStructDescriptor;
  /** The function's annotations (`(api.post = "/search")`), by key (the last one when a key repeats). */
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface ThriftServiceDescriptor {
  readonly name: string;
  /** Methods by name, inherited ones (from `extends`) included. */
  readonly methods: ReadonlyMap<string, ThriftMethodDescriptor>;
}

/** A Thrift IDL loaded at run time. */
export interface ThriftIdl {
  readonly syntax: "thrift";
  /** Services by name (`Name` in the root files, `include.Name` in included ones). */
  readonly services: ReadonlyMap<string, ThriftServiceDescriptor>;
  /** Structs, unions and exceptions by name, as services are named. */
  readonly structs: ReadonlyMap<string, ThriftStructDescriptor>;
  readonly enums: ReadonlyMap<string, ThriftEnumDescriptor>;
}
