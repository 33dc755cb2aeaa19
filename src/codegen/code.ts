/** A small builder for generated source: lines with indentation. */
export class Code {
  private readonly lines: string[] = [];
  private depth = 0;

  /** Adds lines at the current indentation (an empty string adds a blank line). */
  line(...lines: string[]): this {
    for (const l of lines) this.lines.push(l === "" ? "" : "  ".repeat(this.depth) + l);
    return this;
  }

  /** Adds `head {` (or a bare `{`), the body one level deeper, then `}` (or `tail`). */
  block(head: string, body: () => void, tail = "}"): this {
    this.line(head ? `${head} {` : "{");
    this.indent(body);
    return this.line(tail);
  }

  /** Emits `body` one level deeper. */
  indent(body: () => void): this {
    this.depth++;
    body();
    this.depth--;
    return this;
  }

  /** Adds a JSDoc comment when `text` is not empty. */
  doc(text: string | undefined): this {
    if (!text || !text.trim()) return this;
    const lines = text.trim().split("\n").map((l) => l.replace(/\*\//g, "*\\/"));
    if (lines.length === 1) return this.line(`/** ${lines[0]} */`);
    return this.line("/**", ...lines.map((l) => ` * ${l}`.trimEnd()), " */");
  }

  toString(): string {
    return this.lines.join("\n") + "\n";
  }
}
