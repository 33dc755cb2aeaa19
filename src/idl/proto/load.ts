/**
 * Loading a Protobuf program: read the root files, follow `import`s (each file parsed
 * once), then run the checker. Files are read only through the injected `readFile`, so
 * this runs in Node, browsers and edge runtimes alike.
 *
 * Import paths follow protoc: `import "a/b.proto"` is looked up under each include
 * folder in order (`-I`; `.` when none are given), never relative to the importing file.
 * The well-known types (`google/protobuf/*.proto`, see `wkt.ts`) are built in and used
 * when no include folder has the file. A root's import path is its path relative to the
 * first include folder holding it, else, for a relative path that stays under the current
 * folder, that path (the current folder is an implicit root, so `-I deps main.proto`
 * works). Any other root is an error when include folders are given, as in protoc; with
 * none, its own folder is its root (its import path is its file name).
 *
 * Files are keyed by the path they were read from (`includeDir/importPath`, normalized);
 * built-in files by their import path. `ProtoFile.importPath` holds the import path.
 */
import { DiagnosticBag, SourceText } from "../diagnostics.js";
import type { Span } from "../diagnostics.js";
import { basename, dirname, join, normalize } from "../files.js";
import type { ProtoFile } from "./ast.js";
import { checkProto } from "./checker.js";
import { parseProto } from "./parser.js";
import type { ProtoLoadOptions, ProtoProgram } from "./program.js";
import { WELL_KNOWN_TYPES } from "./wkt.js";

/**
 * Loads, parses and checks `files` and everything they import.
 *
 * Missing imports and import cycles are reported at the import statement; a root that
 * cannot be read at its line 1. `roots` lists the root files that could be read.
 */
export function loadProto(files: string[], options: ProtoLoadOptions): ProtoProgram {
  const diagnostics = new DiagnosticBag();
  const parsed = new Map<string, ProtoFile>();
  const sources = new Map<string, SourceText>();
  const loading: string[] = [];
  const explicitDirs = (options.includeDirs ?? []).length > 0;
  const dirs = explicitDirs ? options.includeDirs!.map(normalize) : ["."];

  const read = (path: string): string | undefined => {
    try {
      return options.readFile(path);
    } catch {
      return undefined; // an unreadable path (a folder, no permission) counts as missing
    }
  };

  /** Finds an import: the first include folder that has it, else a built-in file. */
  const locate = (importPath: string): { key: string; text?: string } | undefined => {
    for (const dir of dirs) {
      const key = join(dir, importPath);
      if (parsed.has(key)) return { key };
      const text = read(key);
      if (text !== undefined) return { key, text };
    }
    const builtin = WELL_KNOWN_TYPES.get(normalize(importPath));
    if (builtin === undefined) return undefined;
    const key = normalize(importPath);
    return parsed.has(key) ? { key } : { key, text: builtin };
  };

  const load = (key: string, importPath: string, text: string): void => {
    const source = new SourceText(key, text);
    sources.set(key, source);
    const file = parseProto(source, diagnostics);
    file.importPath = importPath;
    parsed.set(key, file);
    loading.push(key);
    for (const imp of file.imports) {
      const found = locate(imp.path);
      if (!found) {
        diagnostics.error(imp.span, missingMessage(imp.path, key, dirs, read));
        continue;
      }
      imp.resolved = found.key;
      const open = loading.indexOf(found.key);
      if (open >= 0) {
        diagnostics.error(imp.span, `import cycle: ${[...loading.slice(open), found.key].join(" -> ")}`);
      } else if (found.text !== undefined) {
        load(found.key, normalize(imp.path), found.text);
      }
    }
    loading.pop();
  };

  const roots: string[] = [];
  // Two roots under one import path would be written to one output file.
  const rootByImportPath = new Map<string, string>();
  for (const root of files) {
    const key = normalize(root);
    const at = { file: key, line: 1, column: 1 };
    const span: Span = { start: at, end: at };
    if (!parsed.has(key)) {
      const text = read(key);
      if (text === undefined) {
        diagnostics.error(span, `cannot read file '${root}'`);
        continue;
      }
      // Never the path as given: an absolute or `../` import path names the output file, which
      // would then land under a copy of that path, or outside the output folder.
      const importPath = importPathOf(key, dirs) ?? importPathOf(key, ["."]) ?? (explicitDirs ? undefined : basename(key));
      if (importPath === undefined) {
        diagnostics.error(span, `file '${root}' is not inside any include folder (searched ${dirs.join(", ")}); `
          + "add a folder that contains it to the include folders (-I), or name it by a relative path under the current folder");
        continue;
      }
      const other = rootByImportPath.get(importPath);
      if (other !== undefined) {
        diagnostics.error(span, `file '${root}' has the import path '${importPath}', as '${other}' does; only one of them can be compiled at a time`);
        continue;
      }
      rootByImportPath.set(importPath, root);
      load(key, importPath, text);
    }
    if (!roots.includes(key)) roots.push(key);
  }
  checkProto(parsed, diagnostics, { roots });
  return { roots, files: parsed, sources, diagnostics: diagnostics.sorted() };
}

/**
 * The import path of a (normalized) root: its path relative to the first include folder
 * that contains it, or undefined when none does. Paths are compared as written, as protoc
 * does: an absolute folder does not contain a relative path, nor the reverse.
 */
function importPathOf(path: string, dirs: string[]): string | undefined {
  const inside = (rest: string): boolean => !rest.startsWith("/") && rest !== ".." && !rest.startsWith("../");
  for (const dir of dirs) {
    if (dir === ".") {
      if (inside(path)) return path;
      continue;
    }
    const prefix = dir.endsWith("/") ? dir : `${dir}/`; // only `/` ends in a slash once normalized
    // `-I ..` prefixes `../../x.proto`, yet the file lies above that folder.
    if (path.startsWith(prefix) && path.length > prefix.length && inside(path.slice(prefix.length))) return path.slice(prefix.length);
  }
  return undefined;
}

/** `cannot find import ...`, with a hint when the file sits next to the importing one. */
function missingMessage(importPath: string, importer: string, dirs: string[], read: (p: string) => string | undefined): string {
  const message = `cannot find import '${importPath}' (looked in ${dirs.join(", ")})`;
  const beside = join(dirname(importer), importPath);
  if (!dirs.some((d) => join(d, importPath) === beside) && read(beside) !== undefined) {
    return `${message}; '${beside}' exists, but imports are relative to the include folders, not to the importing file (add '${dirname(importer)}' to them)`;
  }
  return message;
}
