/**
 * Type resolution over a checked Thrift program: following typedefs to what goes on the
 * wire, and finding the definitions references point at.
 */
import type { BaseTypeName, Definition, DefinitionRef, Enum, Struct, ThriftDocument, TypeRef } from "../../idl/thrift/ast.js";
import type { ThriftProgram } from "../../idl/thrift/program.js";

/** A type with typedefs followed: what decides the wire encoding. */
export type Resolved =
  | { kind: "base"; name: BaseTypeName }
  | { kind: "list" | "set"; element: Resolved; elementRef: TypeRef }
  | { kind: "map"; key: Resolved; value: Resolved; keyRef: TypeRef; valueRef: TypeRef }
  | { kind: "enum"; def: Enum; ref: DefinitionRef }
  | { kind: "struct"; def: Struct; ref: DefinitionRef };

/** TType constant name of each base type. */
const BASE_TTYPE: Record<BaseTypeName, string> = {
  bool: "BOOL", byte: "BYTE", i8: "BYTE", i16: "I16", i32: "I32", i64: "I64", double: "DOUBLE",
  string: "STRING", binary: "STRING", uuid: "UUID",
};

export class Resolver {
  constructor(readonly program: ThriftProgram) {}

  /** The document of a resolved file path. */
  document(file: string): ThriftDocument {
    const doc = this.program.documents.get(file);
    if (!doc) throw new Error(`internal: no document ${file}`);
    return doc;
  }

  /** The definition a reference points at. */
  definition(ref: DefinitionRef): Definition {
    const def = this.document(ref.file).definitions.find((d) => d.name === ref.name);
    if (!def) throw new Error(`internal: ${ref.file} defines no ${ref.name}`);
    return def;
  }

  /** Follows typedefs to the type that decides the encoding. */
  resolve(type: TypeRef): Resolved {
    switch (type.kind) {
      case "base": return { kind: "base", name: type.name };
      case "list":
      case "set": return { kind: type.kind, element: this.resolve(type.element), elementRef: type.element };
      case "map":
        return { kind: "map", key: this.resolve(type.key), value: this.resolve(type.value), keyRef: type.key, valueRef: type.value };
      case "named": {
        if (!type.target) throw new Error(`internal: unresolved type ${type.name}`);
        const def = this.definition(type.target);
        if (def.kind === "typedef") return this.resolve(def.type);
        if (def.kind === "enum") return { kind: "enum", def, ref: type.target };
        if (def.kind === "struct" || def.kind === "union" || def.kind === "exception") {
          return { kind: "struct", def, ref: type.target };
        }
        throw new Error(`internal: ${type.name} is not a type`);
      }
    }
  }

  /** The `TType.X` expression for a type. */
  ttype(type: Resolved): string {
    switch (type.kind) {
      case "base": return `TType.${BASE_TTYPE[type.name]}`;
      case "list": return "TType.LIST";
      case "set": return "TType.SET";
      case "map": return "TType.MAP";
      case "enum": return "TType.I32";
      case "struct": return "TType.STRUCT";
    }
  }
}
