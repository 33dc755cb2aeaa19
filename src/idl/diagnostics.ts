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
}

/** A source file's text with a line index, for positions and rendering. */
export class SourceText {
  private readonly lineStarts: number[] = [0];

  constructor(readonly file: string, readonly text: string) {
    for (let i = 0; i < text.length; i++) {
      if (text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
  }

  /** The position of the character at `offset`. */
  position(offset: number): Position {
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { file: this.file, line: lo + 1, column: offset - this.lineStarts[lo]! + 1 };
  }

  /** The text of line `line` (1-based) without its line break. */
  line(line: number): string {
    const start = this.lineStarts[line - 1] ?? this.text.length;
    const next = this.lineStarts[line];
    return this.text.slice(start, next === undefined ? this.text.length : next - 1).replace(/\r$/, "");
  }
}

/** Collects diagnostics; `errors` tells whether any is an error. */
export class DiagnosticBag {
  readonly items: Diagnostic[] = [];

  error(span: Span, message: string): void {
    this.items.push({ severity: "error", message, span });
  }

  warning(span: Span, message: string): void {
    this.items.push({ severity: "warning", message, span });
  }

  get errors(): number {
    return this.items.filter((d) => d.severity === "error").length;
  }

  /** Diagnostics in file, line, column order. */
  sorted(): Diagnostic[] {
    return [...this.items].sort((a, b) =>
      a.span.start.file.localeCompare(b.span.start.file) ||
      a.span.start.line - b.span.start.line ||
      a.span.start.column - b.span.start.column);
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
