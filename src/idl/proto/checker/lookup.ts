/**
 * Name lookup with protobuf's scoping rules, as protoc does it:
 *
 * - `.a.B` is fully qualified.
 * - Otherwise the first component (`a` of `a.B`) is looked up in the scope of the
 *   reference, then in each enclosing scope outwards (`pkg.Outer.Inner` → `pkg.Outer` →
 *   `pkg` → root). Once the first component is found as a message, enum, service or
 *   package, the rest is looked up inside it, and if it is not there the lookup fails —
 *   it does not go on outwards (`a.B` "resolves to" the inner `a`; write `.a.B`).
 * - When a type is wanted, a simple name that denotes a non-type (a field, say) is
 *   skipped and the search goes on outwards.
 * - Only symbols of the file itself, its imports and their `import public` re-exports
 *   are visible; others count as absent (and the message says where they are).
 *
 * Each successful lookup marks the imports it went through as used.
 */
import type { AnySym, FileScope, ProgramIndex, Sym } from "./scope.js";
import { qualify } from "./scope.js";

/**
 * A lookup result: the symbol, or an explanation to append to `undefined X 'name'`
 * ("" or ` (...)`).
 */
export type LookupResult = { ok: true; sym: AnySym } | { ok: false; detail: string };

const AGGREGATES = new Set(["message", "enum", "service", "package"]);

/** Resolves names for one file. */
export class Resolver {
  /** The innermost symbol that exists but is not visible from this file, for the message. */
  private hidden: Sym | undefined;

  constructor(private readonly index: ProgramIndex, private readonly scope: FileScope) {}

  /** The file the lookups are made from. */
  get file(): string {
    return this.scope.path;
  }

  /** A visible symbol by full name; marks the import it comes through as used. */
  find(fullName: string): AnySym | undefined {
    const sym = this.index.symbols.get(fullName);
    if (sym) {
      if (!this.scope.visible.has(sym.file)) {
        this.hidden ??= sym;
        return undefined;
      }
      if (sym.file !== this.scope.path) {
        for (const entry of this.scope.imports) if (entry.reach.has(sym.file)) entry.used = true;
      }
      return sym;
    }
    const files = this.index.packages.get(fullName);
    if (files && [...files].some((f) => this.scope.visible.has(f))) return { kind: "package", fullName };
    return undefined;
  }

  /**
   * Looks `name` up from inside `scope` (the full name of the enclosing message,
   * service or package; "" at the root). `wantType` skips non-types for simple names.
   */
  lookup(name: string, scope: string, wantType: boolean): LookupResult {
    this.hidden = undefined;
    if (name.startsWith(".")) return this.result(this.find(name.slice(1)));
    const dot = name.indexOf(".");
    const first = dot < 0 ? name : name.slice(0, dot);
    for (let s = scope; ; s = s.slice(0, Math.max(0, s.lastIndexOf(".")))) {
      // At the root protoc takes whatever the whole name denotes; callers report non-types.
      if (s === "") return this.result(this.find(name));
      const sym = this.find(qualify(s, first));
      if (sym !== undefined) {
        if (dot >= 0) {
          if (AGGREGATES.has(sym.kind)) {
            const full = qualify(s, name);
            const found = this.find(full);
            if (found) return { ok: true, sym: found };
            return {
              ok: false,
              detail: ` (it resolves to '${full}', which does not exist: names are looked up from the innermost scope outwards; write '.${name}' to start from the root)`,
            };
          }
        } else if (!wantType || sym.kind === "message" || sym.kind === "enum") {
          return { ok: true, sym };
        }
      }
    }
  }

  private result(sym: AnySym | undefined): LookupResult {
    if (sym) return { ok: true, sym };
    const hidden = this.hidden;
    if (hidden) return { ok: false, detail: ` ('${hidden.fullName}' is defined in '${hidden.file}', which is not imported here)` };
    return { ok: false, detail: "" };
  }
}
