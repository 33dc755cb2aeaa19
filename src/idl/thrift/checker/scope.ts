/**
 * Name tables for a set of documents and the lookups every check shares: which
 * definition a (possibly `include.`-qualified) type or value name denotes, and what a
 * type is once typedefs are seen through. Lookups mark the includes they go through as
 * used, for the unused-include warning.
 */
import type { DiagnosticBag } from "../../diagnostics.js";
import type { Definition, DefinitionRef, Enum, Include, ThriftDocument, TypeRef } from "../ast.js";

/** An include statement of a file and the document it resolved to, if any. */
export interface IncludeEntry {
  include: Include;
  used: boolean;
}

/** One document with its top-level names and includes by prefix. */
export interface FileScope {
  path: string;
  doc: ThriftDocument;
  symbols: Map<string, Definition>;
  includes: Map<string, IncludeEntry[]>;
}

/** A lookup result: the definition found and where it lives, or why nothing was. */
export type Lookup =
  | { ok: true; def: Definition; ref: DefinitionRef }
  /**
   * `silent` when the reason was already reported (the include file is missing); `hint`
   * explains a qualified name whose prefix is not an include.
   */
  | { ok: false; silent: boolean; hint?: string };

/** Names of definition kinds as they read in messages. */
export function kindName(def: Definition): string {
  return def.kind === "const" ? "constant" : def.kind;
}

/** All documents' name tables. Reports duplicate definitions and repeated includes. */
export class ProgramScope {
  readonly files = new Map<string, FileScope>();
  private readonly owners = new Map<Definition, string>();

  constructor(documents: ReadonlyMap<string, ThriftDocument>, private readonly diagnostics: DiagnosticBag) {
    for (const [path, doc] of documents) this.files.set(path, this.index(path, doc));
  }

  private index(path: string, doc: ThriftDocument): FileScope {
    const symbols = new Map<string, Definition>();
    for (const def of doc.definitions) {
      this.owners.set(def, path);
      const previous = symbols.get(def.name);
      if (previous) {
        this.diagnostics.error(def.nameSpan, `duplicate definition name '${def.name}' (first at line ${previous.nameSpan.start.line})`);
      } else {
        symbols.set(def.name, def);
      }
    }
    const includes = new Map<string, IncludeEntry[]>();
    const seen = new Map<string, Include>();
    for (const include of doc.includes) {
      const key = include.resolved ?? include.path;
      const first = seen.get(key);
      if (first) {
        this.diagnostics.warning(include.span, `'${include.path}' is already included at line ${first.span.start.line}`);
        continue;
      }
      seen.set(key, include);
      const list = includes.get(include.name) ?? [];
      if (list.length > 0) {
        this.diagnostics.warning(include.span,
          `'${include.path}' and '${list[0]!.include.path}' are both included as '${include.name}'; '${include.name}.X' finds the first that defines X`);
      }
      list.push({ include, used: false });
      includes.set(include.name, list);
    }
    const scopes = new Map<string, number>();
    for (const ns of doc.namespaces) {
      const line = scopes.get(ns.scope);
      if (line !== undefined) this.diagnostics.warning(ns.span, `duplicate namespace for scope '${ns.scope}' (first at line ${line})`);
      else scopes.set(ns.scope, ns.span.start.line);
    }
    return { path, doc, symbols, includes };
  }

  /** The file a definition belongs to. */
  fileOf(def: Definition): string {
    return this.owners.get(def)!;
  }

  /** The definition a checker-filled reference points at. */
  definition(ref: DefinitionRef | undefined): Definition | undefined {
    return ref ? this.files.get(ref.file)?.symbols.get(ref.name) : undefined;
  }

  /**
   * Looks `name` up from `file`: a plain name in the file itself, or `prefix.Name` in the
   * file's includes named `prefix` (includes are not transitive, as in Thrift).
   */
  lookup(file: string, name: string): Lookup {
    const scope = this.files.get(file)!;
    if (!name.includes(".")) {
      const def = scope.symbols.get(name);
      return def ? { ok: true, def, ref: { file, name } } : { ok: false, silent: false };
    }
    // The prefix is an include's name, which may itself hold dots (`include "a.b.thrift"`):
    // try every include name the text starts with, longest first.
    const prefixes = [...scope.includes.keys()].filter((p) => name.startsWith(p + ".")).sort((a, b) => b.length - a.length);
    if (prefixes.length === 0) return { ok: false, silent: false, hint: ` (nothing is included as '${name.slice(0, name.indexOf("."))}')` };
    let missing = false;
    for (const prefix of prefixes) {
      const rest = name.slice(prefix.length + 1);
      for (const entry of scope.includes.get(prefix)!) {
        const target = entry.include.resolved;
        const def = target === undefined ? undefined : this.files.get(target)?.symbols.get(rest);
        if (target === undefined || !this.files.has(target)) missing = true;
        if (def) {
          entry.used = true;
          return { ok: true, def, ref: { file: target!, name: rest } };
        }
      }
    }
    return { ok: false, silent: missing };
  }

  /**
   * A type with typedefs seen through: base and container types as they are, named types
   * as the enum, struct, union or exception they end at. Undefined when unresolved or when
   * typedefs loop (both reported elsewhere).
   */
  deref(type: TypeRef): { type: TypeRef; def?: Exclude<Definition, { kind: "typedef" | "const" | "service" }> } | undefined {
    const seen = new Set<Definition>();
    let current = type;
    for (;;) {
      if (current.kind !== "named") return { type: current };
      const def = this.definition(current.target);
      if (!def || seen.has(def)) return undefined;
      seen.add(def);
      if (def.kind === "typedef") current = def.type;
      else if (def.kind === "const" || def.kind === "service") return undefined;
      else return { type: current, def };
    }
  }

  /** The enum a definition denotes, seeing through typedefs. */
  enumOf(def: Definition): Enum | undefined {
    if (def.kind === "enum") return def;
    if (def.kind !== "typedef") return undefined;
    const d = this.deref(def.type)?.def;
    return d?.kind === "enum" ? d : undefined;
  }
}

/** Writes a type as in IDL source, for messages. */
export function typeName(type: TypeRef): string {
  switch (type.kind) {
    case "base":
    case "named":
      return type.name;
    case "list":
    case "set":
      return `${type.kind}<${typeName(type.element)}>`;
    case "map":
      return `map<${typeName(type.key)}, ${typeName(type.value)}>`;
  }
}

/**
 * Finds cycles in a graph by depth-first search and reports each once, naming its
 * members in order (`A -> B -> A`). Nodes already in a reported cycle are not reported
 * again when another walk reaches them.
 */
export function reportCycles<T>(nodes: Iterable<T>, edges: (node: T) => T[], report: (cycle: T[]) => void): Set<T> {
  const state = new Map<T, "open" | "done">();
  const inCycle = new Set<T>();
  const stack: T[] = [];
  const visit = (node: T): void => {
    state.set(node, "open");
    stack.push(node);
    for (const next of edges(node)) {
      const s = state.get(next);
      if (s === "open") {
        const cycle = stack.slice(stack.indexOf(next));
        if (!cycle.some((n) => inCycle.has(n))) report([...cycle, next]);
        for (const n of cycle) inCycle.add(n);
      } else if (s === undefined) {
        visit(next);
      }
    }
    stack.pop();
    state.set(node, "done");
  };
  for (const node of nodes) if (!state.has(node)) visit(node);
  return inCycle;
}
