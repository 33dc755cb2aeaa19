/**
 * The Protobuf semantic checker: given every parsed file (keyed by path, with
 * `ProtoImport.resolved` set), it fills the `target` references, `closed`, `presence`
 * and `packed`, normalizes defaults and option values to their types, and reports what
 * protoc reports — see the list in each module under `checker/`. Nothing stops at the
 * first error: every check runs on whatever resolved, and names that failed once are
 * not reported again downstream.
 */
import type { DiagnosticBag } from "../diagnostics.js";
import type { ProtoFile, ProtoMessage, ProtoOption } from "./ast.js";
import { checkEnum, checkMapEnumValues, checkOpenEnumUse } from "./checker/enums.js";
import { checkExtensions } from "./checker/extensions.js";
import { feature, setEnumsClosed, setFieldEncoding } from "./checker/features.js";
import { Resolver } from "./checker/lookup.js";
import { checkMessage } from "./checker/messages.js";
import { OptionChecker } from "./checker/options.js";
import { type FileScope, ProgramIndex } from "./checker/scope.js";
import { resolveTypes } from "./checker/types.js";
import { mapEntryName } from "./names.js";

/** Options of `checkProto`. */
export interface CheckOptions {
  /** Files whose unused imports are reported (protoc warns only for the files it was given). */
  roots?: Iterable<string>;
}

/** Resolves and checks `files` in place, reporting to `diagnostics`. */
export function checkProto(files: ReadonlyMap<string, ProtoFile>, diagnostics: DiagnosticBag, options: CheckOptions = {}): void {
  const index = new ProgramIndex(files, diagnostics);
  const scopes = index.order.map((path) => index.files.get(path)!);
  for (const scope of scopes) resolveTypes(new Resolver(index, scope), scope.file, diagnostics);
  for (const scope of scopes) setEnumsClosed(scope.file);
  const optionChecker = new OptionChecker(index, diagnostics);
  for (const scope of scopes) optionChecker.checkFile(scope);
  const enumOf = (fullName: string) => optionChecker.enumOf(fullName);

  for (const { file } of scopes) {
    const walk = (m: ProtoMessage, chain: ProtoOption[][], parent?: ProtoMessage): void => {
      const inner = [m.options, ...chain];
      if (m.mapEntry) checkMapEntry(m, parent, diagnostics);
      checkMessage(m, file, enumOf, feature(inner, "json_format") !== "LEGACY_BEST_EFFORT", diagnostics);
      checkMapEnumValues(m, enumOf, diagnostics);
      // Map values are checked at the map field, not again in the entry message.
      if (file.syntax === "proto3" && !m.mapEntry) checkOpenEnumUse(m, enumOf, diagnostics);
      for (const e of m.enums) checkEnum(e, file.syntax, diagnostics);
      for (const n of m.messages) walk(n, inner, m);
    };
    for (const m of file.messages) walk(m, [file.options]);
    for (const e of file.enums) checkEnum(e, file.syntax, diagnostics);
  }
  checkExtensions(index, enumOf, diagnostics);
  for (const { file } of scopes) setFieldEncoding(file, diagnostics);
  checkImports(scopes, new Set(options.roots ?? []), diagnostics);
}

/**
 * A message marked `map_entry` (only descriptor sets can say so) must be the entry of a map
 * field of its parent, named as protoc names it, as protoc requires: any other is neither
 * a map nor a message the generated code can have.
 */
function checkMapEntry(m: ProtoMessage, parent: ProtoMessage | undefined, diagnostics: DiagnosticBag): void {
  if (parent?.fields.some((f) => f.type.kind === "map" && mapEntryName(f.name) === m.name)) return;
  diagnostics.error(m.nameSpan, `message '${m.fullName}' has map_entry set but is not the entry of a map field of the message it is nested in ` +
    "(map_entry is only for the entry messages of map<K, V> fields)");
}

/** Imports listed twice are errors; in root files, imports nothing is used from are warnings. */
function checkImports(scopes: FileScope[], roots: Set<string>, diagnostics: DiagnosticBag): void {
  for (const scope of scopes) {
    const seen = new Map<string, number>();
    const repeated = new Set<unknown>();
    for (const imp of scope.file.imports) {
      const key = imp.resolved ?? imp.path;
      const line = seen.get(key);
      if (line !== undefined) {
        diagnostics.error(imp.span, `'${imp.path}' is already imported (line ${line})`);
        repeated.add(imp);
      } else {
        seen.set(key, imp.span.start.line);
      }
    }
    if (!roots.has(scope.path)) continue;
    for (const entry of scope.imports) {
      if (!entry.used && entry.imp.kind !== "public" && !repeated.has(entry.imp)) {
        diagnostics.warning(entry.imp.span, `import '${entry.imp.path}' is not used`);
      }
    }
  }
}
