/**
 * The `.proto` parser: a hand-written recursive-descent parser over the lexer's tokens
 * for proto2, proto3 and editions files. It never throws: syntax errors become
 * diagnostics and parsing resumes after the broken statement (protoc's recovery), so one
 * run reports every syntax error of a file. Full names are filled in at the end, since
 * `package` may come after the definitions it qualifies.
 */
import type { DiagnosticBag, SourceText } from "../diagnostics.js";
import type { ProtoEnum, ProtoFile, ProtoImport, ProtoMessage } from "./ast.js";
import { tokenize } from "./lexer.js";
import { Cursor, SyntaxFailure } from "./parser/cursor.js";
import { parseEnum, parseService } from "./parser/enums.js";
import { parseExtend, parseMessage } from "./parser/messages.js";
import { parseDottedName, parseOptionStatement } from "./parser/options.js";
import { packageSpans } from "./parser/spans.js";

/** Editions this parser knows; others are reported. */
const EDITIONS = new Set(["2023", "2024"]);

/** Parses one file. Problems go to `diagnostics`; the result holds whatever could be read. */
export function parseProto(source: SourceText, diagnostics: DiagnosticBag): ProtoFile {
  const c = new Cursor(tokenize(source, diagnostics), diagnostics, source.text);
  const file: ProtoFile = {
    kind: "proto", file: source.file, syntax: "proto2", package: "", imports: [], options: [], messages: [], enums: [], services: [], extends: [],
  };
  let packageLine = 0;
  let first = true;
  if (!(c.atIdent("syntax") || c.atIdent("edition"))) {
    const at = { file: source.file, line: 1, column: 1 };
    diagnostics.warning({ start: at, end: at }, "no 'syntax' statement; the file is read as proto2 (add syntax = \"proto2\"; or syntax = \"proto3\";)");
  }
  // Set after a stray token between statements was reported: the tokens that follow it, up
  // to the next statement, are the same mistake and get no diagnostic of their own.
  let inStrayRun = false;
  while (!c.atEnd) {
    const start = c.index;
    const stray: boolean = inStrayRun;
    inStrayRun = false;
    try {
      const t = c.peek();
      const keyword = t.kind === "ident" ? t.text : "";
      switch (keyword) {
        case "syntax":
        case "edition":
          parseSyntax(c, file, first);
          break;
        case "package": {
          const kw = c.next();
          const { name, span } = parseDottedName(c, "package name", false);
          if (packageLine > 0) c.error(c.spanFrom(kw), `a file can have only one package statement (the first is at line ${packageLine})`);
          else {
            file.package = name;
            packageLine = kw.span.start.line;
            packageSpans.set(file, span);
          }
          c.expectSemicolon();
          break;
        }
        case "import":
          parseImport(c, file.imports);
          break;
        case "option":
          parseOptionStatement(c, file.options);
          break;
        case "message":
          parseMessage(c, file.messages);
          break;
        case "enum":
          parseEnum(c, file.enums);
          break;
        case "service":
          parseService(c, file.services);
          break;
        case "extend":
          parseExtend(c, file.extends, file.messages);
          break;
        default:
          if (c.acceptPunct(";")) inStrayRun = stray;
          else if (stray) {
            inStrayRun = true;
            c.next();
          } else {
            inStrayRun = true;
            c.fail("'message', 'enum', 'service', 'extend', 'import', 'package' or 'option'");
          }
      }
    } catch (e) {
      if (!(e instanceof SyntaxFailure)) throw e;
      c.skipStatement();
      if (c.index === start) c.next(); // a stray `}`: skipStatement stops in front of it
    }
    first = false;
  }
  assignFullNames(file);
  return file;
}

/** `syntax = "proto3";` or `edition = "2023";`, valid only as the first statement. */
function parseSyntax(c: Cursor, file: ProtoFile, first: boolean): void {
  const keyword = c.next();
  c.expectPunct("=");
  const value = c.expectString(keyword.text === "syntax" ? "syntax name (a string literal)" : "edition (a string literal)");
  const text = value.value as string;
  if (!first) {
    c.error(keyword.span, `'${keyword.text}' must be the first statement of the file`);
  } else if (keyword.text === "syntax") {
    if (text === "proto2" || text === "proto3") file.syntax = c.syntax = text;
    else c.error(value.span, `unknown syntax '${text}' (expected "proto2" or "proto3")`);
  } else if (EDITIONS.has(text)) {
    file.syntax = c.syntax = "editions";
    file.edition = text;
  } else {
    c.error(value.span, `unknown edition '${text}' (known: ${[...EDITIONS].map((e) => `"${e}"`).join(", ")})`);
  }
  c.expectSemicolon();
}

function parseImport(c: Cursor, imports: ProtoImport[]): void {
  const keyword = c.next();
  const modifier = c.acceptIdent("public") ?? c.acceptIdent("weak");
  const path = c.expectString("import path (a string literal)");
  const entry: ProtoImport = { path: path.value as string, kind: modifier ? (modifier.text as "public" | "weak") : "default", span: c.spanFrom(keyword) };
  imports.push(entry);
  c.expectSemicolon();
  entry.span = c.spanFrom(keyword);
}

/** Sets `fullName` on every message, enum and service (package-qualified, no leading dot). */
export function assignFullNames(file: ProtoFile): void {
  const prefix = file.package === "" ? "" : file.package + ".";
  const enums = (list: ProtoEnum[], scope: string): void => {
    for (const e of list) e.fullName = scope + e.name;
  };
  const messages = (list: ProtoMessage[], scope: string): void => {
    for (const m of list) {
      m.fullName = scope + m.name;
      messages(m.messages, m.fullName + ".");
      enums(m.enums, m.fullName + ".");
    }
  };
  messages(file.messages, prefix);
  enums(file.enums, prefix);
  for (const s of file.services) s.fullName = prefix + s.name;
}
