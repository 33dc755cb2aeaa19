/**
 * Options against their schema. Built-in options are fields of the
 * `google.protobuf.*Options` messages of descriptor.proto — the program's own copy when
 * it has one, else the built-in text — and custom options `(ext)` are extensions of
 * those messages, looked up from the element's scope like any name (so an option makes
 * its import "used"). Each name path (`(a).b.c`) is followed field by field, the value
 * must fit the last field's type (and is normalized to it), and a non-repeated option
 * may be set once per element. Feature options need editions; `map_entry` is the
 * compiler's to set.
 *
 * Aggregate values `{ ... }` are checked to be given for message types only; their
 * text is not parsed.
 */
import { DiagnosticBag } from "../../diagnostics.js";
import type { Span } from "../../diagnostics.js";
import { SourceText } from "../../diagnostics.js";
import type { ProtoEnum, ProtoField, ProtoMessage, ProtoOption } from "../ast.js";
import { parseProto } from "../parser.js";
import { DESCRIPTOR_PROTO } from "../wkt-descriptor.js";
import { Resolver } from "./lookup.js";
import { type FileScope, ProgramIndex, describeKind, parentOf } from "./scope.js";
import { resolveTypes } from "./types.js";
import { type ValueType, fitValue } from "./values.js";

/** The element kinds options attach to, named as in `google.protobuf.<Kind>Options`. */
export type OptionKind = "File" | "Message" | "Field" | "Oneof" | "Enum" | "EnumValue" | "Service" | "Method" | "ExtensionRange";

const LABELS: Record<OptionKind, string> = {
  File: "file", Message: "message", Field: "field", Oneof: "oneof", Enum: "enum", EnumValue: "enum value",
  Service: "service", Method: "method", ExtensionRange: "extension range",
};

let builtin: ProgramIndex | undefined;

/** The built-in descriptor.proto, parsed and resolved once. */
export function builtinSchema(): ProgramIndex {
  if (builtin) return builtin;
  const bag = new DiagnosticBag();
  const path = "google/protobuf/descriptor.proto";
  const file = parseProto(new SourceText(path, DESCRIPTOR_PROTO), bag);
  const index = new ProgramIndex(new Map([[path, file]]), bag);
  resolveTypes(new Resolver(index, index.files.get(path)!), file, bag);
  return (builtin = index);
}

/** Splits `(a.b).c.(d).e` into parts; extension parts keep their dotted name. */
export function splitOptionName(name: string): { text: string; ext: boolean }[] {
  const parts: { text: string; ext: boolean }[] = [];
  let i = 0;
  while (i < name.length) {
    if (name[i] === "(") {
      const close = name.indexOf(")", i);
      parts.push({ text: name.slice(i + 1, close), ext: true });
      i = close + 2;
    } else {
      const dot = name.indexOf(".", i);
      const end = dot < 0 ? name.length : dot;
      parts.push({ text: name.slice(i, end), ext: false });
      i = end + 1;
    }
  }
  return parts;
}

/** Checks the options of every element of one file. */
export class OptionChecker {
  private readonly schema: ProgramIndex;

  constructor(private readonly index: ProgramIndex, private readonly diagnostics: DiagnosticBag) {
    this.schema = index.symbols.get("google.protobuf.FileOptions")?.kind === "message" ? index : builtinSchema();
  }

  /** A message by full name, from the program or the schema. */
  private message(fullName: string): ProtoMessage | undefined {
    const sym = this.index.symbols.get(fullName) ?? this.schema.symbols.get(fullName);
    return sym?.kind === "message" ? sym.node : undefined;
  }

  /** An enum by full name, from the program or the schema. */
  enumOf(fullName: string): ProtoEnum | undefined {
    const sym = this.index.symbols.get(fullName) ?? this.schema.symbols.get(fullName);
    return sym?.kind === "enum" ? sym.node : undefined;
  }

  checkFile(scope: FileScope): void {
    const r = new Resolver(this.index, scope);
    const file = scope.file;
    const editions = file.syntax === "editions";
    const check = (options: ProtoOption[], kind: OptionKind, at: string): void => this.checkList(r, options, kind, at, editions);
    check(file.options, "File", file.package);
    const enums = (list: ProtoEnum[]): void => {
      for (const e of list) {
        check(e.options, "Enum", parentOf(e.fullName));
        for (const v of e.values) check(v.options, "EnumValue", parentOf(e.fullName));
      }
    };
    const fields = (list: ProtoField[], at: string): void => {
      for (const f of list) check(f.options, "Field", at);
    };
    const walk = (m: ProtoMessage): void => {
      if (m.mapEntry) return;
      check(m.options, "Message", parentOf(m.fullName));
      fields(m.fields, m.fullName);
      for (const o of m.oneofs) check(o.options, "Oneof", m.fullName);
      // Ranges of one `extensions` statement share their option list: check it once.
      for (const list of new Set(m.extensionRangeOptions ?? [])) check(list, "ExtensionRange", parentOf(m.fullName));
      for (const x of m.extends) fields(x.fields, m.fullName);
      for (const n of m.messages) walk(n);
      enums(m.enums);
    };
    for (const m of file.messages) walk(m);
    enums(file.enums);
    for (const x of file.extends) fields(x.fields, file.package);
    for (const s of file.services) {
      check(s.options, "Service", file.package);
      for (const m of s.methods) check(m.options, "Method", s.fullName);
    }
  }

  /** Checks the options of one element; `at` is the scope custom option names are looked up from. */
  private checkList(r: Resolver, options: ProtoOption[], kind: OptionKind, at: string, editions: boolean): void {
    const seen = new Map<string, Span>();
    for (const option of options) {
      const field = this.resolve(r, option, kind, at, editions);
      if (!field) continue;
      const type = this.valueType(field);
      if (type) {
        const fit = fitValue(option.value, type);
        if (fit.ok) option.value = fit.value;
        else this.diagnostics.error(option.value.span, `invalid value for option '${option.name}': ${fit.message}`);
      }
      const key = option.extension ? option.name.replace(/^\([^)]*\)/, `(${option.extension})`) : option.name;
      const first = seen.get(key);
      if (first && field.label !== "repeated") this.diagnostics.error(option.span, `option '${option.name}' is already set (line ${first.start.line})`);
      else if (!first) seen.set(key, option.span);
    }
  }

  /** Follows the option's name path; the field its value is for, or undefined (reported). */
  private resolve(r: Resolver, option: ProtoOption, kind: OptionKind, at: string, editions: boolean): ProtoField | undefined {
    const error = (message: string): undefined => void this.diagnostics.error(option.span, message);
    const label = LABELS[kind];
    const parts = splitOptionName(option.name);
    let message = this.message(`google.protobuf.${kind}Options`);
    if (!message) return error(`unknown ${label} option '${option.name}' (descriptor.proto has no ${kind}Options)`);
    if (parts[0]?.text === "features" && !parts[0].ext && !editions) {
      return error(`option '${option.name}': features can only be set in editions files`);
    }
    if (kind === "Message" && option.name === "map_entry") return error("option 'map_entry' cannot be set by hand; write a map<K, V> field instead");
    let field: ProtoField | undefined;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      if (i > 0) {
        const type = field!.type;
        const next = type.kind === "named" && type.target?.kind === "message" ? this.message(type.target.fullName) : undefined;
        if (!next) return error(`option '${option.name}': '${parts[i - 1]!.text}' is not a message, so it has no field '${part.text}'`);
        message = next;
      }
      if (!part.ext) {
        field = message.fields.find((f) => f.name === part.text);
        if (!field) {
          return error(i === 0 ? `unknown ${label} option '${part.text}'` : `option '${option.name}': message '${message.fullName}' has no field '${part.text}'`);
        }
        continue;
      }
      const preset = i === 0 && option.extension !== undefined ? this.index.symbols.get(option.extension) : undefined;
      const found = preset ? { ok: true as const, sym: preset } : r.lookup(part.text, at, false);
      if (!found.ok) {
        return error(`unknown ${label} option '(${part.text})'${found.detail || " (no extension of that name is declared in this file or its imports)"}`);
      }
      const sym = found.sym;
      if (sym.kind !== "extension") return error(`option '${option.name}': '${part.text}' is ${describeKind(sym.kind)}, not an extension`);
      const extendee = sym.extend.target?.fullName;
      if (extendee === undefined) return undefined; // the extend itself did not resolve; reported there
      if (extendee !== message.fullName) {
        return error(`option '${option.name}': '${sym.fullName}' extends '${extendee}', not '${message.fullName}'`);
      }
      if (i === 0) option.extension = sym.fullName;
      field = sym.node;
    }
    return field;
  }

  /** The type an option value must fit, when known. */
  private valueType(field: ProtoField): ValueType | undefined {
    const type = field.type;
    if (type.kind === "scalar") return { kind: "scalar", name: type.name };
    if (type.kind !== "named" || !type.target) return undefined;
    if (type.target.kind === "message") return { kind: "message", fullName: type.target.fullName };
    return { kind: "enum", fullName: type.target.fullName, node: this.enumOf(type.target.fullName) };
  }
}
