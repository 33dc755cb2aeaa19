/** Circuit breakers: Kitex's state machine on a clock driven by hand, and the two levels. */
import { describe, expect, test } from "vitest";
import {
  CircuitBreaker, CircuitBreakers, ErrorCode, KitewireError, RollingWindow, RpcContext, parseCircuitBreakerDocument,
  serviceBreakerMiddleware, instanceBreakerMiddleware, serviceBreakerGate, Retryer, chain,
} from "kitewire";

const timeout = () => new KitewireError(ErrorCode.TIMEOUT, "slow");
const refused = () => new KitewireError(ErrorCode.CONNECTION, "refused");

describe("rolling window", () => {
  test("counts drop out after 10 s, bucket by bucket", () => {
    const w = new RollingWindow(100, 100);
    w.add(false, 0);
    w.add(true, 5_000);
    expect(w.samples(9_999)).toBe(2);
    expect(w.errorRate(9_999)).toBe(0.5);
    expect(w.samples(10_000)).toBe(1); // the 0 ms bucket left the window
    expect(w.samples(15_000)).toBe(0);
    expect(w.samples(100_000)).toBe(0);
  });
});

describe("breaker state machine", () => {
  test("opens at the error rate with enough samples, cools 5 s, probes every 200 ms, two successes close", () => {
    let now = 1_000_000;
    const b = new CircuitBreaker({ enable: true, errRate: 0.5, minSample: 10 }, undefined, () => now);
    for (let i = 0; i < 5; i++) b.record(true);
    for (let i = 0; i < 4; i++) b.record(false);
    expect(b.state).toBe("closed"); // 9 samples: below minSample
    b.record(false);
    expect(b.state).toBe("open"); // 10 samples, rate 0.5
    expect(b.allow()).toBe(false);
    now += 4_999;
    expect(b.allow()).toBe(false);
    now += 1;
    expect(b.allow()).toBe(true); // half-open: the first probe
    expect(b.state).toBe("half-open");
    expect(b.allow()).toBe(false); // one probe per 200 ms
    now += 199;
    expect(b.allow()).toBe(false);
    now += 1;
    expect(b.allow()).toBe(true);
    b.record(true);
    expect(b.state).toBe("half-open");
    b.record(true);
    expect(b.state).toBe("closed");
    expect(b.stats().samples).toBe(0); // the window starts afresh
  });

  test("a failed probe opens it again for another cooling time", () => {
    let now = 0;
    const b = new CircuitBreaker({ enable: true, errRate: 0.5, minSample: 1 }, undefined, () => now);
    b.record(false);
    now += 5_000;
    expect(b.allow()).toBe(true);
    b.record(false);
    expect(b.state).toBe("open");
    now += 4_000;
    expect(b.allow()).toBe(false);
  });

  test("a disabled breaker never opens", () => {
    const b = new CircuitBreaker({ enable: false, errRate: 0.5, minSample: 1 });
    for (let i = 0; i < 10; i++) b.record(false);
    expect(b.allow()).toBe(true);
  });
});

describe("service and instance breakers", () => {
  const ctx = (method = "echo", peer?: string) => {
    const c = new RpcContext("Echo", method);
    if (peer) c.peer = peer;
    return c;
  };

  test("service breaker: fails fast with CIRCUIT_OPEN keyed from/to/method; business errors never count", async () => {
    let now = 0;
    const breakers = new CircuitBreakers({ service: { minSample: 4 }, now: () => now }, "a", "b");
    let fail: () => Error = timeout;
    let sent = 0;
    const call = serviceBreakerMiddleware(breakers)(async () => {
      sent++;
      throw fail();
    });
    fail = () => new Error("declared exception");
    for (let i = 0; i < 10; i++) await expect(call(ctx(), {})).rejects.toThrow("declared");
    expect(breakers.service("echo").state).toBe("closed");
    fail = timeout;
    for (let i = 0; i < 10; i++) await call(ctx(), {}).catch(() => undefined);
    expect(breakers.service("echo").state).toBe("open");
    const before = sent;
    const error = await call(ctx(), {}).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: ErrorCode.CIRCUIT_OPEN, details: { level: "service", key: "a/b/echo" } });
    expect(sent).toBe(before);
    await expect(call(ctx("other"), {})).rejects.toMatchObject({ code: ErrorCode.TIMEOUT }); // per method
    // recovery through half-open
    fail = () => undefined as never;
    const ok = serviceBreakerMiddleware(breakers)(async () => "ok");
    now += 5_000;
    expect(await ok(ctx(), {})).toBe("ok");
    await expect(ok(ctx(), {})).rejects.toMatchObject({ code: ErrorCode.CIRCUIT_OPEN });
    now += 200;
    expect(await ok(ctx(), {})).toBe("ok");
    expect(breakers.service("echo").state).toBe("closed");
  });

  test("the gate and the retry step's observer: outcomes after retries are recorded, the gate fails fast", async () => {
    const breakers = new CircuitBreakers({ service: { minSample: 5 } }, "a", "b");
    const retryer = new Retryer({ policies: { echo: { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 1, cbPolicy: { errorRate: 0.3 } } } } } });
    const { gate, observer } = serviceBreakerGate(breakers, "echo");
    let sent = 0;
    let fail = true;
    const call = chain([gate, retryer.middleware({ name: "echo", oneway: false, idempotent: true }, observer)], async () => {
      sent++;
      if (fail) throw timeout();
      return "ok";
    });
    fail = false;
    expect(await call(ctx(), {})).toBe("ok");
    expect(breakers.service("echo").stats()).toEqual({ errorRate: 0, samples: 1 });
    fail = true;
    for (let i = 0; i < 4; i++) await call(ctx(), {}).catch(() => undefined);
    expect(breakers.service("echo").state).toBe("open"); // 5 calls (not 9 attempts), 4 failed
    const before = sent;
    await expect(call(ctx(), {})).rejects.toMatchObject({ code: ErrorCode.CIRCUIT_OPEN });
    expect(sent).toBe(before);
  });

  test("right above an I/O endpoint that reports first attempts, retry adds no promise and counts the same", async () => {
    const breakers = new CircuitBreakers({ service: { minSample: 5 } }, "a", "b");
    const retryer = new Retryer({ policies: { echo: { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 1, cbPolicy: { errorRate: 0.3 } } } } } });
    const { gate, observer } = serviceBreakerGate(breakers, "echo");
    let sent = 0;
    let fail = true;
    let last: Promise<unknown> | undefined;
    // As client.ts's io does: the first attempt's outcome goes to ctx.firstAttempt when it is set.
    const io = (c: RpcContext): Promise<unknown> => (last = (async () => {
      const report = c.firstAttempt;
      c.firstAttempt = undefined;
      sent++;
      if (!fail) {
        report?.succeeded();
        return "ok";
      }
      if (report === undefined) throw timeout();
      return report.failed(c, {}, timeout());
    })());
    const call = chain([gate, retryer.middleware({ name: "echo", oneway: false, idempotent: true }, observer, true)], io);
    fail = false;
    const first = call(ctx(), {});
    expect(first).toBe(last); // the I/O endpoint's own promise: no continuation of the retry step's
    expect(await first).toBe("ok");
    expect(breakers.service("echo").stats()).toEqual({ errorRate: 0, samples: 1 });
    fail = true;
    for (let i = 0; i < 4; i++) await call(ctx(), {}).catch(() => undefined);
    expect(sent).toBe(9); // each failing call tried twice
    expect(breakers.service("echo").state).toBe("open"); // 5 calls (not 9 attempts), 4 failed
    const before = sent;
    await expect(call(ctx(), {})).rejects.toMatchObject({ code: ErrorCode.CIRCUIT_OPEN });
    expect(sent).toBe(before);
  });

  test("a circuit_break document changes one method's settings and keeps the window", async () => {
    const breakers = new CircuitBreakers({ service: { minSample: 100 } }, "a", "b");
    const call = serviceBreakerMiddleware(breakers)(async () => { throw timeout(); });
    for (let i = 0; i < 5; i++) await call(ctx(), {}).catch(() => undefined);
    expect(breakers.service("echo").state).toBe("closed");
    breakers.updateMethods(parseCircuitBreakerDocument({ echo: { enable: true, err_rate: 0.3, min_sample: 6 } }));
    await call(ctx(), {}).catch(() => undefined);
    expect(breakers.service("echo").state).toBe("open");
    expect(() => parseCircuitBreakerDocument({ echo: { err_rate: 1.5 } })).toThrow(/echo.err_rate/);
    expect(() => parseCircuitBreakerDocument({ echo: { errRate: 0.5 } })).toThrow(/echo.errRate: unknown field/);
  });

  test("instance breaker counts connection failures of one host:port only, and is dropped with it", async () => {
    const breakers = new CircuitBreakers({ instance: { minSample: 5 } }, "a", "b");
    const call = instanceBreakerMiddleware(breakers)(async (c) => {
      if (c.peer === "10.0.0.1:1") throw refused();
      if (c.peer === "10.0.0.2:1") throw timeout();
      return "ok";
    });
    for (let i = 0; i < 10; i++) {
      for (const peer of ["10.0.0.1:1", "10.0.0.2:1", "10.0.0.3:1"]) await call(ctx("echo", peer), {}).catch(() => undefined);
    }
    expect(breakers.instanceAllowed("10.0.0.1:1")).toBe(false);
    expect(breakers.instanceAllowed("10.0.0.2:1")).toBe(true); // timeouts do not count at instance level
    expect(breakers.instanceAllowed("10.0.0.3:1")).toBe(true);
    breakers.removeInstance("10.0.0.1:1");
    expect(breakers.instanceAddresses()).not.toContain("10.0.0.1:1");
    expect(breakers.instanceAllowed("10.0.0.1:1")).toBe(true);
  });
});
