/**
 * Services: the typed client and handler interfaces, the `<method>_args`/`_result`
 * structs on the wire, and the method table the RPC core and generic calls use.
 */
import type { Field, Service, Struct, ThriftFunction } from "../../idl/thrift/ast.js";
import type { Span } from "../../idl/diagnostics.js";
import type { Code } from "../code.js";
import { tsName, type FileContext } from "./context.js";
import { emitStruct, prop } from "./structs.js";

/** The args struct of a method: its parameters as fields. */
function argsStruct(service: Service, fn: ThriftFunction): Struct {
  return {
    kind: "struct", name: `${service.name}$${fn.name}$args`, fields: fn.params, annotations: [],
    span: fn.span, nameSpan: fn.nameSpan,
  };
}

/** The result struct of a method: field 0 `success` (unless void), then the declared exceptions. */
function resultStruct(service: Service, fn: ThriftFunction): Struct {
  const fields: Field[] = [];
  if (fn.returnType) {
    fields.push({
      id: 0, explicitId: true, requiredness: "optional", type: fn.returnType, name: "success",
      annotations: [], span: fn.span as Span, nameSpan: fn.nameSpan,
    });
  }
  for (const t of fn.throws) fields.push({ ...t, requiredness: "optional" });
  return { kind: "struct", name: `${service.name}$${fn.name}$result`, fields, annotations: [], span: fn.span, nameSpan: fn.nameSpan };
}

/** A parameter name that does not collide with the IDL's own (for `options`/`context`). */
function extraParam(fn: ThriftFunction, wanted: string): string {
  let name = wanted;
  while (fn.params.some((p) => p.name === name)) name = `$${name}`;
  return name;
}

export function emitService(ctx: FileContext, code: Code, service: Service): void {
  const name = tsName(service.name);
  const base = service.extendsTarget ? ctx.ref(service.extendsTarget) : undefined;
  for (const fn of service.functions) {
    emitStruct(ctx, code, argsStruct(service, fn), false);
    code.line("");
    emitStruct(ctx, code, resultStruct(service, fn), false);
    code.line("");
  }

  const returns = (fn: ThriftFunction) => (fn.returnType ? ctx.tsType(fn.returnType) : "void");
  const params = (fn: ThriftFunction) => fn.params.map((p) => `${tsName(p.name)}: ${ctx.tsType(p.type)}`);

  code.doc(service.doc ?? `The client of ${service.name}: one method per IDL function.`);
  code.block(`export interface ${name}Client${base ? ` extends ${base}Client` : ""}`, () => {
    for (const fn of service.functions) {
      code.doc(fn.doc);
      const options = `${extraParam(fn, "options")}?: ${ctx.useType("CallOptions")}`;
      code.line(`${fn.name}(${[...params(fn), options].join(", ")}): ${ctx.global("Promise")}<${returns(fn)}>;`);
    }
  });
  code.line("");
  code.line(`/** What a server implements to serve ${service.name}. */`);
  code.block(`export interface ${name}Handler${base ? ` extends ${base}Handler` : ""}`, () => {
    for (const fn of service.functions) {
      code.doc(fn.doc);
      const context = `${extraParam(fn, "context")}: ${ctx.useType("CallContext")}`;
      code.line(`${fn.name}(${[...params(fn), context].join(", ")}): ${returns(fn)} | ${ctx.global("Promise")}<${returns(fn)}>;`);
    }
  });
  code.line("");
  code.line(`/** The method table of ${service.name} (inherited methods included). */`);
  code.block(`export const ${name}: ${ctx.useType("ThriftService")} =`, () => {
    code.line(`name: ${JSON.stringify(service.name)},`);
    code.line(`idl: ${JSON.stringify(ctx.doc.file.slice(ctx.doc.file.lastIndexOf("/") + 1))},`);
    if (base) code.line(`extends: ${base},`);
    code.block("methods:", () => {
      if (base) code.line(`...${base}.methods,`);
      for (const fn of service.functions) {
        const exceptions = fn.throws.map((t) => `${prop(t.name)}: ${ctx.tsType(t.type)}`);
        code.block(`${prop(fn.name)}:`, () => {
          code.line(`name: ${JSON.stringify(fn.name)},`);
          code.line(`oneway: ${fn.oneway},`, `void: ${fn.returnType === null},`);
          if (idempotent(fn)) code.line("idempotent: true,");
          code.line(`params: [${fn.params.map((p) => JSON.stringify(p.name)).join(", ")}],`);
          code.line(`args: ${service.name}$${fn.name}$args,`, `result: ${service.name}$${fn.name}$result,`);
          code.line(exceptions.length ? `exceptions: { ${exceptions.join(", ")} },` : "exceptions: {},");
        }, "},");
      }
    }, "},");
  }, "};");
}

/**
 * Whether `fn` is annotated `(idempotent = "true")`: kitewire's mark (Thrift has none of its
 * own, Kitex and thriftgo define none) that lets a retry policy for `*` retry the method.
 */
function idempotent(fn: ThriftFunction): boolean {
  return fn.annotations.some((a) => a.key === "idempotent" && a.value === "true");
}
