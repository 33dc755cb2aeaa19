// Loads checked-in generated TypeScript (tests/golden/**/gen, and other tools' generated
// code under tests/fixtures) for the benchmarks: each file is transpiled once into a temp
// folder with its `kitewire` import pointed at the built bundle and any other package
// import resolved from the repository, so benchmarks run exactly what the generators emit.
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";

const root = new URL("..", import.meta.url);
const bundle = new URL("dist/kitewire.node.mjs", root).href;
const out = mkdtempSync(join(tmpdir(), "kitewire-bench-gen-"));

/** Imports the generated module at `path` (relative to the repository root). */
export async function importGenerated(path) {
  const source = readFileSync(new URL(path, root), "utf8");
  const { outputText } = ts.transpileModule(source, {
    compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 },
  });
  const file = join(out, path.replaceAll("/", "_").replace(/\.ts$/, ".mjs"));
  const code = outputText
    .replaceAll('from "kitewire"', `from ${JSON.stringify(bundle)}`)
    // Package imports (e.g. "@bufbuild/protobuf/codegenv2") would not resolve from the temp folder.
    .replace(/from "([^."][^"]*)"/g, (all, spec) => (spec.startsWith("file:") ? all : `from ${JSON.stringify(import.meta.resolve(spec))}`));
  writeFileSync(file, code);
  return import(pathToFileURL(file).href);
}
