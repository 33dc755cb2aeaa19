/**
 * JavaScript from generated TypeScript: the type syntax is removed and everything else is
 * kept as it was written. It knows the TypeScript the built-in backends write (declarations
 * of interfaces and type aliases, annotations of variables, parameters, returns and class
 * properties, `as`, `satisfies`, type arguments, `implements`, `type` imports), not all of
 * TypeScript; tests/codegen/js-target.test.ts checks it against the TypeScript compiler on
 * every golden file.
 */
import { tokenize, type Token } from "./tokens.js";
import { matching, typeArgumentsEnd, typeEnd } from "./types.js";

type FrameKind = "top" | "block" | "object" | "class" | "params" | "parens" | "array";

interface Frame {
  kind: FrameKind;
  /** object and class frames: the index of the first token of the member being read. */
  memberStart: number;
  /** params frames: whether the next identifier names a parameter (not inside a default value). */
  paramName: boolean;
  /** top and block frames: inside a `let`/`const`/`var` statement. */
  declaration: boolean;
  /** top and block frames: a `case` or `default` whose `:` has not come yet. */
  pendingCase: boolean;
}

/** Modifiers that exist only in TypeScript. */
const TS_MODIFIERS = new Set(["readonly", "public", "private", "protected", "override", "declare", "abstract"]);
/** Modifiers a class or object member may start with (before its name). */
const MODIFIERS = new Set([...TS_MODIFIERS, "static", "async", "get", "set"]);
/** Words after which `(`, `<` or `as` are not what follows an expression. */
const KEYWORDS = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await",
  "if", "for", "while", "switch", "catch", "with", "function", "class", "const", "let", "var", "export", "import",
]);

const is = (t: Token | undefined, text: string) => t !== undefined && t.kind === "punct" && t.text === text;
const word = (t: Token | undefined, text: string) => t !== undefined && t.kind === "ident" && t.text === text;

/** `source` (TypeScript as the backends write it) as JavaScript. */
export function stripTypes(source: string): string {
  return new Stripper(source).run();
}

class Stripper {
  private readonly tokens: Token[];
  /** Source ranges to remove, each with the text that replaces it (none when absent). */
  private readonly cuts: [number, number, string?][] = [];
  private readonly stack: Frame[] = [frame("top", 0)];
  /** What the next `{` opens, when the tokens before it already said. */
  private nextBrace: "class" | "block" | undefined;
  private lastCaseColon = -1;

  constructor(private readonly source: string) {
    this.tokens = tokenize(source);
  }

  run(): string {
    let i = 0;
    while (i < this.tokens.length) i = this.step(i);
    return this.output();
  }

  private get frame(): Frame {
    return this.stack[this.stack.length - 1]!;
  }

  /** Handles the token at `i`; returns the index of the next token to handle. */
  private step(i: number): number {
    const { tokens } = this;
    const t = tokens[i]!;
    const f = this.frame;
    const prev = tokens[i - 1];
    if ((f.kind === "top" || f.kind === "block") && (prev === undefined || is(prev, ";") || is(prev, "{") || is(prev, "}"))) {
      const end = this.typeOnlyStatementEnd(i);
      if (end > 0) {
        this.cutLines(i, end);
        return end;
      }
      if (word(t, "import")) return this.importStatement(i);
      if (word(t, "const") || word(t, "let") || word(t, "var") ||
        (word(t, "export") && ["const", "let", "var"].some((w) => word(tokens[i + 1], w)))) f.declaration = true;
      if (word(t, "case") || word(t, "default")) f.pendingCase = true;
    }
    if (f.kind === "class" && i === f.memberStart && !is(t, "}") && !is(t, ";")) return this.classMember(i);
    if (t.kind === "ident") return this.identifier(i);
    if (t.kind !== "punct") return i + 1;
    switch (t.text) {
      case "(": return this.openParen(i);
      case "{": return this.openBrace(i);
      case "[":
        this.stack.push(frame("array", i + 1));
        return i + 1;
      case ")": case "]": case "}": return this.close(i);
      case "<": {
        // Type arguments of a call or `new`: `new Map<K, V>(`, `f<T>(`.
        const end = prev?.kind === "ident" && !KEYWORDS.has(prev.text) ? typeArgumentsEnd(tokens, i) : -1;
        if (end > 0 && is(tokens[end], "(")) {
          this.cut(i, end);
          return end;
        }
        return i + 1;
      }
      case ",":
        if (f.kind === "object") f.memberStart = i + 1;
        if (f.kind === "params") f.paramName = true;
        return i + 1;
      case "=":
        if (f.kind === "params") f.paramName = false;
        return i + 1;
      case ";":
        if (f.kind === "class") f.memberStart = i + 1;
        f.declaration = false;
        f.pendingCase = false;
        return i + 1;
      case ":":
        if (f.pendingCase && (f.kind === "block" || f.kind === "top")) {
          f.pendingCase = false;
          this.lastCaseColon = i;
        }
        return i + 1;
      default:
        return i + 1;
    }
  }

  private identifier(i: number): number {
    const { tokens } = this;
    const t = tokens[i]!;
    const f = this.frame;
    const prev = tokens[i - 1];
    const afterDot = is(prev, ".") || is(prev, "?.");
    if (word(t, "class") && !afterDot) {
      this.nextBrace = "class";
      return i + 1;
    }
    if (this.nextBrace === "class" && word(t, "implements")) {
      let end = i + 1;
      while (end < tokens.length && !is(tokens[end], "{")) end++;
      this.cut(i, end);
      return end;
    }
    // `as T` and `satisfies T` after an expression.
    if ((word(t, "as") || word(t, "satisfies")) && !afterDot && endsExpression(prev) &&
      !(f.kind === "object" && i === f.memberStart)) {
      const end = typeEnd(tokens, i + 1);
      if (end > 0) {
        this.cut(i, end);
        return end;
      }
    }
    // A parameter's name: `name?: T`.
    if (f.kind === "params" && f.paramName && !afterDot) {
      f.paramName = false;
      return this.annotation(i + 1);
    }
    // A declared variable: `const name: T = ...`.
    if (f.declaration && !afterDot && (["const", "let", "var"].some((w) => word(prev, w)) || is(prev, ","))) {
      return this.annotation(i + 1);
    }
    return i + 1;
  }

  /** At `i`, after a name: removes `?: T` or `: T` (and `!: T`) if present. */
  private annotation(i: number): number {
    const { tokens } = this;
    let j = i;
    if ((is(tokens[j], "?") || is(tokens[j], "!")) && is(tokens[j + 1], ":")) j++;
    if (!is(tokens[j], ":")) return i;
    const end = typeEnd(tokens, j + 1);
    if (end < 0) throw this.error(j + 1, "a type");
    this.cut(i, end);
    return end;
  }

  private openParen(i: number): number {
    const { tokens } = this;
    const f = this.frame;
    const prev = tokens[i - 1];
    let params = word(prev, "function") || word(tokens[i - 2], "function");
    if (!params && (f.kind === "class" || f.kind === "object") && prev !== undefined && i - 1 >= f.memberStart) {
      params = tokens.slice(f.memberStart, i - 1).every((m) => m.kind === "ident" && MODIFIERS.has(m.text)) ||
        is(tokens[i - 2], "?"); // an optional method `name?(`
    }
    if (!params) {
      const close = matching(tokens, i);
      params = close > 0 && (is(tokens[close], "=>") || is(tokens[close], ":"));
      // `(a): T =>` is an arrow with a return type; `(a) : b` is a ternary's branch.
      if (params && is(tokens[close], ":")) params = word(prev, "function") || typeArrow(tokens, close);
    }
    const opened = frame(params ? "params" : "parens", i + 1);
    opened.paramName = params;
    this.stack.push(opened);
    return i + 1;
  }

  private openBrace(i: number): number {
    const prev = this.tokens[i - 1];
    let kind: FrameKind;
    if (this.nextBrace !== undefined) kind = this.nextBrace;
    else if (prev === undefined || is(prev, ")") || is(prev, "=>") || is(prev, ";") || is(prev, "{") || is(prev, "}")) kind = "block";
    else if (["else", "try", "finally", "do"].some((w) => word(prev, w))) kind = "block";
    else if (i - 1 === this.lastCaseColon) kind = "block";
    else kind = "object";
    this.nextBrace = undefined;
    this.stack.push(frame(kind, i + 1));
    return i + 1;
  }

  private close(i: number): number {
    const { tokens } = this;
    const closed = this.stack.pop();
    if (closed === undefined || this.stack.length === 0) throw this.error(i, "a matching bracket");
    const parent = this.frame;
    if (closed.kind === "block" && parent.kind === "class") parent.memberStart = i + 1;
    if (closed.kind === "params") {
      // A return type: `): T {` or `): T =>`.
      if (is(tokens[i + 1], ":")) {
        const end = typeEnd(tokens, i + 2);
        if (end < 0) throw this.error(i + 2, "a return type");
        this.cut(i + 1, end);
        if (is(tokens[end], "{")) this.nextBrace = "block";
        return end;
      }
      if (is(tokens[i + 1], "{")) this.nextBrace = "block";
    }
    return i + 1;
  }

  /**
   * A class member at `i`: a property declared with a type and no value is removed; a
   * property with a value or a method loses its TypeScript-only modifiers.
   */
  private classMember(i: number): number {
    const { tokens } = this;
    const f = this.frame;
    let name = i;
    while (tokens[name]?.kind === "ident" && MODIFIERS.has(tokens[name]!.text) &&
      (tokens[name + 1]?.kind === "ident" || tokens[name + 1]?.kind === "string" || is(tokens[name + 1], "["))) name++;
    let after = name + 1;
    if (is(tokens[after], "?") || is(tokens[after], "!")) after++;
    if (is(tokens[after], ":")) {
      const end = typeEnd(tokens, after + 1);
      if (end < 0) throw this.error(after + 1, "a type");
      if (is(tokens[end], ";")) {
        this.cutLines(i, end + 1);
        f.memberStart = end + 1;
        return end + 1;
      }
    }
    for (let m = i; m < name; m++) if (TS_MODIFIERS.has(tokens[m]!.text)) this.cut(m, m + 1);
    // The method's `(` must still see this member's start; a property's `?: T` goes here.
    if (!is(tokens[name + 1], "(")) {
      const end = this.annotation(name + 1);
      if (end !== name + 1) return end;
    }
    return name + 1;
  }

  /** `import ... ;` at `i`: `type` specifiers removed, and the statement if only they were there. */
  private importStatement(i: number): number {
    const { tokens } = this;
    let end = i;
    while (end < tokens.length && !is(tokens[end], ";")) end++;
    end++;
    if (word(tokens[i + 1], "type")) {
      this.cutLines(i, end);
      return end;
    }
    const open = tokens.findIndex((t, j) => j > i && j < end && is(t, "{"));
    if (open < 0) return end;
    const close = matching(tokens, open) - 1;
    const specifiers: [number, number][] = [];
    for (let s = open + 1; s < close;) {
      let e = s;
      while (e < close && !is(tokens[e], ",")) e++;
      specifiers.push([s, e]);
      s = e + 1;
    }
    const types = specifiers.filter(([s, e]) => word(tokens[s], "type") && e - s >= 2);
    if (types.length === 0) return end;
    const onlyNamed = open === i + 1;
    if (types.length === specifiers.length && onlyNamed) {
      this.cutLines(i, end);
      return end;
    }
    const kept = specifiers.filter((s) => !types.includes(s)).map(([s, e]) => this.text(s, e));
    this.cuts.push([tokens[open]!.start, tokens[close]!.end, `{ ${kept.join(", ")} }`]);
    return end;
  }

  /** The end of an interface, type alias, `declare` or type-only export starting at `i`; -1 if none does. */
  private typeOnlyStatementEnd(i: number): number {
    const { tokens } = this;
    let j = word(tokens[i], "export") ? i + 1 : i;
    const t = tokens[j];
    if (word(t, "interface") && tokens[j + 1]?.kind === "ident") {
      while (j < tokens.length && !is(tokens[j], "{")) j++;
      return matching(tokens, j);
    }
    if (word(t, "type") && tokens[j + 1]?.kind === "ident") {
      j += 2;
      if (is(tokens[j], "<")) j = typeArgumentsEnd(tokens, j);
      if (!is(tokens[j], "=")) throw this.error(j, "= in a type alias");
      const end = typeEnd(tokens, j + 1);
      if (end < 0 || !is(tokens[end], ";")) throw this.error(j + 1, "a type");
      return end + 1;
    }
    if (word(t, "type") && is(tokens[j + 1], "{") && j > i) {
      while (j < tokens.length && !is(tokens[j], ";")) j++;
      return j + 1;
    }
    if (word(t, "declare")) {
      while (j < tokens.length && !is(tokens[j], ";") && !is(tokens[j], "{")) j++;
      return is(tokens[j], "{") ? matching(tokens, j) : j + 1;
    }
    return -1;
  }

  private text(from: number, to: number): string {
    return this.source.slice(this.tokens[from]!.start, this.tokens[to - 1]!.end);
  }

  /** Removes tokens `from`..`to`, and the space before them when a space or closer follows. */
  private cut(from: number, to: number): void {
    if (to <= from) return;
    let start = this.tokens[from]!.start;
    const end = this.tokens[to - 1]!.end;
    if (this.source[start - 1] === " " && /[ ,;)\]}]/.test(this.source[end] ?? "")) start--;
    this.cuts.push([start, end]);
  }

  /**
   * Removes tokens `from`..`to` with the doc comment just before them and, when they fill
   * their lines, the lines themselves.
   */
  private cutLines(from: number, to: number): void {
    const { source } = this;
    let start = this.tokens[from]!.start;
    let end = this.tokens[to - 1]!.end;
    const before = source.slice(0, start);
    const doc = /\/\*\*(?:[^*]|\*(?!\/))*\*\/[ \t]*\n?[ \t]*$/.exec(before);
    if (doc && /(^|\n)[ \t]*$/.test(before.slice(0, doc.index))) start = doc.index;
    const lineStart = source.lastIndexOf("\n", start - 1) + 1;
    const newline = /^[ \t]*\r?\n/.exec(source.slice(end));
    if (newline && /^[ \t]*$/.test(source.slice(lineStart, start))) {
      start = lineStart;
      end += newline[0].length;
    }
    this.cuts.push([start, end]);
  }

  private output(): string {
    const cuts = this.cuts.sort((a, b) => a[0] - b[0]);
    let out = "";
    let at = 0;
    for (const [start, end, replacement = ""] of cuts) {
      if (end <= at) continue;
      out += this.source.slice(at, Math.max(at, start)) + replacement;
      at = end;
    }
    out += this.source.slice(at);
    // Removed declarations leave runs of blank lines; keep one.
    return out.replace(/\n[ \t]*\n(?:[ \t]*\n)+/g, "\n\n").replace(/[ \t]+$/gm, "");
  }

  private error(i: number, expected: string): Error {
    const t = this.tokens[i];
    const at = t ? `${JSON.stringify(t.text)} at offset ${t.start}` : "the end";
    return new Error(`cannot convert generated code to JavaScript: expected ${expected}, found ${at}`);
  }
}

function frame(kind: FrameKind, memberStart: number): Frame {
  return { kind, memberStart, paramName: false, declaration: false, pendingCase: false };
}

/** Whether a token can end an expression (so that `as`, `satisfies` after it are operators). */
function endsExpression(t: Token | undefined): boolean {
  if (t === undefined) return false;
  if (t.kind === "ident") return !KEYWORDS.has(t.text);
  if (t.kind !== "punct") return true;
  return t.text === ")" || t.text === "]" || t.text === "}";
}

/** Whether `:` at `colon` (after a closing parenthesis) begins an arrow's return type. */
function typeArrow(tokens: readonly Token[], colon: number): boolean {
  const end = typeEnd(tokens, colon + 1);
  return end > 0 && is(tokens[end], "=>");
}
