/**
 * Loading a Thrift program: read the root files, follow `include`s (each file parsed
 * once), then run the checker. Files are read only through the injected `readFile`, so
 * this runs in Node, browsers and edge runtimes alike.
 */
import { DiagnosticBag, SourceText } from "../diagnostics.js";
import type { Span } from "../diagnostics.js";
import type { ThriftDocument } from "./ast.js";
import { checkThrift } from "./checker.js";
import { parseThrift } from "./parser.js";
import { dirname, join, normalize } from "../files.js";
import type { LoadOptions, ThriftProgram } from "./program.js";

/**
 * Loads, parses and checks `files` and everything they include.
 *
 * An include is looked for next to the including file, then in each of
 * `options.includeDirs` in order. Missing files and include cycles are reported at the
 * include statement. `roots` lists the root files that could be read.
 */
export function loadThrift(files: string[], options: LoadOptions): ThriftProgram {
  const diagnostics = new DiagnosticBag();
  const documents = new Map<string, ThriftDocument>();
  const sources = new Map<string, SourceText>();
  const loading: string[] = [];

  const read = (path: string): string | undefined => {
    try {
      return options.readFile(path);
    } catch {
      return undefined; // an unreadable path (a folder, no permission) counts as missing
    }
  };

  const load = (path: string, text: string): void => {
    const source = new SourceText(path, text);
    sources.set(path, source);
    const doc = parseThrift(source, diagnostics);
    documents.set(path, doc);
    loading.push(path);
    for (const include of doc.includes) {
      const candidates = [join(dirname(path), include.path), ...(options.includeDirs ?? []).map((dir) => join(dir, include.path))];
      let found: { path: string; text?: string } | undefined;
      for (const candidate of candidates) {
        if (documents.has(candidate)) found = { path: candidate };
        else {
          const t = read(candidate);
          if (t !== undefined) found = { path: candidate, text: t };
        }
        if (found) break;
      }
      if (!found) {
        diagnostics.error(include.span, `cannot find include file '${include.path}' (looked in ${[...new Set(candidates.map(dirname))].join(", ")})`);
        continue;
      }
      include.resolved = found.path;
      const open = loading.indexOf(found.path);
      if (open >= 0) {
        diagnostics.error(include.span, `include cycle: ${[...loading.slice(open), found.path].join(" -> ")}`);
      } else if (found.text !== undefined) {
        load(found.path, found.text);
      }
    }
    loading.pop();
  };

  const roots: string[] = [];
  for (const file of files) {
    const path = normalize(file);
    if (!documents.has(path)) {
      const text = read(path);
      if (text === undefined) {
        const at = { file: path, line: 1, column: 1 };
        const span: Span = { start: at, end: at };
        diagnostics.error(span, `cannot read file '${file}'`);
        continue;
      }
      load(path, text);
    }
    if (!roots.includes(path)) roots.push(path);
  }
  checkThrift(documents, diagnostics);
  return { roots, documents, sources, diagnostics: diagnostics.sorted() };
}
