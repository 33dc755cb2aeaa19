/**
 * What generating one .proto file needs: its file, how other files' modules are imported,
 * runtime names used, and how Protobuf names become TypeScript names.
 */
import { RESERVED_WORDS, RuntimeImports } from "../names.js";
import type { ProtoFile, ProtoMessage, ProtoEnum, ProtoRef, ProtoType, ScalarType } from "../../idl/proto/ast.js";
import type { ProtoProgram } from "../../idl/proto/program.js";

/** Globals generated code uses or users expect, which a message of the same name would shadow. */
const GLOBALS = new Set(["Map", "Set", "Uint8Array", "Array", "Object", "Promise", "AsyncIterable", "Error", "BigInt",
  "Number", "String", "Boolean", "Record", "Partial", "Date", "JSON", "Math", "Symbol"]);
/** Property names that would collide with Object.prototype or the message helpers. */
const RESERVED_PROPERTIES = new Set(["constructor", "toString", "toJSON", "valueOf", "__proto__", "$unknown"]);

/** lowerCamelCase as protoc computes JSON names (underscores dropped, next letter upper). */
export function camelCase(name: string): string {
  let out = "";
  let upper = false;
  for (const c of name) {
    if (c === "_") {
      upper = true;
      continue;
    }
    out += upper ? c.toUpperCase() : c;
    upper = false;
  }
  return out;
}

/** The TypeScript property name of a field or oneof. */
export function localName(protoName: string): string {
  const name = camelCase(protoName);
  return RESERVED_PROPERTIES.has(name) ? `${name}$` : name;
}

/** The TypeScript name of a message or enum: its path below the package, joined by `_`. */
export function typeName(fullName: string, pkg: string): string {
  const local = pkg && fullName.startsWith(pkg + ".") ? fullName.slice(pkg.length + 1) : fullName;
  const name = local.replace(/\./g, "_");
  return RESERVED_WORDS.has(name) || GLOBALS.has(name) ? `${name}$` : name;
}

/** The module a .proto generates, relative to the output folder (`a/b.proto` → `a/b`). */
export function modulePath(file: ProtoFile): string {
  const path = file.importPath ?? file.file;
  return path.endsWith(".proto") ? path.slice(0, -".proto".length) : path;
}

/** The specifier one generated module uses to import another. */
function relativeImport(from: string, to: string): string {
  const a = from.split("/").slice(0, -1);
  const b = to.split("/");
  let common = 0;
  while (common < a.length && common < b.length - 1 && a[common] === b[common]) common++;
  const up = a.length - common;
  const rest = b.slice(common).join("/");
  return `${up === 0 ? "./" : "../".repeat(up)}${rest}.js`;
}

export class ProtoContext {
  /** Runtime names the file uses, imported from the runtime module. */
  readonly imports = new RuntimeImports();
  /** Aliases of the other files' modules this file imports. */
  private readonly modules = new Map<string, string>();

  constructor(readonly file: ProtoFile, readonly program: ProtoProgram) {}

  use(name: string): string {
    return this.imports.use(name);
  }

  useType(name: string): string {
    return this.imports.useType(name);
  }

  /** How this file refers to a message or enum defined anywhere. */
  ref(target: ProtoRef): string {
    const other = this.program.files.get(target.file);
    if (!other) throw new Error(`internal: no file ${target.file}`);
    const name = typeName(target.fullName, other.package);
    if (target.file === this.file.file) return name;
    let alias = this.modules.get(target.file);
    if (alias === undefined) {
      alias = modulePath(other).replace(/[^A-Za-z0-9]/g, "_");
      this.modules.set(target.file, alias);
    }
    return `${alias}.${name}`;
  }

  /** The import statements for the files referred to. */
  importLines(): string[] {
    const from = modulePath(this.file);
    return [...this.modules].sort(([, a], [, b]) => a.localeCompare(b)).map(([file, alias]) =>
      `import * as ${alias} from ${JSON.stringify(relativeImport(from, modulePath(this.program.files.get(file)!)))};`);
  }

  /** The definition a reference points at. */
  definition(target: ProtoRef): ProtoMessage | ProtoEnum {
    const file = this.program.files.get(target.file);
    if (!file) throw new Error(`internal: no file ${target.file}`);
    const found = findIn(file.messages, file.enums, target.fullName);
    if (!found) throw new Error(`internal: ${target.file} has no ${target.fullName}`);
    return found;
  }

  /** The TypeScript type of a field's value (one element, for repeated fields). */
  tsType(type: ProtoType): string {
    switch (type.kind) {
      case "scalar": return scalarTsType(type.name);
      case "named":
        if (!type.target) throw new Error(`internal: unresolved type ${type.name}`);
        return this.ref(type.target);
      case "map": return `Map<${scalarTsType(type.key)}, ${this.tsType(type.value)}>`;
    }
  }
}

export function scalarTsType(t: ScalarType): string {
  switch (t) {
    case "int64": case "uint64": case "sint64": case "fixed64": case "sfixed64": return "bigint";
    case "bool": return "boolean";
    case "string": return "string";
    case "bytes": return "Uint8Array";
    default: return "number";
  }
}

function findIn(messages: ProtoMessage[], enums: ProtoEnum[], fullName: string): ProtoMessage | ProtoEnum | undefined {
  for (const e of enums) if (e.fullName === fullName) return e;
  for (const m of messages) {
    if (m.fullName === fullName) return m;
    if (fullName.startsWith(m.fullName + ".")) {
      const inner = findIn(m.messages, m.enums, fullName);
      if (inner) return inner;
    }
  }
  return undefined;
}
