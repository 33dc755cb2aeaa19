/** IDL constant values (`const` definitions and field defaults) as TypeScript expressions. */
import type { ConstValue, Struct, TypeRef } from "../../idl/thrift/ast.js";
import type { FileContext } from "./context.js";
import type { Resolved } from "./resolve.js";

/** The expression for `value` as a value of `type`. */
export function valueExpr(ctx: FileContext, type: TypeRef, value: ConstValue): string {
  return expr(ctx, ctx.resolver.resolve(type), value);
}

function expr(ctx: FileContext, type: Resolved, value: ConstValue): string {
  if (value.kind === "identifier") return identifier(ctx, type, value);
  switch (type.kind) {
    case "base":
      switch (type.name) {
        case "bool": return value.kind === "int" ? String(value.value !== 0n) : "false";
        case "i64": return value.kind === "int" ? `${value.value}n` : "0n";
        case "double": return value.kind === "int" ? String(Number(value.value)) : value.kind === "double" ? doubleLiteral(value.value) : "0";
        case "string": case "uuid": return value.kind === "string" ? JSON.stringify(value.value) : '""';
        case "binary":
          return `new ${ctx.global("TextEncoder")}().encode(${JSON.stringify(value.kind === "string" ? value.value : "")})`;
        default: return value.kind === "int" ? String(value.value) : "0";
      }
    case "enum":
      return value.kind === "int" ? `${value.value} as ${ctx.ref(type.ref)}` : "0";
    case "list":
      if (value.kind !== "list") return "[]";
      return `[${value.items.map((item) => expr(ctx, type.element, item)).join(", ")}]`;
    case "set": {
      const items = value.kind === "list" ? value.items : [];
      const element = ctx.tsType(type.elementRef);
      return `new ${ctx.global("Set")}<${element}>([${items.map((i) => expr(ctx, type.element, i)).join(", ")}])`;
    }
    case "map": {
      const entries = value.kind === "map" ? value.entries : [];
      const k = ctx.tsType(type.keyRef);
      const v = ctx.tsType(type.valueRef);
      const pairs = entries.map((e) => `[${expr(ctx, type.key, e.key)}, ${expr(ctx, type.value, e.value)}]`);
      return `new ${ctx.global("Map")}<${k}, ${v}>([${pairs.join(", ")}])`;
    }
    case "struct":
      return structLiteral(ctx, type.def, ctx.ref(type.ref), value);
  }
}

/** Resolved kinds whose values are objects a caller could change. */
const OBJECT_KINDS: ReadonlySet<Resolved["kind"]> = new Set(["list", "set", "map", "struct"]);

function identifier(ctx: FileContext, type: Resolved, value: Extract<ConstValue, { kind: "identifier" }>): string {
  if (!value.target) throw new Error(`internal: unresolved constant ${value.name}`);
  if (value.target.member === undefined && (OBJECT_KINDS.has(type.kind) || (type.kind === "base" && type.name === "binary"))) {
    // A constant of object type is written out again, so that a default naming it gives each
    // new struct its own mutable copy instead of the frozen constant itself.
    const def = ctx.resolver.definition(value.target);
    if (def.kind === "const") return expr(ctx, type, def.value);
  }
  const base = ctx.ref({ file: value.target.file, name: value.target.name });
  const ref = value.target.member === undefined ? base : `${base}.${value.target.member}`;
  // An enum value where an i64 or double is expected.
  if (value.target.member !== undefined && type.kind === "base" && type.name === "i64") return `BigInt(${ref})`;
  return ref;
}

function doubleLiteral(v: number): string {
  if (Number.isNaN(v)) return "NaN";
  if (!Number.isFinite(v)) return v > 0 ? "Infinity" : "-Infinity";
  return Object.is(v, -0) ? "-0" : String(v);
}

/** A struct literal `{ field: value }` as the struct's create() (or union value, or exception). */
function structLiteral(ctx: FileContext, def: Struct, name: string, value: ConstValue): string {
  const entries = value.kind === "map" ? value.entries : [];
  const parts: string[] = [];
  for (const entry of entries) {
    const key = entry.key;
    if (key.kind !== "string") continue;
    const field = def.fields.find((f) => f.name === key.value);
    if (!field) continue;
    parts.push(`${JSON.stringify(field.name)}: ${valueExpr(ctx, field.type, entry.value)}`);
  }
  if (def.kind === "union") {
    const first = entries[0];
    const key = first?.key.kind === "string" ? first.key.value : undefined;
    const field = def.fields.find((f) => f.name === key);
    if (!field || !first) return `{ case: undefined }`;
    return `{ case: ${JSON.stringify(field.name)}, value: ${valueExpr(ctx, field.type, first.value)} } as ${name}`;
  }
  if (def.kind === "exception") return `new ${name}({ ${parts.join(", ")} })`;
  return `${name}.create({ ${parts.join(", ")} })`;
}

/** The value a field of `type` has when neither the wire nor the IDL gives one. */
export function zeroValue(ctx: FileContext, type: TypeRef): string {
  const resolved = ctx.resolver.resolve(type);
  switch (resolved.kind) {
    case "base":
      switch (resolved.name) {
        case "bool": return "false";
        case "i64": return "0n";
        case "string": return '""';
        case "uuid": return '"00000000-0000-0000-0000-000000000000"';
        case "binary": return `${ctx.use("emptyBytes")}()`;
        default: return "0";
      }
    case "enum": return `0 as ${ctx.tsType(type)}`;
    case "list": return "[]";
    case "set": return `new ${ctx.global("Set")}<${ctx.tsType(resolved.elementRef)}>()`;
    case "map": return `new ${ctx.global("Map")}<${ctx.tsType(resolved.keyRef)}, ${ctx.tsType(resolved.valueRef)}>()`;
    case "struct": return "undefined";
  }
}
