/**
 * The bodies of generated `write` and `read`: statements that move one value between a
 * TypeScript expression and a ThriftWriter/ThriftReader. Containers nest, so temporaries
 * are numbered by depth.
 */
import type { TypeRef } from "../../idl/thrift/ast.js";
import type { Code } from "../code.js";
import type { FileContext } from "./context.js";
import type { Resolved } from "./resolve.js";

const WRITE: Record<string, string> = {
  bool: "writeBool", byte: "writeByte", i8: "writeByte", i16: "writeI16", i32: "writeI32", i64: "writeI64",
  double: "writeDouble", string: "writeString", binary: "writeBinary",
};
const READ: Record<string, string> = {
  bool: "readBool", byte: "readByte", i8: "readByte", i16: "readI16", i32: "readI32", i64: "readI64",
  double: "readDouble", string: "readString", binary: "readBinary",
};

/** Emits statements writing `value` (an expression evaluated once) as `type`. */
export function emitWrite(ctx: FileContext, code: Code, type: TypeRef, value: string, depth = 0): void {
  const resolved = ctx.resolver.resolve(type);
  switch (resolved.kind) {
    case "base":
      if (resolved.name === "uuid") code.line(`w.writeUuid(${ctx.use("uuidToBytes")}(${value}));`);
      else code.line(`w.${WRITE[resolved.name]}(${value});`);
      return;
    case "enum":
      code.line(`w.writeI32(${value});`);
      return;
    case "struct":
      code.line(`${ctx.ref(resolved.ref)}.write(w, ${value});`);
      return;
    case "list":
    case "set": {
      const element = ctx.resolver.resolve(resolved.elementRef);
      const c = `c${depth}`;
      const e = `e${depth}`;
      code.line(`const ${c} = ${value};`);
      const begin = resolved.kind === "list" ? "writeListBegin" : "writeSetBegin";
      code.line(`w.${begin}(${ctx.resolver.ttype(element)}, ${c}.${resolved.kind === "list" ? "length" : "size"});`);
      code.block(`for (const ${e} of ${c})`, () => emitWrite(ctx, code, resolved.elementRef, e, depth + 1));
      return;
    }
    case "map": {
      const c = `c${depth}`;
      const k = `k${depth}`;
      const v = `v${depth}`;
      code.line(`const ${c} = ${value};`);
      const kt = ctx.resolver.ttype(resolved.key);
      const vt = ctx.resolver.ttype(resolved.value);
      code.line(`w.writeMapBegin(${kt}, ${vt}, ${c}.size);`);
      code.block(`for (const [${k}, ${v}] of ${c})`, () => {
        emitWrite(ctx, code, resolved.keyRef, k, depth + 1);
        emitWrite(ctx, code, resolved.valueRef, v, depth + 1);
      });
      return;
    }
  }
}

/** An expression reading a value of a type that needs no statements, or null. */
function readExpr(ctx: FileContext, type: TypeRef, resolved: Resolved): string | null {
  switch (resolved.kind) {
    case "base":
      if (resolved.name === "uuid") return `${ctx.use("uuidFromBytes")}(r.readUuid())`;
      return `r.${READ[resolved.name]}()`;
    case "enum": return `r.readI32() as ${ctx.tsType(type)}`;
    case "struct": return `${ctx.ref(resolved.ref)}.${ctx.readMethod}(r)`;
    default: return null;
  }
}

/**
 * Emits statements reading a value of `type` and passing it to `assign` (which returns
 * the statement that stores it).
 */
export function emitRead(ctx: FileContext, code: Code, type: TypeRef, assign: (value: string) => string, depth = 0): void {
  const resolved = ctx.resolver.resolve(type);
  const simple = readExpr(ctx, type, resolved);
  if (simple !== null) {
    code.line(assign(simple));
    return;
  }
  const n = `n${depth}`;
  const i = `i${depth}`;
  const c = `c${depth}`;
  if (resolved.kind === "list" || resolved.kind === "set") {
    const element = ctx.resolver.resolve(resolved.elementRef);
    const begin = resolved.kind === "list" ? "readListBegin" : "readSetBegin";
    code.line(`const ${n} = r.${begin}();`);
    code.line(`${ctx.use("expectElements")}(r, ${n}, ${ctx.resolver.ttype(element)});`);
    if (resolved.kind === "list") {
      code.line(`const ${c}: ${ctx.tsType(type)} = ${ctx.use("newList")}(${n});`);
      code.block(`for (let ${i} = 0; ${i} < ${n}; ${i}++)`, () =>
        emitRead(ctx, code, resolved.elementRef, (x) => `${c}[${i}] = ${x};`, depth + 1));
    } else {
      code.line(`const ${c} = new ${ctx.global("Set")}<${ctx.tsType(resolved.elementRef)}>();`);
      code.block(`for (let ${i} = 0; ${i} < ${n}; ${i}++)`, () =>
        emitRead(ctx, code, resolved.elementRef, (x) => `${c}.add(${x});`, depth + 1));
    }
  } else if (resolved.kind === "map") {
    const k = `k${depth}`;
    code.line(`const ${n} = r.readMapBegin();`);
    code.line(`${ctx.use("expectEntries")}(r, ${n}, ${ctx.resolver.ttype(resolved.key)}, ${ctx.resolver.ttype(resolved.value)});`);
    code.line(`const ${c} = new ${ctx.global("Map")}<${ctx.tsType(resolved.keyRef)}, ${ctx.tsType(resolved.valueRef)}>();`);
    code.block(`for (let ${i} = 0; ${i} < ${n}; ${i}++)`, () => {
      emitRead(ctx, code, resolved.keyRef, (x) => `const ${k} = ${x};`, depth + 1);
      emitRead(ctx, code, resolved.valueRef, (x) => `${c}.set(${k}, ${x});`, depth + 1);
    });
  }
  code.line("r.readContainerEnd();");
  code.line(assign(c));
}
