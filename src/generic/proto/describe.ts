/**
 * A checked Protobuf program (from `.proto` sources or a FileDescriptorSet) turned into
 * what generated code would hold: a codec with its field table for every message, an
 * enum table for every enum, a method table for every service. Field tables are built
 * with the generator's own naming, so ProtoJSON over them prints what it prints for
 * generated code.
 */
import { localName } from "../../codegen/proto/context.js";
import type {
  FieldType, ProtobufEnumInfo, ProtobufField, ProtobufMessageCodec,
} from "../../codec/protobuf/message.js";
import type { OptionValue, ProtoEnum, ProtoOption, ProtoField, ProtoMessage, ProtoType } from "../../idl/proto/ast.js";
import type { ProtoProgram } from "../../idl/proto/program.js";
import type { MethodKind, ProtobufService } from "../../service/protobuf.js";
import { tableCodec } from "./codec.js";

/** A Protobuf IDL loaded at run time. */
export interface ProtoIdl {
  readonly syntax: "proto";
  /** Services by full name (`pkg.Service`). */
  readonly services: ReadonlyMap<string, ProtobufService>;
  /** Message codecs by full name (`pkg.Outer.Inner`), imported files' (and well-known types') included. */
  readonly messages: ReadonlyMap<string, ProtobufMessageCodec<unknown>>;
  /** Enum tables by full name. */
  readonly enums: ReadonlyMap<string, ProtobufEnumInfo>;
  /** Each method's options as written (`(google.api.http)` among them), by `pkg.Service/Method`. */
  readonly methodOptions: ReadonlyMap<string, readonly ProtoOption[]>;
}

/** Describes every message, enum and service of `program` (which must have no errors). */
export function describeProto(program: ProtoProgram): ProtoIdl {
  const messageDefs = new Map<string, ProtoMessage>();
  const enumDefs = new Map<string, ProtoEnum>();
  const walk = (m: ProtoMessage): void => {
    messageDefs.set(m.fullName, m);
    for (const e of m.enums) enumDefs.set(e.fullName, e);
    for (const n of m.messages) walk(n);
  };
  for (const file of program.files.values()) {
    for (const m of file.messages) walk(m);
    for (const e of file.enums) enumDefs.set(e.fullName, e);
  }

  const enums = new Map<string, ProtobufEnumInfo>();
  for (const [name, e] of enumDefs) {
    const values: Record<string, number> = {};
    const names: Record<number, string> = {};
    for (const v of e.values) {
      values[v.name] = v.number;
      if (names[v.number] === undefined) names[v.number] = v.name;
    }
    enums.set(name, { typeName: name, values, names, closed: e.closed });
  }

  const messages = new Map<string, ProtobufMessageCodec<unknown>>();
  const codecOf = (name: string): ProtobufMessageCodec<unknown> => {
    const codec = messages.get(name);
    if (codec === undefined) throw new Error(`internal: no message ${name}`);
    return codec;
  };
  const element = (t: ProtoType, group: boolean): Exclude<FieldType, { kind: "map" }> => {
    if (t.kind === "scalar") return { kind: "scalar", type: t.name };
    if (t.kind !== "named" || t.target === undefined) throw new Error("internal: unresolved type");
    const target = t.target.fullName;
    if (t.target.kind === "enum") return { kind: "enum", type: () => enums.get(target)! };
    return group ? { kind: "message", type: () => codecOf(target), group: true } : { kind: "message", type: () => codecOf(target) };
  };
  const field = (f: ProtoField): ProtobufField => {
    const type: FieldType = f.type.kind === "map"
      ? { kind: "map", key: f.type.key, value: element(f.type.value, false) }
      : element(f.type, f.group === true);
    const out: { -readonly [K in keyof ProtobufField]: ProtobufField[K] } = {
      no: f.number, protoName: f.name, jsonName: f.jsonName, localName: localName(f.name), type,
      repeated: f.label === "repeated", packed: f.packed === true, presence: f.presence === true, required: f.label === "required",
    };
    if (f.oneof !== undefined) out.oneof = localName(f.oneof);
    if (f.defaultValue !== undefined) out.defaultValue = defaultValue(f.defaultValue, type, enumDefs);
    return out;
  };
  for (const [name, m] of messageDefs) {
    if (m.mapEntry) continue;
    messages.set(name, tableCodec(name, m.fields.map(field)) as ProtobufMessageCodec<unknown>);
  }

  const services = new Map<string, ProtobufService>();
  const methodOptions = new Map<string, readonly ProtoOption[]>();
  for (const [path, file] of program.files) {
    for (const s of file.services) {
      const methods: Record<string, ProtobufService["methods"][string]> = {};
      for (const m of s.methods) {
        const kind: MethodKind = m.clientStreaming
          ? (m.serverStreaming ? "bidi_streaming" : "client_streaming")
          : (m.serverStreaming ? "server_streaming" : "unary");
        methods[m.name] = {
          name: m.name, kind, input: codecOf(m.input.target!.fullName), output: codecOf(m.output.target!.fullName),
          // `option idempotency_level = IDEMPOTENT | NO_SIDE_EFFECTS`, as generated code reads it (src/codegen/proto/services.ts).
          idempotent: m.options.some((o) => o.name === "idempotency_level" && o.value.kind === "identifier"
            && (o.value.name === "IDEMPOTENT" || o.value.name === "NO_SIDE_EFFECTS")),
        };
        if (m.options.length > 0) methodOptions.set(`${s.fullName}/${m.name}`, m.options);
      }
      services.set(s.fullName, { name: s.fullName, proto: file.importPath ?? path, methods });
    }
  }
  return { syntax: "proto", services, messages, enums, methodOptions };
}

/** A proto2 `[default = ...]` as the value generated code holds. */
function defaultValue(d: OptionValue, type: FieldType, enumDefs: ReadonlyMap<string, ProtoEnum>): unknown {
  if (type.kind === "enum") {
    if (d.kind !== "identifier") return undefined;
    const info = type.type();
    return enumDefs.get(info.typeName)?.values.find((v) => v.name === d.name)?.number;
  }
  if (type.kind !== "scalar") return undefined;
  const big = /64$/.test(type.type);
  switch (d.kind) {
    case "int": return big ? d.value : Number(d.value);
    case "float": return d.value;
    case "bool": return d.value;
    case "identifier": return d.name === "inf" ? Infinity : d.name === "-inf" ? -Infinity : d.name === "nan" ? NaN : undefined;
    case "string": return type.type === "bytes" ? (d.bytes ?? new TextEncoder().encode(d.value)) : d.value;
    default: return undefined;
  }
}
