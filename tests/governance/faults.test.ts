/**
 * Retry, backup requests and the budget against fault-injecting servers in processes of
 * their own (faults/fault-server.mjs), over loopback. Client and servers run the built
 * bundle (dist/). Outcomes are counted, not timed: the machine is shared and noisy.
 */
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { FaultServer, generatedEcho, load, over, p99 } from "./faults/cluster.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
let kw: any;
let gen: any;
let echo: ReturnType<typeof generatedEcho>;
const servers: FaultServer[] = [];
const PAYLOAD = new Uint8Array(64).fill(7);

beforeAll(async () => {
  echo = generatedEcho();
  kw = await import(echo.bundleUrl);
  await kw.init();
  gen = await import(echo.echoUrl);
});
afterAll(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop()));
  echo?.dispose();
});

async function startServer(faults: Parameters<typeof FaultServer.start>[1]): Promise<FaultServer> {
  const s = await FaultServer.start(echo, faults);
  servers.push(s);
  return s;
}

function echoClient(server: FaultServer, options: Record<string, unknown> = {}) {
  const transport = { framing: "framed", protocol: "binary" };
  return kw.createClient(gen.Echo, {
    transport,
    connection: kw.nodeTransport({ address: { host: "127.0.0.1", port: server.port }, transport, mode: "mux" }),
    ...options,
  });
}

describe("backup requests", () => {
  test("5% of calls delayed 200 ms: with a 20 ms backup almost none take over 150 ms; without, about 5% do", async () => {
    const server = await startServer({ delayShare: 0.05, delayMs: 200 });
    const plain = echoClient(server);
    const hedged = echoClient(server, {
      retry: { policies: { echo: { type: 1, backupPolicy: { retryDelayMs: 20 } } } },
    });
    const without = await load(() => plain.echo(PAYLOAD), 1000, 10);
    const withBackup = await load(() => hedged.echo(PAYLOAD), 1000, 10);
    console.log(`backup: > 150 ms without ${over(without.durations, 150)}/1000 (p99 ${p99(without.durations).toFixed(1)} ms), ` +
      `with ${over(withBackup.durations, 150)}/1000 (p99 ${p99(withBackup.durations).toFixed(1)} ms)`);
    expect(without.failed + withBackup.failed).toBe(0);
    expect(over(without.durations, 150)).toBeGreaterThanOrEqual(25); // p99 above 200 ms
    // ~0.25 % of calls (both attempts delayed) should exceed 150 ms; bounded against the
    // unhedged count, which a loaded machine's scheduling inflates alike.
    expect(over(withBackup.durations, 150)).toBeLessThan(over(without.durations, 150) / 3);
    await plain.close();
    await hedged.close();
  });
});

describe("retry budget", () => {
  const policy = { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 3, cbPolicy: { errorRate: 0.3 } } } };

  /** The attempts the server sees for 1000 calls. */
  async function attemptsFor(errorShare: number, budget: number): Promise<{ served: number; failed: number }> {
    const server = await startServer({ errorShare, errorCode: "TIMEOUT" });
    const c = echoClient(server, { retry: { policies: { echo: policy }, budget } });
    const { failed } = await load(() => c.echo(PAYLOAD), 1000, 10);
    const { served } = await server.stats();
    await c.close();
    await server.stop();
    console.log(`budget ${budget}: ${errorShare * 100}% failing, 1000 calls, ${served} attempts, ${failed} failed`);
    return { served, failed };
  }

  test("every attempt failing: with a 10% budget the server sees at most 1.1 x the calls", async () => {
    const { served, failed } = await attemptsFor(1, 0.1);
    expect(failed).toBe(1000);
    expect(served).toBeLessThanOrEqual(1100);
  });

  test("a quarter failing (under the retry breaker's 30%): the budget, not the breaker, holds retries to 10%", async () => {
    expect((await attemptsFor(0.25, 0)).served).toBeGreaterThan(1250);
    expect((await attemptsFor(0.25, 0.1)).served).toBeLessThanOrEqual(1100);
  });

  test("a transient failure is retried and the call succeeds", async () => {
    const server = await startServer({});
    // Kitex's most retries: with 10% failing, fewer leave a call failing on every attempt in a run or two of ten.
    const policy = { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 5, cbPolicy: { errorRate: 0.3 } } } };
    const c = echoClient(server, { retry: { policies: { echo: policy } } });
    // The retry breaker's window first sees successes: failures among its first ten samples could reach 30% by chance and
    // rightly stop retries, which is not what this test is about.
    await load(() => c.echo(PAYLOAD), 50, 10);
    server.setFaults({ errorShare: 0.1, errorCode: "TIMEOUT" });
    const { failed } = await load(() => c.echo(PAYLOAD), 500, 10);
    const stats = await server.stats();
    expect(failed).toBe(0);
    expect(stats.failed).toBeGreaterThanOrEqual(45);
    await c.close();
  });
});
