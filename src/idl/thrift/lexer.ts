/**
 * The Thrift IDL lexer: turns a source text into tokens with spans. Keywords are not
 * separate token kinds — they are words, and the parser decides by context, so names that
 * happen to be keywords in one position (e.g. `uuid` as a field name) still lex.
 *
 * Problems (unterminated strings or comments, stray characters, bad escapes) become
 * diagnostics and lexing continues, so one run reports all of them.
 */
import type { DiagnosticBag, SourceText, Span } from "../diagnostics.js";

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

/** Characters that form single-character punctuation tokens. */
const PUNCTUATION = new Set(["{", "}", "(", ")", "[", "]", "<", ">", ",", ";", ":", "=", "*", "&"]);

const isDigit = (c: string | undefined): boolean => c !== undefined && c >= "0" && c <= "9";
const isHex = (c: string | undefined): boolean => c !== undefined && /^[0-9a-fA-F]$/.test(c);
const isLetter = (c: string | undefined): boolean =>
  c !== undefined && ((c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c === "_");
const isWordChar = (c: string | undefined): boolean => isLetter(c) || isDigit(c);

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
      const c = text[this.pos]!;
      const next = text[this.pos + 1];
      if (c === " " || c === "\t" || c === "\r" || c === "\n" || c === "\v" || c === "\f" || c === "\uFEFF") {
        this.pos++;
      } else if (c === "/" && next === "/") {
        this.skipLine();
      } else if (c === "#") {
        this.skipLine();
      } else if (c === "/" && next === "*") {
        this.blockComment();
      } else if (isLetter(c)) {
        this.word();
      } else if (isDigit(c) || ((c === "+" || c === "-") && (isDigit(next) || (next === "." && isDigit(text[this.pos + 2])))) ||
        (c === "." && isDigit(next))) {
        this.number();
      } else if (c === '"' || c === "'") {
        this.string(c);
      } else if (PUNCTUATION.has(c)) {
        this.push("punct", this.pos, this.pos + 1);
      } else {
        const cp = text.codePointAt(this.pos)!;
        const width = cp > 0xffff ? 2 : 1;
        this.error(this.pos, this.pos + width, `unexpected character '${String.fromCodePoint(cp)}'`);
        this.pos += width;
      }
    }
    this.push("eof", text.length, text.length);
    return this.tokens;
  }

  private span(start: number, end: number): Span {
    return { start: this.source.position(start), end: this.source.position(end) };
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

  /** Identifiers may contain dots (`include.Type`, `Enum.VALUE`), but only between name characters. */
  private word(): void {
    const start = this.pos;
    let end = start + 1;
    for (;;) {
      const c = this.text[end];
      if (isWordChar(c)) end++;
      else if (c === "." && isWordChar(this.text[end + 1])) end += 2;
      else break;
    }
    this.push("word", start, end);
  }

  private number(): void {
    const text = this.text;
    const start = this.pos;
    let p = start;
    if (text[p] === "+" || text[p] === "-") p++;
    if (text[p] === "0" && (text[p + 1] === "x" || text[p + 1] === "X")) {
      let end = p + 2;
      while (isHex(text[end])) end++;
      if (end === p + 2) {
        this.error(start, end, "hexadecimal literal has no digits");
        this.push("int", start, end, 0n);
        return;
      }
      const magnitude = BigInt("0x" + text.slice(p + 2, end));
      this.push("int", start, end, text[start] === "-" ? -magnitude : magnitude);
      return;
    }
    while (isDigit(text[p])) p++;
    let isDouble = false;
    if (text[p] === "." && isDigit(text[p + 1])) {
      isDouble = true;
      p++;
      while (isDigit(text[p])) p++;
    }
    const e = text[p];
    if ((e === "e" || e === "E") &&
      (isDigit(text[p + 1]) || ((text[p + 1] === "+" || text[p + 1] === "-") && isDigit(text[p + 2])))) {
      isDouble = true;
      p += 2;
      while (isDigit(text[p])) p++;
    }
    const raw = text.slice(start, p);
    if (isDouble) this.push("double", start, p, Number(raw));
    else this.push("int", start, p, BigInt(raw.startsWith("+") ? raw.slice(1) : raw));
  }

  private string(quote: string): void {
    const text = this.text;
    const start = this.pos;
    let p = start + 1;
    let out = "";
    for (;;) {
      if (p >= text.length) {
        this.error(start, start + 1, "unterminated string literal");
        this.push("string", start, text.length, out);
        return;
      }
      const c = text[p]!;
      if (c === quote) break;
      if (c !== "\\") {
        out += c;
        p++;
        continue;
      }
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
