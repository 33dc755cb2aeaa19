/**
 * Checks of enums: at least one value; open enums (proto3, editions `OPEN`) start at
 * zero; numbers shared only with `allow_alias = true`, and that option only when some
 * numbers are shared; reserved numbers and names unused, reserved ranges sane. Plus the
 * rule that a proto3 message cannot use a closed (proto2) enum, whose unknown values it
 * could not keep.
 */
import type { DiagnosticBag } from "../../diagnostics.js";
import type { ProtoEnum, ProtoEnumValue, ProtoMessage } from "../ast.js";
import { MAX_ENUM_VALUE } from "../names.js";
import { checkRanges, showRange } from "./messages.js";

/** Checks one enum; `closed` has been decided already. */
export function checkEnum(e: ProtoEnum, syntax: string, diagnostics: DiagnosticBag): void {
  const first = e.values[0];
  if (!first) {
    diagnostics.error(e.nameSpan, `enum '${e.name}' has no values`);
    return;
  }
  if (!e.closed && first.number !== 0) {
    const why = syntax === "proto3" ? "in proto3" : "in an open enum";
    diagnostics.error(first.span, `the first value of enum '${e.name}' must be zero ${why} ('${first.name}' is ${first.number})`);
  }
  checkRanges("reserved", e.reserved.ranges, -MAX_ENUM_VALUE - 1, MAX_ENUM_VALUE, e.nameSpan, diagnostics);
  const aliasOption = e.options.find((o) => o.name === "allow_alias");
  const allowAlias = aliasOption?.value.kind === "bool" && aliasOption.value.value;
  const byNumber = new Map<number, ProtoEnumValue>();
  let aliases = false;
  for (const v of e.values) {
    const previous = byNumber.get(v.number);
    if (previous) {
      aliases = true;
      if (!allowAlias) {
        diagnostics.error(v.span, `enum value '${v.name}' has the same number (${v.number}) as '${previous.name}'; set 'option allow_alias = true;' in enum '${e.name}' if that is intended`);
      }
    } else {
      byNumber.set(v.number, v);
    }
    const range = e.reserved.ranges.find(([lo, hi]) => v.number >= lo && v.number <= hi);
    if (range) diagnostics.error(v.span, `enum value '${v.name}' uses number ${v.number}, which is reserved (${showRange(range)})`);
    if (e.reserved.names.includes(v.name)) diagnostics.error(v.span, `enum value name '${v.name}' is reserved`);
  }
  if (allowAlias && !aliases) {
    diagnostics.error(aliasOption!.span, `enum '${e.name}' allows aliases, but no two values share a number; remove 'option allow_alias = true;'`);
  }
  if (syntax === "proto3") checkStrippedNames(e, diagnostics);
}

/**
 * protoc's proto3 rule: value names must stay distinct once the enum's name is stripped
 * as a prefix and case and underscores are ignored (`FOO_UNKNOWN` and `UNKNOWN` in
 * enum `Foo` clash), since generators for some languages strip prefixes.
 */
function checkStrippedNames(e: ProtoEnum, diagnostics: DiagnosticBag): void {
  const seen = new Map<string, ProtoEnumValue>();
  for (const v of e.values) {
    const key = strippedName(e.name, v.name);
    const first = seen.get(key);
    if (first && first.number !== v.number) {
      diagnostics.error(v.span, `enum value '${v.name}' clashes with '${first.name}' once the prefix '${e.name}' is stripped and case is ignored; rename one (or give both the same number as aliases)`);
    } else if (!first) {
      seen.set(key, v);
    }
  }
}

/** The value name without the enum-name prefix, in PascalCase: `FOO_BAR_BAZ` in `FooBar` → `Baz`. */
export function strippedName(enumName: string, valueName: string): string {
  const prefix = enumName.replace(/_/g, "").toLowerCase();
  let i = 0;
  let j = 0;
  while (i < valueName.length && j < prefix.length) {
    if (valueName[i] === "_") i++;
    else if (valueName[i]!.toLowerCase() === prefix[j]) {
      i++;
      j++;
    } else break;
  }
  let rest = j === prefix.length ? valueName.slice(i).replace(/^_+/, "") : valueName;
  if (rest === "") rest = valueName;
  return rest.toLowerCase().split("_").filter((w) => w !== "").map((w) => w[0]!.toUpperCase() + w.slice(1)).join("");
}

/** Enums used as map values need zero as their first value (the default of an absent value). */
export function checkMapEnumValues(m: ProtoMessage, enumOf: (fullName: string) => ProtoEnum | undefined, diagnostics: DiagnosticBag): void {
  for (const f of m.fields) {
    if (f.type.kind !== "map" || f.type.value.kind !== "named" || f.type.value.target?.kind !== "enum") continue;
    const first = enumOf(f.type.value.target.fullName)?.values[0];
    if (first && first.number !== 0) {
      diagnostics.error(f.type.value.span, `enum '${f.type.value.target.fullName}' is a map value, so its first value must be zero ('${first.name}' is ${first.number})`);
    }
  }
}

/** A proto3 message's fields must not use closed enums. */
export function checkOpenEnumUse(m: ProtoMessage, enumOf: (fullName: string) => ProtoEnum | undefined, diagnostics: DiagnosticBag): void {
  for (const f of m.fields) {
    const type = f.type.kind === "map" ? f.type.value : f.type;
    if (type.kind !== "named" || type.target?.kind !== "enum") continue;
    if (enumOf(type.target.fullName)?.closed) {
      diagnostics.error(type.span, `enum '${type.target.fullName}' is closed (proto2) and cannot be used in proto3 message '${m.name}'`);
    }
  }
}
