/**
 * Type resolution: sets `target` on every named type reference, reports undefined names
 * and names that are not types, recursive typedefs, and map keys of types that make poor
 * keys.
 */
import type { DiagnosticBag } from "../../diagnostics.js";
import type { Definition, Typedef, TypeRef } from "../ast.js";
import { kindName, reportCycles, typeName, type ProgramScope } from "./scope.js";

/** Every type written directly in a definition (containers are walked by the callers). */
export function typesOf(def: Definition): TypeRef[] {
  switch (def.kind) {
    case "typedef":
    case "const":
      return [def.type];
    case "enum":
      return [];
    case "struct":
    case "union":
    case "exception":
      return def.fields.map((f) => f.type);
    case "service":
      return def.functions.flatMap((fn) => [
        ...(fn.returnType ? [fn.returnType] : []),
        ...fn.params.map((f) => f.type),
        ...fn.throws.map((f) => f.type),
      ]);
  }
}

/** Calls `fn` on `type` and every type nested in it. */
export function walkType(type: TypeRef, fn: (t: TypeRef) => void): void {
  fn(type);
  if (type.kind === "list" || type.kind === "set") walkType(type.element, fn);
  else if (type.kind === "map") {
    walkType(type.key, fn);
    walkType(type.value, fn);
  }
}

/** Resolves the named types of every document. */
export function resolveTypes(scope: ProgramScope, diagnostics: DiagnosticBag): void {
  for (const [path, file] of scope.files) {
    for (const def of file.doc.definitions) {
      for (const root of typesOf(def)) {
        walkType(root, (t) => {
          if (t.kind !== "named") return;
          const found = scope.lookup(path, t.name);
          if (!found.ok) {
            if (!found.silent) diagnostics.error(t.span, `undefined type '${t.name}'${found.hint ?? ""}`);
          } else if (found.def.kind === "const" || found.def.kind === "service") {
            diagnostics.error(t.span, `'${t.name}' is a ${kindName(found.def)}, not a type`);
          } else {
            t.target = found.ref;
          }
        });
      }
    }
  }
}

/**
 * Reports typedefs that end up naming themselves, directly (`typedef A B; typedef B A`)
 * or through containers (`typedef list<T> T`): such a type has no finite form. Recursion
 * through a struct is fine and is not followed.
 */
export function checkTypedefCycles(scope: ProgramScope, diagnostics: DiagnosticBag): void {
  const typedefs: Typedef[] = [];
  for (const file of scope.files.values()) {
    for (const def of file.doc.definitions) if (def.kind === "typedef") typedefs.push(def);
  }
  const edges = (td: Typedef): Typedef[] => {
    const out: Typedef[] = [];
    walkType(td.type, (t) => {
      const target = t.kind === "named" ? scope.definition(t.target) : undefined;
      if (target?.kind === "typedef") out.push(target);
    });
    return out;
  };
  reportCycles(typedefs, edges, (cycle) => {
    const path = cycle.map((td) => td.name).join(" -> ");
    diagnostics.error(cycle[0]!.nameSpan, `typedef '${cycle[0]!.name}' refers to itself (${path})`);
  });
}

/**
 * Warns about map keys whose values most languages cannot compare by content
 * (containers, structs, binary) or compare unreliably (double). Generated code would key
 * by identity or fail to compile.
 */
export function checkMapKeys(scope: ProgramScope, diagnostics: DiagnosticBag): void {
  for (const file of scope.files.values()) {
    for (const def of file.doc.definitions) {
      for (const root of typesOf(def)) {
        walkType(root, (t) => {
          if (t.kind !== "map") return;
          const key = scope.deref(t.key);
          if (!key) return;
          const k = key.type;
          const bad = k.kind === "list" || k.kind === "set" || k.kind === "map" ||
            (k.kind === "base" && (k.name === "binary" || k.name === "double")) ||
            (key.def !== undefined && key.def.kind !== "enum");
          if (bad) {
            diagnostics.warning(t.key.span,
              `map key type '${typeName(t.key)}' is questionable: prefer a bool, integer, string or enum key`);
          }
        });
      }
    }
  }
}
