/**
 * The `js` target: each generated TypeScript module as a JavaScript module (`.js`) and its
 * declarations (`.d.ts`), so that a JavaScript project runs generated code without a
 * compiler and its editor still sees the types.
 */
import type { GeneratedFile } from "../backend.js";
import { declarations } from "./declarations.js";
import { stripTypes } from "./strip.js";

/** What the built-in backends write: TypeScript, or JavaScript with declaration files. */
export type Target = "ts" | "js";

/** Each `.ts` file as `.js` + `.d.ts` (other files as they are). */
export function toJavaScript(files: readonly GeneratedFile[]): GeneratedFile[] {
  return files.flatMap((file) => {
    if (!file.path.endsWith(".ts")) return [file];
    const base = file.path.slice(0, -".ts".length);
    return [
      { path: `${base}.js`, content: stripTypes(file.content) },
      { path: `${base}.d.ts`, content: declarations(file.content) },
    ];
  });
}
