/**
 * The Thrift IDL lexer: turns a source text into tokens with spans. Keywords are not
 * separate token kinds — they are words, and the parser decides by context, so names that
 * happen to be keywords in one position (e.g. `uuid` as a field name) still lex.
 *
 * Problems (unterminated strings or comments, stray characters, bad escapes) become
 * diagnostics and lexing continues, so one run reports all of them.
 */
import type { DiagnosticBag, SourceText, Span } from "../diagnostics.js";
import { skip } from "../scan.js";

/** What a token is; `word` covers identifiers and keywords alike. */
export type TokenKind = "word" | "int" | "double" | "string" | "punct" | "eof";

/** One token. `value` is the decoded value of literals. */
export interface Token {
  kind: TokenKind;
  /** The source text of the token (for strings: with quotes and escapes as written). */
  text: string;
  /** int: bigint; double: number; string: the decoded string; others: undefined. */
  value?: bigint | number | string;
  /** Offsets into the source text, [start, end). */
  start: number;
  end: number;
  span: Span;
  /** The text of a `/** ... *\/` comment directly before this token, trimmed. */
  doc?: string;
}

// Character classes of ASCII (other characters have none): the lexer dispatches on the
// first character of a token and skips runs of characters with sticky regular expressions,
// so a character costs a table load or a step of the regex engine, not a chain of tests.
const SPACE = 1;
const LETTER = 2;
const DIGIT = 3;
const SIGN = 4;
const DOT = 5;
const SLASH = 6;
const HASH = 7;
const QUOTE = 8;
/** Characters that form single-character punctuation tokens. */
const PUNCT = 9;
const CLASS = new Uint8Array(128);
for (const c of " \t\r\n\v\f") CLASS[c.charCodeAt(0)] = SPACE;
for (let c = 0x30; c <= 0x39; c++) CLASS[c] = DIGIT;
for (let c = 0x41; c <= 0x5a; c++) CLASS[c] = CLASS[c + 0x20] = LETTER;
CLASS[0x5f] = LETTER; // _
for (const c of "{}()[]<>,;:=*&") CLASS[c.charCodeAt(0)] = PUNCT;
CLASS[0x2b] = CLASS[0x2d] = SIGN;
CLASS[0x2e] = DOT;
CLASS[0x2f] = SLASH;
CLASS[0x23] = HASH;
CLASS[0x22] = CLASS[0x27] = QUOTE;

// Sticky, and each can match nothing: `skip` below gives the offset where the run ends.
const SPACES = /[ \t\r\n\v\f\uFEFF]*/y;
/** Identifiers may contain dots (`include.Type`, `Enum.VALUE`), but only between name characters. */
const WORD = /[A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+)*/y;
const DIGITS = /[0-9]*/y;
const HEX_DIGITS = /[0-9a-fA-F]*/y;
const DIGIT_AT = /[0-9]?/y;
/** The start of a number after a sign: a digit, or `.` and a digit. */
const NUMBER_AT = /(?:\.?[0-9])?/y;
/** An exponent with at least one digit. */
const EXPONENT = /(?:[eE][+-]?[0-9]+)?/y;
/** String text up to the closing quote or a backslash. */
const DOUBLE_QUOTED = /[^"\\]*/y;
const SINGLE_QUOTED = /[^'\\]*/y;

/**
 * Cleans the body of a doc comment: drops the leading `*` (and one space) that each line
 * of a boxed comment starts with, and blank lines at both ends.
 */
export function trimDoc(body: string): string {
  const lines = body.split(/\r?\n/).map((line) => {
    const t = line.replace(/^\s*/, "");
    return (t.startsWith("*") ? t.slice(1).replace(/^ /, "") : t).replace(/\s+$/, "");
  });
  while (lines.length > 0 && lines[0] === "") lines.shift();
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.join("\n");
}

/** Lexes a whole file; the last token is always `eof`. */
export function tokenize(source: SourceText, diagnostics: DiagnosticBag): Token[] {
  return new Lexer(source, diagnostics).run();
}

class Lexer {
  private pos = 0;
  private doc: string | undefined;
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
          this.push("word", pos, skip(WORD, text, pos + 1));
          break;
        case DIGIT:
          this.number();
          break;
        case SIGN:
          if (skip(NUMBER_AT, text, pos + 1) > pos + 1) this.number();
          else this.unexpected(pos);
          break;
        case DOT:
          if (skip(DIGIT_AT, text, pos + 1) > pos + 1) this.number();
          else this.unexpected(pos);
          break;
        case SLASH:
          if (text[pos + 1] === "/") this.skipLine();
          else if (text[pos + 1] === "*") this.blockComment();
          else this.unexpected(pos);
          break;
        case HASH:
          this.skipLine();
          break;
        case QUOTE:
          this.string(code);
          break;
        case PUNCT:
          this.push("punct", pos, pos + 1);
          break;
        default:
          if (code === 0xfeff) this.pos = skip(SPACES, text, pos); // a byte order mark
          else this.unexpected(pos);
      }
    }
    this.push("eof", text.length, text.length);
    return this.tokens;
  }

  private unexpected(pos: number): void {
    const cp = this.text.codePointAt(pos)!;
    const width = cp > 0xffff ? 2 : 1;
    this.error(pos, pos + width, `unexpected character '${String.fromCodePoint(cp)}'`);
    this.pos = pos + width;
  }

  private span(start: number, end: number): Span {
    return this.source.span(start, end);
  }

  private error(start: number, end: number, message: string): void {
    this.diagnostics.error(this.span(start, end), message);
  }

  private push(kind: TokenKind, start: number, end: number, value?: bigint | number | string): void {
    const token: Token = { kind, text: this.text.slice(start, end), start, end, span: this.span(start, end) };
    if (value !== undefined) token.value = value;
    if (this.doc !== undefined) token.doc = this.doc;
    this.doc = undefined;
    this.tokens.push(token);
    this.pos = end;
  }

  private skipLine(): void {
    const nl = this.text.indexOf("\n", this.pos);
    this.pos = nl < 0 ? this.text.length : nl + 1;
  }

  private blockComment(): void {
    const start = this.pos;
    const close = this.text.indexOf("*/", start + 2);
    if (close < 0) {
      this.error(start, start + 2, "unterminated comment");
      this.pos = this.text.length;
      return;
    }
    // `/**/` is an empty ordinary comment, not a doc comment.
    if (this.text[start + 2] === "*" && close > start + 2) {
      this.doc = trimDoc(this.text.slice(start + 3, close));
    }
    this.pos = close + 2;
  }

  private number(): void {
    const text = this.text;
    const start = this.pos;
    let p = start;
    if (text[p] === "+" || text[p] === "-") p++;
    if (text[p] === "0" && (text[p + 1] === "x" || text[p + 1] === "X")) {
      const end = skip(HEX_DIGITS, text, p + 2);
      if (end === p + 2) {
        this.error(start, end, "hexadecimal literal has no digits");
        this.push("int", start, end, 0n);
        return;
      }
      const magnitude = BigInt("0x" + text.slice(p + 2, end));
      this.push("int", start, end, text[start] === "-" ? -magnitude : magnitude);
      return;
    }
    p = skip(DIGITS, text, p);
    let isDouble = false;
    if (text[p] === "." && skip(DIGIT_AT, text, p + 1) > p + 1) {
      isDouble = true;
      p = skip(DIGITS, text, p + 1);
    }
    const exponentEnd = skip(EXPONENT, text, p);
    if (exponentEnd > p) {
      isDouble = true;
      p = exponentEnd;
    }
    const raw = text.slice(start, p);
    if (isDouble) this.push("double", start, p, Number(raw));
    else this.push("int", start, p, BigInt(raw.startsWith("+") ? raw.slice(1) : raw));
  }

  /** A string literal opened by the quote `quote` (its character code) at the current offset; it may span lines. */
  private string(quote: number): void {
    const text = this.text;
    const start = this.pos;
    const body = quote === 0x22 ? DOUBLE_QUOTED : SINGLE_QUOTED;
    let p = start + 1;
    let out = "";
    for (;;) {
      const end = skip(body, text, p); // at the closing quote, a backslash or the end
      out += text.slice(p, end);
      p = end;
      if (p >= text.length) {
        this.error(start, start + 1, "unterminated string literal");
        this.push("string", start, text.length, out);
        return;
      }
      if (text.charCodeAt(p) === quote) break;
      const [decoded, next] = this.escape(p);
      out += decoded;
      p = next;
    }
    this.push("string", start, p + 1, out);
  }

  /** Decodes the escape at `p` (a backslash); returns the text and the offset after it. */
  private escape(p: number): [string, number] {
    const text = this.text;
    const e = text[p + 1];
    const simple: Record<string, string> = { n: "\n", t: "\t", r: "\r", "\\": "\\", '"': '"', "'": "'" };
    if (e !== undefined && e in simple) return [simple[e]!, p + 2];
    if (e !== "u") {
      this.error(p, Math.min(p + 2, text.length), `invalid escape sequence '\\${e ?? ""}'`);
      return ["", Math.min(p + 2, text.length)];
    }
    const unit = this.hex4(p + 2);
    if (unit === undefined) {
      this.error(p, p + 2, "'\\u' must be followed by four hexadecimal digits");
      return ["", p + 2];
    }
    // A high surrogate must pair with a following `\uDC00`-`\uDFFF` escape; lone halves
    // cannot be encoded as UTF-8 on the wire.
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const low = text[p + 6] === "\\" && text[p + 7] === "u" ? this.hex4(p + 8) : undefined;
      if (low !== undefined && low >= 0xdc00 && low <= 0xdfff) return [String.fromCharCode(unit, low), p + 12];
      this.error(p, p + 6, "high surrogate escape not followed by a low surrogate escape");
      return ["", p + 6];
    }
    if (unit >= 0xdc00 && unit <= 0xdfff) {
      this.error(p, p + 6, "low surrogate escape without a preceding high surrogate");
      return ["", p + 6];
    }
    return [String.fromCharCode(unit), p + 6];
  }

  private hex4(p: number): number | undefined {
    const digits = this.text.slice(p, p + 4);
    return /^[0-9a-fA-F]{4}$/.test(digits) ? parseInt(digits, 16) : undefined;
  }
}
