// Shared by the server-thread tests and benchmarks: the golden Thrift and Protobuf
// example services and the gRPC tests' Echo service generated for the kitewire build (dist/kitewire.node.mjs), and a
// service module (service.mjs beside this file) that server threads load.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";

const root = fileURLToPath(new URL("../../..", import.meta.url));
export const BUNDLE = pathToFileURL(join(root, "dist/kitewire.node.mjs")).href;

/** Generates the golden example services into a temp folder: the URLs of the Thrift and Protobuf modules. */
export function generateGolden() {
  const dir = mkdtempSync(join(tmpdir(), "kitewire-threads-"));
  const golden = join(root, "tests/golden");
  for (const args of [["-o", dir, join(golden, "thrift/example.thrift")], ["-I", join(golden, "proto"), "-o", join(dir, "pb"), join(golden, "proto/example.proto")]]) {
    const gen = spawnSync(process.execPath, [join(root, "bin/kitewire.mjs"), "gen", ...args], { encoding: "utf8" });
    if (gen.status !== 0) throw new Error(`kitewire gen failed: ${gen.stdout}${gen.stderr}`);
  }
  for (const sub of [dir, join(dir, "pb")]) {
    for (const f of readdirSync(sub, { recursive: true }).filter((n) => String(n).endsWith(".ts"))) {
      const file = join(sub, String(f));
      const { outputText } = ts.transpileModule(readFileSync(file, "utf8"), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } });
      writeFileSync(file.replace(/\.ts$/, ".mjs"), outputText.replaceAll('from "kitewire"', `from ${JSON.stringify(BUNDLE)}`)
        .replace(/from "(\.{1,2}\/[^"]+)\.js"/g, 'from "$1.mjs"'));
    }
  }
  const echo = ts.transpileModule(readFileSync(join(root, "tests/grpc/gen/echo.ts"), "utf8"), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } });
  writeFileSync(join(dir, "echo.mjs"), echo.outputText.replaceAll('from "kitewire"', `from ${JSON.stringify(BUNDLE)}`));
  return { thrift: pathToFileURL(join(dir, "example.mjs")).href, proto: pathToFileURL(join(dir, "pb/example.mjs")).href, echo: pathToFileURL(join(dir, "echo.mjs")).href, dir };
}
