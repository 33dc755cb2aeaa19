/**
 * Decoded `FileDescriptorProto`s to the syntax tree the parser produces, so that one
 * checker and one code generator serve both: proto3 `optional` fields lose their
 * synthetic oneofs, map fields get their `map<K, V>` type back from the entry message
 * (`map_entry = true`), groups are flagged, labels follow the parser's convention
 * (`none` for unlabelled fields), exclusive range ends become inclusive, extensions are
 * regrouped into `extend` blocks, and defaults are turned from text into typed values.
 *
 * Options stay raw here (`pending`): decoding them needs every file's extensions.
 */
import type { Span } from "../../diagnostics.js";
import type {
  Label, OptionValue, ProtoEnum, ProtoExtend, ProtoField, ProtoFile, ProtoImport, ProtoMessage, ProtoMethod, ProtoOption, ProtoService, ProtoType, ScalarType,
} from "../ast.js";
import { toJsonName } from "../names.js";
import { decodeStringBytes } from "../strings.js";
import { type Decoded, all, one } from "./decode.js";

/** Scalar types by `FieldDescriptorProto.Type` number (10 group, 11 message, 14 enum are named). */
const SCALARS: Record<number, ScalarType> = {
  1: "double", 2: "float", 3: "int64", 4: "uint64", 5: "int32", 6: "fixed64", 7: "fixed32", 8: "bool",
  9: "string", 12: "bytes", 13: "uint32", 15: "sfixed32", 16: "sfixed64", 17: "sint32", 18: "sint64",
};
const TYPE_GROUP = 10;
const LABEL_REQUIRED = 2;
const LABEL_REPEATED = 3;

/** Options bytes waiting for decoding, and where their result goes. */
export interface PendingOptions {
  bytes: Uint8Array;
  /** `google.protobuf.<Kind>Options`. */
  type: string;
  into: ProtoOption[];
  file: string;
}

/** The pseudo-position of everything read from a descriptor: `file:1:1`. */
export function pseudoSpan(file: string): Span {
  const at = { file, line: 1, column: 1 };
  return { start: at, end: at };
}

/** `edition` enum numbers to edition names. */
const EDITIONS: Record<number, string> = { 1000: "2023", 1001: "2024" };

/**
 * Builds trees from decoded files. `isMapEntry` reads `map_entry` from a message's raw
 * options right away: map types are rebuilt before the other options are decoded.
 */
export class TreeBuilder {
  readonly pending: PendingOptions[] = [];
  private file = "";
  private span: Span = pseudoSpan("");
  private syntax: ProtoFile["syntax"] = "proto2";

  constructor(private readonly isMapEntry: (options: Uint8Array) => boolean) {}

  build(d: Decoded): ProtoFile {
    this.file = one<string>(d, "name") ?? "";
    this.span = pseudoSpan(this.file);
    const syntax = one<string>(d, "syntax");
    this.syntax = syntax === "proto3" ? "proto3" : syntax === "editions" ? "editions" : "proto2";
    const pkg = one<string>(d, "package") ?? "";
    const publics = new Set(all<number>(d, "public_dependency"));
    const weaks = new Set(all<number>(d, "weak_dependency"));
    const imports: ProtoImport[] = all<string>(d, "dependency").map((path, i) => ({
      path, kind: publics.has(i) ? "public" : weaks.has(i) ? "weak" : "default", span: this.span,
    }));
    const file: ProtoFile = {
      kind: "proto", file: this.file, importPath: this.file, syntax: this.syntax, package: pkg, imports, options: [],
      messages: all<Decoded>(d, "message_type").map((m) => this.message(m, pkg)),
      enums: all<Decoded>(d, "enum_type").map((e) => this.enumeration(e, pkg)),
      services: all<Decoded>(d, "service").map((s) => this.service(s, pkg)),
      extends: this.extensions(all<Decoded>(d, "extension")),
    };
    const edition = one<number>(d, "edition");
    if (this.syntax === "editions") file.edition = (edition !== undefined ? EDITIONS[edition] : undefined) ?? String(edition ?? "2023");
    this.options(d, "File", file.options);
    return file;
  }

  private options(d: Decoded, kind: string, into: ProtoOption[]): void {
    const bytes = one<Uint8Array>(d, "options");
    if (bytes && bytes.length > 0) this.pending.push({ bytes, type: `google.protobuf.${kind}Options`, into, file: this.file });
  }

  private message(d: Decoded, scope: string): ProtoMessage {
    const name = one<string>(d, "name") ?? "";
    const fullName = scope === "" ? name : `${scope}.${name}`;
    const oneofs = all<Decoded>(d, "oneof_decl").map((o) => ({ name: one<string>(o, "name") ?? "", fields: [] as string[], options: [] as ProtoOption[], span: this.span, decoded: o }));
    const m: ProtoMessage = {
      kind: "message", name, fullName, fields: [], oneofs: [], messages: all<Decoded>(d, "nested_type").map((n) => this.message(n, fullName)),
      enums: all<Decoded>(d, "enum_type").map((e) => this.enumeration(e, fullName)), extends: this.extensions(all<Decoded>(d, "extension")),
      reserved: { ranges: all<Decoded>(d, "reserved_range").map(exclusiveRange), names: all<string>(d, "reserved_name") },
      extensionRanges: [], options: [], span: this.span, nameSpan: this.span,
    };
    const rawOptions = one<Uint8Array>(d, "options");
    if (rawOptions && this.isMapEntry(rawOptions)) m.mapEntry = true;
    else this.options(d, "Message", m.options);
    const rangeOptions: ProtoOption[][] = [];
    for (const r of all<Decoded>(d, "extension_range")) {
      m.extensionRanges.push(exclusiveRange(r));
      const list: ProtoOption[] = [];
      rangeOptions.push(list);
      this.options(r, "ExtensionRange", list);
    }
    if (this.pending.some((p) => rangeOptions.includes(p.into))) m.extensionRangeOptions = rangeOptions;
    const fields = all<Decoded>(d, "field");
    // A proto3 `optional` field's oneof is synthetic: not a oneof in the tree.
    const synthetic = new Set(fields.filter((f) => one<boolean>(f, "proto3_optional")).map((f) => one<number>(f, "oneof_index")));
    for (const f of fields) {
      const field = this.field(f);
      const index = one<number>(f, "oneof_index");
      if (index !== undefined && !synthetic.has(index) && oneofs[index]) {
        field.oneof = oneofs[index]!.name;
        field.label = "none";
        oneofs[index]!.fields.push(field.name);
      }
      m.fields.push(field);
    }
    oneofs.forEach(({ decoded, ...oneof }, i) => {
      if (synthetic.has(i)) return;
      this.options(decoded, "Oneof", oneof.options);
      m.oneofs.push(oneof);
    });
    this.restoreMaps(m);
    return m;
  }

  /** `repeated XEntry x` whose type is a nested map entry becomes `map<K, V> x`, sharing the value type object. */
  private restoreMaps(m: ProtoMessage): void {
    for (const f of m.fields) {
      if (f.label !== "repeated" || f.type.kind !== "named") continue;
      const entry = m.messages.find((n) => n.mapEntry && f.type.kind === "named" && f.type.name === `.${n.fullName}`);
      const key = entry?.fields.find((x) => x.number === 1);
      const value = entry?.fields.find((x) => x.number === 2);
      if (!key || !value || key.type.kind !== "scalar") continue;
      f.type = { kind: "map", key: key.type.name, value: value.type, span: this.span };
    }
  }

  private field(d: Decoded): ProtoField {
    const name = one<string>(d, "name") ?? "";
    const typeNumber = one<number>(d, "type");
    const typeName = one<string>(d, "type_name");
    const scalar = typeNumber === undefined ? undefined : SCALARS[typeNumber];
    const type: ProtoType = scalar ? { kind: "scalar", name: scalar, span: this.span } : { kind: "named", name: typeName ?? "", span: this.span };
    const labelNumber = one<number>(d, "label");
    let label: Label = labelNumber === LABEL_REPEATED ? "repeated" : labelNumber === LABEL_REQUIRED ? "required" : "none";
    if (label === "none" && (this.syntax === "proto2" || one<boolean>(d, "proto3_optional"))) label = "optional";
    const f: ProtoField = {
      name, number: one<number>(d, "number") ?? 0, label, type, jsonName: one<string>(d, "json_name") ?? toJsonName(name),
      options: [], span: this.span, nameSpan: this.span,
    };
    if (typeNumber === TYPE_GROUP) f.group = true;
    const text = one<string>(d, "default_value");
    if (text !== undefined) f.defaultValue = this.defaultValue(text, scalar, this.span);
    this.options(d, "Field", f.options);
    return f;
  }

  /** Descriptor defaults are text; this types them like the parser would (the checker then fits them). */
  private defaultValue(text: string, scalar: ScalarType | undefined, span: Span): OptionValue {
    if (scalar === undefined) return { kind: "identifier", name: text, span };
    if (scalar === "string") return { kind: "string", value: text, span };
    if (scalar === "bytes") {
      const decoded = decodeStringBytes(text, () => undefined); // protoc C-escapes bytes defaults
      return decoded.bytes ? { kind: "string", value: decoded.value, bytes: decoded.bytes, span } : { kind: "string", value: decoded.value, span };
    }
    if (scalar === "bool") return { kind: "bool", value: text === "true", span };
    if (scalar === "float" || scalar === "double") {
      const value = text === "inf" ? Infinity : text === "-inf" ? -Infinity : text === "nan" || text === "-nan" ? NaN : Number(text);
      return { kind: "float", value, span };
    }
    return { kind: "int", value: BigInt(text), span };
  }

  /** Consecutive extensions of one extendee form one `extend` block. */
  private extensions(list: Decoded[]): ProtoExtend[] {
    const out: ProtoExtend[] = [];
    for (const d of list) {
      const extendee = one<string>(d, "extendee") ?? "";
      const last = out[out.length - 1];
      const field = this.field(d);
      if (last && last.extendee === extendee) last.fields.push(field);
      else out.push({ extendee, fields: [field], span: this.span });
    }
    return out;
  }

  private enumeration(d: Decoded, scope: string): ProtoEnum {
    const name = one<string>(d, "name") ?? "";
    const e: ProtoEnum = {
      kind: "enum", name, fullName: scope === "" ? name : `${scope}.${name}`,
      values: all<Decoded>(d, "value").map((v) => {
        const value = { name: one<string>(v, "name") ?? "", number: one<number>(v, "number") ?? 0, options: [] as ProtoOption[], span: this.span };
        this.options(v, "EnumValue", value.options);
        return value;
      }),
      reserved: { ranges: all<Decoded>(d, "reserved_range").map((r) => [one<number>(r, "start") ?? 0, one<number>(r, "end") ?? 0] as [number, number]), names: all<string>(d, "reserved_name") },
      options: [], closed: this.syntax === "proto2", span: this.span, nameSpan: this.span,
    };
    this.options(d, "Enum", e.options);
    return e;
  }

  private service(d: Decoded, scope: string): ProtoService {
    const name = one<string>(d, "name") ?? "";
    const s: ProtoService = { kind: "service", name, fullName: scope === "" ? name : `${scope}.${name}`, methods: [], options: [], span: this.span, nameSpan: this.span };
    for (const m of all<Decoded>(d, "method")) {
      const method: ProtoMethod = {
        name: one<string>(m, "name") ?? "",
        input: { kind: "named", name: one<string>(m, "input_type") ?? "", span: this.span },
        output: { kind: "named", name: one<string>(m, "output_type") ?? "", span: this.span },
        clientStreaming: one<boolean>(m, "client_streaming") ?? false,
        serverStreaming: one<boolean>(m, "server_streaming") ?? false,
        options: [], span: this.span, nameSpan: this.span,
      };
      this.options(m, "Method", method.options);
      s.methods.push(method);
    }
    this.options(d, "Service", s.options);
    return s;
  }
}

/** Message ranges are [start, end) in descriptors; the tree keeps them inclusive. */
function exclusiveRange(r: Decoded): [number, number] {
  return [one<number>(r, "start") ?? 0, (one<number>(r, "end") ?? 1) - 1];
}
