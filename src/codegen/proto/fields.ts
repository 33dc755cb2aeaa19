/**
 * What message fields and extension fields share: a field's resolved shape, its
 * TypeScript type, and its `ProtobufField` entry (what field tables and extension
 * descriptors carry).
 */
import type { ProtoEnum, ProtoField, ProtoRef, ScalarType } from "../../idl/proto/ast.js";
import { localName, scalarTsType, type ProtoContext } from "./context.js";

/** A field's value type with references resolved. */
export type Shape =
  | { kind: "scalar"; scalar: ScalarType }
  | { kind: "enum"; ref: ProtoRef; def: ProtoEnum }
  | { kind: "message"; ref: ProtoRef; group: boolean };

/** The field's value type with its message or enum resolved (key and value for maps). */
export function shapeOf(ctx: ProtoContext, field: ProtoField): Shape | { kind: "map"; key: ScalarType; value: Shape } {
  const t = field.type;
  if (t.kind === "map") {
    const v = t.value;
    const value: Shape = v.kind === "scalar" ? { kind: "scalar", scalar: v.name }
      : named(ctx, v.kind === "named" ? v.target : undefined, false);
    return { kind: "map", key: t.key, value };
  }
  if (t.kind === "scalar") return { kind: "scalar", scalar: t.name };
  return named(ctx, t.target, field.group === true);
}

function named(ctx: ProtoContext, target: ProtoRef | undefined, group: boolean): Shape {
  if (!target) throw new Error("internal: unresolved type");
  if (target.kind === "enum") return { kind: "enum", ref: target, def: ctx.definition(target) as ProtoEnum };
  return { kind: "message", ref: target, group };
}

/** The TypeScript type of one value of `s`. */
export function valueTsType(ctx: ProtoContext, s: Shape): string {
  return s.kind === "scalar" ? scalarTsType(s.scalar) : ctx.ref(s.ref);
}

/** A field as the generator plans it: its declaration, TypeScript name and resolved shape. */
export interface FieldPlan {
  /** Full name of the message the field belongs to. */
  message: string;
  field: ProtoField;
  name: string;
  shape: ReturnType<typeof shapeOf>;
  /** Index in declaration order: decode locals are f<index>. */
  index: number;
}

/** Whether the field holds a list or a map. */
export function isList(p: FieldPlan): boolean {
  return p.field.label === "repeated" || p.shape.kind === "map";
}

/** The TypeScript type of the field's value (a list or map for repeated and map fields). */
export function fieldTsType(ctx: ProtoContext, p: FieldPlan): string {
  if (p.shape.kind === "map") return `Map<${scalarTsType(p.shape.key)}, ${valueTsType(ctx, p.shape.value)}>`;
  const element = valueTsType(ctx, p.shape);
  return p.field.label === "repeated" ? `${element}[]` : element;
}

/** The field's entry in a field table (`ProtobufField`), as a TypeScript object literal. */
export function fieldInfo(ctx: ProtoContext, p: FieldPlan): string {
  const f = p.field;
  const type = (s: Shape): string => {
    if (s.kind === "scalar") return `{ kind: "scalar", type: ${JSON.stringify(s.scalar)} }`;
    if (s.kind === "enum") return `{ kind: "enum", type: () => ${ctx.ref(s.ref)}$info }`;
    return `{ kind: "message", type: () => ${ctx.ref(s.ref)}${s.group ? ", group: true" : ""} }`;
  };
  const t = p.shape.kind === "map"
    ? `{ kind: "map", key: ${JSON.stringify(p.shape.key)}, value: ${type(p.shape.value)} }`
    : type(p.shape);
  const parts = [
    `no: ${f.number}`, `protoName: ${JSON.stringify(f.name)}`, `jsonName: ${JSON.stringify(f.jsonName)}`,
    `localName: ${JSON.stringify(p.name)}`, `type: ${t}`, `repeated: ${f.label === "repeated"}`,
    `packed: ${f.packed === true}`, `presence: ${f.presence === true}`, `required: ${f.label === "required"}`,
  ];
  if (f.oneof !== undefined) parts.push(`oneof: ${JSON.stringify(localName(f.oneof))}`);
  if (f.defaultValue !== undefined) parts.push(`defaultValue: ${defaultLiteral(ctx, p)}`);
  return `{ ${parts.join(", ")} }`;
}

/** A proto2 `[default = ...]` as a TypeScript literal. */
function defaultLiteral(ctx: ProtoContext, p: FieldPlan): string {
  const d = p.field.defaultValue!;
  const s = p.shape as Shape;
  if (s.kind === "enum" && d.kind === "identifier") return `${ctx.ref(s.ref)}.${d.name}`;
  if (s.kind !== "scalar") return "undefined";
  const ts = scalarTsType(s.scalar);
  switch (d.kind) {
    case "int": return ts === "bigint" ? `${d.value}n` : String(d.value);
    case "float": return Number.isNaN(d.value) ? "NaN" : !Number.isFinite(d.value) ? (d.value > 0 ? "Infinity" : "-Infinity") : String(d.value);
    case "bool": return String(d.value);
    case "identifier": return d.name === "inf" ? "Infinity" : d.name === "nan" ? "NaN" : d.name === "-inf" ? "-Infinity" : d.name;
    case "string":
      if (s.scalar === "bytes") return `new Uint8Array([${Array.from(d.bytes ?? new TextEncoder().encode(d.value)).join(", ")}])`;
      return JSON.stringify(d.value);
    default: return "undefined";
  }
}
