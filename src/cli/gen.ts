/**
 * `kitewire gen`: checks the IDL files (.thrift, .proto, or one FileDescriptorSet), writes
 * one module per file (includes and imports followed) and runs plugins, which receive the
 * checked program as JSON on stdin. Usage: GEN_USAGE.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { GeneratedFile } from "../codegen/backend.js";
import { generate, inputKind, type GenerateResult } from "../codegen/generate.js";
import { KitewireError } from "../errors.js";
import { countErrors } from "../idl/diagnostics.js";
import { init } from "../runtime/node/index.js";
import type { Target } from "../codegen/js/index.js";
import { parsePluginResponse, pluginRequest } from "../codegen/plugin-protocol.js";

export class UsageError extends Error {}

/** `kitewire gen --help`. */
export const GEN_USAGE = `usage: kitewire gen [-I DIR]... [-o OUTDIR] [--target ts|js] [-p PLUGIN[:key=value,...]]... [--no-ts] FILE...

Check IDL files (.thrift, or .proto, or one FileDescriptorSet from protoc or buf) and write
one module per file, includes and imports followed, into OUTDIR. Every error is printed
with file:line:col and the command exits 1.

options:
  -I, --include DIR   also look for includes and imports in DIR (repeatable)
  -o, --out OUTDIR    where to write (default ./gen)
  --target ts         write TypeScript modules (.ts), the default
  --target js         write JavaScript modules (.js) with declarations (.d.ts), for
                      projects without a TypeScript compiler
  -p, --plugin CMD    run CMD (through the shell) with the checked program as JSON on
                      stdin; it answers {"files":[{"path","content"}]} on stdout, and
                      those files are written too. CMD:key=value,... passes parameters.
  --no-ts             write only the plugins' files (needs at least one -p)
  -h, --help          print this and exit`;

interface GenArgs {
  includeDirs: string[];
  outDir: string;
  plugins: { command: string; parameters: Record<string, string> }[];
  typescript: boolean;
  target: Target;
  files: string[];
}

function parseArgs(args: string[]): GenArgs {
  const parsed: GenArgs = { includeDirs: [], outDir: "gen", plugins: [], typescript: true, target: "ts", files: [] };
  let targetGiven = false;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = () => {
      const v = args[++i];
      if (v === undefined) throw new UsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "-I" || arg === "--include") parsed.includeDirs.push(value());
    else if (arg.startsWith("-I") && arg.length > 2) parsed.includeDirs.push(arg.slice(2));
    else if (arg === "-o" || arg === "--out") parsed.outDir = value();
    else if (arg === "-p" || arg === "--plugin") parsed.plugins.push(parsePlugin(value()));
    else if (arg === "--target" || arg.startsWith("--target=")) {
      const target = arg === "--target" ? value() : arg.slice("--target=".length);
      if (target !== "ts" && target !== "js") throw new UsageError(`--target must be ts or js, not ${JSON.stringify(target)}`);
      parsed.target = target;
      targetGiven = true;
    } else if (arg === "--no-ts") parsed.typescript = false;
    else if (arg.startsWith("-")) throw new UsageError(`unknown option ${arg}`);
    else parsed.files.push(arg);
  }
  if (parsed.files.length === 0) throw new UsageError("no IDL files given");
  if (!parsed.typescript && parsed.plugins.length === 0) {
    throw new UsageError("--no-ts turns off the built-in output and no plugin (-p) is given: there would be nothing to write");
  }
  if (!parsed.typescript && targetGiven) throw new UsageError("--target chooses the built-in output, which --no-ts turns off");
  for (const f of parsed.files) {
    if (!inputKind(f)) throw new UsageError(`${f}: expected .thrift, .proto or a descriptor set (.binpb, .pb, .desc, .protoset)`);
  }
  return parsed;
}

/** `command[:key=value,key=value]` */
function parsePlugin(spec: string): { command: string; parameters: Record<string, string> } {
  const colon = spec.lastIndexOf(":");
  const hasParams = colon > 0 && spec.slice(colon + 1).includes("=");
  const parameters: Record<string, string> = {};
  if (hasParams) {
    for (const pair of spec.slice(colon + 1).split(",")) {
      const eq = pair.indexOf("=");
      parameters[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
  }
  return { command: hasParams ? spec.slice(0, colon) : spec, parameters };
}

/** Runs `kitewire gen`; returns the exit code. Diagnostics go to `err`, written paths to `out`. */
export async function runGen(args: string[], version: string, out: NodeJS.WritableStream, err: NodeJS.WritableStream): Promise<number> {
  const options = parseArgs(args);
  // A descriptor set is itself Protobuf: reading it takes the engine.
  if (options.files.some((f) => inputKind(f) === "descriptor-set")) await init();
  let result: GenerateResult;
  try {
    result = generate(options.files, {
      version,
      target: options.target,
      includeDirs: options.includeDirs,
      readFile: (path) => (existsSync(path) ? readFileSync(path, "utf8") : undefined),
      readBinary: (path) => (existsSync(path) ? readFileSync(path) : undefined),
    });
  } catch (error) {
    if (error instanceof KitewireError) throw error;
    throw new UsageError((error as Error).message);
  }
  for (const message of result.messages) err.write(message + "\n");
  if (!result.ok || !result.checked) {
    const errors = countErrors(result.diagnostics);
    err.write(`kitewire gen: ${errors} error${errors === 1 ? "" : "s"}\n`);
    return 1;
  }
  const written: GeneratedFile[] = options.typescript ? [...result.files] : [];
  for (const plugin of options.plugins) {
    const response = parsePluginResponse(await runPlugin(plugin.command, pluginRequest(result.checked, version, plugin.parameters)));
    for (const warning of response.warnings ?? []) err.write(`${plugin.command}: warning: ${warning}\n`);
    written.push(...response.files);
  }
  for (const file of written) {
    const path = join(options.outDir, file.path);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, file.content);
    out.write(`wrote ${path}\n`);
  }
  return 0;
}

/** Runs a plugin with the request on stdin and returns its stdout; rejects on a non-zero exit. */
function runPlugin(command: string, request: string): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, { shell: true, stdio: ["pipe", "pipe", "pipe"] });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on("data", (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on("data", (chunk: Buffer) => stderr.push(chunk));
    child.on("error", reject);
    child.on("close", (code) => {
      if (code === 0) resolvePromise(Buffer.concat(stdout).toString("utf8"));
      else reject(new UsageError(`plugin ${command} exited with ${code}: ${Buffer.concat(stderr).toString("utf8").trim()}`));
    });
    child.stdin.on("error", () => undefined); // a plugin that ignores its input closes the pipe early
    child.stdin.end(request);
  });
}
