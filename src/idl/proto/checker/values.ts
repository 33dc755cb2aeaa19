/**
 * Constants against field types, for `[default = ...]` and option values: integers in
 * range for their type, floats (integers, `inf` and `nan` too) for float/double,
 * `true`/`false` for bool, string literals for string/bytes, value names for enums,
 * `{ ... }` for messages. A fitting value is returned in the type's own form (an
 * integer for a double becomes a float, `inf` a float), so sources and descriptor sets
 * give the same tree.
 */
import type { OptionValue, ProtoEnum, ScalarType } from "../ast.js";

/** What a value must fit: a scalar type, an enum (with its values when resolved), or a message. */
export type ValueType =
  | { kind: "scalar"; name: ScalarType }
  | { kind: "enum"; fullName: string; node?: ProtoEnum }
  | { kind: "message"; fullName: string };

const RANGES: Partial<Record<ScalarType, [bigint, bigint]>> = {
  int32: [-(2n ** 31n), 2n ** 31n - 1n], sint32: [-(2n ** 31n), 2n ** 31n - 1n], sfixed32: [-(2n ** 31n), 2n ** 31n - 1n],
  uint32: [0n, 2n ** 32n - 1n], fixed32: [0n, 2n ** 32n - 1n],
  int64: [-(2n ** 63n), 2n ** 63n - 1n], sint64: [-(2n ** 63n), 2n ** 63n - 1n], sfixed64: [-(2n ** 63n), 2n ** 63n - 1n],
  uint64: [0n, 2n ** 64n - 1n], fixed64: [0n, 2n ** 64n - 1n],
};

/** How a value reads in messages. */
export function showValue(v: OptionValue): string {
  switch (v.kind) {
    case "int": return String(v.value);
    case "float": return String(v.value);
    case "bool": return String(v.value);
    case "string": return JSON.stringify(v.value);
    case "identifier": return v.name;
    case "aggregate": return "{ ... }";
  }
}

/** The type's name in messages. */
export function showType(t: ValueType): string {
  return t.kind === "scalar" ? t.name : `${t.kind} '${t.fullName}'`;
}

/** Checks `v` against `t`: the value in the type's form, or a message (`expected ...`). */
export function fitValue(v: OptionValue, t: ValueType): { ok: true; value: OptionValue } | { ok: false; message: string } {
  const bad = (want: string): { ok: false; message: string } => ({ ok: false, message: `expected ${want}, found ${showValue(v)}` });
  if (t.kind === "message") return v.kind === "aggregate" ? { ok: true, value: v } : bad(`a message value { ... } for ${showType(t)}`);
  if (t.kind === "enum") {
    if (v.kind !== "identifier") return bad(`a value name of ${showType(t)}`);
    if (t.node && !t.node.values.some((x) => x.name === v.name)) return { ok: false, message: `enum '${t.fullName}' has no value '${v.name}'` };
    return { ok: true, value: v };
  }
  const range = RANGES[t.name];
  if (range) {
    if (v.kind !== "int") return bad(`an integer for ${t.name}`);
    if (v.value < range[0] || v.value > range[1]) return { ok: false, message: `${v.value} is out of range for ${t.name}` };
    return { ok: true, value: v };
  }
  switch (t.name) {
    case "float":
    case "double":
      if (v.kind === "float") return { ok: true, value: v };
      if (v.kind === "int") return { ok: true, value: { kind: "float", value: Number(v.value), span: v.span } };
      if (v.kind === "identifier" && (v.name === "inf" || v.name === "nan")) {
        return { ok: true, value: { kind: "float", value: v.name === "inf" ? Infinity : NaN, span: v.span } };
      }
      return bad(`a number for ${t.name}`);
    case "bool":
      return v.kind === "bool" ? { ok: true, value: v } : bad("true or false");
    default:
      return v.kind === "string" ? { ok: true, value: v } : bad(`a string literal for ${t.name}`);
  }
}
