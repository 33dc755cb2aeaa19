/**
 * Fields: `[label] type name = number [options];`, `map<K, V> name = number;` (which
 * also synthesizes the `NameEntry` message, as protoc does) and proto2 groups
 * (`label group Name = number { ... }`: a field named `name` plus a nested message).
 *
 * The rules that depend only on how a field is written are checked here (labels per
 * syntax and context, map key types, group names, `default`/`json_name` placement);
 * everything that needs names resolved is the checker's.
 */
import type { Span } from "../../diagnostics.js";
import type { Label, ProtoField, ProtoMessage, ProtoOneof, ProtoType, ScalarType } from "../ast.js";
import type { Token } from "../lexer.js";
import { SCALAR_TYPES, mapEntryName, toJsonName } from "../names.js";
import { type Cursor, SyntaxFailure } from "./cursor.js";
import { parseBracketOptions, parseDottedName } from "./options.js";

/** Where a field is being declared, which decides the label rules and where groups go. */
export interface FieldContext {
  where: "message" | "oneof" | "extend";
  /** Receives the field (pushed before its options are read, so errors keep it). */
  fields: ProtoField[];
  /** Receives group and map entry messages: the enclosing message's or the file's list. */
  messages: ProtoMessage[];
  oneof?: ProtoOneof;
  /** Parses a message body (for groups), supplied by the message parser. */
  parseBody: (c: Cursor, message: ProtoMessage) => void;
}

const LABELS = new Set(["optional", "required", "repeated"]);

/** Keys a map may have: integral types, bool and string. */
const MAP_KEYS = new Set(["int32", "int64", "uint32", "uint64", "sint32", "sint64", "fixed32", "fixed64", "sfixed32", "sfixed64", "bool", "string"]);

/** Reads a field type: a scalar keyword or a (possibly dotted or rooted) message/enum name. */
export function parseType(c: Cursor, what = "field type"): ProtoType {
  const t = c.peek();
  if (t.kind === "ident" && SCALAR_TYPES.has(t.text)) {
    c.next();
    return { kind: "scalar", name: t.text as ScalarType, span: t.span };
  }
  if (!(t.kind === "ident" || (t.kind === "punct" && t.text === "."))) c.fail(what);
  const { name, span } = parseDottedName(c, what, true);
  return { kind: "named", name, span };
}

/** Reads a field number (a non-negative integer literal). */
function parseNumber(c: Cursor, what: string): number {
  const t = c.peek();
  if (t.kind !== "int") c.fail(what);
  c.next();
  return Number(t.value as bigint);
}

/** Copies the doc of `token` onto `node`. */
export function withDoc<T extends { doc?: string }>(node: T, token: Token): T {
  if (token.doc !== undefined) node.doc = token.doc;
  return node;
}

/** Parses one field, map field or group starting at the current token. */
export function parseField(c: Cursor, ctx: FieldContext): void {
  const first = c.peek();
  let label: Label = "none";
  const labelToken = LABELS.has(first.text) && first.kind === "ident" ? c.next() : undefined;
  if (labelToken) label = labelToken.text as Label;

  if (c.atIdent("map") && c.atPunct("<", 1)) return parseMapField(c, ctx, first, labelToken);
  const isGroup = c.atIdent("group") && c.peek(1).kind === "ident";
  if (labelToken) checkLabel(c, ctx, labelToken);
  else if (ctx.where !== "oneof" && c.syntax === "proto2") {
    c.error(first.span, "expected 'optional', 'required' or 'repeated' (proto2 fields need a label)");
  }
  if (ctx.where === "oneof") label = "none"; // members are singular; presence comes from the oneof

  if (isGroup) return parseGroup(c, ctx, first, label);
  const type = parseType(c);
  const name = c.expectIdent("field name");
  c.expectPunct("=");
  const number = parseNumber(c, "field number");
  const field: ProtoField = { name: name.text, number, label, type, jsonName: toJsonName(name.text), options: [], span: name.span, nameSpan: name.span };
  if (ctx.oneof) attachToOneof(field, ctx.oneof);
  ctx.fields.push(withDoc(field, first));
  try {
    applyOptions(c, ctx, field);
    c.expectSemicolon();
  } finally {
    field.span = c.spanFrom(first);
  }
}

/** Labels allowed per syntax and place (protoc's parser rules). */
function checkLabel(c: Cursor, ctx: FieldContext, label: Token): void {
  if (ctx.where === "oneof") {
    c.error(label.span, `fields in a oneof cannot have a label ('${label.text}')`);
  } else if (c.syntax === "editions" && label.text !== "repeated") {
    const hint = label.text === "required" ? "features.field_presence = LEGACY_REQUIRED" : "features.field_presence = EXPLICIT";
    c.error(label.span, `'${label.text}' is not allowed in editions; use the option ${hint}`);
  }
}

function attachToOneof(field: ProtoField, oneof: ProtoOneof): void {
  field.oneof = oneof.name;
  oneof.fields.push(field.name);
}

/** Reads `[...]`, taking `default` and `json_name` out of the option list (they are not options in descriptors). */
function applyOptions(c: Cursor, ctx: FieldContext, field: ProtoField): void {
  let jsonSeen = false;
  for (const { option, nameSpan } of parseBracketOptions(c)) {
    if (option.name === "default") {
      if (field.defaultValue !== undefined) c.error(nameSpan, "option 'default' is already set");
      field.defaultValue = option.value;
    } else if (option.name === "json_name") {
      if (jsonSeen) c.error(nameSpan, "option 'json_name' is already set");
      jsonSeen = true;
      if (ctx.where === "extend") c.error(nameSpan, "option 'json_name' is not allowed on extension fields");
      if (option.value.kind !== "string") c.error(option.value.span, "option 'json_name' must be a string");
      else field.jsonName = option.value.value;
    } else {
      field.options.push(option);
    }
  }
}

function parseMapField(c: Cursor, ctx: FieldContext, first: Token, label: Token | undefined): void {
  const keyword = c.next();
  if (label) c.error(label.span, `map fields cannot have a label ('${label.text}')`);
  if (ctx.where === "oneof") c.error(keyword.span, "map fields are not allowed in a oneof");
  if (ctx.where === "extend") c.error(keyword.span, "map fields cannot be extensions");
  c.expectPunct("<");
  const key = parseType(c, "map key type");
  let keyName: ScalarType = "string";
  if (key.kind === "scalar" && MAP_KEYS.has(key.name)) keyName = key.name;
  else {
    const written = key.kind === "map" ? "map" : key.name;
    const why = key.kind !== "scalar" ? "messages and enums" : key.name === "bytes" ? "bytes" : "floating-point types";
    c.error(key.span, `invalid map key type '${written}': keys must be integral types, bool or string (not ${why})`);
  }
  c.expectPunct(",");
  const value = parseType(c, "map value type");
  const mapEnd = c.expectPunct(">");
  const name = c.expectIdent("field name");
  c.expectPunct("=");
  const number = parseNumber(c, "field number");
  const mapSpan: Span = { start: keyword.span.start, end: mapEnd.span.end };
  const field: ProtoField = {
    name: name.text, number, label: "repeated", type: { kind: "map", key: keyName, value, span: mapSpan },
    jsonName: toJsonName(name.text), options: [], span: name.span, nameSpan: name.span,
  };
  if (ctx.oneof) attachToOneof(field, ctx.oneof);
  ctx.fields.push(withDoc(field, first));
  // The entry message protoc generates: key = 1, value = 2, `map_entry = true` (kept as `mapEntry`).
  const entryLabel: Label = c.syntax === "proto2" ? "optional" : "none";
  const entry: ProtoMessage = {
    kind: "message", name: mapEntryName(name.text), fullName: "", fields: [
      { name: "key", number: 1, label: entryLabel, type: { kind: "scalar", name: keyName, span: key.span }, jsonName: "key", options: [], span: key.span, nameSpan: key.span },
      // The value type object is shared with the map type, so resolving one resolves both.
      { name: "value", number: 2, label: entryLabel, type: value, jsonName: "value", options: [], span: value.span, nameSpan: value.span },
    ], oneofs: [], messages: [], enums: [], extends: [], reserved: { ranges: [], names: [] }, extensionRanges: [],
    options: [], mapEntry: true, span: mapSpan, nameSpan: name.span,
  };
  ctx.messages.push(entry);
  try {
    applyOptions(c, ctx, field);
    c.expectSemicolon();
  } finally {
    field.span = entry.span = c.spanFrom(first);
  }
}

function parseGroup(c: Cursor, ctx: FieldContext, first: Token, label: Label): void {
  const keyword = c.next();
  if (c.syntax !== "proto2") c.error(keyword.span, `groups are not allowed in ${c.syntax === "proto3" ? "proto3" : "editions"}; use a message field`);
  const name = c.expectIdent("group name");
  if (!/^[A-Z]/.test(name.text)) {
    // Its field would be named like the message: skip the statement rather than cascade.
    c.error(name.span, `group name '${name.text}' must start with a capital letter`);
    throw SyntaxFailure.instance;
  }
  c.expectPunct("=");
  const number = parseNumber(c, "field number");
  const fieldName = name.text.toLowerCase();
  const field: ProtoField = {
    name: fieldName, number, label, type: { kind: "named", name: name.text, span: name.span }, group: true,
    jsonName: toJsonName(fieldName), options: [], span: name.span, nameSpan: name.span,
  };
  if (ctx.oneof) attachToOneof(field, ctx.oneof);
  ctx.fields.push(withDoc(field, first));
  const message: ProtoMessage = {
    kind: "message", name: name.text, fullName: "", fields: [], oneofs: [], messages: [], enums: [], extends: [],
    reserved: { ranges: [], names: [] }, extensionRanges: [], options: [], span: name.span, nameSpan: name.span,
  };
  ctx.messages.push(message);
  try {
    applyOptions(c, ctx, field);
    ctx.parseBody(c, message);
  } finally {
    field.span = message.span = c.spanFrom(first);
  }
}
