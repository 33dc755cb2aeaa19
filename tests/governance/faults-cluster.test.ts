/**
 * Retry and circuit breakers across three fault-injecting instances, each a process of its
 * own (faults/fault-server.mjs) on loopback, called by one client with a `target` listing
 * them (discovery and load balancing pick per attempt). Outcomes are counted, not timed.
 */
import { afterEach, beforeAll, afterAll, describe, expect, test } from "vitest";
import { FaultServer, generatedEcho, load } from "./faults/cluster.js";

/* eslint-disable @typescript-eslint/no-explicit-any */
let kw: any;
let gen: any;
let echo: ReturnType<typeof generatedEcho>;
let servers: FaultServer[] = [];
const PAYLOAD = new Uint8Array(64).fill(7);
const FRAMED = { framing: "framed", protocol: "binary" };

beforeAll(async () => {
  echo = generatedEcho();
  kw = await import(echo.bundleUrl);
  await kw.init();
  gen = await import(echo.echoUrl);
});
afterEach(async () => {
  await Promise.all(servers.map((s) => s.stop()));
  servers = [];
});
afterAll(() => echo?.dispose());

async function three(faults: Parameters<typeof FaultServer.start>[1][] = [{}, {}, {}]): Promise<FaultServer[]> {
  servers = await Promise.all(faults.map((f) => FaultServer.start(echo, f)));
  return servers;
}

function clusterClient(options: Record<string, unknown>) {
  return kw.createClient(gen.Echo, {
    transport: FRAMED, target: servers.map((s) => s.address).join(","), logger: kw.silentLogger, timeoutMs: 2000, ...options,
  });
}

const FAILURE_RETRY = { echo: { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 2, cbPolicy: { errorRate: 0.3 } } } } };

describe("failure retry across instances", () => {
  test("one of three instances SIGKILLed mid-load: 0 failed calls out of 2000, each failure retried on another instance", async () => {
    await three();
    const c = clusterClient({ retry: { policies: FAILURE_RETRY } });
    let done = 0;
    const running = load(async () => {
      await c.echo(PAYLOAD);
      if (++done === 600) servers[1]!.kill();
    }, 2000, 20);
    const { failed, failures } = await running;
    const served = await Promise.all([servers[0]!.stats(), servers[2]!.stats()]);
    console.log(`kill mid-load: ${failed} failed of 2000 (${[...new Set(failures)].join(", ")}); survivors served ${served.map((s) => s.served).join(" + ")}`);
    expect(failed).toBe(0);
    expect(served[0]!.served + served[1]!.served).toBeGreaterThan(1400 - 10); // the dead one took at most its third of the first 600
    await c.close();
  });

  test("without retry the same kill fails calls (the test can fail)", async () => {
    await three();
    const c = clusterClient({});
    let done = 0;
    const { failed } = await load(async () => {
      await c.echo(PAYLOAD);
      if (++done === 600) servers[1]!.kill();
    }, 2000, 20);
    expect(failed).toBeGreaterThan(0);
    await c.close();
  });

  test("budget 10%, every instance failing: attempts at most 1.1 x calls", async () => {
    await three([{ errorShare: 1 }, { errorShare: 1 }, { errorShare: 1 }]);
    const c = clusterClient({ retry: { policies: FAILURE_RETRY, budget: 0.1 } });
    const { failed } = await load(() => c.echo(PAYLOAD), 1000, 10);
    const attempts = (await Promise.all(servers.map((s) => s.stats()))).reduce((n, s) => n + s.served, 0);
    expect(failed).toBe(1000);
    expect(attempts).toBeLessThanOrEqual(1100);
    await c.close();
  });
});

describe("circuit breakers across instances", () => {
  test("instance breaker: the instance resetting connections is dropped from the balancer, the others keep serving", async () => {
    await three([{}, { resetShare: 1 }, {}]);
    const breakers = new kw.CircuitBreakers({ instance: { minSample: 10, errRate: 0.5 } }, "client", "Echo");
    const c = clusterClient({ circuitBreaker: breakers, retry: { policies: FAILURE_RETRY } });
    const first = await load(() => c.echo(PAYLOAD), 300, 10);
    const resetsAfterFirst = (await servers[1]!.stats()).resets;
    const second = await load(() => c.echo(PAYLOAD), 600, 10);
    const resets = (await servers[1]!.stats()).resets - resetsAfterFirst;
    const served = await Promise.all([servers[0]!.stats(), servers[2]!.stats()]);
    console.log(`instance breaker: ${resetsAfterFirst} resets while it opened, ${resets} in the next 600 calls; others served ${served.map((s) => s.served).join(" + ")}`);
    // While it opens, a call may fail: the retry breaker stops retrying when a third of early attempts fail.
    expect(first.failed).toBeLessThan(30);
    expect(second.failed).toBe(0);
    expect(resetsAfterFirst).toBeGreaterThan(0);
    expect(resets).toBe(0); // cooling (5 s) outlasts the second batch: no call went to it
    expect(breakers.instanceAllowed(servers[0]!.address)).toBe(true);
    expect(breakers.instanceAllowed(servers[2]!.address)).toBe(true);
    await c.close();
  });

  test("service breaker: opens after the threshold, fails fast without calling, recovers through half-open", async () => {
    await three([{ errorShare: 1 }, { errorShare: 1 }, { errorShare: 1 }]);
    const c = clusterClient({ circuitBreaker: { service: { minSample: 20, errRate: 0.5 }, timing: { coolingMs: 500 } } });
    const opening = await load(() => c.echo(PAYLOAD), 100, 5);
    const served = async () => (await Promise.all(servers.map((s) => s.stats()))).reduce((n, s) => n + s.served, 0);
    const before = await served();
    expect(opening.failures).toContain("CIRCUIT_OPEN");
    const fast = await load(() => c.echo(PAYLOAD), 200, 5);
    expect(fast.failures.every((f) => f === "CIRCUIT_OPEN")).toBe(true);
    expect(await served()).toBe(before); // failed fast: nothing sent
    for (const s of servers) s.setFaults({});
    await new Promise((r) => setTimeout(r, 600)); // cooling over: half-open
    const probes = await load(() => c.echo(PAYLOAD), 1, 1);
    expect(probes.failed).toBe(0);
    await new Promise((r) => setTimeout(r, 250)); // one probe per 200 ms
    await c.echo(PAYLOAD); // the second success closes it
    const after = await load(() => c.echo(PAYLOAD), 200, 5);
    expect(after.failed).toBe(0);
    await c.close();
  });
});
