/**
 * Service checks: base services (`extends`) resolved and free of cycles, function names
 * unique including the ones inherited, oneway rules, parameter and throws lists, and
 * thrown types being exceptions.
 */
import type { DiagnosticBag } from "../../diagnostics.js";
import type { Service, ThriftFunction } from "../ast.js";
import type { ValueChecker } from "./consts.js";
import { checkFields } from "./fields.js";
import { kindName, reportCycles, typeName, type ProgramScope } from "./scope.js";

/** Sets `extendsTarget` on every service that extends another. */
export function resolveBases(scope: ProgramScope, diagnostics: DiagnosticBag, services: Service[]): void {
  for (const s of services) {
    if (s.extends === undefined) continue;
    const span = s.extendsSpan ?? s.nameSpan;
    const found = scope.lookup(scope.fileOf(s), s.extends);
    if (!found.ok) {
      if (!found.silent) diagnostics.error(span, `undefined base service '${s.extends}'${found.hint ?? ""}`);
    } else if (found.def.kind !== "service") {
      diagnostics.error(span, `'${s.extends}' is a ${kindName(found.def)}, not a service`);
    } else {
      s.extendsTarget = found.ref;
    }
  }
}

/** The service a service extends, once resolved. */
function baseOf(scope: ProgramScope, s: Service): Service | undefined {
  const base = scope.definition(s.extendsTarget);
  return base?.kind === "service" ? base : undefined;
}

/** Reports `extends` chains that come back to where they started; returns the services in them. */
export function checkBaseCycles(scope: ProgramScope, diagnostics: DiagnosticBag, services: Service[]): Set<Service> {
  return reportCycles(services, (s) => {
    const base = baseOf(scope, s);
    return base ? [base] : [];
  }, (cycle) => {
    const first = cycle[0]!;
    diagnostics.error(first.extendsSpan ?? first.nameSpan, `service '${first.name}' extends itself (${cycle.map((s) => s.name).join(" -> ")})`);
  });
}

/** Function names, parameters, throws and oneway rules of one service. */
export function checkService(scope: ProgramScope, diagnostics: DiagnosticBag, values: ValueChecker, s: Service): void {
  // Names inherited from base services, nearest base first; the walk stops at a cycle.
  const inherited = new Map<string, Service>();
  const visited = new Set<Service>([s]);
  for (let base = baseOf(scope, s); base && !visited.has(base); base = baseOf(scope, base)) {
    visited.add(base);
    for (const fn of base.functions) if (!inherited.has(fn.name)) inherited.set(fn.name, base);
  }
  const own = new Map<string, ThriftFunction>();
  for (const fn of s.functions) {
    const previous = own.get(fn.name);
    const base = inherited.get(fn.name);
    if (previous) {
      diagnostics.error(fn.nameSpan, `duplicate function name '${fn.name}' in service '${s.name}' (first at line ${previous.nameSpan.start.line})`);
    } else if (base) {
      diagnostics.error(fn.nameSpan, `function '${fn.name}' is already defined in base service '${base.name}'`);
    }
    if (!previous) own.set(fn.name, fn);
    checkFunction(scope, diagnostics, values, s, fn);
  }
}

function checkFunction(scope: ProgramScope, diagnostics: DiagnosticBag, values: ValueChecker, s: Service, fn: ThriftFunction): void {
  const where = `'${s.name}.${fn.name}'`;
  if (fn.oneway && fn.returnType) {
    diagnostics.error(fn.returnType.span, `oneway function ${where} must return void`);
  }
  if (fn.oneway && fn.throws.length > 0) {
    diagnostics.error(fn.throws[0]!.span, `oneway function ${where} cannot throw exceptions`);
  }
  checkFields(fn.params, `parameters of ${where}`, "params", values, diagnostics);
  checkFields(fn.throws, `throws of ${where}`, "throws", values, diagnostics);
  for (const f of fn.throws) {
    const d = scope.deref(f.type);
    if (d && d.def?.kind !== "exception") {
      diagnostics.error(f.type.span, `'${f.name}' in throws of ${where} has type '${typeName(f.type)}', which is not an exception`);
    }
  }
}
