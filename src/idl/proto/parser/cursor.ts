/**
 * A cursor over the `.proto` token list with the vocabulary the recursive-descent parser
 * needs: look ahead, accept, expect. A failed expectation reports `expected X, found Y`
 * and throws `SyntaxFailure`, which the statement loops catch to skip the statement
 * (protoc's recovery: to the next `;`, past a `{ ... }` block, or up to the `}` closing
 * the enclosing body) and carry on.
 */
import type { DiagnosticBag, Span } from "../../diagnostics.js";
import type { Token } from "../lexer.js";

/** Thrown after a syntax error has been reported; unwinds to the nearest statement loop. */
export class SyntaxFailure extends Error {
  /**
   * The instance thrown: it carries nothing, and making a new Error (capturing its stack) for
   * each of the dozens of errors a badly broken file gives took a fifth of its parse time.
   */
  static readonly instance = new SyntaxFailure();

  private constructor() {
    super("syntax error");
  }
}

/** Human description of a token for `found ...` messages. */
export function describe(token: Token): string {
  if (token.kind === "eof") return "end of file";
  if (token.kind === "string") return "string literal";
  return `'${token.text}'`;
}

/**
 * Token stream position plus diagnostics.
 *
 * Token tests compare the text before the kind: the text rules out nearly every token,
 * and the kind test after it costs a fuzzer's string-comparison hook only when it passes.
 */
export class Cursor {
  private pos = 0;
  /** Index of the last token, the end of the file. */
  private readonly last: number;
  /** The most recently consumed token (the first one before anything is consumed). */
  prev: Token;
  /** Set once `expected ..., found end of file` was reported, so nested bodies report it once. */
  private eofReported = false;
  /** The file's syntax, once its `syntax`/`edition` statement is read (proto2 without one). */
  syntax: "proto2" | "proto3" | "editions" = "proto2";

  /**
   * `source` is the file's text, for keeping aggregate option values verbatim;
   * `syntax` is set by the file's `syntax`/`edition` statement and steers label rules.
   */
  constructor(private readonly tokens: Token[], readonly diagnostics: DiagnosticBag, readonly source: string) {
    this.prev = tokens[0]!;
    this.last = tokens.length - 1;
  }

  /** The token `n` ahead of the current one (eof when past the end). */
  peek(n = 0): Token {
    return this.tokens[Math.min(this.pos + n, this.last)]!;
  }

  /** Index of the current token, to tell whether a failed parse consumed anything. */
  get index(): number {
    return this.pos;
  }

  /** Whether the current token is the end of the file. */
  get atEnd(): boolean {
    return this.pos >= this.last;
  }

  /** Consumes and returns the current token (eof stays put). */
  next(): Token {
    const token = this.peek();
    if (this.pos < this.last) this.pos++;
    this.prev = token;
    return token;
  }

  /** Whether the token `n` ahead is the symbol `p`. */
  atPunct(p: string, n = 0): boolean {
    const t = this.peek(n);
    return t.text === p && t.kind === "punct";
  }

  /** Whether the token `n` ahead is the identifier `w`. */
  atIdent(w: string, n = 0): boolean {
    const t = this.peek(n);
    return t.text === w && t.kind === "ident";
  }

  /** Consumes the symbol `p` if it is next. */
  acceptPunct(p: string): Token | undefined {
    return this.atPunct(p) ? this.next() : undefined;
  }

  /** Consumes the identifier `w` if it is next. */
  acceptIdent(w: string): Token | undefined {
    return this.atIdent(w) ? this.next() : undefined;
  }

  /** Reports `expected <what>, found <current token>` and unwinds. */
  fail(what: string): never {
    const t = this.peek();
    if (!this.atEnd || !this.eofReported) this.diagnostics.error(t.span, `expected ${what}, found ${describe(t)}`);
    if (this.atEnd) this.eofReported = true;
    throw SyntaxFailure.instance;
  }

  /** Consumes the symbol `p`, or fails with `expected 'p'`. */
  expectPunct(p: string): Token {
    return this.acceptPunct(p) ?? this.fail(`'${p}'`);
  }

  /** Consumes an identifier, or fails with `expected <what>`. */
  expectIdent(what: string): Token {
    return this.peek().kind === "ident" ? this.next() : this.fail(what);
  }

  /** Consumes a string literal, or fails with `expected <what>`. */
  expectString(what: string): Token {
    return this.peek().kind === "string" ? this.next() : this.fail(what);
  }

  /** Consumes `;`, the end of most statements. */
  expectSemicolon(): void {
    this.expectPunct(";");
  }

  /** The span from the start of `first` to the end of the last consumed token. */
  spanFrom(first: Token): Span {
    const last = this.prev.end >= first.end ? this.prev : first;
    return { start: first.span.start, end: last.span.end };
  }

  /** Reports an error at `span` without unwinding (the statement still parses). */
  error(span: Span, message: string): void {
    this.diagnostics.error(span, message);
  }

  /**
   * Skips the rest of a statement after a syntax error: up to and including the next
   * `;`, or past a `{ ... }` block, or up to (not including) a `}` that closes the
   * enclosing body. Consumes at least one token unless at `}` or the end.
   */
  skipStatement(): void {
    while (!this.atEnd) {
      const t = this.peek();
      if (t.text === "}" && t.kind === "punct") return;
      this.next();
      if (t.text === ";" && t.kind === "punct") return;
      if (t.text === "{" && t.kind === "punct") {
        this.skipBlock();
        return;
      }
    }
  }

  /** Skips to just past the `}` matching an already consumed `{`. */
  skipBlock(): void {
    let depth = 1;
    while (!this.atEnd) {
      const t = this.next();
      if (t.text === "{" && t.kind === "punct") depth++;
      else if (t.text === "}" && t.kind === "punct" && --depth === 0) return;
    }
  }
}
