/** Server limits on a hand-driven clock, and config sources feeding governance (memory and file sources). */
import { mkdtempSync, mkdirSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, test } from "vitest";
import {
  CircuitBreakers, ErrorCode, FileConfigSource, MemoryConfigSource, Retryer, RpcTimeouts, ServerLimits, TokenBucket,
  clientConfigKey, consoleLogger, watchClientConfig, type Logger,
} from "kitewire";

describe("limits", () => {
  test("token bucket: a burst of `burst`, then `rate` a second", () => {
    let now = 0;
    const bucket = new TokenBucket(10, 10, () => now);
    let taken = 0;
    for (let i = 0; i < 30; i++) if (bucket.tryTake()) taken++;
    expect(taken).toBe(10);
    now += 500;
    taken = 0;
    for (let i = 0; i < 30; i++) if (bucket.tryTake()) taken++;
    expect(taken).toBe(5);
  });

  test("server and method limits: OVERLOADED says which; released calls make room", () => {
    let now = 0;
    const limits = new ServerLimits({ concurrency: 3, methods: { slow: { concurrency: 1 }, rare: { qps: 2 } }, now: () => now });
    expect(limits.admit("slow")).toBeUndefined();
    expect(limits.admit("slow")).toMatchObject({ code: ErrorCode.OVERLOADED, details: { limit: "concurrency", level: "method" } });
    expect(limits.admit("fast")).toBeUndefined();
    expect(limits.admit("fast")).toBeUndefined();
    expect(limits.admit("fast")).toMatchObject({ code: ErrorCode.OVERLOADED, details: { level: "server" } });
    limits.release("slow");
    limits.release("fast");
    limits.release("fast");
    expect(limits.admit("rare")).toBeUndefined();
    expect(limits.admit("rare")).toBeUndefined();
    expect(limits.admit("rare")).toMatchObject({ details: { limit: "qps", level: "method" } });
    limits.release("rare");
    limits.release("rare");
    now += 500;
    expect(limits.admit("rare")).toBeUndefined();
    expect(() => new ServerLimits({ qps: -1 })).toThrow(/qps/);
  });
});

/** A logger that keeps its warnings. */
function recordingLogger(): Logger & { warnings: { message: string; fields: Record<string, unknown> }[] } {
  const warnings: { message: string; fields: Record<string, unknown> }[] = [];
  return { ...consoleLogger({ level: "silent" }), warn: (message, fields) => void warnings.push({ message, fields: { ...fields } }), warnings };
}

describe("config documents", () => {
  const retryKey = clientConfigKey("ClientName", "ServiceName", "retry");
  const policyDoc = (times: number) => ({ echo: { enable: true, type: 0, failure_policy: { stop_policy: { max_retry_times: times, cb_policy: { error_rate: 0.3 } } } } });

  test("config-etcd's key layout", () => {
    expect(retryKey).toBe("/KitexConfig/ClientName/ServiceName/retry");
  });

  test("memory source: documents apply at once; an invalid one is refused with a warning naming key and problem, the previous settings stay; deleted, the code's are back", () => {
    const source = new MemoryConfigSource();
    const logger = recordingLogger();
    const retryer = new Retryer({ policies: { echo: { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 1 } } } } });
    const breakers = new CircuitBreakers({}, "ClientName", "ServiceName");
    const timeouts = new RpcTimeouts();
    const stop = watchClientConfig(source, { client: "ClientName", server: "ServiceName", logger }, { retryer, breakers, timeouts });
    expect(retryer.policyFor("echo")!.maxRetryTimes).toBe(1);
    source.set(retryKey, policyDoc(4));
    expect(retryer.policyFor("echo")!.maxRetryTimes).toBe(4);
    for (const bad of ["{not json", JSON.stringify({ echo: { enable: true, type: 0, failure_policy: { stop_policy: { max_retry_times: 9 } } } }),
      JSON.stringify({ echo: { enable: true, type: 0, failure_policy: { retry_same_nodes: true } } })]) {
      source.set(retryKey, bad);
      expect(retryer.policyFor("echo")!.maxRetryTimes).toBe(4);
    }
    expect(logger.warnings.map((w) => w.fields["key"])).toEqual([retryKey, retryKey, retryKey]);
    expect(String(logger.warnings[0]!.fields["reason"])).toMatch(/not JSON/);
    expect(String(logger.warnings[1]!.fields["reason"])).toMatch(/maxRetryTimes/);
    expect(String(logger.warnings[2]!.fields["reason"])).toMatch(/retry_same_nodes: unknown field/);
    source.delete(retryKey);
    expect(retryer.policyFor("echo")!.maxRetryTimes).toBe(1);
    source.set(clientConfigKey("ClientName", "ServiceName", "rpc_timeout"), { "*": { rpc_timeout_ms: 300, conn_timeout_ms: 50 }, echo: { rpc_timeout_ms: 100 } });
    expect(timeouts.of("echo")).toEqual({ rpcTimeoutMs: 100, connTimeoutMs: 0 });
    expect(timeouts.of("other")).toEqual({ rpcTimeoutMs: 300, connTimeoutMs: 50 });
    source.set(clientConfigKey("ClientName", "ServiceName", "circuit_break"), { echo: { enable: true, err_rate: 0.3, min_sample: 100 } });
    expect(breakers.service("echo").config).toEqual({ enable: true, errRate: 0.3, minSample: 100 });
    stop();
    source.set(retryKey, policyDoc(5));
    expect(retryer.policyFor("echo")!.maxRetryTimes).toBe(1);
  });

  test("file source: a changed file is seen by polling; a removed one is absent", async () => {
    const root = mkdtempSync(join(tmpdir(), "kitewire-config-"));
    try {
      const source = new FileConfigSource(root, { intervalMs: 20 });
      const seen: (string | undefined)[] = [];
      source.watch(retryKey, (v) => seen.push(v));
      expect(seen).toEqual([undefined]);
      mkdirSync(join(root, "KitexConfig/ClientName/ServiceName"), { recursive: true });
      // written whole (a rename), as a config file should be: no half-written document is read
      writeFileSync(join(root, "retry.tmp"), JSON.stringify(policyDoc(2)));
      renameSync(join(root, "retry.tmp"), join(root, "KitexConfig/ClientName/ServiceName/retry"));
      await until(() => seen.at(-1) !== undefined);
      expect(JSON.parse(seen.at(-1)!)).toEqual(policyDoc(2));
      rmSync(join(root, "KitexConfig/ClientName/ServiceName/retry"));
      await until(() => seen.at(-1) === undefined);
      expect(() => source.watch("/../../etc/passwd", () => undefined)).toThrow(/leaves the folder/);
      await source.close();
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

async function until(condition: () => boolean, ms = 3000): Promise<void> {
  const end = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > end) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}
