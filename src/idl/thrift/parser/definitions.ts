/**
 * Parsing of definitions: typedef, const, enum, senum, struct, union, exception and
 * service, with their fields, enum values and functions.
 *
 * Structs, enums and services are handed to `add` as soon as their name is read, so that
 * when a syntax error cuts one short the fields parsed so far still exist and references
 * to the definition do not cascade into "undefined type" errors.
 */
import type { Const, Definition, Enum, EnumValue, Field, Requiredness, Service, Struct, ThriftFunction, TypeRef, Typedef } from "../ast.js";
import type { Token } from "../lexer.js";
import type { Cursor } from "./cursor.js";
import { parseAnnotations, parseConstValue, parseType } from "./types.js";

/** Words that start a header statement (legacy namespace forms included). */
export const HEADER_KEYWORDS = new Set([
  "include", "cpp_include", "namespace", "php_namespace", "xsd_namespace", "py_module", "perl_package",
  "ruby_namespace", "smalltalk_category", "smalltalk_prefix", "java_package", "cocoa_prefix",
  "csharp_namespace", "delphi_namespace", "cpp_namespace",
]);

/** Receives each definition (possibly before it is complete, see the module comment). */
export type AddDefinition = (definition: Definition) => void;

/** Words that start a definition; also where error recovery resumes. */
export const DEFINITION_KEYWORDS = new Set(["typedef", "const", "enum", "senum", "struct", "union", "exception", "service"]);

/**
 * Whether the current token ends the body being read: end of file, or a word that starts
 * a definition (most likely a `}` is missing), reported as the missing closer.
 */
function atDefinitionStart(c: Cursor): boolean {
  const t = c.peek();
  return c.atEnd || ((DEFINITION_KEYWORDS.has(t.text) || HEADER_KEYWORDS.has(t.text)) && t.kind === "word");
}

/** Parses the definition starting at the current keyword token. */
export function parseDefinition(c: Cursor, add: AddDefinition): void {
  const keyword = c.next();
  switch (keyword.text) {
    case "typedef": return parseTypedef(c, keyword, add);
    case "const": return parseConst(c, keyword, add);
    case "enum": return parseEnum(c, keyword, add);
    case "senum": return parseSenum(c, keyword, add);
    case "service": return parseService(c, keyword, add);
    default: return parseStruct(c, keyword, add);
  }
}

/** Runs `body`, then (also when it throws) sets the definition's span to end at the last token read. */
function spanned(c: Cursor, keyword: Token, def: { span: unknown }, body: () => void): void {
  try {
    body();
  } finally {
    def.span = c.spanFrom(keyword);
  }
}

/** Copies the doc comment that preceded `token` onto `node`. */
function withDoc<T extends { doc?: string }>(node: T, token: Token): T {
  if (token.doc !== undefined) node.doc = token.doc;
  return node;
}

function parseTypedef(c: Cursor, keyword: Token, add: AddDefinition): void {
  const type = parseType(c);
  const name = c.expectName("typedef name");
  const annotations = parseAnnotations(c);
  const def: Typedef = { kind: "typedef", name: name.text, type, annotations, span: c.spanFrom(keyword), nameSpan: name.span };
  add(withDoc(def, keyword));
  c.acceptSeparator();
}

function parseConst(c: Cursor, keyword: Token, add: AddDefinition): void {
  const type = parseType(c);
  const name = c.expectName("constant name");
  c.expectPunct("=");
  const value = parseConstValue(c);
  const annotations = parseAnnotations(c);
  const def: Const = { kind: "const", name: name.text, type, value, annotations, span: c.spanFrom(keyword), nameSpan: name.span };
  add(withDoc(def, keyword));
  c.acceptSeparator();
}

function parseEnum(c: Cursor, keyword: Token, add: AddDefinition): void {
  const name = c.expectName("enum name");
  const def: Enum = { kind: "enum", name: name.text, values: [], annotations: [], span: name.span, nameSpan: name.span };
  add(withDoc(def, keyword));
  spanned(c, keyword, def, () => {
    c.expectPunct("{");
    // Implicit values continue from the previous value, starting at 0.
    let next = 0;
    while (!c.acceptPunct("}")) {
      if (atDefinitionStart(c)) c.fail("'}'");
      const first = c.peek();
      const valueName = c.expectName("enum value name");
      let value = next;
      let explicit = false;
      if (c.acceptPunct("=")) {
        const t = c.peek();
        if (t.kind !== "int") c.fail("integer enum value");
        c.next();
        value = Number(t.value as bigint);
        explicit = true;
      }
      const annotations = parseAnnotations(c);
      const v: EnumValue = { name: valueName.text, value, explicit, annotations, span: c.spanFrom(first) };
      def.values.push(withDoc(v, first));
      next = value + 1;
      c.acceptSeparator();
    }
    def.annotations = parseAnnotations(c);
  });
  c.acceptSeparator();
}

/** `senum` is gone from Thrift; it is read (as a string typedef, so references resolve) and reported. */
function parseSenum(c: Cursor, keyword: Token, add: AddDefinition): void {
  c.diagnostics.error(keyword.span, "'senum' is no longer supported; use 'string'");
  const name = c.expectName("senum name");
  c.expectPunct("{");
  while (!c.acceptPunct("}")) {
    c.expectString("string literal or '}'");
    c.acceptSeparator();
  }
  const annotations = parseAnnotations(c);
  const type: TypeRef = { kind: "base", name: "string", annotations: [], span: keyword.span };
  const def: Typedef = { kind: "typedef", name: name.text, type, annotations, span: c.spanFrom(keyword), nameSpan: name.span };
  add(withDoc(def, keyword));
  c.acceptSeparator();
}

function parseStruct(c: Cursor, keyword: Token, add: AddDefinition): void {
  const name = c.expectName(`${keyword.text} name`);
  const kind = keyword.text as Struct["kind"];
  const def: Struct = { kind, name: name.text, fields: [], annotations: [], span: name.span, nameSpan: name.span };
  add(withDoc(def, keyword));
  spanned(c, keyword, def, () => {
    const xsdAll = c.acceptWord("xsd_all");
    if (xsdAll) c.diagnostics.warning(xsdAll.span, "'xsd_all' is ignored");
    c.expectPunct("{");
    parseFields(c, "}", def.fields);
    skipXsdAttrs(c);
    def.annotations = parseAnnotations(c);
  });
  c.acceptSeparator();
}

function parseService(c: Cursor, keyword: Token, add: AddDefinition): void {
  const name = c.expectName("service name");
  const def: Service = { kind: "service", name: name.text, functions: [], annotations: [], span: name.span, nameSpan: name.span };
  add(withDoc(def, keyword));
  spanned(c, keyword, def, () => {
    if (c.acceptWord("extends")) {
      const base = c.peek();
      if (base.kind !== "word") c.fail("base service name");
      c.next();
      def.extends = base.text;
      def.extendsSpan = base.span;
    }
    c.expectPunct("{");
    while (!c.acceptPunct("}")) {
      if (atDefinitionStart(c)) c.fail("'}'");
      def.functions.push(parseFunction(c));
    }
    def.annotations = parseAnnotations(c);
  });
  c.acceptSeparator();
}

function parseFunction(c: Cursor): ThriftFunction {
  const first = c.peek();
  let oneway = false;
  if (c.acceptWord("oneway")) oneway = true;
  else if (c.atWord("async")) {
    c.diagnostics.warning(c.next().span, "'async' is deprecated; use 'oneway'");
    oneway = true;
  }
  const returnType = c.acceptWord("void") ? null : parseType(c);
  const name = c.expectName("function name");
  c.expectPunct("(");
  const params = parseFields(c, ")", []);
  let throws: Field[] = [];
  if (c.acceptWord("throws")) {
    c.expectPunct("(");
    throws = parseFields(c, ")", []);
  }
  const annotations = parseAnnotations(c);
  const fn: ThriftFunction = { name: name.text, oneway, returnType, params, throws, annotations, span: c.spanFrom(first), nameSpan: name.span };
  c.acceptSeparator();
  return withDoc(fn, first);
}

/**
 * Fields up to and including `close` (`}` or `)`), appended to `into` as they are read.
 * Fields without an id get -1, -2, ... in order, as Apache Thrift assigns them.
 */
function parseFields(c: Cursor, close: string, into: Field[]): Field[] {
  let implicitId = -1;
  while (!c.acceptPunct(close)) {
    // A field starts with an id, a requiredness or a type: anything else means the list was not closed.
    if (atDefinitionStart(c) || c.peek().kind === "punct") c.fail(`'${close}'`);
    const field = parseField(c, implicitId);
    if (!field.explicitId) implicitId--;
    into.push(field);
  }
  return into;
}

function parseField(c: Cursor, implicitId: number): Field {
  const first = c.peek();
  let id = implicitId;
  let explicitId = false;
  if (first.kind === "int") {
    c.next();
    c.expectPunct(":");
    id = Number(first.value as bigint);
    explicitId = true;
  }
  let requiredness: Requiredness = "default";
  if (c.acceptWord("required")) requiredness = "required";
  else if (c.acceptWord("optional")) requiredness = "optional";
  const type = parseType(c);
  const amp = c.acceptPunct("&");
  if (amp) c.diagnostics.warning(amp.span, "'&' (C++ reference) is ignored");
  const name = c.expectName("field name");
  const field: Field = { id, explicitId, requiredness, type, name: name.text, annotations: [], span: name.span, nameSpan: name.span };
  if (c.acceptPunct("=")) field.default = parseConstValue(c);
  for (const xsd of ["xsd_optional", "xsd_nillable"]) {
    const t = c.acceptWord(xsd);
    if (t) c.diagnostics.warning(t.span, `'${xsd}' is ignored`);
  }
  skipXsdAttrs(c);
  field.annotations = parseAnnotations(c);
  field.span = c.spanFrom(first);
  c.acceptSeparator();
  return withDoc(field, first);
}

/** `xsd_attrs { fields }`: XML-schema only, read and dropped with a warning. */
function skipXsdAttrs(c: Cursor): void {
  const t = c.acceptWord("xsd_attrs");
  if (!t) return;
  c.diagnostics.warning(t.span, "'xsd_attrs' is ignored");
  c.expectPunct("{");
  parseFields(c, "}", []);
}
