/**
 * Where type syntax ends, over the tokens of generated code: type expressions (unions,
 * intersections, references with arguments, literals, object and tuple types, function
 * types, `keyof`/`typeof`, arrays and indexed access) and balanced brackets.
 */
import type { Token } from "./tokens.js";

const CLOSERS: Readonly<Record<string, string>> = { "(": ")", "[": "]", "{": "}" };

/** The index after the bracket that closes the one at `i`; -1 when it is not closed. */
export function matching(tokens: readonly Token[], i: number): number {
  const stack: string[] = [];
  for (let j = i; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (t.kind !== "punct") continue;
    const closer = CLOSERS[t.text];
    if (closer) stack.push(closer);
    else if (t.text === stack[stack.length - 1]) {
      stack.pop();
      if (stack.length === 0) return j + 1;
    } else if (t.text === ")" || t.text === "]" || t.text === "}") return -1;
  }
  return -1;
}

const is = (t: Token | undefined, text: string) => t !== undefined && t.kind === "punct" && t.text === text;

/** The index after a type expression starting at `i`, or -1 when none starts there. */
export function typeEnd(tokens: readonly Token[], i: number): number {
  if (is(tokens[i], "|") || is(tokens[i], "&")) i++;
  i = operandEnd(tokens, i);
  while (i >= 0 && (is(tokens[i], "|") || is(tokens[i], "&"))) i = operandEnd(tokens, i + 1);
  return i;
}

/** The index after `<T, U>` starting at `i`, or -1. */
export function typeArgumentsEnd(tokens: readonly Token[], i: number): number {
  if (!is(tokens[i], "<")) return -1;
  i++;
  for (;;) {
    i = typeEnd(tokens, i);
    if (i < 0) return -1;
    if (is(tokens[i], ">")) return i + 1;
    if (!is(tokens[i], ",")) return -1;
    i++;
  }
}

function operandEnd(tokens: readonly Token[], i: number): number {
  let t = tokens[i];
  while (t?.kind === "ident" && (t.text === "keyof" || t.text === "readonly" || t.text === "unique")) t = tokens[++i];
  if (t === undefined) return -1;
  if (t.kind === "ident" && t.text === "typeof") {
    i = entityEnd(tokens, i + 1);
  } else if (t.kind === "ident") {
    i = entityEnd(tokens, i);
    if (i >= 0 && is(tokens[i], "<")) i = typeArgumentsEnd(tokens, i);
  } else if (t.kind === "string" || t.kind === "number") {
    i++;
  } else if (is(t, "-") && tokens[i + 1]?.kind === "number") {
    i += 2;
  } else if (is(t, "{") || is(t, "[")) {
    i = matching(tokens, i);
  } else if (is(t, "(")) {
    const close = matching(tokens, i);
    if (close < 0) return -1;
    if (is(tokens[close], "=>")) return typeEnd(tokens, close + 1); // a function type
    const inner = typeEnd(tokens, i + 1);
    if (inner !== close - 1) return -1;
    i = close;
  } else {
    return -1;
  }
  // Array types and indexed access: T[], T[K].
  while (i >= 0 && is(tokens[i], "[")) {
    if (is(tokens[i + 1], "]")) i += 2;
    else {
      const inner = typeEnd(tokens, i + 1);
      if (inner < 0 || !is(tokens[inner], "]")) return -1;
      i = inner + 1;
    }
  }
  return i;
}

/** The index after `a.b.c` starting at `i`, or -1. */
function entityEnd(tokens: readonly Token[], i: number): number {
  if (tokens[i]?.kind !== "ident") return -1;
  i++;
  while (is(tokens[i], ".") && tokens[i + 1]?.kind === "ident") i += 2;
  return i;
}
