/**
 * Messages: an interface and a same-named codec object `{ typeName, fields, create,
 * encode, decode }`. Encoding writes fields in field-number order, as protoc does, then
 * the unknown fields kept from decoding; decoding accepts packed and unpacked repeated
 * scalars alike and keeps every field it does not know (or meets with another wire type).
 */
import type { ProtoEnum, ProtoMessage, ProtoRef } from "../../idl/proto/ast.js";
import type { Code } from "../code.js";
import { localName, scalarTsType, typeName, type ProtoContext } from "./context.js";
import { fieldInfo, fieldTsType, isList, shapeOf, valueTsType, type FieldPlan, type Shape } from "./fields.js";
import { SCALARS, tag } from "./scalars.js";

/** Wire type and read/write method of a non-message value. */
function wire(s: Shape): { wireType: number; method: string; packed?: string; append?: string } {
  if (s.kind === "scalar") return SCALARS[s.scalar];
  if (s.kind === "enum") return { wireType: 0, method: "int32", packed: "packedInt32", append: "appendPackedInt32" };
  return { wireType: s.group ? 3 : 2, method: "" };
}

function zero(ctx: ProtoContext, s: Shape): string {
  if (s.kind === "scalar") {
    if (s.scalar === "bytes") ctx.use("emptyBytes");
    return SCALARS[s.scalar].zero;
  }
  if (s.kind === "enum") return `0 as ${ctx.ref(s.ref)}`;
  return `${ctx.ref(s.ref)}.create()`;
}

/** Emits a message and, before it, its nested enums and messages (map entries excepted). */
export function emitMessage(ctx: ProtoContext, code: Code, msg: ProtoMessage, emitEnum: (e: ProtoEnum) => void): void {
  for (const e of msg.enums) emitEnum(e);
  for (const m of msg.messages) if (!m.mapEntry) emitMessage(ctx, code, m, emitEnum);
  const name = typeName(msg.fullName, ctx.file.package);
  const plans: FieldPlan[] = msg.fields.map((field, index) => ({
    message: msg.fullName, field, name: localName(field.name), shape: shapeOf(ctx, field), index,
  }));
  const oneofs = msg.oneofs.map((o) => ({ name: localName(o.name), members: plans.filter((p) => p.field.oneof === o.name) }));

  code.doc(msg.doc);
  code.block(`export interface ${name}`, () => {
    for (const p of plans) {
      if (p.field.oneof !== undefined) continue;
      code.doc(p.field.doc);
      code.line(`${p.name}${isOptional(p) ? "?" : ""}: ${fieldTsType(ctx, p)};`);
    }
    for (const o of oneofs) {
      code.line(`${o.name}:`);
      for (const m of o.members) code.line(`  | { case: ${JSON.stringify(m.name)}; value: ${valueTsType(ctx, m.shape as Shape)} }`);
      code.line("  | { case: undefined; value?: undefined };");
    }
    code.line("/** Fields this schema does not know, as they came on the wire; written back as they are. */");
    code.line("$unknown?: Uint8Array[];");
  });
  code.line("");
  const codecType = `${ctx.useType("ProtobufMessageCodec")}<${name}>`;
  code.block(`export const ${name}: ${codecType} =`, () => {
    code.line(`typeName: ${JSON.stringify(msg.fullName)},`);
    code.line("fields: [");
    code.indent(() => {
      for (const p of plans) code.line(`${fieldInfo(ctx, p)},`);
    });
    code.line("],");
    code.block(`create(init?: Partial<${name}>): ${name}`, () => {
      const parts = plans.filter((p) => p.field.oneof === undefined).map((p) => `${p.name}: ${initial(ctx, p)}`);
      parts.push(...oneofs.map((o) => `${o.name}: { case: undefined }`));
      code.line(`return { ${[...parts, "...init"].join(", ")} };`);
    }, "},");
    code.block(`encode(w: ${ctx.useType("ProtobufWriter")}, v: ${name}): void`, () => {
      for (const p of [...plans].sort((a, b) => a.field.number - b.field.number)) emitFieldEncode(ctx, code, p, oneofs);
      code.line("if (v.$unknown !== undefined) for (const u of v.$unknown) w.writeRaw(u);");
    }, "},");
    code.block(`decode(r: ${ctx.useType("ProtobufReader")}, into?: ${name}): ${name}`, () => emitDecode(ctx, code, name, plans, oneofs), "},");
  }, "};");
  code.line("");
}

function msgName(p: FieldPlan): string {
  return p.message;
}

/** Absent-able in TypeScript: fields with presence, except proto2 required ones and lists. */
function isOptional(p: FieldPlan): boolean {
  return p.field.presence === true && p.field.label !== "required" && !isList(p);
}

function initial(ctx: ProtoContext, p: FieldPlan): string {
  if (p.shape.kind === "map") return "new Map()";
  if (p.field.label === "repeated") return "[]";
  if (isOptional(p)) return "undefined";
  if (p.field.label === "required" && p.shape.kind === "message") return `${ctx.ref(p.shape.ref)}.create()`;
  return zero(ctx, p.shape);
}

/** A decoded field's value before it is read: absent lists, maps and bytes share one frozen empty each. */
function decodeInitial(ctx: ProtoContext, p: FieldPlan): string {
  if (p.shape.kind === "map") return ctx.use("EMPTY_MAP");
  if (p.field.label === "repeated") return ctx.use("EMPTY_LIST");
  if (p.shape.kind === "scalar" && p.shape.scalar === "bytes" && !isOptional(p) && p.field.label !== "required") return ctx.use("EMPTY_BYTES");
  return initial(ctx, p);
}

/** `f<i>` as a list or map of its own: the shared empty is replaced on the first entry. */
function own(ctx: ProtoContext, p: FieldPlan): string {
  const f = `f${p.index}`;
  const empty = ctx.use(p.shape.kind === "map" ? "EMPTY_MAP" : "EMPTY_LIST");
  return `(${f} === ${empty} ? (${f} = ${p.shape.kind === "map" ? "new Map()" : "[]"}) : ${f})`;
}

/**
 * The statement writing the tag of field `no` on its own (group delimiters): one `writeU8`
 * for fields 1-15 (a one-byte tag).
 */
function writeTag(no: number, wireType: number): string {
  const t = tag(no, wireType);
  return t < 0x80 ? `w.writeU8(${t});` : `w.writeVarint32(${t});`;
}

/**
 * Statements writing field `no` holding `value` of `s`, tag included: one writer call for a
 * scalar (`int32Field(tag, v)`, ...), and `openField`/`closeField` around a message (its
 * mark a local `at`, so the caller puts the statements in a block of their own).
 */
function writeField(ctx: ProtoContext, s: Shape, value: string, no: number): string {
  if (s.kind === "message") {
    if (s.group) return `${writeTag(no, 3)} ${ctx.ref(s.ref)}.encode(w, ${value}); ${writeTag(no, 4)}`;
    return `const at = w.openField(${tag(no, 2)}); ${ctx.ref(s.ref)}.encode(w, ${value}); w.closeField(at);`;
  }
  const { method, wireType } = wire(s);
  return `w.${method}Field(${tag(no, wireType)}, ${value});`;
}

function emitFieldEncode(ctx: ProtoContext, code: Code, p: FieldPlan, oneofs: { name: string; members: FieldPlan[] }[]): void {
  const f = p.field;
  const no = f.number;
  if (p.shape.kind === "map") {
    const { key, value } = p.shape;
    code.block(`for (const [k, x] of v.${p.name})`, () => {
      code.line(`const entry = w.openField(${tag(no, 2)});`);
      code.line(writeField(ctx, { kind: "scalar", scalar: key }, "k", 1));
      code.line(writeField(ctx, value, "x", 2));
      code.line("w.closeField(entry);");
    });
    return;
  }
  const s = p.shape;
  const w = wire(s);
  if (f.label === "repeated") {
    if (f.packed && w.packed) {
      code.line(`if (v.${p.name}.length > 0) { ${writeTag(no, 2)} w.${w.packed}(v.${p.name}); }`);
    } else {
      code.line(`for (const x of v.${p.name}) { ${writeField(ctx, s, "x", no)} }`);
    }
    return;
  }
  if (f.oneof !== undefined) {
    const o = oneofs.find((x) => x.members.includes(p))!;
    code.line(`if (v.${o.name}.case === ${JSON.stringify(p.name)}) { ${writeField(ctx, s, `v.${o.name}.value`, no)} }`);
    return;
  }
  if (f.label === "required") {
    code.line(`if (v.${p.name} === undefined) throw ${ctx.use("unsetRequired")}(${JSON.stringify(msgName(p))}, ${JSON.stringify(f.name)});`);
    const write = writeField(ctx, s, `v.${p.name}`, no);
    code.line(s.kind === "message" && !s.group ? `{ ${write} }` : write);
    return;
  }
  if (f.presence) {
    code.line(`if (v.${p.name} !== undefined) { ${writeField(ctx, s, `v.${p.name}`, no)} }`);
    return;
  }
  const check = s.kind === "scalar" ? SCALARS[s.scalar].nonDefault(`v.${p.name}`) : `v.${p.name} !== 0`;
  code.line(`if (${check}) { ${writeField(ctx, s, `v.${p.name}`, no)} }`);
}

/**
 * An expression reading one value of `s` (its tag already read). A message read merges
 * into `into` when given: a message field that comes twice is the two merged.
 */
function readValue(ctx: ProtoContext, s: Shape, into?: string): string {
  if (s.kind === "scalar") return `r.${SCALARS[s.scalar].method}()`;
  if (s.kind === "enum") return `r.int32() as ${ctx.ref(s.ref)}`;
  const args = [`r`, ctx.ref(s.ref), ...(s.group ? ["tag"] : []), ...(into ? [into] : [])];
  return `${ctx.use(s.group ? "decodeGroup" : "decodeNested")}(${args.join(", ")})`;
}

/**
 * From this many fields, a message's decode switches on the field number (`tag >>> 3`), then
 * checks the tag: field numbers are dense, so V8 makes that switch a jump table, while a
 * switch on tags (number << 3 | wire type: sparse) is a chain of comparisons, one per
 * field before the one read. The bench's 20-field message decoded 1-4 % faster; one of 5
 * fields ~4 ns slower, hence a threshold (bench/README.md, section 5b, sixth round).
 */
const FIELD_SWITCH = 9;

function emitDecode(ctx: ProtoContext, code: Code, name: string, plans: FieldPlan[], oneofs: { name: string; members: FieldPlan[] }[]): void {
  for (const p of plans) {
    if (p.field.oneof !== undefined) continue;
    const optional = isOptional(p) ? " | undefined" : "";
    code.line(`let f${p.index}: ${fieldTsType(ctx, p)}${optional} = ${decodeInitial(ctx, p)};`);
  }
  oneofs.forEach((o, i) => code.line(`let o${i}: ${name}[${JSON.stringify(o.name)}] = { case: undefined };`));
  const required = plans.filter((p) => p.field.label === "required");
  for (const p of required) code.line(`let seen${p.index} = false;`);
  code.line("let unknown: Uint8Array[] | undefined;");
  // Decoding into a message merges: scalars are overwritten, lists and maps grow, messages merge.
  code.block("if (into !== undefined)", () => {
    for (const p of plans) if (p.field.oneof === undefined) code.line(`f${p.index} = into.${p.name};`);
    oneofs.forEach((o, i) => code.line(`o${i} = into.${o.name};`));
    for (const p of required) code.line(`seen${p.index} = true;`);
    code.line("unknown = into.$unknown;");
  });
  code.block("while (r.pos < r.end)", () => {
    // One-byte tags (fields 1-15) read here; any other tag by `r.tag()`, which checks it.
    // A one-byte tag no case takes is read again by `r.tag()` below, which rejects it if
    // it is malformed. See ONE_BYTE_READS for why reads are written into the decode.
    code.line("const start = r.pos;", "let tag = r.u8[start] as number;", "if (tag < 0x80) r.pos = start + 1;", "else tag = r.tag();");
    if (plans.length >= FIELD_SWITCH) {
      code.block("switch (tag >>> 3)", () => {
        for (const p of plans) {
          code.line(`case ${p.field.number}:`);
          code.indent(() => {
            emitFieldDecode(ctx, code, p, oneofs, (t) => `if (tag === ${t})`);
            code.line("break;");
          });
        }
      });
    } else {
      code.block("switch (tag)", () => {
        for (const p of plans) emitFieldDecode(ctx, code, p, oneofs, (t) => `case ${t}:`);
      });
    }
    code.line("r.pos = start;", "tag = r.tag();", "r.skip(tag);", "(unknown ??= []).push(r.raw(start));");
  });
  for (const p of required) {
    code.line(`if (!seen${p.index}) throw ${ctx.use("missingRequired")}(${JSON.stringify(msgName(p))}, ${JSON.stringify(p.field.name)}, r);`);
  }
  const parts = plans.filter((p) => p.field.oneof === undefined).map((p) => `${p.name}: f${p.index}`);
  parts.push(...oneofs.map((o, i) => `${o.name}: o${i}`));
  code.line(`const v: ${name} = { ${parts.join(", ")} };`);
  code.line("if (unknown !== undefined) v.$unknown = unknown;", "return v;");
}

/**
 * The decode of one field: for each of its tags, `match(tag)` (a `case` label or an `if`)
 * and a block that reads the value and continues the message's loop.
 */
function emitFieldDecode(ctx: ProtoContext, code: Code, p: FieldPlan, oneofs: { name: string; members: FieldPlan[] }[], match: (tag: number) => string): void {
  const f = p.field;
  const no = f.number;
  const seen = f.label === "required" ? ` seen${p.index} = true;` : "";
  if (p.shape.kind === "map") {
    const { key, value } = p.shape;
    const k = SCALARS[key];
    code.line(`${match(tag(no, 2))} {`);
    code.indent(() => {
      code.line("const outer = r.begin();");
      // A message value is made only if the entry lacks one: made first and merged into,
      // every entry would allocate two.
      const message = value.kind === "message";
      code.line(`let k: ${scalarTsType(key)} = ${k.zero};`, `let x: ${valueTsType(ctx, value)}${message ? " | undefined" : ` = ${zero(ctx, value)}`};`);
      code.block("while (r.pos < r.end)", () => {
        // One-byte tags read here, as in the message's loop (see emitDecode).
        code.line("const at = r.pos;", "let t = r.u8[at] as number;", "if (t < 0x80) r.pos = at + 1;", "else t = r.tag();");
        code.line(`if (t === ${tag(1, k.wireType)}) k = r.${k.method}();`);
        code.line(`else if (t === ${tag(2, wire(value).wireType)}) x = ${readValue(ctx, value, message ? "x" : undefined)};`);
        code.line("else { r.pos = at; r.skip(r.tag()); }");
      });
      code.line("r.finish(outer);");
      if (value.kind === "enum" && value.def.closed) {
        // An entry whose value a closed enum does not declare stays an unknown field, whole.
        code.line(`if (${ctx.ref(value.ref)}$info.names[x] === undefined) (unknown ??= []).push(r.raw(start));`);
        code.line(`else ${own(ctx, p)}.set(k, x);`);
      } else {
        code.line(`${own(ctx, p)}.set(k, ${message ? `x ?? ${zero(ctx, value)}` : "x"});`);
      }
      code.line("continue;");
    });
    code.line("}");
    return;
  }
  const s = p.shape;
  const w = wire(s);
  const closed = s.kind === "enum" && s.def.closed;
  if (f.label === "repeated") {
    if (closed) {
      // Closed enums keep only declared values; each other one stays an unknown field.
      const info = `${ctx.ref(s.ref)}$info`;
      const type = ctx.ref(s.ref);
      code.line(`${match(tag(no, 2))} { for (const x of r.packedInt32()) { if (${info}.names[x] === undefined) (unknown ??= []).push(${ctx.use("unknownVarint")}(${no}, x)); else ${own(ctx, p)}.push(x as ${type}); } continue; }`);
      code.line(`${match(tag(no, 0))} { const x = r.int32(); if (${info}.names[x] === undefined) (unknown ??= []).push(r.raw(start)); else ${own(ctx, p)}.push(x as ${type}); continue; }`);
      return;
    }
    if (w.append) {
      code.line(`${match(tag(no, 2))} { f${p.index} = r.${w.append}(f${p.index}); continue; }`);
    } else if (w.packed) {
      code.line(`${match(tag(no, 2))} { const list = ${own(ctx, p)}; for (const x of r.${w.packed}()) list.push(x); continue; }`);
    }
    code.line(`${match(tag(no, w.wireType))} { ${own(ctx, p)}.push(${readValue(ctx, s)}); continue; }`);
    return;
  }
  let target: string;
  let current: string;
  if (f.oneof !== undefined) {
    const i = oneofs.findIndex((x) => x.members.includes(p));
    target = `o${i} = { case: ${JSON.stringify(p.name)}, value: %s };`;
    current = `o${i}.case === ${JSON.stringify(p.name)} ? o${i}.value : undefined`;
  } else {
    target = `f${p.index} = %s;`;
    current = `f${p.index}`;
  }
  if (closed) {
    // A closed enum keeps only the values it declares; others stay unknown fields.
    const info = `${ctx.ref((s as { ref: ProtoRef }).ref)}$info`;
    code.line(`${match(tag(no, 0))} { const x = r.int32(); if (${info}.names[x] === undefined) { (unknown ??= []).push(r.raw(start)); continue; } ${target.replace("%s", `x as ${ctx.ref((s as { ref: ProtoRef }).ref)}`)}${seen} continue; }`);
    return;
  }
  const one = f.oneof !== undefined ? undefined
    : s.kind === "enum" ? `b as ${ctx.ref(s.ref)}`
    : s.kind === "scalar" && s.scalar in ONE_BYTE_READS ? ONE_BYTE_READS[s.scalar as keyof typeof ONE_BYTE_READS] : undefined;
  if (one !== undefined) {
    code.line(`${match(tag(no, w.wireType))} {`);
    code.indent(() => {
      code.line(`const p = r.pos;`);
      code.line(`if (p < r.end) { const b = r.u8[p] as number; if (b < 0x80) { r.pos = p + 1; ${target.replace("%s", one)}${seen} continue; } }`);
      code.line(`${target.replace("%s", readValue(ctx, s))}${seen} continue;`);
    });
    code.line("}");
    return;
  }
  const value = readValue(ctx, s, s.kind === "message" ? current : undefined);
  code.line(`${match(tag(no, w.wireType))} { ${target.replace("%s", value)}${seen} continue; }`);
}

/**
 * Scalars whose one-byte values (0-127) a decode reads itself (open enums too), and the
 * value of byte `b`; longer ones through the reader. Written into the decode, as one-byte
 * tags are, rather than called: the decode then calls the reader only for what is longer,
 * and V8's inlining budget (920 bytes of bytecode per compiled function) is left to the
 * reads that remain calls. `node bench/decode-ab.mjs` against the same build with calls for
 * both: small message decode 1.16x, large 1.08x, Profile sparse 1.11x faster
 * (bench/README.md, 5b, eighth round).
 */
const ONE_BYTE_READS = { int32: "b", uint32: "b", bool: "b !== 0" } as const;
