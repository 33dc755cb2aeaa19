/**
 * A whole `list<string>` through the engine's string table: one walk to size the output,
 * one call to decode every element to UTF-16, then the strings are made from engine
 * memory with no call per element.
 */
import type { Engine } from "../../wasm/engine.js";
import { stringFromUnits } from "../utf8.js";

/**
 * Decodes `n` strings at `pos` (Compact or Binary length prefixes) and returns them; the
 * read position after them is left in `result.end`. Throws the engine's typed errors.
 */
export function readStringTable(
  engine: Engine, pos: number, end: number, n: number, compact: boolean, strict: boolean, base: number,
): { strings: string[]; end: number } {
  const e = engine.exports;
  const bytes = e.thriftStringListSize(compact ? 1 : 0, pos, end, n);
  if (bytes < 0) throw engine.error(bytes, base, "list<string>");
  const table = engine.scratch(n * 4 + bytes * 2);
  const after = e.thriftStringListDecode(compact ? 1 : 0, pos, end, n, table, strict ? 1 : 0);
  if (after < 0) throw engine.error(after, base, "list<string>");
  const { u16, u32 } = engine;
  const strings = new Array<string>(n);
  let at = (table >>> 1) + n * 2;
  for (let i = 0; i < n; i++) {
    const count = u32[(table >>> 2) + i]!;
    strings[i] = stringFromUnits(u16, at, count);
    at += count;
  }
  return { strings, end: after };
}
