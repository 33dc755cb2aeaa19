/**
 * The wire-relevant properties the checker derives per element from the syntax (and, in
 * editions files, from `features.*` options, looked up from the element outwards to the
 * file, with the edition 2023 defaults):
 *
 * - `ProtoEnum.closed`: proto2 closed, proto3 open, editions `features.enum_type`
 *   (default OPEN).
 * - `ProtoField.presence`: never for repeated fields and maps; always for message
 *   fields, oneof members and extensions; otherwise proto2 yes, proto3 only with
 *   `optional`, editions per `features.field_presence` (default EXPLICIT).
 * - `ProtoField.packed`: only repeated numeric, bool and enum fields; proto2 with
 *   `[packed = true]`, proto3 unless `[packed = false]`, editions per
 *   `features.repeated_field_encoding` (default PACKED).
 *
 * In editions files two features change the wire format the way proto2 syntax did, and
 * are mapped onto the same tree so generators need no feature logic:
 * `field_presence = LEGACY_REQUIRED` makes the label `required`, and
 * `message_encoding = DELIMITED` on a message field sets `group` (group encoding).
 */
import type { DiagnosticBag } from "../../diagnostics.js";
import type { ProtoEnum, ProtoField, ProtoFile, ProtoMessage, ProtoOption } from "../ast.js";

/** Option lists from the innermost element outwards. */
type Chain = ProtoOption[][];

/** The value of `features.<name>` nearest to the element, if set. */
export function feature(chain: Chain, name: string): string | undefined {
  for (const options of chain) {
    for (let i = options.length - 1; i >= 0; i--) {
      const o = options[i]!;
      if (o.name === `features.${name}` && o.value.kind === "identifier") return o.value.name;
    }
  }
  return undefined;
}

/** Sets `closed` on every enum of the file. */
export function setEnumsClosed(file: ProtoFile): void {
  const visit = (enums: ProtoEnum[], chain: Chain): void => {
    for (const e of enums) {
      e.closed = file.syntax === "proto2" || (file.syntax === "editions" && feature([e.options, ...chain], "enum_type") === "CLOSED");
    }
  };
  const walk = (m: ProtoMessage, chain: Chain): void => {
    const inner = [m.options, ...chain];
    visit(m.enums, inner);
    for (const n of m.messages) walk(n, inner);
  };
  visit(file.enums, [file.options]);
  for (const m of file.messages) walk(m, [file.options]);
}

/** Sets `presence` and `packed` on every field and extension of the file; reports misplaced `packed`. */
export function setFieldEncoding(file: ProtoFile, diagnostics: DiagnosticBag): void {
  const field = (f: ProtoField, chain: Chain, extension: boolean): void => {
    const own = [f.options, ...chain];
    if (file.syntax === "editions" && f.label === "none" && f.oneof === undefined && !extension &&
      f.type.kind !== "map" && feature(own, "field_presence") === "LEGACY_REQUIRED") f.label = "required";
    if (file.syntax === "editions" && f.type.kind === "named" && f.type.target?.kind === "message" &&
      feature(own, "message_encoding") === "DELIMITED") f.group = true;
    f.presence = presence(f, file.syntax, own, extension);
    f.packed = packed(f, file.syntax, own, diagnostics);
    if (file.syntax === "editions" && !f.presence && f.defaultValue) {
      diagnostics.error(f.defaultValue.span, `field '${f.name}' has implicit presence and cannot have a default value`);
    }
  };
  const walk = (m: ProtoMessage, chain: Chain): void => {
    const inner = [m.options, ...chain];
    for (const f of m.fields) {
      const oneof = f.oneof === undefined ? undefined : m.oneofs.find((o) => o.name === f.oneof);
      field(f, oneof ? [oneof.options, ...inner] : inner, false);
    }
    for (const x of m.extends) for (const f of x.fields) field(f, inner, true);
    for (const n of m.messages) walk(n, inner);
  };
  for (const m of file.messages) walk(m, [file.options]);
  for (const x of file.extends) for (const f of x.fields) field(f, [file.options], true);
}

function presence(f: ProtoField, syntax: ProtoFile["syntax"], chain: Chain, extension: boolean): boolean {
  if (f.label === "repeated" || f.type.kind === "map") return false;
  if (f.oneof !== undefined || extension || f.group) return true;
  if (f.type.kind === "named" && f.type.target?.kind === "message") return true;
  if (syntax === "proto2") return true;
  if (syntax === "proto3") return f.label === "optional";
  return feature(chain, "field_presence") !== "IMPLICIT";
}

const UNPACKABLE = new Set(["string", "bytes"]);

function packed(f: ProtoField, syntax: ProtoFile["syntax"], chain: Chain, diagnostics: DiagnosticBag): boolean {
  const type = f.type;
  const resolved = type.kind !== "named" || type.target !== undefined;
  const packable = f.label === "repeated" &&
    (type.kind === "scalar" ? !UNPACKABLE.has(type.name) : type.kind === "named" && type.target?.kind === "enum");
  const option = f.options.find((o) => o.name === "packed");
  const explicit = option?.value.kind === "bool" ? option.value.value : undefined;
  if (option && syntax === "editions") {
    diagnostics.error(option.span, "option 'packed' is not allowed in editions; use features.repeated_field_encoding");
  } else if (explicit === true && !packable && resolved) {
    diagnostics.error(option!.span, `[packed = true] can only be used on repeated fields of numeric, bool or enum types ('${f.name}' is not one)`);
  }
  if (!packable) return false;
  if (syntax === "proto2") return explicit === true;
  if (syntax === "proto3") return explicit !== false;
  return feature(chain, "repeated_field_encoding") !== "EXPANDED";
}
