/**
 * A cursor over the token list with the small vocabulary the recursive-descent parser
 * needs: look ahead, accept, expect. A failed expectation reports `expected X, found Y`
 * and throws `SyntaxFailure`, which the document loop catches to resynchronise.
 */
import type { DiagnosticBag, Span } from "../../diagnostics.js";
import type { Token } from "../lexer.js";

/** Thrown after a syntax error has been reported; unwinds to the definition loop. */
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

/**
 * Words with a fixed meaning in the grammar. They cannot name a definition, field,
 * function or enum value (as in Apache Thrift). `uuid` is left out on purpose: it only
 * became a type in Thrift 0.19, and fields named `uuid` are common in existing IDLs.
 */
export const RESERVED = new Set([
  "include", "cpp_include", "namespace", "typedef", "const", "enum", "senum", "struct", "union",
  "exception", "service", "extends", "throws", "oneway", "async", "void", "required", "optional",
  "bool", "byte", "i8", "i16", "i32", "i64", "double", "string", "binary", "slist", "map", "set",
  "list", "cpp_type", "true", "false", "xsd_all", "xsd_optional", "xsd_nillable", "xsd_attrs",
]);

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
  /** How many `{` are open: error recovery skips to the `}` that closes a definition's body. */
  depth = 0;
  /** The most recently consumed token (the first one before anything is consumed). */
  prev: Token;

  constructor(private readonly tokens: Token[], readonly diagnostics: DiagnosticBag) {
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

  /** Consumes and returns the current token (eof stays put), tracking brace depth. */
  next(): Token {
    const token = this.peek();
    if (this.pos < this.last) this.pos++;
    if (token.text === "{" && token.kind === "punct") this.depth++;
    else if (token.text === "}" && token.kind === "punct" && this.depth > 0) this.depth--;
    this.prev = token;
    return token;
  }

  /** Whether the token `n` ahead is the punctuation `p`. */
  atPunct(p: string, n = 0): boolean {
    const t = this.peek(n);
    return t.text === p && t.kind === "punct";
  }

  /** Whether the token `n` ahead is the word `w`. */
  atWord(w: string, n = 0): boolean {
    const t = this.peek(n);
    return t.text === w && t.kind === "word";
  }

  /** Consumes the punctuation `p` if it is next. */
  acceptPunct(p: string): Token | undefined {
    return this.atPunct(p) ? this.next() : undefined;
  }

  /** Consumes the word `w` if it is next. */
  acceptWord(w: string): Token | undefined {
    return this.atWord(w) ? this.next() : undefined;
  }

  /** Skips one optional `,` or `;` (the grammar allows either after most items). */
  acceptSeparator(): void {
    if (this.atPunct(",") || this.atPunct(";")) this.next();
  }

  /** Reports `expected <what>, found <current token>` and unwinds. */
  fail(what: string): never {
    const t = this.peek();
    this.diagnostics.error(t.span, `expected ${what}, found ${describe(t)}`);
    throw SyntaxFailure.instance;
  }

  /** Consumes the punctuation `p`, or fails with `expected 'p'`. */
  expectPunct(p: string): Token {
    return this.acceptPunct(p) ?? this.fail(`'${p}'`);
  }

  /** Consumes a string literal, or fails with `expected <what>`. */
  expectString(what: string): Token {
    return this.peek().kind === "string" ? this.next() : this.fail(what);
  }

  /**
   * A name being declared. Reserved words are reported but accepted, so the rest of the
   * definition still parses; dots are for references only.
   */
  expectName(what: string): Token {
    const t = this.peek();
    if (t.kind !== "word") this.fail(what);
    this.next();
    if (RESERVED.has(t.text)) this.diagnostics.error(t.span, `'${t.text}' is a reserved word and cannot be used as ${/^[aeiou]/.test(what) ? "an" : "a"} ${what}`);
    else if (t.text.includes(".")) this.diagnostics.error(t.span, `${what} '${t.text}' cannot contain '.'`);
    return t;
  }

  /** The span from the start of `first` to the end of the last consumed token. */
  spanFrom(first: Token): Span {
    const last = this.prev.end >= first.end ? this.prev : first;
    return { start: first.span.start, end: last.span.end };
  }
}
