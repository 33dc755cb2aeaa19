/**
 * The Thrift semantic checker: given every parsed document (keyed by resolved path, with
 * `Include.resolved` set), it fills the `target` references the code generators follow
 * and reports what thriftgo's `semantic` package reports, and more — see the list in
 * each module under `checker/`. Nothing stops at the first error: every check runs on
 * whatever resolved, and references that failed once are not reported again downstream.
 */
import type { DiagnosticBag } from "../diagnostics.js";
import type { Const, ConstValue, Service, ThriftDocument, TypeRef } from "./ast.js";
import { ValueChecker, checkConstCycles, resolveValue } from "./checker/consts.js";
import { checkEnum, checkFields, checkUnion } from "./checker/fields.js";
import { ProgramScope } from "./checker/scope.js";
import { checkBaseCycles, checkService, resolveBases } from "./checker/services.js";
import { checkMapKeys, checkTypedefCycles, resolveTypes } from "./checker/types.js";

/** Resolves and checks `documents` in place, reporting to `diagnostics`. */
export function checkThrift(documents: ReadonlyMap<string, ThriftDocument>, diagnostics: DiagnosticBag): void {
  const scope = new ProgramScope(documents, diagnostics);
  const consts: Const[] = [];
  const services: Service[] = [];
  // Values in the file they are written in, with the type they must fit.
  const values: { file: string; value: ConstValue; type: TypeRef }[] = [];
  for (const [file, { doc }] of scope.files) {
    for (const def of doc.definitions) {
      if (def.kind === "const") {
        consts.push(def);
        values.push({ file, value: def.value, type: def.type });
      } else if (def.kind === "service") {
        services.push(def);
        for (const fn of def.functions) {
          for (const f of [...fn.params, ...fn.throws]) if (f.default) values.push({ file, value: f.default, type: f.type });
        }
      } else if (def.kind !== "typedef" && def.kind !== "enum") {
        for (const f of def.fields) if (f.default) values.push({ file, value: f.default, type: f.type });
      }
    }
  }

  // Names first (types, base services, values), so every later check can follow targets.
  resolveTypes(scope, diagnostics);
  checkTypedefCycles(scope, diagnostics);
  resolveBases(scope, diagnostics, services);
  for (const v of values) resolveValue(scope, diagnostics, v.file, v.value, v.type);
  checkConstCycles(scope, diagnostics, consts);
  checkBaseCycles(scope, diagnostics, services);

  const checker = new ValueChecker(scope, diagnostics);
  for (const { doc } of scope.files.values()) {
    for (const def of doc.definitions) {
      switch (def.kind) {
        case "const":
          checker.check(def.value, def.type);
          break;
        case "enum":
          checkEnum(def, diagnostics);
          break;
        case "struct":
        case "union":
        case "exception":
          checkFields(def.fields, `${def.kind} '${def.name}'`, "struct", checker, diagnostics);
          if (def.kind === "union") checkUnion(def, diagnostics);
          break;
        case "service":
          checkService(scope, diagnostics, checker, def);
          break;
        case "typedef":
          break;
      }
    }
  }
  checkMapKeys(scope, diagnostics);
  reportUnusedIncludes(scope, diagnostics);
}

/** An include nothing refers to is harmless but usually a leftover. */
function reportUnusedIncludes(scope: ProgramScope, diagnostics: DiagnosticBag): void {
  for (const file of scope.files.values()) {
    for (const entries of file.includes.values()) {
      for (const { include, used } of entries) {
        if (!used && include.resolved !== undefined && scope.files.has(include.resolved)) {
          diagnostics.warning(include.span, `include '${include.path}' is not used`);
        }
      }
    }
  }
}
