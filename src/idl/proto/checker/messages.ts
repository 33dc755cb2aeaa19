/**
 * Checks of messages and their fields once names are resolved:
 *
 * - field numbers: 1 to 536870911, not 19000-19999 (the implementation's), unique per
 *   message, not reserved, not inside an extension range; field names not reserved;
 * - reserved and extension ranges: in bounds, not empty, not overlapping;
 * - proto3: no `required`, no defaults, no extension ranges;
 * - defaults: not on repeated or message fields, of the field's type (and normalized);
 * - oneofs have fields; JSON names do not clash (default ones in proto3 and editions,
 *   custom ones everywhere), unless `deprecated_legacy_json_field_conflicts` is set.
 */
import type { DiagnosticBag, Span } from "../../diagnostics.js";
import type { ProtoEnum, ProtoField, ProtoFile, ProtoMessage } from "../ast.js";
import { MAX_FIELD_NUMBER, toJsonName } from "../names.js";
import { rangeSpans } from "../parser/spans.js";
import { type ValueType, fitValue } from "./values.js";

type Range = [number, number];

/** `5` or `5 to 10`. */
export const showRange = ([lo, hi]: Range): string => (lo === hi ? `${lo}` : `${lo} to ${hi}`);

/** The span of a range when it came from source, else `fallback`. */
export const spanOfRange = (range: Range, fallback: Span): Span => rangeSpans.get(range) ?? fallback;

const inRanges = (n: number, ranges: Range[]): Range | undefined => ranges.find(([lo, hi]) => n >= lo && n <= hi);

/** Number rules shared by fields and extensions. */
export function checkFieldNumber(f: ProtoField, diagnostics: DiagnosticBag): void {
  const n = f.number;
  if (n < 1) diagnostics.error(f.span, `field number ${n} of '${f.name}' must be positive`);
  else if (n > MAX_FIELD_NUMBER) diagnostics.error(f.span, `field number ${n} of '${f.name}' is greater than the maximum ${MAX_FIELD_NUMBER}`);
  else if (n >= 19000 && n <= 19999) {
    diagnostics.error(f.span, `field number ${n} of '${f.name}' is in 19000 to 19999, which is reserved for the protobuf implementation`);
  }
}

/** `[default = ...]` rules shared by fields and extensions; normalizes the value to the type. */
export function checkDefault(f: ProtoField, syntax: ProtoFile["syntax"], enumOf: (fullName: string) => ProtoEnum | undefined, diagnostics: DiagnosticBag): void {
  const v = f.defaultValue;
  if (v === undefined) return;
  if (syntax === "proto3") return diagnostics.error(v.span, "default values are not allowed in proto3");
  if (f.label === "repeated") return diagnostics.error(v.span, `repeated field '${f.name}' cannot have a default value`);
  let type: ValueType | undefined;
  if (f.type.kind === "scalar") type = { kind: "scalar", name: f.type.name };
  else if (f.type.kind === "named" && f.type.target?.kind === "enum") type = { kind: "enum", fullName: f.type.target.fullName, node: enumOf(f.type.target.fullName) };
  else if (f.type.kind === "named" && f.type.target?.kind === "message") return diagnostics.error(v.span, `message field '${f.name}' cannot have a default value`);
  if (!type) return; // unresolved: reported already
  const fit = fitValue(v, type);
  if (!fit.ok) return diagnostics.error(v.span, `invalid default value for '${f.name}': ${fit.message}`);
  f.defaultValue = fit.value;
  if (type.kind === "scalar" && type.name === "string" && v.kind === "string" && v.bytes) {
    diagnostics.error(v.span, `the default value of string field '${f.name}' is not valid UTF-8 (use bytes for raw bytes)`);
  }
}

/** Bounds, emptiness and overlaps of a list of ranges, and against earlier lists. */
export function checkRanges(
  what: string, ranges: Range[], min: number, max: number, fallback: Span, diagnostics: DiagnosticBag, others: { what: string; ranges: Range[] }[] = [],
): void {
  ranges.forEach((range, i) => {
    const [lo, hi] = range;
    const span = spanOfRange(range, fallback);
    if (lo > hi) return diagnostics.error(span, `${what} range ${lo} to ${hi} is empty: the end is less than the start`);
    if (lo < min || hi > max) return diagnostics.error(span, `${what} range ${showRange(range)} is out of bounds (${min} to ${max})`);
    const overlap = (r: Range): boolean => r[0] <= r[1] && lo <= r[1] && r[0] <= hi;
    const earlier = ranges.slice(0, i).find(overlap);
    if (earlier) return diagnostics.error(span, `${what} range ${showRange(range)} overlaps ${what} range ${showRange(earlier)}`);
    for (const o of others) {
      const hit = o.ranges.find(overlap);
      if (hit) return diagnostics.error(span, `${what} range ${showRange(range)} overlaps ${o.what} range ${showRange(hit)}`);
    }
  });
}

/** Checks one message (not its nested ones). */
export function checkMessage(m: ProtoMessage, file: ProtoFile, enumOf: (fullName: string) => ProtoEnum | undefined, jsonAllow: boolean, diagnostics: DiagnosticBag): void {
  checkRanges("reserved", m.reserved.ranges, 1, MAX_FIELD_NUMBER, m.nameSpan, diagnostics);
  checkRanges("extension", m.extensionRanges, 1, MAX_FIELD_NUMBER, m.nameSpan, diagnostics, [{ what: "reserved", ranges: m.reserved.ranges }]);
  if (file.syntax === "proto3") {
    for (const r of m.extensionRanges) diagnostics.error(spanOfRange(r, m.nameSpan), "extension ranges are not allowed in proto3 (only options can be extended)");
  }
  const byNumber = new Map<number, ProtoField>();
  for (const f of m.fields) {
    checkFieldNumber(f, diagnostics);
    const first = byNumber.get(f.number);
    if (first) diagnostics.error(f.span, `field number ${f.number} of '${f.name}' is already used by '${first.name}' in message '${m.name}'`);
    else byNumber.set(f.number, f);
    const reserved = inRanges(f.number, m.reserved.ranges);
    if (reserved) diagnostics.error(f.span, `field '${f.name}' uses number ${f.number}, which is reserved (${showRange(reserved)})`);
    if (m.reserved.names.includes(f.name)) diagnostics.error(f.nameSpan, `field name '${f.name}' is reserved`);
    const ext = inRanges(f.number, m.extensionRanges);
    if (ext) diagnostics.error(f.span, `field '${f.name}' uses number ${f.number}, which is in the extension range ${showRange(ext)}`);
    if (f.label === "required" && file.syntax === "proto3") diagnostics.error(f.span, "required fields are not allowed in proto3");
    checkDefault(f, file.syntax, enumOf, diagnostics);
  }
  for (const o of m.oneofs) if (o.fields.length === 0) diagnostics.error(o.span, `oneof '${o.name}' has no fields`);
  const legacy = m.options.some((o) => o.name === "deprecated_legacy_json_field_conflicts" && o.value.kind === "bool" && o.value.value);
  if (!legacy && !m.mapEntry) checkJsonNames(m, file.syntax !== "proto2" && jsonAllow, diagnostics);
}

/**
 * JSON names must be unique: the default (camelCase) ones in proto3 and editions, and
 * any custom `json_name` against all others in every syntax.
 */
function checkJsonNames(m: ProtoMessage, defaults: boolean, diagnostics: DiagnosticBag): void {
  if (defaults) {
    const seen = new Map<string, ProtoField>();
    for (const f of m.fields) {
      const name = toJsonName(f.name);
      const first = seen.get(name);
      if (first) diagnostics.error(f.nameSpan, `the JSON name '${name}' of field '${f.name}' is also the JSON name of '${first.name}'`);
      else seen.set(name, f);
    }
  }
  const seen = new Map<string, ProtoField>();
  for (const f of m.fields) {
    const first = seen.get(f.jsonName);
    const custom = (x: ProtoField): boolean => x.jsonName !== toJsonName(x.name);
    if (first && (custom(f) || custom(first))) {
      diagnostics.error(f.nameSpan, `the JSON name '${f.jsonName}' of field '${f.name}' is also the JSON name of '${first.name}'`);
    } else if (!first) {
      seen.set(f.jsonName, f);
    }
  }
}
