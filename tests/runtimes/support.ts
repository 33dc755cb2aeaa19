/**
 * What the runtime tests share on the Node side: paths into the repository, a check that
 * the bundles were built, and a child-process runner with a hard time limit.
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** The repository root. */
export const ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** Absolute path of a file in the repository, given relative to the root. */
export function repoPath(relative: string): string {
  return fileURLToPath(new URL(relative, new URL("../../", import.meta.url)));
}

/** Absolute path of a built file in dist/; throws a clear error if it is missing. */
export function distFile(name: string): string {
  const file = repoPath(`dist/${name}`);
  if (!existsSync(file)) throw new Error(`${file} is missing: run \`npm run build\` first`);
  return file;
}

/** The shape `run()` in shared/roundtrip.mjs returns. */
export interface RoundTripResult {
  ok: boolean;
  simd: boolean;
  checks: number;
  failures: string[];
}

export interface ProcessResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
  ms: number;
}

/**
 * Runs `command` to completion, killing it (SIGKILL) after `timeoutMs`. Never rejects for
 * a non-zero exit: the caller asserts on the result.
 */
export function runProcess(
  command: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv; timeoutMs: number },
): Promise<ProcessResult> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    let timedOut = false;
    child.stdout.setEncoding("utf8").on("data", (s: string) => (stdout += s));
    child.stderr.setEncoding("utf8").on("data", (s: string) => (stderr += s));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill("SIGKILL");
    }, options.timeoutMs);
    child.on("error", (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start ${command}: ${error.message}`));
    });
    child.on("close", (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr, timedOut, ms: performance.now() - started });
    });
  });
}

/** A process's outcome, for assertion messages. */
export function describeProcess(what: string, p: ProcessResult): string {
  const status = p.timedOut ? "was killed after its time limit" : `exited with ${p.code ?? p.signal}`;
  return `${what} ${status} after ${Math.round(p.ms)} ms\n--- stdout\n${p.stdout.slice(-4000)}\n--- stderr\n${p.stderr.slice(-4000)}`;
}

/** The JSON object printed on the last stdout line that starts with `marker`. */
export function parseMarkedJson(stdout: string, marker: string): RoundTripResult | undefined {
  const line = stdout.split("\n").reverse().find((l) => l.startsWith(marker));
  return line === undefined ? undefined : (JSON.parse(line.slice(marker.length)) as RoundTripResult);
}
