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
    this.usedIncludes.add(target.file);
    return `${this.aliasOf(target.file)}.${name}`;
  }

  /**
   * The import alias of another file: its include name, or for a file this one does not
   * include (a typedef from an included file naming a type of a file that one includes) a
   * `$`-prefixed name of its module that clashes with nothing here.
   */
  private aliasOf(file: string): string {
    let alias = this.aliases.get(file);
    if (alias !== undefined) return alias;
    alias = `$${moduleName(file).replace(/[^\w$]/g, "_")}`;
    const taken = new Set(this.aliases.values());
    while (taken.has(alias) || this.local.has(alias)) alias += "$";
    this.aliases.set(file, alias);
    return alias;
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
