/** Enums: a frozen object of values, a union type of them, and the table ProtoJSON uses. */
import type { ProtoEnum } from "../../idl/proto/ast.js";
import type { Code } from "../code.js";
import { typeName, type ProtoContext } from "./context.js";

export function emitEnum(ctx: ProtoContext, code: Code, e: ProtoEnum): void {
  const name = typeName(e.fullName, ctx.file.package);
  code.doc(e.doc);
  code.block(`export const ${name} =`, () => {
    for (const v of e.values) {
      code.doc(v.doc);
      code.line(`${v.name}: ${v.number},`);
    }
  }, "} as const;");
  code.line(`export type ${name} = (typeof ${name})[keyof typeof ${name}];`);
  const names = new Map<number, string>();
  for (const v of e.values) if (!names.has(v.number)) names.set(v.number, v.name);
  const entries = [...names].map(([n, v]) => `${n < 0 ? JSON.stringify(String(n)) : n}: ${JSON.stringify(v)}`).join(", ");
  code.line(`/** ${e.closed ? "Closed (proto2): values it does not list stay unknown fields." : "Open: values it does not list are kept as numbers."} */`);
  code.line(`export const ${name}$info: ${ctx.useType("ProtobufEnumInfo")} = { typeName: ${JSON.stringify(e.fullName)}, values: ${name}, names: { ${entries} }, closed: ${e.closed} };`);
}
