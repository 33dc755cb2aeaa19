/**
 * Options: names (`java_package`, `(my.ext)`, `(.my.ext).sub.field`), values (numbers
 * with an optional `-`, `inf`/`nan`, adjacent string literals joined, identifiers,
 * `true`/`false`, `{ ... }` aggregates kept as text) and the two places they are written:
 * `option name = value;` statements and `[name = value, ...]` lists after fields, enum
 * values and extension ranges.
 */
import type { Span } from "../../diagnostics.js";
import type { OptionValue, ProtoOption } from "../ast.js";
import type { Token } from "../lexer.js";
import type { Cursor } from "./cursor.js";

/** Reads a dotted name `a.b.c` (with a leading `.` when `allowLeadingDot`); returns it and its span. */
export function parseDottedName(c: Cursor, what: string, allowLeadingDot: boolean): { name: string; first: Token; span: Span } {
  const first = c.peek();
  let name = "";
  if (allowLeadingDot && c.acceptPunct(".")) name = ".";
  name += c.expectIdent(what).text;
  while (c.atPunct(".") && c.peek(1).kind === "ident") {
    c.next();
    name += "." + c.next().text;
  }
  if (c.atPunct(".")) {
    c.next();
    c.fail("identifier after '.'");
  }
  return { name, first, span: c.spanFrom(first) };
}

/** Reads an option name as written, without spaces: `a.b`, `(x.y)`, `(x.y).z`. */
export function parseOptionName(c: Cursor): { name: string; first: Token; span: Span } {
  const first = c.peek();
  let name = "";
  for (;;) {
    if (c.acceptPunct("(")) {
      name += `(${parseDottedName(c, "extension name", true).name})`;
      c.expectPunct(")");
    } else {
      name += c.expectIdent("option name").text;
    }
    if (!c.acceptPunct(".")) break;
    name += ".";
  }
  return { name, first, span: c.spanFrom(first) };
}

/** Reads an option value (also used for `[default = ...]`). */
export function parseOptionValue(c: Cursor): OptionValue {
  const first = c.peek();
  if (c.acceptPunct("-")) {
    const t = c.peek();
    if (t.kind === "int") {
      c.next();
      return { kind: "int", value: -(t.value as bigint), span: c.spanFrom(first) };
    }
    if (t.kind === "float") {
      c.next();
      return { kind: "float", value: -(t.value as number), span: c.spanFrom(first) };
    }
    // protoc ≤ 3.21 took `-inf` only in defaults; newer versions take it in options too.
    if (t.kind === "ident" && (t.text === "inf" || t.text === "nan")) {
      c.next();
      return { kind: "float", value: t.text === "inf" ? -Infinity : NaN, span: c.spanFrom(first) };
    }
    c.fail("number after '-'");
  }
  switch (first.kind) {
    case "int":
      c.next();
      return { kind: "int", value: first.value as bigint, span: first.span };
    case "float":
      c.next();
      return { kind: "float", value: first.value as number, span: first.span };
    case "string":
      return parseStrings(c);
    case "ident":
      c.next();
      if (first.text === "true" || first.text === "false") return { kind: "bool", value: first.text === "true", span: first.span };
      return { kind: "identifier", name: first.text, span: first.span };
    default:
      if (c.atPunct("{")) return parseAggregate(c);
      return c.fail("option value");
  }
}

/** Adjacent string literals form one value (`"a" "b"` is `"ab"`), bytes included. */
function parseStrings(c: Cursor): OptionValue {
  const first = c.peek();
  const parts: Token[] = [];
  while (c.peek().kind === "string") parts.push(c.next());
  const value: OptionValue & { kind: "string" } = { kind: "string", value: parts.map((t) => t.value as string).join(""), span: c.spanFrom(first) };
  if (parts.some((t) => t.bytes !== undefined)) {
    const chunks = parts.map((t) => t.bytes ?? new TextEncoder().encode(t.value as string));
    const bytes = new Uint8Array(chunks.reduce((n, b) => n + b.length, 0));
    let at = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, at);
      at += chunk.length;
    }
    value.bytes = bytes;
    value.value = new TextDecoder().decode(bytes);
  }
  return value;
}

/** `{ ... }` in text format, kept as the source text between the braces (trimmed). */
function parseAggregate(c: Cursor): OptionValue {
  const open = c.next();
  let depth = 1;
  for (;;) {
    const t = c.peek();
    if (t.kind === "eof") c.fail("'}' closing the aggregate value");
    c.next();
    if (t.kind !== "punct") continue;
    if (t.text === "{") depth++;
    else if (t.text === "}" && --depth === 0) break;
  }
  const text = c.source.slice(open.end, c.prev.start).trim();
  return { kind: "aggregate", text, span: c.spanFrom(open) };
}

/** `option name = value;` (the `option` keyword is current); the option's span is `name = value`, as in `[...]` lists. */
export function parseOptionStatement(c: Cursor, options: ProtoOption[]): ProtoOption {
  c.next();
  const { name, first } = parseOptionName(c);
  c.expectPunct("=");
  const value = parseOptionValue(c);
  const option: ProtoOption = { name, value, span: c.spanFrom(first) };
  options.push(option);
  c.expectSemicolon();
  return option;
}

/** One entry of a `[...]` list: the name, its span and the value. */
export interface BracketOption {
  option: ProtoOption;
  /** Span of the name alone, for messages about `default` and `json_name`. */
  nameSpan: Span;
}

/** `[a = 1, (b).c = "x"]` when the current token is `[`; an empty list otherwise. */
export function parseBracketOptions(c: Cursor): BracketOption[] {
  const out: BracketOption[] = [];
  if (!c.acceptPunct("[")) return out;
  do {
    const { name, first, span } = parseOptionName(c);
    c.expectPunct("=");
    const value = parseOptionValue(c);
    out.push({ option: { name, value, span: c.spanFrom(first) }, nameSpan: span });
  } while (c.acceptPunct(","));
  c.expectPunct("]");
  return out;
}
