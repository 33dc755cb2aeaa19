/**
 * Checks of enums and of field lists (struct, union and exception fields, function
 * parameters and throws): duplicate names and ids, id ranges, requiredness where it has
 * no effect, union rules, and default values.
 */
import type { DiagnosticBag } from "../../diagnostics.js";
import type { Enum, Field, Struct } from "../ast.js";
import type { ValueChecker } from "./consts.js";

const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

/**
 * Enum values: duplicate names are errors. Duplicate numbers are a warning: Apache
 * Thrift accepts them (both names decode to the same number), thriftgo rejects them, so
 * such an IDL cannot be shared with Kitex services. Values must fit an i32.
 */
export function checkEnum(e: Enum, diagnostics: DiagnosticBag): void {
  const names = new Map<string, number>();
  const numbers = new Map<number, string>();
  for (const v of e.values) {
    const line = names.get(v.name);
    if (line !== undefined) diagnostics.error(v.span, `duplicate value name '${v.name}' in enum '${e.name}' (first at line ${line})`);
    else names.set(v.name, v.span.start.line);
    if (v.value < I32_MIN || v.value > I32_MAX) {
      const how = v.explicit ? "" : " (implied: previous + 1)";
      diagnostics.error(v.span, `value ${v.value} of '${e.name}.${v.name}'${how} is out of range for i32`);
    }
    const other = numbers.get(v.value);
    if (other !== undefined && other !== v.name) {
      diagnostics.warning(v.span, `'${e.name}.${v.name}' has the same value (${v.value}) as '${other}'; thriftgo rejects this`);
    } else if (other === undefined) {
      numbers.set(v.value, v.name);
    }
  }
}

/** Which list of fields is checked, for messages. */
export type FieldListKind = "struct" | "params" | "throws";

/**
 * A list of fields: names and ids unique, ids within i16 (positive expected), implicit
 * ids flagged, defaults checked against field types.
 */
export function checkFields(fields: Field[], owner: string, kind: FieldListKind, values: ValueChecker, diagnostics: DiagnosticBag): void {
  const names = new Map<string, Field>();
  const ids = new Map<number, Field>();
  for (const f of fields) {
    const sameName = names.get(f.name);
    if (sameName) diagnostics.error(f.nameSpan, `duplicate field name '${f.name}' in ${owner} (first at line ${sameName.nameSpan.start.line})`);
    else names.set(f.name, f);
    const sameId = ids.get(f.id);
    if (sameId) diagnostics.error(f.span, `field id ${f.id} of '${f.name}' is already used by '${sameId.name}' in ${owner}`);
    else ids.set(f.id, f);
    if (!f.explicitId) {
      diagnostics.warning(f.nameSpan, `field '${f.name}' has no id; assigned ${f.id} (give it an explicit positive id)`);
    } else if (f.id < -32768 || f.id > 32767) {
      diagnostics.error(f.span, `field id ${f.id} of '${f.name}' is out of range for i16`);
    } else if (f.id <= 0) {
      diagnostics.warning(f.span, `field id ${f.id} of '${f.name}' is not positive`);
    }
    if (kind === "params" && f.requiredness === "optional") {
      diagnostics.warning(f.nameSpan, `'optional' has no effect on parameter '${f.name}'`);
    }
    if (kind === "throws" && f.requiredness === "required") {
      diagnostics.warning(f.nameSpan, `'required' has no effect on exception '${f.name}': thrown exceptions are optional`);
    }
    if (f.default) {
      if (kind === "throws") diagnostics.warning(f.default.span, `a default value for exception '${f.name}' is ignored`);
      values.check(f.default, f.type);
    }
  }
}

/**
 * Unions: at most one field may have a default (it is the value a fresh union holds);
 * `required` contradicts a union and `optional` is implied, so both draw warnings.
 */
export function checkUnion(u: Struct, diagnostics: DiagnosticBag): void {
  let withDefault: Field | undefined;
  for (const f of u.fields) {
    if (f.requiredness === "required") {
      diagnostics.warning(f.nameSpan, `union field '${f.name}' cannot be required; union fields are always optional`);
    } else if (f.requiredness === "optional") {
      diagnostics.warning(f.nameSpan, `'optional' is redundant on union field '${f.name}'; union fields are always optional`);
    }
    if (!f.default) continue;
    if (withDefault) {
      diagnostics.error(f.default.span, `union '${u.name}' already has a default value (field '${withDefault.name}'); only one field may have one`);
    } else {
      withDefault = f;
    }
  }
}
