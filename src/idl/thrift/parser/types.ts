/**
 * Parsing of the pieces shared by every definition: type references, annotations and
 * constant values.
 */
import type { Annotation, BaseTypeName, ConstValue, TypeRef } from "../ast.js";
import type { Cursor } from "./cursor.js";
import { RESERVED } from "./cursor.js";

const BASE_TYPES = new Set<string>(["bool", "byte", "i8", "i16", "i32", "i64", "double", "string", "binary", "uuid"]);

/**
 * `( key = "value", flag; ... )` when the next token is `(`, else an empty list. A bare
 * key gets the value "". Keys may be any word, keywords included (`cpp.type`, `go.tag`).
 */
export function parseAnnotations(c: Cursor): Annotation[] {
  const annotations: Annotation[] = [];
  if (!c.acceptPunct("(")) return annotations;
  while (!c.atPunct(")")) {
    const key = c.peek();
    if (key.kind !== "word") c.fail("annotation name or ')'");
    c.next();
    let value = "";
    if (c.acceptPunct("=")) value = c.expectString("annotation value (a string literal)").value as string;
    annotations.push({ key: key.text, value, span: c.spanFrom(key) });
    c.acceptSeparator();
  }
  c.next();
  return annotations;
}

/** `cpp_type "..."` inside container types: C++-only, so read and dropped. */
function skipCppType(c: Cursor): void {
  if (c.acceptWord("cpp_type")) c.expectString("C++ type name (a string literal)");
}

/** A field, typedef, const, parameter or result type (not `void`), with its annotations. */
export function parseType(c: Cursor): TypeRef {
  const first = c.peek();
  if (first.kind !== "word") c.fail("type");
  const name = first.text;
  let type: TypeRef;
  if (BASE_TYPES.has(name)) {
    c.next();
    type = { kind: "base", name: name as BaseTypeName, annotations: [], span: first.span };
  } else if (name === "slist") {
    c.next();
    c.diagnostics.error(first.span, "'slist' is no longer supported; use 'string'");
    type = { kind: "base", name: "string", annotations: [], span: first.span };
  } else if (name === "map") {
    c.next();
    skipCppType(c);
    c.expectPunct("<");
    const key = parseType(c);
    c.expectPunct(",");
    const value = parseType(c);
    c.expectPunct(">");
    type = { kind: "map", key, value, annotations: [], span: c.spanFrom(first) };
  } else if (name === "set" || name === "list") {
    c.next();
    skipCppType(c);
    c.expectPunct("<");
    const element = parseType(c);
    c.expectPunct(">");
    // Apache Thrift writes a list's cpp_type after the element type.
    if (name === "list") skipCppType(c);
    type = { kind: name, element, annotations: [], span: c.spanFrom(first) };
  } else if (name === "void") {
    // Reported precisely and replaced by a stand-in so the rest of the field still parses.
    c.diagnostics.error(first.span, "'void' can only be a function's result type");
    c.next();
    type = { kind: "base", name: "binary", annotations: [], span: first.span };
  } else if (RESERVED.has(name)) {
    c.fail("type");
  } else {
    c.next();
    type = { kind: "named", name, annotations: [], span: first.span };
  }
  // The span stays on the type itself; annotations carry their own spans.
  type.annotations = parseAnnotations(c);
  return type;
}

/**
 * A constant value: int (decimal or hex, signed), double, string, `true`/`false` (read as
 * the ints 1 and 0, as Apache Thrift does), a reference to a constant or enum value, a
 * list `[...]` or a map `{k: v}` (also used for struct literals).
 */
export function parseConstValue(c: Cursor): ConstValue {
  const t = c.peek();
  switch (t.kind) {
    case "int":
      c.next();
      return { kind: "int", value: t.value as bigint, span: t.span };
    case "double":
      c.next();
      return { kind: "double", value: t.value as number, span: t.span };
    case "string":
      c.next();
      return { kind: "string", value: t.value as string, span: t.span };
    case "word":
      if (t.text === "true" || t.text === "false") {
        c.next();
        return { kind: "int", value: t.text === "true" ? 1n : 0n, span: t.span };
      }
      // A keyword here means the value is missing (`const i32 X =` then the next definition).
      if (RESERVED.has(t.text)) break;
      c.next();
      return { kind: "identifier", name: t.text, span: t.span };
    case "punct":
      if (t.text === "[") return parseList(c);
      if (t.text === "{") return parseMap(c);
  }
  return c.fail("constant value");
}

function parseList(c: Cursor): ConstValue {
  const first = c.next();
  const items: ConstValue[] = [];
  while (!c.atPunct("]")) {
    if (c.peek().kind === "eof") c.fail("']'");
    items.push(parseConstValue(c));
    c.acceptSeparator();
  }
  c.next();
  return { kind: "list", items, span: c.spanFrom(first) };
}

function parseMap(c: Cursor): ConstValue {
  const first = c.next();
  const entries: { key: ConstValue; value: ConstValue }[] = [];
  while (!c.atPunct("}")) {
    if (c.peek().kind === "eof") c.fail("'}'");
    const key = parseConstValue(c);
    c.expectPunct(":");
    const value = parseConstValue(c);
    entries.push({ key, value });
    c.acceptSeparator();
  }
  c.next();
  return { kind: "map", entries, span: c.spanFrom(first) };
}
