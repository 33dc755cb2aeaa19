/**
 * Options from descriptor sets. Compilers store options as `*Options` messages whose
 * custom options are extension fields; this decodes them with every extension of the
 * loaded files and writes them back as the parser's `ProtoOption`s: built-in ones by
 * field name (non-repeated message fields such as `features` flattened to
 * `features.field_presence`), custom ones as `(full.name)` with `extension` set, message
 * values as text-format aggregates. Repeated occurrences of a singular field are merged
 * first, so `[(opt).x = 1, (opt).y = "z"]` becomes one `(opt) = { x: 1 y: "z" }`.
 */
import { ProtobufReader } from "../../../codec/protobuf/reader.js";
import type { Span } from "../../diagnostics.js";
import type { Engine } from "../../../wasm/engine.js";
import type { OptionValue, ProtoEnum, ProtoExtend, ProtoField, ProtoFile, ProtoMessage, ProtoOption } from "../ast.js";
import { cEscape } from "../strings.js";
import type { PendingOptions } from "./build.js";
import { pseudoSpan } from "./build.js";
import { type Decoded, Decoder, type FieldKind, type TypeTable, type Value, fieldKind } from "./decode.js";

/** Message and enum types of `files` by full name, over a base table (the built-in descriptor.proto). */
export function typeTable(files: Iterable<ProtoFile>, base: TypeTable): Map<string, ProtoMessage | ProtoEnum> {
  const table = new Map(base);
  const walk = (m: ProtoMessage): void => {
    table.set(m.fullName, m);
    for (const e of m.enums) table.set(e.fullName, e);
    for (const n of m.messages) walk(n);
  };
  for (const f of files) {
    for (const m of f.messages) walk(m);
    for (const e of f.enums) table.set(e.fullName, e);
  }
  return table;
}

/** Extensions of the files by `extendee:number` → option name and field. */
function extensionTable(files: Iterable<ProtoFile>): Map<string, { name: string; field: ProtoField }> {
  const out = new Map<string, { name: string; field: ProtoField }>();
  const add = (list: ProtoExtend[], scope: string): void => {
    for (const x of list) {
      for (const f of x.fields) out.set(`${x.extendee.replace(/^\./, "")}:${f.number}`, { name: `(${scope === "" ? "" : scope + "."}${f.name})`, field: f });
    }
  };
  const walk = (m: ProtoMessage): void => {
    add(m.extends, m.fullName);
    for (const n of m.messages) walk(n);
  };
  for (const f of files) {
    add(f.extends, f.package);
    for (const m of f.messages) walk(m);
  }
  return out;
}

/** Decodes every pending options blob into its option list. */
export function decodeOptions(pending: PendingOptions[], files: ProtoFile[], table: TypeTable, engine?: Engine): void {
  const extensions = extensionTable(files);
  const decoder = new Decoder(table, new Set(), (extendee, number) => extensions.get(`${extendee}:${number}`));
  const reader = new ProtobufReader(engine ? { engine } : {});
  try {
    for (const p of pending) {
      const type = table.get(p.type);
      if (type?.kind !== "message") continue;
      const decoded = decoder.decode(reader.load(p.bytes), type);
      p.into.push(...toOptions(decoded, "", table, p.spanOf));
    }
  } finally {
    reader.dispose();
  }
}

/**
 * Folds repeated occurrences of singular fields the way protobuf parsers do: a message
 * field's occurrences merge into one message, a scalar's last occurrence wins; repeated
 * fields keep every value. protoc writes `[(opt).a = 1, (opt).b = 2]` as two records of
 * field `opt`, one per assignment, so options need this before they become one option each.
 */
function mergeOccurrences(d: Decoded, table: TypeTable): Decoded {
  const values = new Map<string, Value[]>();
  for (const [name, list] of d.values) {
    const field = d.fields.get(name);
    const kind = field && fieldKind(field, table);
    if (!field || !kind || field.label === "repeated") {
      values.set(name, kind?.kind === "message" ? list.map((v) => mergeOccurrences(v as Decoded, table)) : list);
    } else if (kind.kind === "message") {
      values.set(name, [mergeOccurrences(concat(list as Decoded[]), table)]);
    } else {
      values.set(name, list.slice(-1));
    }
  }
  return { type: d.type, values, fields: d.fields };
}

/** The fields of several records of one message type, values in order (first occurrence fixes a field's place). */
function concat(list: Decoded[]): Decoded {
  const out: Decoded = { type: list[0]!.type, values: new Map(), fields: new Map() };
  for (const d of list) {
    for (const [name, values] of d.values) {
      out.values.set(name, [...(out.values.get(name) ?? []), ...values]);
      out.fields.set(name, d.fields.get(name)!);
    }
  }
  return out;
}

/** The options of a decoded `*Options` message; `spanOf` gives where a top-level field was written. */
function toOptions(d: Decoded, prefix: string, table: TypeTable, spanOf: (fieldNumber: number) => Span): ProtoOption[] {
  const out: ProtoOption[] = [];
  for (const [name, values] of mergeOccurrences(d, table).values) {
    const field = d.fields.get(name);
    const kind = field && fieldKind(field, table);
    if (!field || !kind || name === "uninterpreted_option") continue;
    const custom = name.startsWith("(");
    const span = spanOf(field.number);
    for (const v of values) {
      if (kind.kind === "message" && !custom && field.label !== "repeated") {
        // Flattened sub-options (`features.x`) are all placed where their parent was written.
        out.push(...toOptions(v as Decoded, `${prefix}${name}.`, table, () => span));
        continue;
      }
      const value: OptionValue = kind.kind === "message"
        ? { kind: "aggregate", text: renderText(v as Decoded, table), span }
        : scalarValue(v, kind, span);
      const option: ProtoOption = { name: prefix + name, value, span };
      if (custom && prefix === "") option.extension = name.slice(1, -1);
      out.push(option);
    }
  }
  return out;
}

function scalarValue(v: Value, kind: Exclude<FieldKind, { kind: "message" }>, span: Span): OptionValue {
  if (kind.kind === "enum") {
    const value = kind.type.values.find((x) => x.number === v);
    return value ? { kind: "identifier", name: value.name, span } : { kind: "int", value: BigInt(v as number), span };
  }
  switch (kind.name) {
    case "bool": return { kind: "bool", value: v as boolean, span };
    case "string": return { kind: "string", value: v as string, span };
    case "float":
    case "double": return { kind: "float", value: v as number, span };
    case "bytes": {
      const bytes = v as Uint8Array;
      try {
        return { kind: "string", value: new TextDecoder("utf-8", { fatal: true }).decode(bytes), span };
      } catch {
        return { kind: "string", value: new TextDecoder().decode(bytes), bytes, span };
      }
    }
    default: return { kind: "int", value: BigInt(v as number | bigint), span };
  }
}

/** Text format of a decoded message, on one line: `a: 1 b: "x" c { d: E }`, extensions as `[full.name]`. */
function renderText(d: Decoded, table: TypeTable): string {
  const parts: string[] = [];
  for (const [name, values] of d.values) {
    const field = d.fields.get(name);
    const kind = field && fieldKind(field, table);
    if (!kind) continue;
    const key = name.startsWith("(") ? `[${name.slice(1, -1)}]` : name;
    for (const v of values) {
      if (kind.kind === "message") {
        const inner = renderText(v as Decoded, table);
        parts.push(inner === "" ? `${key} {}` : `${key} { ${inner} }`);
      } else {
        parts.push(`${key}: ${renderScalar(scalarValue(v, kind, pseudoSpan("")))}`);
      }
    }
  }
  return parts.join(" ");
}

function renderScalar(v: OptionValue): string {
  switch (v.kind) {
    case "string": return `"${cEscape(v.bytes ?? new TextEncoder().encode(v.value))}"`;
    case "float": return Number.isNaN(v.value) ? "nan" : v.value === Infinity ? "inf" : v.value === -Infinity ? "-inf" : String(v.value);
    case "identifier": return v.name;
    case "aggregate": return `{ ${v.text} }`;
    default: return String(v.value);
  }
}
