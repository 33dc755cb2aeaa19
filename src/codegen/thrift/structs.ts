/**
 * Structs, unions and exceptions: their TypeScript types and their codecs.
 *
 *  - struct: an interface plus a same-named object `{ typeName, create, write, read }`
 *  - union: a discriminated union `{ case: "field", value }` plus the same object
 *  - exception: an `Error` subclass whose static members are the codec
 *
 * Requiredness follows Kitex: `required` and default fields are always written (default
 * fields of struct type only when set, as Go's pointers), `optional` ones when set.
 */
import type { Field, Struct } from "../../idl/thrift/ast.js";
import type { Code } from "../code.js";
import { emitRead, emitWrite } from "./codec.js";
import { tsName, type FileContext } from "./context.js";
import { valueExpr, zeroValue } from "./values.js";

/**
 * Emits the read methods: `read` for either protocol, then `readBinaryProtocol`, the same body
 * typed for Binary readers, which the runtime calls for Binary input. A process that reads
 * both protocols would otherwise run one body against two reader classes, whose calls V8
 * then optimizes worse (bench/README.md, "One reader class per read body"); Kitex's
 * generated FastRead is Binary-only for the same reason.
 */
function emitReadMethods(ctx: FileContext, code: Code, emit: (method: string, reader: string) => void): void {
  emit("read", ctx.useType("ThriftReader"));
  ctx.readMethod = "readBinaryProtocol";
  code.line("/** `read` for Binary readers only (the runtime calls it for Binary input). */");
  emit("readBinaryProtocol", ctx.useType("ThriftBinaryReader"));
  ctx.readMethod = "read";
}

/** Whether a field may be absent in TypeScript (and is written only when present). */
export function isOptional(ctx: FileContext, field: Field): boolean {
  if (field.requiredness === "optional") return true;
  return field.requiredness === "default" && ctx.resolver.resolve(field.type).kind === "struct";
}

/** The value a field starts with: its IDL default, else a zero value (undefined when optional). */
function initialValue(ctx: FileContext, field: Field): string {
  if (field.default) return valueExpr(ctx, field.type, field.default);
  return isOptional(ctx, field) ? "undefined" : zeroValue(ctx, field.type);
}

/** A property name as written in an object literal or interface. */
export function prop(name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? name : JSON.stringify(name);
}

function access(obj: string, name: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(name) ? `${obj}.${name}` : `${obj}[${JSON.stringify(name)}]`;
}

/** Exception fields that would clash with Error's own members get a trailing `_`. */
function exceptionProp(ctx: FileContext, field: Field): string {
  const type = ctx.resolver.resolve(field.type);
  const clash = ["name", "stack", "cause"].includes(field.name) ||
    (field.name === "message" && !(type.kind === "base" && (type.name === "string" || type.name === "uuid")));
  return clash ? `${field.name}_` : field.name;
}

/** Emits the type and codec of a struct, union or exception. */
export function emitStruct(ctx: FileContext, code: Code, def: Struct, exported = true): void {
  if (def.kind === "union") return emitUnion(ctx, code, def, exported);
  if (def.kind === "exception") return emitException(ctx, code, def);
  const name = tsName(def.name);
  const ex = exported ? "export " : "";
  code.doc(def.doc);
  code.block(`${ex}interface ${name}`, () => {
    for (const f of def.fields) {
      code.doc(f.doc);
      code.line(`${prop(f.name)}${isOptional(ctx, f) ? "?" : ""}: ${ctx.tsType(f.type)};`);
    }
    code.line(`/** Fields this version of the IDL does not know, kept when decoding with keepUnknown. */`);
    code.line(`$unknown?: ${ctx.useType("UnknownField")}[];`);
  });
  code.line("");
  code.block(`${ex}const ${name} =`, () => {
    code.line(`typeName: ${JSON.stringify(def.name)},`);
    code.line(`/** Makes a ${def.name}: \`init\`, with IDL defaults for every field it leaves out. */`);
    code.block(`create(init?: Partial<${name}>): ${name}`, () => {
      const fields = def.fields.map((f) => `${prop(f.name)}: ${initialValue(ctx, f)}`);
      code.line(`return { ${[...fields, "...init"].join(", ")} };`);
    }, "},");
    code.block(`write(w: ${ctx.useType("ThriftWriter")}, v: ${name}): void`, () => {
      code.line("w.writeStructBegin();");
      emitFieldWrites(ctx, code, def, (f) => access("v", f.name));
      code.line("if (v.$unknown !== undefined) w.writeUnknown(v.$unknown);");
      code.line("w.writeFieldStop();", "w.writeStructEnd();");
    }, "},");
    emitReadMethods(ctx, code, (method, reader) => code.block(`${method}(r: ${reader}): ${name}`, () => {
      const values = emitFieldReads(ctx, code, def);
      const fields = def.fields.map((f, i) => `${prop(f.name)}: ${values[i]}`);
      code.line(`const v: ${name} = { ${fields.join(", ")} };`);
      code.line("if (unknown !== undefined) v.$unknown = unknown;", "return v;");
    }, "},"));
  }, `} satisfies ${ctx.useType("ThriftStructCodec")}<${name}> & { create(init?: Partial<${name}>): ${name} };`);
}

function emitFieldWrites(ctx: FileContext, code: Code, def: Struct, value: (f: Field) => string): void {
  def.fields.forEach((f, i) => {
    const header = `w.writeFieldBegin(${ctx.resolver.ttype(ctx.resolver.resolve(f.type))}, ${f.id});`;
    const v = value(f);
    if (isOptional(ctx, f)) {
      code.line(`const f${i} = ${v};`);
      code.block(`if (f${i} !== undefined)`, () => {
        code.line(header);
        emitWrite(ctx, code, f.type, `f${i}`);
      });
      return;
    }
    if (f.requiredness === "required") {
      code.line(`if (${v} === undefined) throw ${ctx.use("unsetField")}(${JSON.stringify(def.name)}, ${JSON.stringify(f.name)});`);
    }
    code.line(header);
    const simple = ctx.resolver.resolve(f.type).kind;
    if (simple === "list" || simple === "set" || simple === "map") {
      code.block("", () => emitWrite(ctx, code, f.type, v));
    } else {
      emitWrite(ctx, code, f.type, v);
    }
  });
}

/**
 * Emits locals f0..fn, the field loop, and the required-field checks; returns each field's
 * value expression for the object built after them. A field whose initial value would be
 * a new object (a container, binary, struct default) gets it only when the wire left it out.
 */
function emitFieldReads(ctx: FileContext, code: Code, def: Struct): string[] {
  const required = def.fields.map((f, i) => ({ f, i })).filter(({ f }) => f.requiredness === "required");
  const values = def.fields.map((f, i) => {
    const type = ctx.tsType(f.type) + (isOptional(ctx, f) ? " | undefined" : "");
    const initial = initialValue(ctx, f);
    if (!ALLOCATES.test(initial)) {
      code.line(`let f${i}: ${type} = ${initial};`);
      return `f${i}`;
    }
    code.line(`let f${i}: ${type} | undefined;`);
    return `f${i} ?? ${initial}`;
  });
  for (const { i } of required) code.line(`let seen${i} = false;`);
  code.line(`let unknown: ${ctx.useType("UnknownField")}[] | undefined;`);
  code.line("r.readStructBegin();");
  // One readFieldBegin call site, not two (a `for` with it in both the init and the update):
  // V8 inlines each call site, and the copies use up its inlining budget for read bodies.
  code.block("for (;;)", () => {
    code.line("const t = r.readFieldBegin();", `if (t === ${ctx.use("TType")}.STOP) break;`);
    if (def.fields.length > 0) {
      code.block("switch (r.fieldId)", () => {
        def.fields.forEach((f, i) => {
          code.line(`case ${f.id}:`);
          const ttype = ctx.resolver.ttype(ctx.resolver.resolve(f.type));
          code.indent(() => {
            code.block(`if (t === ${ttype})`, () => {
              emitRead(ctx, code, f.type, (x) => `f${i} = ${x};`);
              if (f.requiredness === "required") code.line(`seen${i} = true;`);
              code.line("continue;");
            });
            code.line("break;");
          });
        });
      });
    }
    code.line("if (r.keepUnknown) (unknown ??= []).push(r.readUnknown(t));", "else r.skip(t);");
  });
  code.line("r.readStructEnd();");
  for (const { f, i } of required) {
    code.line(`if (!seen${i}) throw ${ctx.use("missingField")}(${JSON.stringify(def.name)}, ${JSON.stringify(f.name)}, r);`);
  }
  return values;
}

/** Initial-value expressions that make a new object each time they are evaluated. */
const ALLOCATES = /^new |^\[|^\{|\(/;

function emitUnion(ctx: FileContext, code: Code, def: Struct, exported: boolean): void {
  const name = tsName(def.name);
  const ex = exported ? "export " : "";
  const unknown = ctx.useType("UnknownField");
  code.doc(def.doc);
  code.line(`${ex}type ${name} =`);
  for (const f of def.fields) {
    code.line(`  | { case: ${JSON.stringify(f.name)}; value: ${ctx.tsType(f.type)}; $unknown?: ${unknown}[] }`);
  }
  code.line(`  | { case: undefined; value?: undefined; $unknown?: ${unknown}[] };`);
  code.line("");
  const withDefault = def.fields.find((f) => f.default !== undefined);
  code.block(`${ex}const ${name} =`, () => {
    code.line(`typeName: ${JSON.stringify(def.name)},`);
    code.line(`/** Makes a ${def.name} with ${withDefault ? `its IDL default (${withDefault.name})` : "no field set"}. */`);
    code.block(`create(): ${name}`, () => {
      if (withDefault?.default) {
        code.line(`return { case: ${JSON.stringify(withDefault.name)}, value: ${valueExpr(ctx, withDefault.type, withDefault.default)} };`);
      } else {
        code.line("return { case: undefined };");
      }
    }, "},");
    code.block(`write(w: ${ctx.useType("ThriftWriter")}, v: ${name}): void`, () => {
      code.line("w.writeStructBegin();");
      code.block("switch (v.case)", () => {
        for (const f of def.fields) {
          code.block(`case ${JSON.stringify(f.name)}:`, () => {
            code.line(`w.writeFieldBegin(${ctx.resolver.ttype(ctx.resolver.resolve(f.type))}, ${f.id});`);
            emitWrite(ctx, code, f.type, "v.value");
            code.line("break;");
          });
        }
      });
      code.line("if (v.$unknown !== undefined) w.writeUnknown(v.$unknown);");
      code.line("w.writeFieldStop();", "w.writeStructEnd();");
    }, "},");
    emitReadMethods(ctx, code, (method, reader) => code.block(`${method}(r: ${reader}): ${name}`, () => {
      code.line(`let v: ${name} = { case: undefined };`);
      code.line("let set = 0;");
      code.line(`let unknown: ${unknown}[] | undefined;`);
      code.line("r.readStructBegin();");
      code.block("for (;;)", () => {
        code.line("const t = r.readFieldBegin();", `if (t === ${ctx.use("TType")}.STOP) break;`);
        if (def.fields.length > 0) {
          code.block("switch (r.fieldId)", () => {
            for (const f of def.fields) {
              code.line(`case ${f.id}:`);
              code.indent(() => {
                code.block(`if (t === ${ctx.resolver.ttype(ctx.resolver.resolve(f.type))})`, () => {
                  emitRead(ctx, code, f.type, (x) => `v = { case: ${JSON.stringify(f.name)}, value: ${x} };`);
                  code.line(`if (++set > 1) throw ${ctx.use("unionOverflow")}(${JSON.stringify(def.name)}, r);`);
                  code.line("continue;");
                });
                code.line("break;");
              });
            }
          });
        }
        code.line("if (r.keepUnknown) (unknown ??= []).push(r.readUnknown(t));", "else r.skip(t);");
      });
      code.line("r.readStructEnd();");
      code.line("if (unknown !== undefined) v.$unknown = unknown;", "return v;");
    }, "},"));
  }, `} satisfies ${ctx.useType("ThriftStructCodec")}<${name}> & { create(): ${name} };`);
}

function emitException(ctx: FileContext, code: Code, def: Struct): void {
  const name = tsName(def.name);
  const fieldsType = `${name}$Fields`;
  const props = def.fields.map((f) => ({ f, p: exceptionProp(ctx, f) }));
  const messageField = props.find(({ p }) => p === "message");
  code.line(`/** The fields of ${def.name}. */`);
  code.block(`export interface ${fieldsType}`, () => {
    for (const { f, p } of props) code.line(`${prop(p)}${isOptional(ctx, f) ? "?" : ""}: ${ctx.tsType(f.type)};`);
  });
  code.line("");
  code.doc(def.doc);
  code.block(`export class ${name} extends ${ctx.global("Error")} implements ${fieldsType}`, () => {
    for (const { f, p } of props) {
      if (p === "message") continue;
      code.doc(f.doc);
      code.line(`${prop(p)}${isOptional(ctx, f) ? "?" : ""}: ${ctx.tsType(f.type)};`);
    }
    code.line(`$unknown?: ${ctx.useType("UnknownField")}[];`);
    code.line("");
    code.block(`constructor(init: Partial<${fieldsType}> = {})`, () => {
      code.line(messageField
        ? `super(init.message ?? ${initialValue(ctx, messageField.f)});`
        : `super(${JSON.stringify(def.name)});`);
      code.line(`this.name = ${JSON.stringify(def.name)};`);
      for (const { f, p } of props) {
        if (p === "message") continue;
        code.line(`${access("this", p)} = ${access("init", p)} ?? ${initialValue(ctx, f)};`);
      }
    });
    code.line("");
    code.line(`static readonly typeName = ${JSON.stringify(def.name)};`);
    code.line("");
    code.block(`static create(init?: Partial<${fieldsType}>): ${name}`, () => code.line(`return new ${name}(init);`));
    code.line("");
    code.block(`static write(w: ${ctx.useType("ThriftWriter")}, v: ${name}): void`, () => {
      code.line("w.writeStructBegin();");
      const byName = new Map(props.map(({ f, p }) => [f, p]));
      emitFieldWrites(ctx, code, def, (f) => access("v", byName.get(f)!));
      code.line("if (v.$unknown !== undefined) w.writeUnknown(v.$unknown);");
      code.line("w.writeFieldStop();", "w.writeStructEnd();");
    });
    emitReadMethods(ctx, code, (method, reader) => {
      code.line("");
      code.block(`static ${method}(r: ${reader}): ${name}`, () => {
        const values = emitFieldReads(ctx, code, def);
        const fields = props.map(({ p }, i) => `${prop(p)}: ${values[i]}`);
        code.line(`const v = new ${name}({ ${fields.join(", ")} });`);
        code.line("if (unknown !== undefined) v.$unknown = unknown;", "return v;");
      });
    });
  });
  code.line(`${name} satisfies ${ctx.useType("ThriftStructCodec")}<${name}>;`);
}
