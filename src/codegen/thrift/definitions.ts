/** Enums, typedefs and constants. */
import type { Const, Enum, Typedef } from "../../idl/thrift/ast.js";
import type { Code } from "../code.js";
import { tsName, type FileContext } from "./context.js";
import { valueExpr } from "./values.js";

/**
 * An enum as a frozen object of its values and a union type of them. Values received
 * from the wire that the IDL does not list are kept as numbers, as Kitex keeps them.
 */
export function emitEnum(code: Code, def: Enum): void {
  const name = tsName(def.name);
  code.doc(def.doc);
  code.block(`export const ${name} =`, () => {
    for (const v of def.values) {
      code.doc(v.doc);
      code.line(`${v.name}: ${v.value},`);
    }
  }, "} as const;");
  code.line(`export type ${name} = (typeof ${name})[keyof typeof ${name}];`);
}

/** A typedef: a type alias, plus a value alias when it names a struct (so its codec is there too). */
export function emitTypedef(ctx: FileContext, code: Code, def: Typedef): void {
  const name = tsName(def.name);
  code.doc(def.doc);
  code.line(`export type ${name} = ${ctx.tsType(def.type)};`);
  const resolved = ctx.resolver.resolve(def.type);
  if (def.type.kind === "named" && (resolved.kind === "struct" || resolved.kind === "enum")) {
    code.line(`export const ${name} = ${ctx.tsType(def.type)};`);
  }
}

/** A constant; containers and structs are frozen or typed read-only so no caller can change them. */
export function emitConst(ctx: FileContext, code: Code, def: Const): void {
  const name = tsName(def.name);
  const resolved = ctx.resolver.resolve(def.type);
  const type = ctx.tsType(def.type);
  const value = valueExpr(ctx, def.type, def.value);
  code.doc(def.doc);
  switch (resolved.kind) {
    case "list":
      // The element type from the resolved list: `type` may be a typedef's name.
      code.line(`export const ${name}: readonly ${ctx.tsType(resolved.elementRef)}[] = Object.freeze(${value});`);
      return;
    case "set":
      code.line(`export const ${name}: ReadonlySet<${ctx.tsType(resolved.elementRef)}> = ${value};`);
      return;
    case "map":
      code.line(`export const ${name}: ReadonlyMap<${ctx.tsType(resolved.keyRef)}, ${ctx.tsType(resolved.valueRef)}> = ${value};`);
      return;
    case "struct":
      code.line(`export const ${name}: Readonly<${type}> = ${value};`);
      return;
    default:
      code.line(`export const ${name}: ${type} = ${value};`);
  }
}
