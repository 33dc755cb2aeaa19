/** TypeScript naming facts both backends need. */

/** Words that cannot name a TypeScript binding in strict mode (IDL names that are get escaped). */
export const RESERVED_WORDS: ReadonlySet<string> = new Set(
  ("break case catch class const continue debugger default delete do else enum export extends false finally for " +
    "function if import in instanceof new null return super switch this throw true try typeof var void while with " +
    "yield let static implements interface package private protected public await any boolean number string symbol " +
    "bigint object never unknown undefined type of as arguments eval").split(" "),
);

/** The runtime names a generated file uses, for its import line. */
export class RuntimeImports {
  private readonly values = new Set<string>();
  private readonly types = new Set<string>();

  /** A runtime value the generated code uses (imported once). */
  use(name: string): string {
    this.values.add(name);
    return name;
  }

  /** A runtime type the generated code uses. */
  useType(name: string): string {
    this.types.add(name);
    return name;
  }

  /** `import { a, b, type C } from "runtime";`, or "" when nothing is used. */
  importLine(runtime: string): string {
    const types = [...this.types].filter((t) => !this.values.has(t)).sort().map((t) => `type ${t}`);
    const names = [...[...this.values].sort(), ...types];
    return names.length === 0 ? "" : `import { ${names.join(", ")} } from ${JSON.stringify(runtime)};`;
  }
}
