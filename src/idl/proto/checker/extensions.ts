/**
 * Checks of extension fields: numbers inside an extension range the extendee declares
 * and not used twice for one extendee (across the whole program); not `required`; in
 * proto3 files only options (`google.protobuf.*Options`) may be extended.
 */
import type { DiagnosticBag } from "../../diagnostics.js";
import type { ProtoEnum, ProtoFile } from "../ast.js";
import { checkDefault, checkFieldNumber } from "./messages.js";
import type { ExtensionInfo, ProgramIndex } from "./scope.js";

const OPTIONS_MESSAGES = /^google\.protobuf\.(File|Message|Field|Oneof|Enum|EnumValue|Service|Method|ExtensionRange)Options$/;

/** Checks every extension of the program. */
export function checkExtensions(index: ProgramIndex, enumOf: (fullName: string) => ProtoEnum | undefined, diagnostics: DiagnosticBag): void {
  const used = new Map<string, ExtensionInfo>();
  const syntaxOf = (path: string): ProtoFile["syntax"] => index.files.get(path)!.file.syntax;
  for (const info of index.extensions) {
    const { field: f, extend } = info;
    const syntax = syntaxOf(info.file);
    checkFieldNumber(f, diagnostics);
    checkDefault(f, syntax, enumOf, diagnostics);
    if (f.label === "required") diagnostics.error(f.span, `extension '${f.name}' cannot be required`);
    const target = extend.target;
    if (!target) continue;
    if (syntax === "proto3" && !OPTIONS_MESSAGES.test(target.fullName)) {
      diagnostics.error(f.span, `extension '${f.name}' extends '${target.fullName}', but proto3 files may only extend google.protobuf.*Options (custom options)`);
    }
    const sym = index.symbols.get(target.fullName);
    if (sym?.kind !== "message") continue;
    if (!sym.node.extensionRanges.some(([lo, hi]) => f.number >= lo && f.number <= hi)) {
      diagnostics.error(f.span, `extension '${f.name}' uses number ${f.number}, which '${target.fullName}' does not declare as an extension number`);
      continue;
    }
    const key = `${target.fullName}:${f.number}`;
    const first = used.get(key);
    if (first) {
      const where = first.file === info.file ? `line ${first.field.span.start.line}` : `'${first.file}'`;
      diagnostics.error(f.span, `extension number ${f.number} of '${target.fullName}' is already used by '${first.fullName}' (${where})`);
    } else {
      used.set(key, info);
    }
  }
}
