/**
 * A checked Thrift program turned into descriptors (typedefs followed, defaults evaluated,
 * `<method>_args` / `<method>_result` structs made as the generator makes them), each
 * struct with its map-generic codec.
 */
import type { Annotation, ConstValue, Definition, DefinitionRef, Field, Struct, ThriftFunction, TypeRef } from "../../idl/thrift/ast.js";
import type { ThriftProgram } from "../../idl/thrift/program.js";
import { exceptionCodec, structCodec } from "./codec.js";
import type {
  ThriftEnumDescriptor, ThriftFieldDescriptor, ThriftIdl, ThriftMethodDescriptor, ThriftServiceDescriptor,
  ThriftStructDescriptor, ThriftTypeDescriptor,
} from "./descriptor.js";

/** Describes every service, struct and enum of `program` (which must have no errors). */
export function describeThrift(program: ThriftProgram): ThriftIdl {
  return new Describer(program).describeAll();
}

type MutableStruct = { -readonly [K in keyof ThriftStructDescriptor]: ThriftStructDescriptor[K] } & { fields: ThriftFieldDescriptor[] };

class Describer {
  private readonly structs = new Map<string, ThriftStructDescriptor>();
  private readonly enums = new Map<string, ThriftEnumDescriptor>();
  private readonly services = new Map<string, ThriftServiceDescriptor>();

  constructor(private readonly program: ThriftProgram) {}

  describeAll(): ThriftIdl {
    for (const [file, doc] of this.program.documents) {
      for (const def of doc.definitions) {
        const ref = { file, name: def.name };
        if (def.kind === "enum") this.enumOf(ref);
        else if (def.kind === "struct" || def.kind === "union" || def.kind === "exception") this.structOf(ref);
        else if (def.kind === "service") this.serviceOf(ref);
      }
    }
    return { syntax: "thrift", services: this.services, structs: this.structs, enums: this.enums };
  }

  /** The name a definition is known by: plain in a root file, `include.Name` elsewhere. */
  private nameOf(ref: DefinitionRef): string {
    if (this.program.roots.includes(ref.file)) return ref.name;
    const base = ref.file.slice(ref.file.lastIndexOf("/") + 1).replace(/\.thrift$/, "");
    return `${base}.${ref.name}`;
  }

  private definition(ref: DefinitionRef): Definition {
    const def = this.program.documents.get(ref.file)?.definitions.find((d) => d.name === ref.name);
    if (def === undefined) throw new Error(`internal: ${ref.file} defines no ${ref.name}`);
    return def;
  }

  private enumOf(ref: DefinitionRef): ThriftEnumDescriptor {
    const name = this.nameOf(ref);
    let desc = this.enums.get(name);
    if (desc === undefined) {
      const def = this.definition(ref);
      if (def.kind !== "enum") throw new Error(`internal: ${name} is not an enum`);
      const values = new Map(def.values.map((v) => [v.name, v.value] as const));
      const names = new Map<number, string>();
      for (const v of def.values) if (!names.has(v.value)) names.set(v.value, v.name);
      desc = { name, values, names };
      this.enums.set(name, desc);
    }
    return desc;
  }

  private structOf(ref: DefinitionRef): ThriftStructDescriptor {
    const name = this.nameOf(ref);
    const known = this.structs.get(name);
    if (known !== undefined) return known;
    const def = this.definition(ref) as Struct;
    // Registered before its fields are described, so that a recursive field finds it.
    const desc = this.struct(name, def.kind, []);
    this.structs.set(name, desc);
    desc.fields.push(...def.fields.map((f) => this.field(f)));
    return desc;
  }

  private struct(name: string, kind: ThriftStructDescriptor["kind"], fields: ThriftFieldDescriptor[]): MutableStruct {
    const desc = { name, kind, fields } as MutableStruct;
    desc.codec = kind === "exception" ? exceptionCodec(desc) : structCodec(desc);
    return desc;
  }

  private field(f: Field): ThriftFieldDescriptor {
    const type = this.type(f.type);
    const out: { -readonly [K in keyof ThriftFieldDescriptor]: ThriftFieldDescriptor[K] } = {
      id: f.id, name: f.name, type, requiredness: f.requiredness,
    };
    if (f.default !== undefined) out.default = this.constant(type, f.default);
    if (f.annotations.length > 0) out.annotations = annotationRecord(f.annotations);
    return out;
  }

  type(t: TypeRef): ThriftTypeDescriptor {
    switch (t.kind) {
      case "base": return { kind: t.name === "i8" ? "byte" : t.name };
      case "list": case "set": return { kind: t.kind, element: this.type(t.element) };
      case "map": return { kind: "map", key: this.type(t.key), value: this.type(t.value) };
      case "named": {
        if (t.target === undefined) throw new Error(`internal: unresolved type ${t.name}`);
        const def = this.definition(t.target);
        if (def.kind === "typedef") return this.type(def.type);
        if (def.kind === "enum") return { kind: "enum", enum: this.enumOf(t.target) };
        if (def.kind === "struct" || def.kind === "union" || def.kind === "exception") {
          return { kind: "struct", struct: this.structOf(t.target) };
        }
        throw new Error(`internal: ${t.name} is not a type`);
      }
    }
  }

  /** An IDL constant as a value of `type`, by the map-generic rules (what generated code's literals hold). */
  private constant(type: ThriftTypeDescriptor, v: ConstValue): unknown {
    if (v.kind === "identifier") {
      const target = v.target;
      if (target === undefined) throw new Error(`internal: unresolved constant ${v.name}`);
      const def = this.definition(target);
      if (target.member !== undefined && def.kind === "enum") {
        const n = def.values.find((e) => e.name === target.member)!.value;
        return type.kind === "i64" ? BigInt(n) : n;
      }
      if (def.kind === "const") return this.constant(type, def.value);
      throw new Error(`internal: ${v.name} is not a constant`);
    }
    switch (type.kind) {
      case "bool": return v.kind === "int" ? v.value !== 0n : false;
      case "i64": return v.kind === "int" ? v.value : 0n;
      case "double": return v.kind === "int" ? Number(v.value) : v.kind === "double" ? v.value : 0;
      case "string": case "uuid": return v.kind === "string" ? v.value : "";
      case "binary": return new TextEncoder().encode(v.kind === "string" ? v.value : "");
      case "byte": case "i16": case "i32": case "enum": return v.kind === "int" ? Number(v.value) : 0;
      case "list": return v.kind === "list" ? v.items.map((i) => this.constant(type.element, i)) : [];
      case "set": return new Set(v.kind === "list" ? v.items.map((i) => this.constant(type.element, i)) : []);
      case "map":
        return new Map(v.kind === "map" ? v.entries.map((e) => [this.constant(type.key, e.key), this.constant(type.value, e.value)]) : []);
      case "struct": {
        const s = type.struct;
        const entries = v.kind === "map" ? v.entries : [];
        const out: Record<string, unknown> = {};
        for (const e of entries) {
          const key = e.key;
          const f = key.kind === "string" ? s.fields.find((x) => x.name === key.value) : undefined;
          if (f === undefined) continue;
          if (s.kind === "union") return { case: f.name, value: this.constant(f.type, e.value) };
          out[f.name] = this.constant(f.type, e.value);
        }
        return s.kind === "union" ? { case: undefined } : out;
      }
    }
  }

  private serviceOf(ref: DefinitionRef): ThriftServiceDescriptor {
    const name = this.nameOf(ref);
    const known = this.services.get(name);
    if (known !== undefined) return known;
    const def = this.definition(ref);
    if (def.kind !== "service") throw new Error(`internal: ${name} is not a service`);
    const methods = new Map<string, ThriftMethodDescriptor>();
    if (def.extendsTarget !== undefined) for (const [k, m] of this.serviceOf(def.extendsTarget).methods) methods.set(k, m);
    for (const fn of def.functions) methods.set(fn.name, this.method(def.name, fn));
    const desc = { name, methods };
    this.services.set(name, desc);
    return desc;
  }

  private method(service: string, fn: ThriftFunction): ThriftMethodDescriptor {
    const params = fn.params.map((p) => this.field(p));
    const exceptions = fn.throws.map((p) => this.field(p));
    const result = fn.returnType === null ? null : this.type(fn.returnType);
    const resultFields: ThriftFieldDescriptor[] = [];
    if (result !== null) resultFields.push({ id: 0, name: "success", type: result, requiredness: "optional" });
    for (const e of exceptions) resultFields.push({ ...e, requiredness: "optional" });
    return {
      name: fn.name,
      oneway: fn.oneway,
      // kitewire's mark, as generated code reads it (src/codegen/thrift/services.ts).
      idempotent: fn.annotations.some((a) => a.key === "idempotent" && a.value === "true"),
      params,
      result,
      exceptions,
      argsStruct: this.struct(`${service}$${fn.name}$args`, "struct", params),
      resultStruct: this.struct(`${service}$${fn.name}$result`, "struct", resultFields),
      ...(fn.annotations.length > 0 ? { annotations: annotationRecord(fn.annotations) } : {}),
    };
  }
}

function annotationRecord(list: readonly Annotation[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const a of list) out[a.key] = a.value;
  return out;
}
