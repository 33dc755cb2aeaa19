/**
 * The Thrift IDL parser: a hand-written recursive-descent parser over the lexer's tokens
 * covering the whole Apache Thrift grammar (plus the thriftgo extensions Kitex IDLs rely
 * on, like annotations on named types). It never throws: syntax errors become diagnostics
 * and parsing resumes at the next definition or header keyword (or after the `}` closing
 * the broken definition), so one run reports every error in the file.
 */
import type { DiagnosticBag, SourceText } from "../diagnostics.js";
import type { Definition, ThriftDocument } from "./ast.js";
import { tokenize } from "./lexer.js";
import { Cursor, SyntaxFailure } from "./parser/cursor.js";
import { DEFINITION_KEYWORDS, HEADER_KEYWORDS, parseDefinition } from "./parser/definitions.js";
import { parseAnnotations } from "./parser/types.js";
import { basename } from "../files.js";

/** Pre-`namespace` declarations, each equivalent to `namespace <scope> <name>`. */
const LEGACY_NAMESPACES: Record<string, string> = {
  php_namespace: "php", xsd_namespace: "xsd", py_module: "py", perl_package: "perl", ruby_namespace: "rb",
  smalltalk_category: "smalltalk.category", smalltalk_prefix: "smalltalk.prefix", java_package: "java",
  cocoa_prefix: "cocoa", csharp_namespace: "csharp", delphi_namespace: "delphi", cpp_namespace: "cpp",
};

/** Parses one file. Problems go to `diagnostics`; the result holds whatever could be read. */
export function parseThrift(source: SourceText, diagnostics: DiagnosticBag): ThriftDocument {
  const c = new Cursor(tokenize(source, diagnostics), diagnostics);
  const doc: ThriftDocument = { kind: "thrift", file: source.file, includes: [], cppIncludes: [], namespaces: [], definitions: [] };
  const add = (d: Definition): void => {
    doc.definitions.push(d);
  };
  // Set after a stray token between definitions was reported: the tokens that follow it, up
  // to the next definition, are the same mistake and get no diagnostic of their own.
  let inStrayRun = false;
  while (!c.atEnd) {
    const start = c.index;
    c.depth = 0; // braces left open by an earlier error do not carry over
    try {
      const t = c.peek();
      const stray: boolean = inStrayRun;
      inStrayRun = false;
      if (HEADER_KEYWORDS.has(t.text) && t.kind === "word") {
        if (doc.definitions.length > 0) {
          // Apache Thrift and thriftgo reject this; it is read anyway so includes still resolve.
          diagnostics.error(t.span, `'${t.text}' must come before all definitions`);
        }
        parseHeader(c, doc);
      } else if (DEFINITION_KEYWORDS.has(t.text) && t.kind === "word") {
        parseDefinition(c, add);
      } else if ((t.text === ";" || t.text === ",") && t.kind === "punct") {
        c.next(); // stray separators between definitions are harmless
        inStrayRun = stray;
      } else {
        inStrayRun = true;
        if (stray) c.next();
        else c.fail("definition");
      }
    } catch (e) {
      if (!(e instanceof SyntaxFailure)) throw e;
      recover(c, start);
    }
  }
  return doc;
}

/**
 * Skips to the next definition or header keyword, or past the `}` that closes the body
 * the error happened in (so a typo inside one struct does not hide the next
 * definition's errors). Consumes at least one token.
 */
function recover(c: Cursor, start: number): void {
  const closed = (t: { kind: string; text: string }): boolean => t.text === "}" && t.kind === "punct" && c.depth === 0;
  if (c.index === start && closed(c.next())) return;
  while (!c.atEnd) {
    const t = c.peek();
    if ((DEFINITION_KEYWORDS.has(t.text) || HEADER_KEYWORDS.has(t.text)) && t.kind === "word") return;
    if (closed(c.next())) return;
  }
}

function parseHeader(c: Cursor, doc: ThriftDocument): void {
  const keyword = c.next();
  switch (keyword.text) {
    case "include": {
      const path = c.expectString("include path (a string literal)");
      const file = path.value as string;
      doc.includes.push({ path: file, name: basename(file).replace(/\.thrift$/, ""), span: c.spanFrom(keyword) });
      break;
    }
    case "cpp_include":
      doc.cppIncludes.push(c.expectString("C++ include path (a string literal)").value as string);
      break;
    case "namespace": {
      const scope = c.peek();
      if (!(scope.kind === "word" || (scope.kind === "punct" && scope.text === "*"))) c.fail("namespace scope");
      c.next();
      const name = c.peek();
      if (name.kind !== "word") c.fail("namespace name");
      c.next();
      const annotations = parseAnnotations(c);
      doc.namespaces.push({ scope: scope.text, name: name.text, annotations, span: c.spanFrom(keyword) });
      break;
    }
    default: {
      const scope = LEGACY_NAMESPACES[keyword.text]!;
      c.diagnostics.warning(keyword.span, `'${keyword.text}' is deprecated; use 'namespace ${scope}'`);
      const name = c.peek();
      if (name.kind !== "word" && name.kind !== "string") c.fail("namespace name");
      c.next();
      const value = name.kind === "string" ? (name.value as string) : name.text;
      doc.namespaces.push({ scope, name: value, annotations: [], span: c.spanFrom(keyword) });
    }
  }
  c.acceptSeparator();
}
