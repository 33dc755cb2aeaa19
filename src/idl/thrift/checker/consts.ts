/**
 * Constant values (of `const` definitions and field defaults): resolving the names they
 * use to constants and enum values, reporting constants defined in terms of themselves,
 * and checking each value against its type.
 */
import type { DiagnosticBag, Span } from "../../diagnostics.js";
import type { Const, ConstValue, Definition, DefinitionRef, EnumValue, TypeRef } from "../ast.js";
import { kindName, reportCycles, typeName, type ProgramScope } from "./scope.js";

type ValueTarget = DefinitionRef & { member?: string };
type Resolution = { ok: true; target: ValueTarget } | { ok: false; message?: string };

/**
 * What a value name denotes, seen from `file`: `CONST`, `inc.CONST`, `Enum.VALUE` or
 * `inc.Enum.VALUE` (an enum may also be reached through a typedef, as thriftgo allows).
 */
function resolveName(scope: ProgramScope, file: string, name: string, expected: TypeRef | undefined): Resolution {
  const found: ValueTarget[] = [];
  let problem: string | undefined;
  let silent = false;
  const whole = scope.lookup(file, name);
  if (whole.ok && whole.def.kind === "const") found.push(whole.ref);
  else if (whole.ok) problem = `'${name}' is ${article(kindName(whole.def))}, not a constant or enum value`;
  else silent ||= whole.silent;
  const dot = name.lastIndexOf(".");
  if (dot > 0) {
    const head = scope.lookup(file, name.slice(0, dot));
    const member = name.slice(dot + 1);
    const e = head.ok ? scope.enumOf(head.def) : undefined;
    if (e && e.values.some((v) => v.name === member)) found.push({ file: scope.fileOf(e), name: e.name, member });
    else if (e) problem = `enum '${e.name}' has no value '${member}'`;
    else if (!head.ok) silent ||= head.silent;
  }
  if (found.length === 1) return { ok: true, target: found[0]! };
  if (found.length > 1) return { ok: false, message: `'${name}' is ambiguous: it names both a constant and an enum value` };
  if (silent && problem === undefined) return { ok: false };
  if (problem === undefined) {
    problem = `undefined constant '${name}'`;
    // Thrift needs enum values qualified; say so when the bare name is a value of the expected enum.
    const e = expected && !name.includes(".") ? scope.deref(expected)?.def : undefined;
    if (e?.kind === "enum" && e.values.some((v) => v.name === name)) problem += ` (did you mean '${e.name}.${name}'?)`;
  }
  return { ok: false, message: problem };
}

function article(word: string): string {
  return /^[aeiou]/.test(word) ? `an ${word}` : `a ${word}`;
}

/** Sets `target` on every identifier in `value`, reporting names that resolve to nothing. */
export function resolveValue(scope: ProgramScope, diagnostics: DiagnosticBag, file: string, value: ConstValue, type: TypeRef | undefined): void {
  const t = type && scope.deref(type)?.type;
  switch (value.kind) {
    case "identifier": {
      const r = resolveName(scope, file, value.name, type);
      if (r.ok) value.target = r.target;
      else if (r.message) diagnostics.error(value.span, r.message);
      return;
    }
    case "list":
      for (const item of value.items) resolveValue(scope, diagnostics, file, item, t?.kind === "list" || t?.kind === "set" ? t.element : undefined);
      return;
    case "map":
      for (const { key, value: v } of value.entries) {
        resolveValue(scope, diagnostics, file, key, t?.kind === "map" ? t.key : undefined);
        resolveValue(scope, diagnostics, file, v, t?.kind === "map" ? t.value : undefined);
      }
      return;
    default:
      return;
  }
}

/** Calls `fn` on every identifier inside `value`. */
function identifiers(value: ConstValue, fn: (v: ConstValue & { kind: "identifier" }) => void): void {
  if (value.kind === "identifier") fn(value);
  else if (value.kind === "list") for (const item of value.items) identifiers(item, fn);
  else if (value.kind === "map") for (const e of value.entries) { identifiers(e.key, fn); identifiers(e.value, fn); }
}

/** Reports constants whose value refers back to themselves (`const i32 A = B; const i32 B = A`). */
export function checkConstCycles(scope: ProgramScope, diagnostics: DiagnosticBag, consts: Const[]): void {
  const edges = (c: Const): Const[] => {
    const out: Const[] = [];
    identifiers(c.value, (v) => {
      const d = v.target && v.target.member === undefined ? scope.definition(v.target) : undefined;
      if (d?.kind === "const") out.push(d);
    });
    return out;
  };
  reportCycles(consts, edges, (cycle) => {
    diagnostics.error(cycle[0]!.nameSpan, `constant '${cycle[0]!.name}' refers to itself (${cycle.map((c) => c.name).join(" -> ")})`);
  });
}

const INT_RANGES: Record<string, [bigint, bigint]> = {
  byte: [-128n, 127n], i8: [-128n, 127n], i16: [-32768n, 32767n],
  i32: [-2147483648n, 2147483647n], i64: [-9223372036854775808n, 9223372036854775807n],
};

const UUID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

function describeValue(v: ConstValue): string {
  switch (v.kind) {
    case "int": return `integer ${v.value}`;
    case "double": return `double ${Number.isInteger(v.value) && !/e/i.test(String(v.value)) ? v.value.toFixed(1) : v.value}`;
    case "string": return "string";
    case "identifier": return `'${v.name}'`;
    case "list": return "list";
    case "map": return "map";
  }
}

/** Checks values against types once every name is resolved. */
export class ValueChecker {
  /** Constants being followed, so a cycle (reported separately) does not recurse forever. */
  private readonly following = new Set<Definition>();

  constructor(private readonly scope: ProgramScope, private readonly diagnostics: DiagnosticBag) {}

  /** Whether `value` fits `type`; reports why not unless `quiet`. Unresolved types pass (already reported). */
  check(value: ConstValue, type: TypeRef, quiet = false): boolean {
    const d = this.scope.deref(type);
    if (!d) return true;
    const fail = (span: Span, message: string): false => {
      if (!quiet) this.diagnostics.error(span, message);
      return false;
    };
    const mismatch = (): false => fail(value.span, `expected ${typeName(type)}, found ${describeValue(value)}`);
    if (value.kind === "identifier") return this.checkName(value, type, quiet);
    const t = d.type;
    if (d.def?.kind === "enum") {
      if (value.kind !== "int") return mismatch();
      if (!d.def.values.some((v) => BigInt(v.value) === value.value)) return fail(value.span, `${value.value} is not a value of enum '${d.def.name}'`);
      return true;
    }
    if (d.def) {
      if (value.kind !== "map") return mismatch();
      const def = d.def;
      let ok = true;
      if (def.kind === "union" && value.entries.length > 1) ok = fail(value.span, `a value of union '${def.name}' sets at most one field`);
      for (const { key, value: v } of value.entries) {
        if (key.kind !== "string") {
          ok = fail(key.span, `expected a field name (a string) as key of a '${def.name}' value, found ${describeValue(key)}`);
          continue;
        }
        const field = def.fields.find((f) => f.name === key.value);
        if (!field) ok = fail(key.span, `${def.kind} '${def.name}' has no field '${key.value}'`);
        else if (!this.check(v, field.type, quiet)) ok = false;
      }
      return ok;
    }
    switch (t.kind) {
      case "base":
        return this.checkBase(value, t.name, type, quiet) ?? mismatch();
      case "list":
      case "set": {
        if (value.kind !== "list") return mismatch();
        let ok = true;
        for (const item of value.items) if (!this.check(item, t.element, quiet)) ok = false;
        return ok;
      }
      case "map": {
        if (value.kind !== "map") return mismatch();
        let ok = true;
        for (const e of value.entries) {
          if (!this.check(e.key, t.key, quiet)) ok = false;
          if (!this.check(e.value, t.value, quiet)) ok = false;
        }
        return ok;
      }
      default:
        return true;
    }
  }

  /** Base types; undefined means "wrong kind of value" (the caller words the mismatch). */
  private checkBase(value: ConstValue, base: string, type: TypeRef, quiet: boolean): boolean | undefined {
    const fail = (message: string): false => {
      if (!quiet) this.diagnostics.error(value.span, message);
      return false;
    };
    if (base === "bool") {
      if (value.kind === "int" && (value.value === 0n || value.value === 1n)) return true;
      return fail(`expected bool (true, false, 0 or 1), found ${describeValue(value)}`);
    }
    const range = INT_RANGES[base];
    if (range) {
      if (value.kind !== "int") return undefined;
      if (value.value < range[0] || value.value > range[1]) {
        return fail(`integer ${value.value} is out of range for ${typeName(type)} (${range[0]}..${range[1]})`);
      }
      return true;
    }
    if (base === "double") return value.kind === "int" || value.kind === "double" ? true : undefined;
    if (value.kind !== "string") return undefined;
    if (base === "uuid" && !UUID.test(value.value)) return fail(`"${value.value}" is not a valid uuid`);
    return true;
  }

  /** A constant or enum value used as a value of `type`. */
  private checkName(value: ConstValue & { kind: "identifier" }, type: TypeRef, quiet: boolean): boolean {
    const target = value.target;
    const def = this.scope.definition(target);
    if (!target || !def) return true; // unresolved: reported by resolveValue
    const fail = (message: string): false => {
      if (!quiet) this.diagnostics.error(value.span, message);
      return false;
    };
    if (def.kind === "enum") {
      const member = def.values.find((v) => v.name === target.member) as EnumValue;
      const d = this.scope.deref(type);
      if (!d) return true;
      if (d.def?.kind === "enum") return d.def === def || fail(`'${value.name}' is not a value of enum '${d.def.name}'`);
      // An enum value is an i32, so it may initialise integer and double fields.
      const stand: ConstValue = { kind: "int", value: BigInt(member.value), span: value.span };
      if (d.type.kind === "base" && d.type.name !== "bool" && (INT_RANGES[d.type.name] || d.type.name === "double")) return this.check(stand, type, quiet);
      return fail(`expected ${typeName(type)}, found enum value '${value.name}'`);
    }
    if (def.kind !== "const" || this.following.has(def)) return true;
    this.following.add(def);
    const ok = this.check(def.value, type, true);
    this.following.delete(def);
    return ok || fail(`constant '${value.name}' cannot be used as ${typeName(type)}`);
  }
}
