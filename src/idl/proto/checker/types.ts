/**
 * Resolution of every type reference of a file — field types (map values included),
 * `extend` targets and method input/output types — setting `target` on each. Field
 * types must name a message or enum; extendees and method types a message.
 */
import type { DiagnosticBag, Span } from "../../diagnostics.js";
import type { ProtoExtend, ProtoFile, ProtoMessage, ProtoRef, ProtoType } from "../ast.js";
import { extendeeSpans } from "../parser/spans.js";
import type { Resolver } from "./lookup.js";
import { describeKind } from "./scope.js";

/** Resolves all references of the resolver's file. */
export function resolveTypes(r: Resolver, file: ProtoFile, diagnostics: DiagnosticBag): void {
  const walk = (m: ProtoMessage): void => {
    // A map entry's value type is the map field's own type object, resolved there.
    if (!m.mapEntry) for (const f of m.fields) resolveType(r, f.type, m.fullName, diagnostics);
    for (const n of m.messages) walk(n);
    for (const x of m.extends) resolveExtend(r, x, m.fullName, diagnostics);
  };
  for (const m of file.messages) walk(m);
  for (const x of file.extends) resolveExtend(r, x, file.package, diagnostics);
  for (const s of file.services) {
    for (const method of s.methods) {
      for (const type of [method.input, method.output]) {
        const ref = resolveMessage(r, type.name, s.fullName, type.span, "message type", diagnostics);
        if (ref) type.target = ref;
      }
    }
  }
}

/** Resolves a field type (a map's value type for maps) from inside `scope`. */
export function resolveType(r: Resolver, type: ProtoType, scope: string, diagnostics: DiagnosticBag): void {
  if (type.kind === "map") return resolveType(r, type.value, scope, diagnostics);
  if (type.kind !== "named") return;
  const found = r.lookup(type.name, scope, true);
  if (!found.ok) {
    diagnostics.error(type.span, `undefined type '${type.name}'${found.detail}`);
  } else if (found.sym.kind !== "message" && found.sym.kind !== "enum") {
    diagnostics.error(type.span, `'${type.name}' is ${describeKind(found.sym.kind)}, not a message or enum`);
  } else {
    type.target = { file: found.sym.file, fullName: found.sym.fullName, kind: found.sym.kind };
  }
}

/** Resolves a name that must denote a message (extendees, method types). */
function resolveMessage(r: Resolver, name: string, scope: string, span: Span, what: string, diagnostics: DiagnosticBag): ProtoRef | undefined {
  const found = r.lookup(name, scope, false);
  if (!found.ok) {
    diagnostics.error(span, `undefined ${what} '${name}'${found.detail}`);
    return undefined;
  }
  if (found.sym.kind !== "message") {
    diagnostics.error(span, `'${name}' is ${describeKind(found.sym.kind)}, not a message`);
    return undefined;
  }
  return { file: found.sym.file, fullName: found.sym.fullName, kind: "message" };
}

function resolveExtend(r: Resolver, x: ProtoExtend, scope: string, diagnostics: DiagnosticBag): void {
  const ref = resolveMessage(r, x.extendee, scope, extendeeSpans.get(x) ?? x.span, "message", diagnostics);
  if (ref) x.target = ref;
  for (const f of x.fields) resolveType(r, f.type, scope, diagnostics);
}
