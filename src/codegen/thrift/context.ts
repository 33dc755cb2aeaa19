/**
 * What generating one file needs to know: the document, how other files are imported,
 * which runtime names are used, and how IDL names become TypeScript names.
 */
import { RESERVED_WORDS, RuntimeImports } from "../names.js";
import type { DefinitionRef, ThriftDocument, TypeRef } from "../../idl/thrift/ast.js";
import type { Resolver } from "./resolve.js";


/** Globals generated code uses, which a same-named IDL definition would shadow. */
const GLOBALS = new Set(["Map", "Set", "Uint8Array", "Error", "Array", "Promise", "Object", "TextEncoder", "BigInt"]);

/** The TypeScript name of an IDL definition. */
export function tsName(name: string): string {
  return RESERVED_WORDS.has(name) ? `${name}_` : name;
}

/** The module a `.thrift` file generates: its base name with `.ts`. */
export function moduleName(file: string): string {
  const base = file.slice(file.lastIndexOf("/") + 1);
  return base.endsWith(".thrift") ? base.slice(0, -".thrift".length) : base;
}

export class FileContext {
  /** Runtime names the file uses, imported from the runtime module. */
  readonly imports = new RuntimeImports();
  /** Include aliases the file uses. */
  readonly usedIncludes = new Set<string>();
  /** The read method nested structs are read with: `readBinaryProtocol` inside a `readBinaryProtocol` body. */
  readMethod: "read" | "readBinaryProtocol" = "read";
  private readonly aliases = new Map<string, string>();
  private readonly local: Set<string>;

  constructor(readonly doc: ThriftDocument, readonly resolver: Resolver) {
    for (const inc of doc.includes) if (inc.resolved) this.aliases.set(inc.resolved, tsName(inc.name));
    this.local = new Set(doc.definitions.map((d) => tsName(d.name)));
  }

  /** A runtime value the generated code uses (imported once). */
  use(name: string): string {
    return this.imports.use(name);
  }

  /** A runtime type the generated code uses. */
  useType(name: string): string {
    return this.imports.useType(name);
  }

  /** A global such as `Map`, qualified when an IDL definition shadows it. */
  global(name: string): string {
    return GLOBALS.has(name) && this.local.has(name) ? `globalThis.${name}` : name;
  }

  /** How this file refers to a definition: its name, prefixed by the include alias if elsewhere. */
  ref(target: DefinitionRef): string {
    const name = tsName(target.name);
    if (target.file === this.doc.file) return name;
    const alias = this.aliases.get(target.file);
    if (!alias) throw new Error(`internal: ${this.doc.file} does not include ${target.file}`);
    this.usedIncludes.add(target.file);
    return `${alias}.${name}`;
  }

  /** The import of an included file. */
  importOf(file: string): string {
    return `import * as ${this.aliases.get(file)} from "./${moduleName(file)}.js";`;
  }

  /** The TypeScript type of an IDL type (typedef names kept as written). */
  tsType(type: TypeRef): string {
    switch (type.kind) {
      case "base":
        switch (type.name) {
          case "bool": return "boolean";
          case "i64": return "bigint";
          case "string": case "uuid": return "string";
          case "binary": return this.global("Uint8Array");
          default: return "number";
        }
      case "list": {
        const element = this.tsType(type.element);
        return /^[\w.$]+$/.test(element) ? `${element}[]` : `Array<${element}>`;
      }
      case "set": return `${this.global("Set")}<${this.tsType(type.element)}>`;
      case "map": return `${this.global("Map")}<${this.tsType(type.key)}, ${this.tsType(type.value)}>`;
      case "named":
        if (!type.target) throw new Error(`internal: unresolved type ${type.name}`);
        return this.ref(type.target);
    }
  }
}
