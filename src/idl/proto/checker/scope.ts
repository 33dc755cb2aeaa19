/**
 * The symbol table of a program: every full name (packages and their prefixes, messages,
 * enums, enum values, fields, oneofs, extensions, services, methods) with the file that
 * defines it, and per file which files' symbols it can see (itself, its imports, and
 * what those re-export with `import public`). Registering the names reports duplicates,
 * including enum values clashing under C++ scoping (values are siblings of their enum).
 */
import type { DiagnosticBag, Span } from "../../diagnostics.js";
import type {
  ProtoEnum, ProtoEnumValue, ProtoExtend, ProtoField, ProtoFile, ProtoImport, ProtoMessage, ProtoMethod, ProtoOneof, ProtoService,
} from "../ast.js";
import { packageSpans } from "../parser/spans.js";

interface SymbolBase {
  fullName: string;
  /** Key of the defining file. */
  file: string;
  span: Span;
}

/** Something a full name can denote. */
export type Sym = SymbolBase & (
  | { kind: "message"; node: ProtoMessage }
  | { kind: "enum"; node: ProtoEnum }
  | { kind: "enum value"; node: ProtoEnumValue; parent: ProtoEnum }
  | { kind: "field"; node: ProtoField; parent: ProtoMessage }
  | { kind: "oneof"; node: ProtoOneof; parent: ProtoMessage }
  | { kind: "extension"; node: ProtoField; extend: ProtoExtend; scope: string }
  | { kind: "service"; node: ProtoService }
  | { kind: "method"; node: ProtoMethod; parent: ProtoService }
);

/** A package (or a prefix of one): defined by every file whose package is it or below it. */
export interface PackageSym {
  kind: "package";
  fullName: string;
}

export type AnySym = Sym | PackageSym;

/** An import statement and whether anything was found through it. */
export interface ImportEntry {
  imp: ProtoImport;
  used: boolean;
  /** Files reachable through it: the imported file and what it re-exports publicly. */
  reach: Set<string>;
}

/** One file with what it can see. */
export interface FileScope {
  path: string;
  file: ProtoFile;
  /** Files whose symbols this file can use (itself included). */
  visible: Set<string>;
  imports: ImportEntry[];
}

/** An extension field with its scope (where it was declared) and full name. */
export interface ExtensionInfo {
  field: ProtoField;
  extend: ProtoExtend;
  /** Full name of the enclosing message, or the package. */
  scope: string;
  fullName: string;
  file: string;
}

/** `a.b` inside `scope` (which may be empty). */
export const qualify = (scope: string, name: string): string => (scope === "" ? name : `${scope}.${name}`);

/** The scope a full name sits in (`a.b.C` → `a.b`). */
export const parentOf = (fullName: string): string => fullName.slice(0, Math.max(0, fullName.lastIndexOf(".")));

/** An article and the kind, for messages: `a message`, `an enum value`. */
export const describeKind = (kind: AnySym["kind"]): string => `${/^[aeiou]/.test(kind) ? "an" : "a"} ${kind}`;

export class ProgramIndex {
  readonly symbols = new Map<string, Sym>();
  /** Package full name (and each prefix) → files declaring it or a package below it. */
  readonly packages = new Map<string, Set<string>>();
  readonly files = new Map<string, FileScope>();
  readonly extensions: ExtensionInfo[] = [];
  /** File keys with dependencies before dependents. */
  readonly order: string[] = [];

  constructor(files: ReadonlyMap<string, ProtoFile>, private readonly diagnostics: DiagnosticBag) {
    const visit = (path: string, seen: Set<string>): void => {
      if (seen.has(path) || !files.has(path)) return;
      seen.add(path);
      for (const imp of files.get(path)!.imports) if (imp.resolved !== undefined) visit(imp.resolved, seen);
      this.order.push(path);
    };
    const seen = new Set<string>();
    for (const path of files.keys()) visit(path, seen);
    for (const path of this.order) this.files.set(path, this.scopeOf(path, files));
    for (const path of this.order) this.register(this.files.get(path)!);
  }

  /** Files re-exported by `path` through `import public`, transitively. */
  private publicClosure(path: string, files: ReadonlyMap<string, ProtoFile>, out: Set<string>): Set<string> {
    for (const imp of files.get(path)?.imports ?? []) {
      if (imp.kind === "public" && imp.resolved !== undefined && !out.has(imp.resolved)) {
        out.add(imp.resolved);
        this.publicClosure(imp.resolved, files, out);
      }
    }
    return out;
  }

  private scopeOf(path: string, files: ReadonlyMap<string, ProtoFile>): FileScope {
    const file = files.get(path)!;
    const visible = new Set([path]);
    const imports: ImportEntry[] = [];
    for (const imp of file.imports) {
      // A self-import is an import cycle (reported by the loader), not a dependency.
      if (imp.resolved === undefined || imp.resolved === path || !files.has(imp.resolved)) continue;
      const reach = this.publicClosure(imp.resolved, files, new Set([imp.resolved]));
      for (const f of reach) visible.add(f);
      imports.push({ imp, used: false, reach });
    }
    return { path, file, visible, imports };
  }

  private register(scope: FileScope): void {
    const { file, path } = scope;
    if (file.package !== "") {
      const parts = file.package.split(".");
      for (let i = 1; i <= parts.length; i++) {
        const name = parts.slice(0, i).join(".");
        const clash = this.symbols.get(name);
        if (clash) {
          this.diagnostics.error(packageSpan(file), `package '${file.package}' conflicts with ${describeKind(clash.kind)} '${name}' defined in '${clash.file}'`);
          break;
        }
        let set = this.packages.get(name);
        if (!set) this.packages.set(name, (set = new Set()));
        set.add(path);
      }
    }
    const pkg = file.package;
    for (const m of file.messages) this.message(path, m, pkg);
    for (const e of file.enums) this.enumeration(path, e, pkg);
    for (const x of file.extends) this.extend(path, x, pkg);
    for (const s of file.services) {
      const fullName = qualify(pkg, s.name);
      this.add({ kind: "service", fullName, file: path, span: s.nameSpan, node: s });
      for (const m of s.methods) this.add({ kind: "method", fullName: qualify(fullName, m.name), file: path, span: m.nameSpan, node: m, parent: s });
    }
  }

  private message(path: string, m: ProtoMessage, scope: string): void {
    const fullName = qualify(scope, m.name);
    this.add({ kind: "message", fullName, file: path, span: m.nameSpan, node: m });
    for (const f of m.fields) this.add({ kind: "field", fullName: qualify(fullName, f.name), file: path, span: f.nameSpan, node: f, parent: m });
    for (const o of m.oneofs) this.add({ kind: "oneof", fullName: qualify(fullName, o.name), file: path, span: o.span, node: o, parent: m });
    for (const n of m.messages) this.message(path, n, fullName);
    for (const e of m.enums) this.enumeration(path, e, fullName);
    for (const x of m.extends) this.extend(path, x, fullName);
  }

  private enumeration(path: string, e: ProtoEnum, scope: string): void {
    this.add({ kind: "enum", fullName: qualify(scope, e.name), file: path, span: e.nameSpan, node: e });
    for (const v of e.values) this.add({ kind: "enum value", fullName: qualify(scope, v.name), file: path, span: v.span, node: v, parent: e });
  }

  private extend(path: string, x: ProtoExtend, scope: string): void {
    for (const f of x.fields) {
      const fullName = qualify(scope, f.name);
      this.add({ kind: "extension", fullName, file: path, span: f.nameSpan, node: f, extend: x, scope });
      this.extensions.push({ field: f, extend: x, scope, fullName, file: path });
    }
  }

  /** Defines a symbol, reporting a clash with an earlier one or with a package. */
  private add(sym: Sym): void {
    const previous = this.symbols.get(sym.fullName);
    if (previous === undefined && !this.packages.has(sym.fullName)) {
      this.symbols.set(sym.fullName, sym);
      return;
    }
    const name = sym.fullName.slice(sym.fullName.lastIndexOf(".") + 1);
    const scope = parentOf(sym.fullName);
    const where = scope === "" ? "" : ` in '${scope}'`;
    if (previous === undefined) {
      this.diagnostics.error(sym.span, `'${name}' is already defined${where} as a package`);
      return;
    }
    const at = previous.file === sym.file ? `at line ${previous.span.start.line}` : `in '${previous.file}'`;
    const what = previous.kind === "message" && previous.node.mapEntry ? "entry message of a map field" : previous.kind;
    let message = `'${name}' is already defined${where} (${what} ${at})`;
    if (sym.kind === "enum value" || previous.kind === "enum value") {
      const owner = sym.kind === "enum value" ? sym.parent.name : previous.kind === "enum value" ? previous.parent.name : "";
      message += `; enum values are siblings of their enum (C++ scoping), so '${name}' must be unique in '${scope || "the package"}', not just in '${owner}'`;
    }
    this.diagnostics.error(sym.span, message);
  }
}

/** Where a file's package name is written, for package clashes (line 1 when unknown). */
function packageSpan(file: ProtoFile): Span {
  const at = { file: file.file, line: 1, column: 1 };
  return packageSpans.get(file) ?? { start: at, end: at };
}
