/**
 * What external generators (plugins) receive and answer, as JSON over stdin/stdout, the
 * way thriftgo plugins work:
 *
 *   request  { "kitewire": version, "language": "thrift" | "protobuf", "parameters": {..},
 *              "roots": [path], "documents": [ThriftDocument | ProtoFile] }
 *   response { "files": [{ "path", "content" }], "warnings"?: [string] }
 *
 * In documents, `bigint` constants are decimal strings and byte arrays are arrays of
 * numbers; everything else is as in the front ends' ast.ts.
 */
import type { ProtoFile } from "../idl/proto/ast.js";
import type { ThriftDocument } from "../idl/thrift/ast.js";
import type { GeneratedFile } from "./backend.js";
import type { CheckedProgram } from "./generate.js";

export interface PluginRequest {
  kitewire: string;
  language: "thrift" | "protobuf";
  parameters: Record<string, string>;
  roots: string[];
  documents: (ThriftDocument | ProtoFile)[];
}

export interface PluginResponse {
  files: GeneratedFile[];
  warnings?: string[];
}

/** The request for a program, as JSON text. */
export function pluginRequest(checked: CheckedProgram, version: string, parameters: Record<string, string>): string {
  const request: PluginRequest = {
    kitewire: version,
    language: checked.language,
    parameters,
    roots: checked.program.roots,
    documents: checked.language === "thrift" ? [...checked.program.documents.values()] : [...checked.program.files.values()],
  };
  return JSON.stringify(request, (_, value) =>
    typeof value === "bigint" ? value.toString() : value instanceof Uint8Array ? Array.from(value) : value);
}

/** Parses and checks a plugin's answer; throws with a message saying what is wrong. */
export function parsePluginResponse(text: string): PluginResponse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`plugin output is not JSON: ${(error as Error).message}`);
  }
  const files = (value as { files?: unknown }).files;
  if (!Array.isArray(files)) throw new Error("plugin output has no files array");
  for (const f of files) {
    const file = f as Partial<GeneratedFile>;
    if (typeof file.path !== "string" || typeof file.content !== "string") {
      throw new Error("plugin output has a file without a string path and content");
    }
    if (file.path.startsWith("/") || file.path.split(/[\\/]/).includes("..")) {
      throw new Error(`plugin output path ${JSON.stringify(file.path)} leaves the output folder`);
    }
  }
  const warnings = (value as { warnings?: unknown }).warnings;
  return { files: files as GeneratedFile[], warnings: Array.isArray(warnings) ? warnings.map(String) : [] };
}
