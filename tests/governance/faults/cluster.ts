/**
 * Fault-injecting echo servers in processes of their own (fault-server.mjs), for retry,
 * backup and breaker tests: start some, change their faults, read their counts, SIGKILL one.
 * They run the built bundle (dist/, `npm run build`) with code generated from
 * bench/rpc/echo.thrift (bench/rpc/codegen.mjs).
 */
import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
// @ts-expect-error: a JavaScript module of the benchmarks
import { BUNDLE, generate } from "../../../bench/rpc/codegen.mjs";

export interface Faults {
  errorShare?: number;
  errorCode?: string;
  delayShare?: number;
  delayMs?: number;
  resetShare?: number;
}

export interface FaultStats {
  served: number;
  failed: number;
  delayed: number;
  resets: number;
}

const SCRIPT = fileURLToPath(new URL("./fault-server.mjs", import.meta.url));

/** The generated Echo module, made once per test file. */
export function generatedEcho(): { echoUrl: string; bundleUrl: string; dispose(): void } {
  const dir = mkdtempSync(join(tmpdir(), "kitewire-faults-"));
  const { kitewire } = generate(dir) as { kitewire: string };
  return { echoUrl: kitewire, bundleUrl: BUNDLE as string, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export class FaultServer {
  private constructor(readonly child: ChildProcess, readonly port: number) {}

  get address(): string {
    return `127.0.0.1:${this.port}`;
  }

  static start(echo: { echoUrl: string; bundleUrl: string }, faults: Faults = {}, limits?: object): Promise<FaultServer> {
    const child = fork(SCRIPT, [JSON.stringify({ bundle: echo.bundleUrl, gen: echo.echoUrl, faults, limits })], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("fault server did not start in 20 s")), 20_000);
      child.once("exit", (code) => reject(new Error(`fault server exited (${code})`)));
      child.on("message", (m: { op: string; port: number }) => {
        if (m.op !== "listening") return;
        clearTimeout(timer);
        resolve(new FaultServer(child, m.port));
      });
    });
  }

  setFaults(faults: Faults): void {
    this.child.send({ op: "faults", faults });
  }

  stats(): Promise<FaultStats> {
    return new Promise((resolve) => {
      const on = (m: FaultStats & { op: string }) => {
        if (m.op !== "stats") return;
        this.child.off("message", on);
        resolve(m);
      };
      this.child.on("message", on);
      this.child.send({ op: "stats" });
    });
  }

  /** SIGKILL: the process dies with its connections, no goodbye. */
  kill(): void {
    this.child.kill("SIGKILL");
  }

  stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.child.once("exit", () => resolve());
      this.child.kill("SIGTERM");
    });
  }
}

/** Runs `calls` calls, `inflight` at a time: each call's duration (ms) and the failures (by code). */
export async function load(call: () => Promise<unknown>, calls: number, inflight: number) {
  const durations: number[] = [];
  const failures: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < calls) {
      next++;
      const started = performance.now();
      try {
        await call();
      } catch (error) {
        failures.push(String((error as { code?: string }).code ?? error));
      }
      durations.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: inflight }, worker));
  return { durations, failed: failures.length, failures };
}

/** How many of `durations` are over `ms`. */
export function over(durations: readonly number[], ms: number): number {
  return durations.filter((d) => d > ms).length;
}

/** The 99th percentile of `durations`. */
export function p99(durations: readonly number[]): number {
  const s = [...durations].sort((a, b) => a - b);
  return s[Math.ceil(0.99 * s.length) - 1]!;
}
