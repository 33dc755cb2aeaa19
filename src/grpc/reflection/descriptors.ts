/**
 * `FileDescriptorProto`s for gRPC server reflection, rebuilt from what generated code
 * carries at run time (the service's method table, each message codec's field list, each
 * enum's values), so that reflection needs nothing beyond the generated code.
 *
 * One descriptor file per package: the service's file keeps its .proto name; messages and
 * enums of other packages go into `<package>.proto` files it depends on, and the
 * well-known types into their own files (`google/protobuf/timestamp.proto`, ...). A type is nested
 * in another when the other's full name prefixes its own. What the field tables do not
 * carry is not rebuilt: options other than `packed` and `map_entry`, comments, extensions,
 * reserved ranges, and the file a type was declared in (types of one package share a file).
 * Syntax is proto2 when a field needs it (required, a default, a group, a closed enum),
 * else proto3, with proto3 `optional` fields as synthetic oneofs.
 */
import type { FieldType, ProtobufEnumInfo, ProtobufField, ProtobufMessageCodec, ScalarType } from "../../codec/protobuf/message.js";
import type { ProtobufService } from "../../service/protobuf.js";
import { bytesField, stringField, varintField } from "../wire.js";

const TYPES: Readonly<Record<ScalarType, number>> = {
  double: 1, float: 2, int64: 3, uint64: 4, int32: 5, fixed64: 6, fixed32: 7, bool: 8, string: 9, bytes: 12, uint32: 13,
  sfixed32: 15, sfixed64: 16, sint32: 17, sint64: 18,
};
const TYPE_GROUP = 10;
/** The files of the well-known types. */
const WELL_KNOWN: Readonly<Record<string, string>> = Object.fromEntries([
  ...["Any"].map((n) => [n, "any"]), ...["Duration"].map((n) => [n, "duration"]), ...["Empty"].map((n) => [n, "empty"]),
  ...["FieldMask"].map((n) => [n, "field_mask"]), ...["Timestamp"].map((n) => [n, "timestamp"]),
  ...["Struct", "Value", "ListValue", "NullValue"].map((n) => [n, "struct"]),
  ...["DoubleValue", "FloatValue", "Int64Value", "UInt64Value", "Int32Value", "UInt32Value", "BoolValue", "StringValue", "BytesValue"].map((n) => [n, "wrappers"]),
].map(([n, f]) => [`google.protobuf.${n}`, `google/protobuf/${f}.proto`]));
const TYPE_MESSAGE = 11;
const TYPE_ENUM = 14;
const LABEL_OPTIONAL = 1;
const LABEL_REQUIRED = 2;
const LABEL_REPEATED = 3;

/** The descriptors of a set of services: files by name, and which file defines each symbol. */
export class ReflectionDescriptors {
  /** Serialized FileDescriptorProto by file name. */
  readonly files = new Map<string, Uint8Array>();
  /** File name by fully-qualified symbol (services, methods, messages, enums). */
  readonly symbols = new Map<string, string>();
  /** The files each file imports. */
  readonly dependencies = new Map<string, string[]>();
  readonly services: string[] = [];

  constructor(services: readonly ProtobufService[]) {
    const messages = new Map<string, ProtobufMessageCodec<unknown>>();
    const enums = new Map<string, ProtobufEnumInfo>();
    const visit = (codec: ProtobufMessageCodec<unknown>) => {
      if (messages.has(codec.typeName)) return;
      messages.set(codec.typeName, codec);
      for (const f of codec.fields) visitType(f.type);
    };
    const visitType = (t: FieldType) => {
      if (t.kind === "message") visit(t.type());
      else if (t.kind === "enum") enums.set(t.type().typeName, t.type());
      else if (t.kind === "map") visitType(t.value);
    };
    for (const s of services) for (const m of Object.values(s.methods)) (visit(m.input), visit(m.output));

    // Where each type lives: nested in the longest message whose name prefixes it, else top level in its package.
    const parentOf = (name: string): string | undefined => {
      for (let at = name.lastIndexOf("."); at > 0; at = name.lastIndexOf(".", at - 1)) {
        const prefix = name.slice(0, at);
        if (messages.has(prefix)) return prefix;
      }
      return undefined;
    };
    const packageOf = (name: string): string => {
      const parent = parentOf(name);
      if (parent !== undefined) return packageOf(parent);
      const at = name.lastIndexOf(".");
      return at < 0 ? "" : name.slice(0, at);
    };
    // A file per package (the service's .proto name for a service's package, `<package>.proto`
    // else), except the well-known types, which keep their own files (tools have them built in).
    const servicePackages = new Map<string, ProtobufService[]>();
    for (const s of services) {
      const pkg = s.name.slice(0, Math.max(0, s.name.lastIndexOf(".")));
      servicePackages.set(pkg, [...(servicePackages.get(pkg) ?? []), s]);
    }
    const topOf = (name: string): string => {
      const parent = parentOf(name);
      return parent === undefined ? name : topOf(parent);
    };
    const fileOf = (typeName: string): string => {
      const top = topOf(typeName);
      const wkt = WELL_KNOWN[top];
      if (wkt !== undefined) return wkt;
      const pkg = packageOf(typeName);
      return servicePackages.get(pkg)?.[0]?.proto ?? `${pkg === "" ? "default" : pkg}.proto`;
    };
    const byFile = new Map<string, { pkg: string; messages: ProtobufMessageCodec<unknown>[]; enums: ProtobufEnumInfo[]; services: ProtobufService[] }>();
    const entry = (file: string, pkg: string) => {
      let e = byFile.get(file);
      if (e === undefined) byFile.set(file, (e = { pkg, messages: [], enums: [], services: [] }));
      return e;
    };
    for (const m of messages.values()) {
      if (parentOf(m.typeName) === undefined) entry(fileOf(m.typeName), packageOf(m.typeName)).messages.push(m);
    }
    for (const e of enums.values()) if (parentOf(e.typeName) === undefined) entry(fileOf(e.typeName), packageOf(e.typeName)).enums.push(e);
    for (const [pkg, list] of servicePackages) entry(list[0]!.proto, pkg).services.push(...list);

    for (const [file, content] of byFile) {
      const deps = new Set<string>();
      const needs = (typeName: string) => {
        const other = fileOf(typeName);
        if (other !== file) deps.add(other);
      };
      const inFile = (name: string) => fileOf(name) === file;
      const proto2 = [...messages.values()].some((m) => inFile(m.typeName) && m.fields.some(needsProto2)) ||
        [...enums.values()].some((e) => inFile(e.typeName) && e.closed);
      const body: number[] = [];
      for (const m of content.messages) bytesField(body, (4 << 3) | 2, messageProto(m, messages, enums, parentOf, proto2, needs));
      for (const e of content.enums) bytesField(body, (5 << 3) | 2, enumProto(e));
      for (const s of content.services) {
        bytesField(body, (6 << 3) | 2, serviceProto(s, needs));
        this.symbols.set(s.name, file);
        for (const m of Object.values(s.methods)) this.symbols.set(`${s.name}.${m.name}`, file);
        this.services.push(s.name);
      }
      for (const name of [...messages.keys(), ...enums.keys()]) if (inFile(name)) this.symbols.set(name, file);
      const out: number[] = [];
      stringField(out, 1, file);
      if (content.pkg !== "") stringField(out, 2, content.pkg);
      for (const d of deps) stringField(out, 3, d);
      out.push(...body);
      if (!proto2) stringField(out, 12, "proto3");
      this.files.set(file, Uint8Array.from(out));
      this.dependencies.set(file, [...deps]);
    }
  }

  /** `file` and every file it imports, directly or not, each once, `file` first. */
  withDependencies(file: string): Uint8Array[] {
    const seen = new Set<string>();
    const order: string[] = [];
    const walk = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      order.push(f);
      for (const d of this.dependencies.get(f) ?? []) walk(d);
    };
    walk(file);
    return order.map((f) => this.files.get(f)!).filter(Boolean);
  }
}

function needsProto2(f: ProtobufField): boolean {
  return f.required || f.defaultValue !== undefined || (f.type.kind === "message" && f.type.group === true);
}

function shortName(fullName: string): string {
  return fullName.slice(fullName.lastIndexOf(".") + 1);
}

/** A oneof's proto name from its TypeScript property name. */
function snake(name: string): string {
  return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

function camelEntry(field: string): string {
  return field.split("_").map((p) => p.charAt(0).toUpperCase() + p.slice(1)).join("") + "Entry";
}

function messageProto(m: ProtobufMessageCodec<unknown>, messages: ReadonlyMap<string, ProtobufMessageCodec<unknown>>,
  enums: ReadonlyMap<string, ProtobufEnumInfo>, parentOf: (name: string) => string | undefined, proto2: boolean,
  needs: (typeName: string) => void): number[] {
  const out: number[] = [];
  stringField(out, 1, shortName(m.typeName));
  const oneofs: string[] = [];
  const synthetic: string[] = [];
  for (const f of m.fields) if (f.oneof !== undefined && !oneofs.includes(f.oneof)) oneofs.push(f.oneof);
  for (const f of m.fields) {
    let oneofIndex: number | undefined = f.oneof === undefined ? undefined : oneofs.indexOf(f.oneof);
    const proto3Optional = !proto2 && f.oneof === undefined && f.presence && !f.repeated && f.type.kind !== "message";
    if (proto3Optional) {
      synthetic.push(`_${f.protoName}`);
      oneofIndex = oneofs.length + synthetic.length - 1;
    }
    bytesField(out, (2 << 3) | 2, fieldProto(f, m.typeName, proto2, proto3Optional, oneofIndex, needs));
    if (f.type.kind === "map") bytesField(out, (3 << 3) | 2, mapEntryProto(f, needs));
  }
  for (const nested of messages.values()) if (parentOf(nested.typeName) === m.typeName) {
    bytesField(out, (3 << 3) | 2, messageProto(nested, messages, enums, parentOf, proto2, needs));
  }
  for (const e of enums.values()) if (parentOf(e.typeName) === m.typeName) bytesField(out, (4 << 3) | 2, enumProto(e));
  for (const name of [...oneofs.map(snake), ...synthetic]) {
    const o: number[] = [];
    stringField(o, 1, name);
    bytesField(out, (8 << 3) | 2, o);
  }
  return out;
}

function fieldProto(f: ProtobufField, owner: string, proto2: boolean, proto3Optional: boolean, oneofIndex: number | undefined,
  needs: (typeName: string) => void): number[] {
  const out: number[] = [];
  stringField(out, 1, f.protoName);
  varintField(out, 3, f.no);
  const label = f.repeated || f.type.kind === "map" ? LABEL_REPEATED : f.required ? LABEL_REQUIRED : LABEL_OPTIONAL;
  varintField(out, 4, label);
  const t = f.type;
  if (t.kind === "scalar") varintField(out, 5, TYPES[t.type]);
  else if (t.kind === "enum") {
    varintField(out, 5, TYPE_ENUM);
    stringField(out, 6, `.${t.type().typeName}`);
    needs(t.type().typeName);
  } else if (t.kind === "message") {
    varintField(out, 5, t.group ? TYPE_GROUP : TYPE_MESSAGE);
    stringField(out, 6, `.${t.type().typeName}`);
    needs(t.type().typeName);
  } else {
    varintField(out, 5, TYPE_MESSAGE);
    stringField(out, 6, `.${owner}.${camelEntry(f.protoName)}`);
  }
  if (f.defaultValue !== undefined) {
    stringField(out, 7, t.kind === "enum" ? t.type().names[f.defaultValue as number] ?? String(f.defaultValue) : defaultText(f.defaultValue));
  }
  if (oneofIndex !== undefined) varintField(out, 9, oneofIndex);
  stringField(out, 10, f.jsonName);
  // packed differs from the syntax's default: say so in FieldOptions.packed
  if (f.repeated && t.kind === "scalar" && t.type !== "string" && t.type !== "bytes" && f.packed === proto2) {
    const options: number[] = [];
    varintField(options, 2, f.packed ? 1 : 0);
    bytesField(out, (8 << 3) | 2, options);
  }
  if (proto3Optional) varintField(out, 17, 1);
  return out;
}

function mapEntryProto(f: ProtobufField, needs: (typeName: string) => void): number[] {
  const t = f.type as Extract<FieldType, { kind: "map" }>;
  const out: number[] = [];
  stringField(out, 1, camelEntry(f.protoName));
  const kv = (name: string, no: number, type: Exclude<FieldType, { kind: "map" }>) => {
    const fd: number[] = [];
    stringField(fd, 1, name);
    varintField(fd, 3, no);
    varintField(fd, 4, LABEL_OPTIONAL);
    if (type.kind === "scalar") varintField(fd, 5, TYPES[type.type]);
    else {
      const typeName = type.type().typeName;
      varintField(fd, 5, type.kind === "enum" ? TYPE_ENUM : TYPE_MESSAGE);
      stringField(fd, 6, `.${typeName}`);
      needs(typeName);
    }
    stringField(fd, 10, name);
    bytesField(out, (2 << 3) | 2, fd);
  };
  kv("key", 1, { kind: "scalar", type: t.key });
  kv("value", 2, t.value);
  const options: number[] = [];
  varintField(options, 7, 1); // map_entry
  bytesField(out, (7 << 3) | 2, options);
  return out;
}

function enumProto(e: ProtobufEnumInfo): number[] {
  const out: number[] = [];
  stringField(out, 1, shortName(e.typeName));
  for (const [name, number] of Object.entries(e.values)) {
    const v: number[] = [];
    stringField(v, 1, name);
    varintField(v, 2, number);
    bytesField(out, (2 << 3) | 2, v);
  }
  return out;
}

function serviceProto(s: ProtobufService, needs: (typeName: string) => void): number[] {
  const out: number[] = [];
  stringField(out, 1, shortName(s.name));
  for (const m of Object.values(s.methods)) {
    const md: number[] = [];
    stringField(md, 1, m.name);
    stringField(md, 2, `.${m.input.typeName}`);
    stringField(md, 3, `.${m.output.typeName}`);
    needs(m.input.typeName);
    needs(m.output.typeName);
    if (m.kind === "client_streaming" || m.kind === "bidi_streaming") varintField(md, 5, 1);
    if (m.kind === "server_streaming" || m.kind === "bidi_streaming") varintField(md, 6, 1);
    bytesField(out, (2 << 3) | 2, md);
  }
  return out;
}

function defaultText(v: unknown): string {
  if (v instanceof Uint8Array) return [...v].map((b) => (b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\${b.toString(8).padStart(3, "0")}`)).join("");
  if (typeof v === "number" && !Number.isFinite(v)) return Number.isNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";
  return String(v);
}
