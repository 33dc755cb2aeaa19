/**
 * Decoded `FileDescriptorProto`s to the syntax tree the parser produces, so that one
 * checker and one code generator serve both: proto3 `optional` fields lose their
 * synthetic oneofs, map fields get their `map<K, V>` type back from the entry message
 * (`map_entry = true`), groups are flagged, labels follow the parser's convention
 * (`none` for unlabelled fields), exclusive range ends become inclusive, extensions are
 * regrouped into `extend` blocks, and defaults are turned from text into typed values.
 *
 * Options stay raw here (`pending`): decoding them needs every file's extensions.
 *
 * Positions come from `source_code_info` when the set has it (`protoc
 * --include_source_info`): each element's span is the location recorded for its path
 * (field numbers and indexes from the file down, as in descriptor.proto's
 * `SourceCodeInfo`). Without it, or for what protoc records no location for, the span is
 * the pseudo-position `file:1:1`.
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
  /** Where the option with this (top-level) field number was written; `file:1:1` when unknown. */
  spanOf: (fieldNumber: number) => Span;
}

/** The pseudo-position of everything read from a descriptor: `file:1:1`. */
export function pseudoSpan(file: string): Span {
  const at = { file, line: 1, column: 1 };
  return { start: at, end: at };
}

/**
 * Field numbers of descriptor.proto used in source-location paths: where each kind of
 * element sits in its parent, and its `name` and `options` fields.
 */
const PATH = {
  file: { message: 4, enum: 5, service: 6, extension: 7, dependency: 3, options: 8 },
  message: { field: 2, nested: 3, enum: 4, extensionRange: 5, extension: 6, options: 7, oneof: 8 },
  field: { extendee: 2, number: 3, label: 4, type: 5, typeName: 6, defaultValue: 7, options: 8 },
  oneof: { options: 2 },
  extensionRange: { options: 3 },
  enum: { value: 2, options: 3 },
  enumValue: { options: 3 },
  service: { method: 2, options: 3 },
  method: { input: 2, output: 3, options: 4 },
  name: 1,
} as const;

/**
 * The spans of a file's `source_code_info`, by path. A path with no location of its own
 * takes its first descendant's: protoc records `(opt).x = 1` only at `[..., opt, x]`.
 */
function sourceSpans(d: Decoded | undefined, file: string): Map<string, Span> {
  const out = new Map<string, Span>();
  for (const loc of d ? all<Decoded>(d, "location") : []) {
    const path = all<number>(loc, "path");
    const s = all<number>(loc, "span");
    if (s.length !== 3 && s.length !== 4) continue;
    // Locations are 0-based [startLine, startCol, (endLine,) endCol], the end exclusive.
    // protoc counts a tab as up to the next multiple of 8 columns where the parser counts 1:
    // without the source text the column cannot be corrected, so it is off on such lines.
    const span: Span = {
      start: { file, line: s[0]! + 1, column: s[1]! + 1 },
      end: { file, line: (s.length === 4 ? s[2]! : s[0]!) + 1, column: s[s.length - 1]! + 1 },
    };
    for (let n = path.length; n >= 0; n--) {
      const key = path.slice(0, n).join(",");
      if (n < path.length && out.has(key)) break;
      if (!out.has(key)) out.set(key, span);
    }
  }
  return out;
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
  private spans = new Map<string, Span>();
  private syntax: ProtoFile["syntax"] = "proto2";

  constructor(private readonly isMapEntry: (options: Uint8Array) => boolean) {}

  build(d: Decoded): ProtoFile {
    this.file = one<string>(d, "name") ?? "";
    this.span = pseudoSpan(this.file);
    this.spans = sourceSpans(one<Decoded>(d, "source_code_info"), this.file);
    const syntax = one<string>(d, "syntax");
    this.syntax = syntax === "proto3" ? "proto3" : syntax === "editions" ? "editions" : "proto2";
    const pkg = one<string>(d, "package") ?? "";
    const publics = new Set(all<number>(d, "public_dependency"));
    const weaks = new Set(all<number>(d, "weak_dependency"));
    const imports: ProtoImport[] = all<string>(d, "dependency").map((path, i) => ({
      path, kind: publics.has(i) ? "public" : weaks.has(i) ? "weak" : "default", span: this.at([PATH.file.dependency, i]),
    }));
    const file: ProtoFile = {
      kind: "proto", file: this.file, importPath: this.file, syntax: this.syntax, package: pkg, imports, options: [],
      messages: all<Decoded>(d, "message_type").map((m, i) => this.message(m, pkg, [PATH.file.message, i])),
      enums: all<Decoded>(d, "enum_type").map((e, i) => this.enumeration(e, pkg, [PATH.file.enum, i])),
      services: all<Decoded>(d, "service").map((s, i) => this.service(s, pkg, [PATH.file.service, i])),
      extends: this.extensions(all<Decoded>(d, "extension"), [PATH.file.extension]),
    };
    const edition = one<number>(d, "edition");
    if (this.syntax === "editions") file.edition = (edition !== undefined ? EDITIONS[edition] : undefined) ?? String(edition ?? "2023");
    this.options(d, "File", file.options, [PATH.file.options]);
    return file;
  }

  /** The span recorded for a path, else the file's pseudo-position. */
  private at(path: readonly number[]): Span {
    return this.spans.get(path.join(",")) ?? this.span;
  }

  /** Queues `d.options`; `path` is where that options message sits in the file. */
  private options(d: Decoded, kind: string, into: ProtoOption[], path: readonly number[]): void {
    const bytes = one<Uint8Array>(d, "options");
    if (!bytes || bytes.length === 0) return;
    const whole = this.at(path);
    const spans = this.spans;
    const spanOf = (n: number): Span => spans.get([...path, n].join(",")) ?? whole;
    this.pending.push({ bytes, type: `google.protobuf.${kind}Options`, into, file: this.file, spanOf });
  }

  private message(d: Decoded, scope: string, path: readonly number[]): ProtoMessage {
    const name = one<string>(d, "name") ?? "";
    const fullName = scope === "" ? name : `${scope}.${name}`;
    const P = PATH.message;
    const oneofs = all<Decoded>(d, "oneof_decl").map((o, i) => ({
      name: one<string>(o, "name") ?? "", fields: [] as string[], options: [] as ProtoOption[], span: this.at([...path, P.oneof, i]), decoded: o, index: i,
    }));
    const m: ProtoMessage = {
      kind: "message", name, fullName, fields: [], oneofs: [],
      messages: all<Decoded>(d, "nested_type").map((n, i) => this.message(n, fullName, [...path, P.nested, i])),
      enums: all<Decoded>(d, "enum_type").map((e, i) => this.enumeration(e, fullName, [...path, P.enum, i])),
      extends: this.extensions(all<Decoded>(d, "extension"), [...path, P.extension]),
      reserved: { ranges: all<Decoded>(d, "reserved_range").map(exclusiveRange), names: all<string>(d, "reserved_name") },
      extensionRanges: [], options: [], span: this.at(path), nameSpan: this.at([...path, PATH.name]),
    };
    const rawOptions = one<Uint8Array>(d, "options");
    if (rawOptions && this.isMapEntry(rawOptions)) m.mapEntry = true;
    else this.options(d, "Message", m.options, [...path, P.options]);
    const rangeOptions: ProtoOption[][] = [];
    all<Decoded>(d, "extension_range").forEach((r, i) => {
      m.extensionRanges.push(exclusiveRange(r));
      const list: ProtoOption[] = [];
      rangeOptions.push(list);
      this.options(r, "ExtensionRange", list, [...path, P.extensionRange, i, PATH.extensionRange.options]);
    });
    if (this.pending.some((p) => rangeOptions.includes(p.into))) m.extensionRangeOptions = rangeOptions;
    const fields = all<Decoded>(d, "field");
    // A proto3 `optional` field's oneof is synthetic: not a oneof in the tree.
    const synthetic = new Set(fields.filter((f) => one<boolean>(f, "proto3_optional")).map((f) => one<number>(f, "oneof_index")));
    for (const [i, f] of fields.entries()) {
      const field = this.field(f, [...path, P.field, i]);
      const index = one<number>(f, "oneof_index");
      if (index !== undefined && !synthetic.has(index) && oneofs[index]) {
        field.oneof = oneofs[index]!.name;
        field.label = "none";
        oneofs[index]!.fields.push(field.name);
      }
      m.fields.push(field);
    }
    oneofs.forEach(({ decoded, index, ...oneof }) => {
      if (synthetic.has(index)) return;
      this.options(decoded, "Oneof", oneof.options, [...path, P.oneof, index, PATH.oneof.options]);
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
      f.type = { kind: "map", key: key.type.name, value: value.type, span: f.type.span };
    }
  }

  private field(d: Decoded, path: readonly number[]): ProtoField {
    const name = one<string>(d, "name") ?? "";
    const typeNumber = one<number>(d, "type");
    const typeName = one<string>(d, "type_name");
    const scalar = typeNumber === undefined ? undefined : SCALARS[typeNumber];
    const P = PATH.field;
    const span = this.at(path);
    const typeSpan = this.spans.get([...path, scalar ? P.type : P.typeName].join(",")) ?? span;
    const type: ProtoType = scalar ? { kind: "scalar", name: scalar, span: typeSpan } : { kind: "named", name: typeName ?? "", span: typeSpan };
    const labelNumber = one<number>(d, "label");
    let label: Label = labelNumber === LABEL_REPEATED ? "repeated" : labelNumber === LABEL_REQUIRED ? "required" : "none";
    if (label === "none" && (this.syntax === "proto2" || one<boolean>(d, "proto3_optional"))) label = "optional";
    const f: ProtoField = {
      name, number: one<number>(d, "number") ?? 0, label, type, jsonName: one<string>(d, "json_name") ?? toJsonName(name),
      options: [], span, nameSpan: this.at([...path, PATH.name]),
    };
    if (typeNumber === TYPE_GROUP) f.group = true;
    const text = one<string>(d, "default_value");
    if (text !== undefined) f.defaultValue = this.defaultValue(text, scalar, this.spans.get([...path, P.defaultValue].join(",")) ?? span);
    this.options(d, "Field", f.options, [...path, P.options]);
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

  /** Consecutive extensions of one extendee form one `extend` block; `path` is the parent's extension list. */
  private extensions(list: Decoded[], path: readonly number[]): ProtoExtend[] {
    const out: ProtoExtend[] = [];
    for (const [i, d] of list.entries()) {
      const extendee = one<string>(d, "extendee") ?? "";
      const last = out[out.length - 1];
      const field = this.field(d, [...path, i]);
      if (last && last.extendee === extendee) last.fields.push(field);
      else out.push({ extendee, fields: [field], span: this.spans.get([...path, i, PATH.field.extendee].join(",")) ?? field.span });
    }
    return out;
  }

  private enumeration(d: Decoded, scope: string, path: readonly number[]): ProtoEnum {
    const name = one<string>(d, "name") ?? "";
    const e: ProtoEnum = {
      kind: "enum", name, fullName: scope === "" ? name : `${scope}.${name}`,
      values: all<Decoded>(d, "value").map((v, i) => {
        const at = [...path, PATH.enum.value, i];
        const value = { name: one<string>(v, "name") ?? "", number: one<number>(v, "number") ?? 0, options: [] as ProtoOption[], span: this.at(at) };
        this.options(v, "EnumValue", value.options, [...at, PATH.enumValue.options]);
        return value;
      }),
      reserved: { ranges: all<Decoded>(d, "reserved_range").map((r) => [one<number>(r, "start") ?? 0, one<number>(r, "end") ?? 0] as [number, number]), names: all<string>(d, "reserved_name") },
      options: [], closed: this.syntax === "proto2", span: this.at(path), nameSpan: this.at([...path, PATH.name]),
    };
    this.options(d, "Enum", e.options, [...path, PATH.enum.options]);
    return e;
  }

  private service(d: Decoded, scope: string, path: readonly number[]): ProtoService {
    const name = one<string>(d, "name") ?? "";
    const s: ProtoService = {
      kind: "service", name, fullName: scope === "" ? name : `${scope}.${name}`, methods: [], options: [],
      span: this.at(path), nameSpan: this.at([...path, PATH.name]),
    };
    for (const [i, m] of all<Decoded>(d, "method").entries()) {
      const at = [...path, PATH.service.method, i];
      const method: ProtoMethod = {
        name: one<string>(m, "name") ?? "",
        input: { kind: "named", name: one<string>(m, "input_type") ?? "", span: this.at([...at, PATH.method.input]) },
        output: { kind: "named", name: one<string>(m, "output_type") ?? "", span: this.at([...at, PATH.method.output]) },
        clientStreaming: one<boolean>(m, "client_streaming") ?? false,
        serverStreaming: one<boolean>(m, "server_streaming") ?? false,
        options: [], span: this.at(at), nameSpan: this.at([...at, PATH.name]),
      };
      this.options(m, "Method", method.options, [...at, PATH.method.options]);
      s.methods.push(method);
    }
    this.options(d, "Service", s.options, [...path, PATH.service.options]);
    return s;
  }
}

/** Message ranges are [start, end) in descriptors; the tree keeps them inclusive. */
function exclusiveRange(r: Decoded): [number, number] {
  return [one<number>(r, "start") ?? 0, (one<number>(r, "end") ?? 1) - 1];
}
