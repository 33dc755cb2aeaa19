/**
 * A tokenizer for the TypeScript the built-in backends generate, enough to find its type
 * syntax: identifiers, numbers, strings, template literals and punctuators, each with its
 * source range. Comments and whitespace are skipped (removing a range removes the comments
 * inside it). Regular expression literals are not recognized: generated code has none.
 */

export interface Token {
  kind: "ident" | "number" | "string" | "template" | "punct";
  text: string;
  start: number;
  end: number;
}

/**
 * Multi-character punctuators, longest first. `>` is always a token of its own, so that
 * `Map<string, Array<X>>` closes twice; nothing here needs `>>` or `>=`.
 */
const PUNCTUATORS = [
  "...", "===", "!==", "??=", "||=", "&&=", "**", "=>", "==", "!=", "<=", "&&", "||", "??", "?.", "++", "--",
  "+=", "-=", "*=", "/=", "%=", "&=", "|=", "^=", "<<",
];

const IDENT_START = /[\p{ID_Start}$_]/u;
const IDENT_PART = /[\p{ID_Continue}$\u200c\u200d]/u;

/** The tokens of `source`; throws on text it cannot read (an unterminated string or comment). */
export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const fail = (what: string): never => {
    throw new Error(`cannot convert generated code to JavaScript: ${what} at offset ${i}`);
  };
  while (i < source.length) {
    const c = source[i]!;
    if (c === " " || c === "\t" || c === "\n" || c === "\r") {
      i++;
    } else if (source.startsWith("//", i)) {
      const nl = source.indexOf("\n", i);
      i = nl < 0 ? source.length : nl;
    } else if (source.startsWith("/*", i)) {
      const close = source.indexOf("*/", i + 2);
      if (close < 0) fail("an unterminated comment");
      i = close + 2;
    } else if (c === '"' || c === "'") {
      const start = i++;
      while (i < source.length && source[i] !== c) {
        if (source[i] === "\n") fail("a line break in a string");
        i += source[i] === "\\" ? 2 : 1;
      }
      if (i >= source.length) fail("an unterminated string");
      i++;
      tokens.push({ kind: "string", text: source.slice(start, i), start, end: i });
    } else if (c === "`") {
      const start = i;
      i = templateEnd(source, i + 1, fail);
      tokens.push({ kind: "template", text: source.slice(start, i), start, end: i });
    } else if (c >= "0" && c <= "9") {
      const start = i;
      while (i < source.length && /[\w.]/.test(source[i]!)) i++;
      tokens.push({ kind: "number", text: source.slice(start, i), start, end: i });
    } else if (IDENT_START.test(c)) {
      const start = i;
      i++;
      while (i < source.length && IDENT_PART.test(source[i]!)) i++;
      tokens.push({ kind: "ident", text: source.slice(start, i), start, end: i });
    } else {
      const text = PUNCTUATORS.find((p) => source.startsWith(p, i)) ?? c;
      tokens.push({ kind: "punct", text, start: i, end: i + text.length });
      i += text.length;
    }
  }
  return tokens;
}

/** The offset after a template literal whose body starts at `i`, `${...}` parts included. */
function templateEnd(source: string, i: number, fail: (what: string) => never): number {
  while (i < source.length) {
    const c = source[i]!;
    if (c === "\\") i += 2;
    else if (c === "`") return i + 1;
    else if (source.startsWith("${", i)) {
      let depth = 1;
      i += 2;
      while (depth > 0 && i < source.length) {
        const d = source[i]!;
        if (d === "{") depth++;
        else if (d === "}") depth--;
        else if (d === "`") {
          i = templateEnd(source, i + 1, fail);
          continue;
        } else if (d === '"' || d === "'") {
          i++;
          while (i < source.length && source[i] !== d) i += source[i] === "\\" ? 2 : 1;
        }
        i++;
      }
    } else i++;
  }
  return fail("an unterminated template literal");
}
