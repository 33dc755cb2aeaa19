/**
 * A declaration file (`.d.ts`) from generated TypeScript: imports, interfaces and type
 * aliases as written; each exported value as `export declare const NAME: T`, its type taken
 * from its annotation, its `satisfies T`, its `as const` object literal, or `typeof` the
 * value it aliases; exported classes with their method bodies removed. Non-exported values
 * and expression statements are implementation and are left out. Like strip.ts, it knows
 * the TypeScript the built-in backends write, and says so when it meets something else.
 */
import { tokenize, type Token } from "./tokens.js";
import { matching, typeEnd } from "./types.js";

const is = (t: Token | undefined, text: string) => t !== undefined && t.kind === "punct" && t.text === text;
const word = (t: Token | undefined, text: string) => t !== undefined && t.kind === "ident" && t.text === text;

/** The declaration file of `source` (TypeScript as the backends write it). */
export function declarations(source: string): string {
  const tokens = tokenize(source);
  const text = (from: number, to: number) => source.slice(tokens[from]!.start, tokens[to - 1]!.end);
  const fail = (i: number, what: string): never => {
    throw new Error(`cannot declare generated code: ${what} at offset ${tokens[i]?.start ?? source.length}`);
  };
  let out = "";
  let gapStart = 0; // where the comments and blank lines before the next statement begin
  for (let i = 0; i < tokens.length;) {
    const end = statementEnd(tokens, i);
    if (end < 0) fail(i, "a statement with no end");
    const exported = word(tokens[i], "export");
    const k = exported ? i + 1 : i;
    const head = tokens[k]!;
    let declaration: string | undefined;
    if (word(head, "import") || word(head, "interface") || (word(head, "type") && tokens[k + 1]?.kind === "ident")) {
      declaration = text(i, end);
    } else if (exported && word(head, "const")) {
      declaration = `export declare const ${tokens[k + 1]!.text}: ${constType(tokens, k + 2, end, text, fail)};`;
    } else if (exported && word(head, "class")) {
      declaration = classDeclaration(tokens, k, end, text, fail);
    } else if (exported) {
      fail(i, `an export of ${JSON.stringify(head.text)}`);
    }
    if (declaration !== undefined) out += source.slice(gapStart, tokens[i]!.start) + declaration;
    gapStart = tokens[end - 1]!.end;
    i = end;
  }
  return (out + "\n").replace(/\n[ \t]*\n(?:[ \t]*\n)+/g, "\n\n").replace(/^\n+/, "");
}

/** The index after the statement starting at `i`: its `;`, or the `}` of an interface or class body. */
function statementEnd(tokens: readonly Token[], i: number): number {
  const k = word(tokens[i], "export") ? i + 1 : i;
  const body = word(tokens[k], "interface") || word(tokens[k], "class");
  for (let j = k; j < tokens.length;) {
    const t = tokens[j]!;
    if (is(t, "{") && body) return matching(tokens, j);
    if (is(t, ";")) return j + 1;
    j = is(t, "(") || is(t, "[") || is(t, "{") ? matching(tokens, j) : j + 1;
    if (j < 0) return -1;
  }
  return -1;
}

type Text = (from: number, to: number) => string;
type Fail = (i: number, what: string) => never;

/** The type of `const NAME` whose tokens after the name are `i`..`end` (the last one `;`). */
function constType(tokens: readonly Token[], i: number, end: number, text: Text, fail: Fail): string {
  if (is(tokens[i], ":")) {
    const typeStop = typeEnd(tokens, i + 1);
    if (typeStop < 0) fail(i + 1, "a type");
    return text(i + 1, typeStop);
  }
  if (!is(tokens[i], "=")) fail(i, "= or a type");
  // The top-level tokens of the value: `satisfies T` or `as const` at the end say its type.
  for (let j = i + 1; j < end - 1;) {
    if (word(tokens[j], "satisfies")) return text(j + 1, end - 1);
    j = is(tokens[j], "(") || is(tokens[j], "[") || is(tokens[j], "{") ? matching(tokens, j) : j + 1;
  }
  if (word(tokens[end - 3], "as") && word(tokens[end - 2], "const") && is(tokens[i + 1], "{")) {
    return constObjectType(tokens, i + 1, end - 3, text, fail);
  }
  // An alias of another value: `= Other;` or `= ns.Other;`.
  const aliasEnd = typeEnd(tokens, i + 1);
  if (aliasEnd === end - 1 && tokens.slice(i + 1, aliasEnd).every((t) => t.kind === "ident" || is(t, "."))) {
    return `typeof ${text(i + 1, aliasEnd)}`;
  }
  return fail(i + 1, "a value whose type is not written (no annotation, satisfies or as const)");
}

/** `{ readonly K: V; ... }` of an `as const` object literal of literal values at `open`..`close`. */
function constObjectType(tokens: readonly Token[], open: number, close: number, text: Text, fail: Fail): string {
  const members: string[] = [];
  for (let j = open + 1; j < close - 1;) {
    const key = tokens[j]!;
    if (!is(tokens[j + 1], ":")) fail(j, "a key: value member");
    let valueEnd = j + 2;
    while (valueEnd < close - 1 && !is(tokens[valueEnd], ",")) valueEnd++;
    const value = tokens.slice(j + 2, valueEnd);
    const literal = (value.length === 1 && (value[0]!.kind === "number" || value[0]!.kind === "string")) ||
      (value.length === 2 && is(value[0], "-") && value[1]!.kind === "number");
    if (!literal) fail(j + 2, "a literal value");
    members.push(`  readonly ${key.text}: ${text(j + 2, valueEnd)};`);
    j = valueEnd + 1;
  }
  return `{\n${members.join("\n")}\n}`;
}

/** A class declared: members with a type or a literal value as written, methods without bodies. */
function classDeclaration(tokens: readonly Token[], k: number, end: number, text: Text, fail: Fail): string {
  let open = k;
  while (!is(tokens[open], "{")) open++;
  const lines = [`export declare ${text(k, open)} {`];
  for (let j = open + 1; j < end - 1;) {
    let m = j;
    while (!is(tokens[m], "(") && !is(tokens[m], ";") && !is(tokens[m], "=") && m < end - 1) m++;
    if (is(tokens[m], "(")) {
      const close = matching(tokens, m);
      let body = close;
      while (!is(tokens[body], "{")) body++;
      lines.push(`  ${text(j, m)}(${parameters(tokens, m + 1, close - 1, text)})${body > close ? text(close, body) : ""};`);
      j = matching(tokens, body);
    } else {
      if (is(tokens[m], "=") && !(tokens[m + 1]?.kind === "string" || tokens[m + 1]?.kind === "number")) {
        fail(m + 1, "a literal initializer of a class property");
      }
      while (!is(tokens[m], ";")) m++;
      lines.push(`  ${text(j, m + 1)}`);
      j = m + 1;
    }
  }
  lines.push("}");
  return lines.join("\n");
}

/** The parameters `from`..`to` of a signature, a default value made an optional parameter. */
function parameters(tokens: readonly Token[], from: number, to: number, text: Text): string {
  const out: string[] = [];
  for (let p = from; p < to;) {
    let e = p;
    let eq = -1;
    while (e < to && !is(tokens[e], ",")) {
      if (is(tokens[e], "=") && eq < 0) eq = e;
      e = is(tokens[e], "(") || is(tokens[e], "[") || is(tokens[e], "{") ? matching(tokens, e) : e + 1;
    }
    if (eq < 0) out.push(text(p, e));
    else if (is(tokens[p + 1], ":")) out.push(`${tokens[p]!.text}?${text(p + 1, eq)}`);
    else out.push(`${tokens[p]!.text}?: unknown`);
    p = e + 1;
  }
  return out.join(", ");
}
