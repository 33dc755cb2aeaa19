/**
 * Diagnostics shared by the IDL front ends (Thrift and Protobuf): a position in a source
 * file, a severity, a message, and rendering as `file:line:col: error: message` followed
 * by the source line and a caret under the column.
 */

/** A position in a source file; line and column count from 1, columns in UTF-16 units. */
export interface Position {
  file: string;
  line: number;
  column: number;
}

/** A half-open span [start, end) in one file. */
export interface Span {
  start: Position;
  end: Position;
}

export type Severity = "error" | "warning";

/** One problem found in an IDL file. */
export interface Diagnostic {
  severity: Severity;
  message: string;
  span: Span;
  /**
   * Set on the diagnostic that ends a file's list when the file had more than were kept
   * (`DiagnosticBag`): how many were left out, and how many of those were errors. It
   * stands for them; it is not a problem of its own.
   */
  omitted?: { diagnostics: number; errors: number };
}

/** Errors among `diagnostics`, those a capped list left out included. */
export function countErrors(diagnostics: readonly Diagnostic[]): number {
  let n = 0;
  for (const d of diagnostics) n += d.omitted !== undefined ? d.omitted.errors : d.severity === "error" ? 1 : 0;
  return n;
}

/** A source file's text with a line index, for positions and rendering. */
export class SourceText {
  private readonly lineStarts: number[] = [0];
  // The line of the last position asked for (lexers ask in order): its index (0-based),
  // its start and the next line's start.
  private lineIndex = 0;
  private lineStart = 0;
  private nextLineStart: number;

  constructor(readonly file: string, readonly text: string) {
    for (let i = text.indexOf("\n"); i >= 0; i = text.indexOf("\n", i + 1)) this.lineStarts.push(i + 1);
    this.nextLineStart = this.lineStarts[1] ?? Infinity;
  }

  /** The position of the character at `offset`. */
  position(offset: number): Position {
    if (offset < this.lineStart || offset >= this.nextLineStart) this.moveTo(offset);
    return { file: this.file, line: this.lineIndex + 1, column: offset - this.lineStart + 1 };
  }

  /** The span [start, end): one line look-up when both ends are on one line, as most tokens' are. */
  span(start: number, end: number): Span {
    const from = this.position(start);
    const to = end < this.nextLineStart ? { file: this.file, line: from.line, column: from.column + end - start } : this.position(end);
    return { start: from, end: to };
  }

  /** Makes the line of `offset` the current one: the next line, or found by binary search. */
  private moveTo(offset: number): void {
    const next = this.lineIndex + 1;
    const line = offset >= this.nextLineStart && offset < (this.lineStarts[next + 1] ?? Infinity) ? next : this.lineOf(offset);
    this.lineIndex = line;
    this.lineStart = this.lineStarts[line]!;
    this.nextLineStart = this.lineStarts[line + 1] ?? Infinity;
  }

  /** The line (0-based) of `offset`, by binary search. */
  private lineOf(offset: number): number {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** The text of line `line` (1-based) without its line break. */
  line(line: number): string {
    const start = this.lineStarts[line - 1] ?? this.text.length;
    const next = this.lineStarts[line];
    return this.text.slice(start, next === undefined ? this.text.length : next - 1).replace(/\r$/, "");
  }
}

/** Diagnostics a `DiagnosticBag` keeps per file by default. */
export const MAX_DIAGNOSTICS_PER_FILE = 100;

/** What a bag dropped for one file past its cap. */
interface Dropped {
  diagnostics: number;
  errors: number;
}

/**
 * Collects diagnostics; `errors` tells how many are errors. A file's first `maxPerFile`
 * are kept; past that they are only counted (a broken or fuzzed file can make thousands,
 * each one following from the first few), and `sorted()` ends the file's list with one
 * that says how many more there were.
 */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];
  private readonly kept = new Map<string, number>();
  private readonly dropped = new Map<string, Dropped>();

  constructor(readonly maxPerFile = MAX_DIAGNOSTICS_PER_FILE) {}

  error(span: Span, message: string): void {
    this.add({ severity: "error", message, span });
  }

  warning(span: Span, message: string): void {
    this.add({ severity: "warning", message, span });
  }

  private add(d: Diagnostic): void {
    const file = d.span.start.file;
    const kept = this.kept.get(file) ?? 0;
    if (kept < this.maxPerFile) {
      this.kept.set(file, kept + 1);
      this.items.push(d);
      return;
    }
    const dropped = this.dropped.get(file) ?? { diagnostics: 0, errors: 0 };
    dropped.diagnostics++;
    if (d.severity === "error") dropped.errors++;
    this.dropped.set(file, dropped);
  }

  /** Errors found, kept or not. */
  get errors(): number {
    let n = countErrors(this.items);
    for (const { errors } of this.dropped.values()) n += errors;
    return n;
  }

  /**
   * Diagnostics in file, line, column order; a file that had more than `maxPerFile` ends
   * with one at its last kept position saying how many more (an error if any of them was).
   */
  sorted(): Diagnostic[] {
    const sorted = [...this.items].sort((a, b) =>
      (a.span.start.file === b.span.start.file ? 0 : a.span.start.file.localeCompare(b.span.start.file)) ||
      a.span.start.line - b.span.start.line ||
      a.span.start.column - b.span.start.column);
    if (this.dropped.size === 0) return sorted;
    const out: Diagnostic[] = [];
    sorted.forEach((d, i) => {
      out.push(d);
      const file = d.span.start.file;
      const dropped = this.dropped.get(file);
      if (dropped === undefined || sorted[i + 1]?.span.start.file === file) return;
      const { diagnostics, errors } = dropped;
      const what = errors === diagnostics ? "errors" : errors === 0 ? "warnings" : `diagnostics (${errors} error${errors === 1 ? "" : "s"})`;
      out.push({
        severity: errors > 0 ? "error" : "warning",
        message: `${diagnostics} more ${what} in this file not shown (the first ${this.maxPerFile} are)`,
        span: { start: d.span.start, end: d.span.start },
        omitted: { diagnostics, errors },
      });
    });
    return out;
  }
}

/**
 * Renders a diagnostic as
 *
 *   file:line:col: error: message
 *     source line
 *     ^~~~
 */
export function formatDiagnostic(d: Diagnostic, sources: ReadonlyMap<string, SourceText>): string {
  const { file, line, column } = d.span.start;
  const head = `${file}:${line}:${column}: ${d.severity}: ${d.message}`;
  const source = sources.get(file);
  if (!source) return head;
  const text = source.line(line);
  const width = d.span.end.line === line ? Math.max(1, d.span.end.column - column) : Math.max(1, text.length - column + 1);
  const pad = text.slice(0, column - 1).replace(/[^\t]/g, " ");
  return `${head}\n  ${text}\n  ${pad}^${"~".repeat(Math.max(0, width - 1))}`;
}
