/**
 * Statement blocks and ranges shared by messages, enums and services (kept apart from
 * messages.ts so that enums.ts and messages.ts need not import each other).
 */
import type { Reserved } from "../ast.js";
import { type Cursor, SyntaxFailure } from "./cursor.js";
import { rangeSpans } from "./spans.js";

/**
 * Runs `statement` for each statement of a `{ ... }` body until its `}`; a syntax error
 * skips the rest of that statement only. The `{` must be current.
 */
export function parseBlock(c: Cursor, statement: () => void): void {
  c.expectPunct("{");
  for (;;) {
    if (c.acceptPunct("}")) return;
    if (c.atEnd) c.fail("'}'");
    try {
      if (!c.acceptPunct(";")) statement();
    } catch (e) {
      if (!(e instanceof SyntaxFailure)) throw e;
      c.skipStatement();
    }
  }
}

/** Reads `a, b to c, d to max` (the first bound is current) into ranges, recording spans. */
/** A range bound: an integer, negative ones too (enum ranges). */
function parseBound(c: Cursor): number {
  const first = c.peek();
  const negative = c.acceptPunct("-") !== undefined;
  const t = c.peek();
  if (t.kind !== "int") return negative ? c.fail("number after '-'") : c.fail(first === t ? "number or name" : "number");
  c.next();
  return Number(negative ? -(t.value as bigint) : (t.value as bigint));
}

export function parseRanges(c: Cursor, max: number, out: [number, number][]): void {
  do {
    const first = c.peek();
    const lo = parseBound(c);
    let hi = lo;
    if (c.acceptIdent("to")) hi = c.acceptIdent("max") ? max : parseBound(c);
    const range: [number, number] = [lo, hi];
    rangeSpans.set(range, c.spanFrom(first));
    out.push(range);
  } while (c.acceptPunct(","));
}

/** `reserved 1, 2 to 5;` or `reserved "a", "b";` (identifiers in editions). */
export function parseReserved(c: Cursor, reserved: Reserved, max: number): void {
  c.next();
  const t = c.peek();
  if (t.kind === "string" || t.kind === "ident") {
    do {
      const n = c.peek();
      if (n.kind === "string") {
        if (c.syntax === "editions") c.error(n.span, "reserved names must be identifiers in editions, not string literals");
      } else if (n.kind === "ident") {
        if (c.syntax !== "editions") c.error(n.span, `reserved names must be string literals in ${c.syntax} (identifiers need editions)`);
      } else {
        c.fail("reserved name");
      }
      c.next();
      const name = n.kind === "string" ? (n.value as string) : n.text;
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) c.error(n.span, `reserved name '${name}' is not a valid identifier`);
      reserved.names.push(name);
    } while (c.acceptPunct(","));
  } else {
    parseRanges(c, max, reserved.ranges);
  }
  c.expectSemicolon();
}

