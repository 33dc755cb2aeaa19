/**
 * Code generators: a backend turns a checked program into files. The built-in TypeScript
 * backends implement this; external generators (plugins) receive the program as JSON and
 * answer with files (plugin-protocol.ts; cli/gen.ts runs them), the way thriftgo plugins work.
 */

/** One generated file, its path relative to the output folder. */
export interface GeneratedFile {
  path: string;
  content: string;
}

/** Settings every backend receives. */
export interface GeneratorOptions {
  /** The generator's version, written into file headers. */
  version: string;
  /** Module specifier generated code imports the runtime from (default "kitewire"). */
  runtime?: string;
  /** Backend-specific `key=value` options from the command line. */
  parameters?: Readonly<Record<string, string>>;
}

/** A code generator for programs of type `P`. */
export interface Backend<P> {
  readonly name: string;
  generate(program: P, options: GeneratorOptions): GeneratedFile[];
}
