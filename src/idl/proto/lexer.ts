/**
 * The `.proto` lexer: turns a source text into tokens with spans, following the
 * protobuf language spec. Keywords are plain identifiers — the parser decides by context,
 * since `message`, `option` or `stream` are valid field and type names in protobuf.
 * `.`, `-` and `+` are symbols of their own (the parser joins `a.b.c` and applies signs).
 *
 * Comments become doc text: a comment block ending on the line before a token (or on the
 * token's own line, before it) is that token's `doc`. Consecutive `//` lines form one
 * block; a blank line ends it. A comment starting on the line of the previous token
 * trails that token and is no one's doc.
 *
 * Problems (unterminated strings or comments, control characters, bad escapes or
 * numbers) become diagnostics and lexing continues, so one run reports all of them.
 */
import type { DiagnosticBag, SourceText, Span } from "../diagnostics.js";
import { skip } from "../scan.js";
import { decodeStringBytes } from "./strings.js";

/** What a token is; `ident` covers identifiers and keywords alike. */
export type TokenKind = "ident" | "int" | "float" | "string" | "punct" | "eof";

/** One token. `value` is the decoded value of literals. */
export interface Token {
  kind: TokenKind;
  /** The source text of the token (for strings: with quotes and escapes as written). */
  text: string;
  /** int: bigint (never negative); float: number; string: the decoded text; others: undefined. */
  value?: bigint | number | string;
  /** string: the decoded bytes, when they are not valid UTF-8 (`value` then holds U+FFFD for them). */
  bytes?: Uint8Array;
  /** Offsets into the source text, [start, end). */
  start: number;
  end: number;
  span: Span;
  /** The comment block directly above this token, cleaned (see the module comment). */
  doc?: string;
}

// Character classes of ASCII (other characters have none): the lexer dispatches on the
// first character of a token and skips runs of characters with sticky regular expressions,
// so a character costs a table load or a step of the regex engine, not a chain of tests.
const SPACE = 1;
const LETTER = 2;
const DIGIT = 3;
const DOT = 4;
const SLASH = 5;
const QUOTE = 6;
const SYMBOL = 7;
const CLASS = new Uint8Array(128);
for (let c = 0x21; c < 0x7f; c++) CLASS[c] = SYMBOL;
for (const c of " \t\r\n\v\f") CLASS[c.charCodeAt(0)] = SPACE;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = DIGIT;
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = CLASS[c + 0x20] = LETTER;
CLASS[0x5f] = LETTER; // _
CLASS[0x2e] = DOT;
CLASS[0x2f] = SLASH;
CLASS[0x22] = CLASS[0x27] = QUOTE;

// Sticky, and each can match nothing: `skip` below gives the offset where the run ends.
const SPACES = /[ \t\r\n\v\f\uFEFF]*/y;
const WORD_CHARS = /[A-Za-z0-9_]*/y;
const DIGITS = /[0-9]*/y;
const HEX_DIGITS = /[0-9a-fA-F]*/y;
const LETTER_AT = /[A-Za-z_]?/y;
const DIGIT_AT = /[0-9]?/y;
const SIGN_AT = /[+-]?/y;
const WORD_OR_DOT_CHARS = /[A-Za-z0-9_.]*/y;
/** String bodies up to the closing quote, a backslash or a line break. */
const DOUBLE_QUOTED = /[^"\\\n]*/y;
const SINGLE_QUOTED = /[^'\\\n]*/y;

/**
 * Cleans comment text: `//` lines lose the slashes and one following space; block
 * comments lose the delimiters and the `*` (plus one space) boxed lines start with.
 * Blank lines at both ends go.
 */
export function cleanComment(raw: string): string {
  let lines: string[];
  if (raw.startsWith("/*")) {
    let body = raw.slice(2, raw.endsWith("*/") ? -2 : undefined);
    if (body.startsWith("*")) body = body.slice(1); // `/** ... */`
    lines = body.split(/\r?\n/).map((line, i) => {
      if (i === 0) return line.replace(/^ /, "");
      const t = line.replace(/^\s*/, "");
      return t.startsWith("*") ? t.slice(1).replace(/^ /, "") : t;
    });
  } else {
    lines = raw.split(/\r?\n/).map((line) => line.replace(/^\s*\/\//, "").replace(/^ /, ""));
  }
  lines = lines.map((l) => l.replace(/\s+$/, ""));
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.join("\n");
}

/** Lexes a whole file; the last token is always `eof`. */
export function tokenize(source: SourceText, diagnostics: DiagnosticBag): Token[] {
  return new Lexer(source, diagnostics).run();
}

/** A run of comments not yet attached: its text and the lines it starts and ends on. */
interface CommentBlock {
  raw: string;
  firstLine: number;
  lastLine: number;
}

class Lexer {
  private pos = 0;
  private block: CommentBlock | undefined;
  private readonly tokens: Token[] = [];
  private readonly text: string;

  constructor(private readonly source: SourceText, private readonly diagnostics: DiagnosticBag) {
    this.text = source.text;
  }

  run(): Token[] {
    const text = this.text;
    while (this.pos < text.length) {
      const pos = this.pos;
      const code = text.charCodeAt(pos);
      switch (CLASS[code]) {
        case SPACE:
          this.pos = skip(SPACES, text, pos);
          break;
        case LETTER:
          this.push("ident", pos, skip(WORD_CHARS, text, pos + 1));
          break;
        case DIGIT:
          this.number();
          break;
        case DOT:
          if (skip(DIGIT_AT, text, pos + 1) > pos + 1) this.number();
          else this.push("punct", pos, pos + 1);
          break;
        case SLASH:
          if (text[pos + 1] === "/") this.lineComment();
          else if (text[pos + 1] === "*") this.blockComment();
          else this.push("punct", pos, pos + 1);
          break;
        case QUOTE:
          this.string(code);
          break;
        case SYMBOL:
          // Every other printable ASCII character is a symbol; the parser rejects the ones it
          // does not expect (aggregate option values may hold `:`, `<`, `/` and the like).
          this.push("punct", pos, pos + 1);
          break;
        default:
          this.other(pos);
      }
    }
    this.push("eof", text.length, text.length);
    return this.tokens;
  }

  /** A character outside the classes: a byte order mark (space), else an error. */
  private other(pos: number): void {
    const cp = this.text.codePointAt(pos)!;
    if (cp === 0xfeff) {
      this.pos = skip(SPACES, this.text, pos);
      return;
    }
    const width = cp > 0xffff ? 2 : 1;
    const shown = cp < 0x20 || cp === 0x7f ? `\\u${cp.toString(16).padStart(4, "0")}` : String.fromCodePoint(cp);
    this.error(pos, pos + width, `unexpected character '${shown}'`);
    this.pos = pos + width;
  }

  private span(start: number, end: number): Span {
    return this.source.span(start, end);
  }

  private error(start: number, end: number, message: string): void {
    this.diagnostics.error(this.span(start, end), message);
  }

  private push(kind: TokenKind, start: number, end: number, value?: bigint | number | string, bytes?: Uint8Array): void {
    const token: Token = { kind, text: this.text.slice(start, end), start, end, span: this.span(start, end) };
    if (value !== undefined) token.value = value;
    if (bytes !== undefined) token.bytes = bytes;
    const block = this.block;
    if (block !== undefined && block.lastLine >= token.span.start.line - 1) token.doc = cleanComment(block.raw);
    this.block = undefined;
    this.tokens.push(token);
    this.pos = end;
  }

  /** Adds a comment to the pending block, or starts a new block after a gap or a token. */
  private comment(start: number, end: number): void {
    const firstLine = this.source.position(start).line;
    // A comment starting on the line of the previous token trails that token: not a doc.
    if (this.tokens[this.tokens.length - 1]?.span.end.line === firstLine) {
      this.block = undefined;
      return;
    }
    const lastLine = this.source.position(Math.max(start, end - 1)).line;
    const raw = this.text.slice(start, end).replace(/\r?\n$/, "");
    const block = this.block;
    // Consecutive `//` lines form one block; a blank line or a block comment starts afresh.
    if (block !== undefined && !raw.startsWith("/*") && !block.raw.startsWith("/*") && block.lastLine === firstLine - 1) {
      block.raw += "\n" + raw;
      block.lastLine = lastLine;
    } else {
      this.block = { raw, firstLine, lastLine };
    }
  }

  private lineComment(): void {
    const nl = this.text.indexOf("\n", this.pos);
    const end = nl < 0 ? this.text.length : nl;
    this.comment(this.pos, end);
    this.pos = end;
  }

  private blockComment(): void {
    const start = this.pos;
    const close = this.text.indexOf("*/", start + 2);
    if (close < 0) {
      this.error(start, start + 2, "unterminated comment");
      this.pos = this.text.length;
      return;
    }
    this.comment(start, close + 2);
    this.pos = close + 2;
  }

  /** Decimal, octal (`0` prefix) and hex integers; floats with `.` or an exponent. */
  private number(): void {
    const text = this.text;
    const start = this.pos;
    let p = start;
    if (text[p] === "0" && (text[p + 1] === "x" || text[p + 1] === "X")) {
      p = skip(HEX_DIGITS, text, p + 2);
      if (p === start + 2) {
        this.error(start, p, "'0x' must be followed by hexadecimal digits");
        this.push("int", start, p, 0n);
      } else {
        this.push("int", start, p, BigInt(text.slice(start, p)));
      }
      this.checkFollower(start);
      return;
    }
    p = skip(DIGITS, text, p);
    let isFloat = false;
    if (text[p] === ".") {
      isFloat = true;
      p = skip(DIGITS, text, p + 1);
    }
    if (text[p] === "e" || text[p] === "E") {
      const q = skip(SIGN_AT, text, p + 1);
      isFloat = true;
      if (skip(DIGIT_AT, text, q) > q) {
        p = skip(DIGITS, text, q);
      } else {
        this.error(p, q, "exponent of a floating-point literal has no digits");
        p = q;
      }
    }
    const raw = text.slice(start, p);
    if (isFloat) {
      this.push("float", start, p, Number(raw.replace(/[eE][+-]?$/, "")));
    } else if (raw.length > 1 && raw.startsWith("0")) {
      // A leading zero means octal, as in C.
      if (!/^[0-7]*$/.test(raw)) {
        this.error(start, p, `invalid octal literal '${raw}' (a leading zero means octal)`);
        this.push("int", start, p, 0n);
      } else {
        this.push("int", start, p, BigInt("0o" + raw.slice(1)));
      }
    } else {
      this.push("int", start, p, BigInt(raw));
    }
    this.checkFollower(start);
  }

  /** `123abc` is not two tokens: protoc requires a space between a number and a word. */
  private checkFollower(start: number): void {
    const text = this.text;
    const pos = this.pos;
    if (skip(LETTER_AT, text, pos) > pos || (text[pos] === "." && this.tokens[this.tokens.length - 1]!.kind === "float")) {
      const end = skip(WORD_OR_DOT_CHARS, text, pos);
      this.error(start, end, `invalid number '${text.slice(start, end)}'; separate a number from a following name with a space`);
      this.pos = end;
    }
  }

  /** A string literal opened by the quote `quote` (its character code) at the current offset. */
  private string(quote: number): void {
    const text = this.text;
    const start = this.pos;
    const body = quote === 0x22 ? DOUBLE_QUOTED : SINGLE_QUOTED;
    let p = start + 1;
    for (;;) {
      p = skip(body, text, p); // at the closing quote, a backslash, a line break or the end
      if (p >= text.length || text[p] === "\n") {
        this.error(start, p, p >= text.length ? "unterminated string literal" : "string literal cannot span lines");
        this.finishString(start, p, p);
        return;
      }
      if (text.charCodeAt(p) === quote) break;
      p += p + 1 < text.length && text[p + 1] !== "\n" ? 2 : 1; // a backslash escapes the next character
    }
    this.finishString(start, p, p + 1);
  }

  /** Decodes the body [start + 1, bodyEnd) and pushes the token ending at `end`. */
  private finishString(start: number, bodyEnd: number, end: number): void {
    const decoded = decodeStringBytes(this.text.slice(start + 1, bodyEnd), (offset, length, message) =>
      this.error(start + 1 + offset, start + 1 + offset + length, message));
    this.push("string", start, end, decoded.value, decoded.bytes);
  }
}
