/** Retry policies (Kitex's JSON and bounds) and the retry middleware on endpoints that fail on cue. */
import { afterEach, describe, expect, test, vi } from "vitest";
import {
  attemptOf, ErrorCode, KitewireError, Metainfo, NOT_SENT, RETRY_REQUEST_KEY, Retryer, RpcContext, avoidedPeers, requestNotSent,
  parseRetryDocument, resolveRetryPolicy, type Endpoint, type RetryPolicy,
} from "kitewire";

const timeout = () => new KitewireError(ErrorCode.TIMEOUT, "slow");
const refused = () => new KitewireError(ErrorCode.CONNECTION, "refused");
const failure = (maxRetryTimes = 2, extra: object = {}): RetryPolicy =>
  ({ type: 0, failurePolicy: { stopPolicy: { maxRetryTimes, cbPolicy: { errorRate: 0.3 } }, ...extra } });
const ctx = (method = "echo", metainfo?: Metainfo) => new RpcContext("Echo", method, undefined, metainfo);

/** config-etcd's README example, as a Go client reads it. */
const CONFIG_ETCD_EXAMPLE = {
  "*": {
    enable: true, type: 0,
    failure_policy: {
      stop_policy: { max_retry_times: 3, max_duration_ms: 2000, cb_policy: { error_rate: 0.3 } },
      backoff_policy: { backoff_type: "fixed", cfg_items: { fix_ms: 50 } },
      retry_same_node: false,
    },
  },
  echo: {
    enable: true, type: 1,
    backup_policy: { retry_delay_ms: 100, retry_same_node: false, stop_policy: { max_retry_times: 2, max_duration_ms: 300, cb_policy: { error_rate: 0.2 } } },
  },
};

afterEach(() => {
  vi.useRealTimers();
});

describe("policies", () => {
  test("config-etcd's example document reads as Kitex reads it", () => {
    const doc = parseRetryDocument(CONFIG_ETCD_EXAMPLE);
    expect(resolveRetryPolicy(doc.get("*")!)).toMatchObject({
      type: 0, maxRetryTimes: 3, maxDurationMs: 2000, errorRate: 0.3, backoffType: "fixed", fixMs: 50, retrySameNode: false, disableChainStop: false,
    });
    expect(resolveRetryPolicy(doc.get("echo")!)).toMatchObject({ type: 1, retryDelayMs: 100, maxRetryTimes: 2, errorRate: 0.2 });
  });

  test("Kitex's bounds: failure ≤ 5, backup ≤ 2, mixed ≤ 3, error_rate in (0, 0.3] (0: default 0.1)", () => {
    expect(resolveRetryPolicy(failure(5))!.maxRetryTimes).toBe(5);
    expect(() => resolveRetryPolicy(failure(6))).toThrow(/maxRetryTimes.*\[0, 5\]/);
    expect(() => resolveRetryPolicy({ type: 1, backupPolicy: { retryDelayMs: 10, stopPolicy: { maxRetryTimes: 3 } } })).toThrow(/\[0, 2\]/);
    expect(() => resolveRetryPolicy({ type: 2, mixedPolicy: { retryDelayMs: 10, stopPolicy: { maxRetryTimes: 4 } } })).toThrow(/\[0, 3\]/);
    expect(() => resolveRetryPolicy({ type: 1, backupPolicy: { retryDelayMs: 0 } })).toThrow(/retryDelayMs/);
    expect(() => resolveRetryPolicy({ type: 0, failurePolicy: { stopPolicy: { cbPolicy: { errorRate: 0.5 } } } })).toThrow(/errorRate/);
    expect(resolveRetryPolicy({ type: 0, failurePolicy: {} })!).toMatchObject({ maxRetryTimes: 2, errorRate: 0.1, backoffType: "none" });
    expect(() => resolveRetryPolicy({ type: 0, failurePolicy: { backoffPolicy: { backoffType: "random", cfgItems: { minMs: 5, maxMs: 5 } } } })).toThrow(/random/);
    expect(() => resolveRetryPolicy({ type: 1 })).toThrow(/needs backupPolicy/);
    expect(resolveRetryPolicy({ enable: false, type: 0 })).toBeUndefined();
  });

  test("documents: unknown fields, wrong types and impossible values name their path", () => {
    expect(() => parseRetryDocument({ echo: { enable: true, type: 0, failure_policy: { stop_policy: { max_retry: 1 } } } }))
      .toThrow(/echo.failure_policy.stop_policy.max_retry: unknown field/);
    expect(() => parseRetryDocument({ echo: { enable: "yes" } })).toThrow(/echo.enable: must be true or false/);
    expect(() => parseRetryDocument({ echo: { enable: true, type: 0, failure_policy: { stop_policy: { max_retry_times: 9 } } } }))
      .toThrow(/echo.failurePolicy.stopPolicy.maxRetryTimes/);
    expect(() => parseRetryDocument([])).toThrow(/must be an object/);
  });
});

describe("failure retry", () => {
  test("retries timeouts and connection failures, each attempt avoiding the instances tried before", async () => {
    const retryer = new Retryer({ policies: { echo: failure(2) } });
    const seen: { attempt: number; avoided: string[]; retryReq: string | undefined }[] = [];
    const next: Endpoint = async (c) => {
      const attempt = attemptOf(c);
      seen.push({ attempt, avoided: avoidedPeers(c), retryReq: c.metainfo.persistent.get(RETRY_REQUEST_KEY) });
      c.peer = `10.0.0.${attempt}:1`;
      if (attempt === 1) throw timeout();
      if (attempt === 2) throw refused();
      return "ok";
    };
    const c = ctx();
    expect(await retryer.middleware()(next)(c, {})).toBe("ok");
    expect(seen).toEqual([
      { attempt: 1, avoided: [], retryReq: undefined },
      { attempt: 2, avoided: ["10.0.0.1:1"], retryReq: "1" },
      { attempt: 3, avoided: ["10.0.0.1:1", "10.0.0.2:1"], retryReq: "2" },
    ]);
    expect(c.peer).toBe("10.0.0.3:1");
  });

  test("stops at max_retry_times; other errors, oneway calls and methods without a policy are not retried", async () => {
    const retryer = new Retryer({ policies: { echo: failure(2) } });
    let calls = 0;
    const failing: Endpoint = async () => { calls++; throw timeout(); };
    await expect(retryer.middleware()(failing)(ctx(), {})).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    expect(calls).toBe(3);
    calls = 0;
    await expect(retryer.middleware({ name: "echo", oneway: true, idempotent: true })(failing)(ctx(), {})).rejects.toThrow();
    expect(calls).toBe(1);
    calls = 0;
    await expect(retryer.middleware()(failing)(ctx("other"), {})).rejects.toThrow();
    expect(calls).toBe(1);
    calls = 0;
    const remote: Endpoint = async () => { calls++; throw new KitewireError(ErrorCode.REMOTE, "bad"); };
    await expect(retryer.middleware()(remote)(ctx(), {})).rejects.toThrow();
    expect(calls).toBe(1);
  });

  test("a user predicate retries results and other errors; notRetryForTimeout stops timeouts", async () => {
    let calls = 0;
    const retryer = new Retryer({
      policies: {
        "*": failure(3, { shouldResultRetry: { respRetry: (r: unknown) => r === "busy", errorRetry: (e: unknown) => (e as Error).message === "again", notRetryForTimeout: true } }),
      },
    });
    const replies: (() => unknown)[] = [() => "busy", () => { throw new Error("again"); }, () => "done"];
    expect(await retryer.middleware()(async () => replies[calls++]!())(ctx(), {})).toBe("done");
    calls = 0;
    await expect(retryer.middleware()(async () => { calls++; throw timeout(); })(ctx(), {})).rejects.toThrow();
    expect(calls).toBe(1);
  });

  test("chain stop: serving a retried request (RetryReq in persistent metainfo), the downstream call is not retried unless disable_chain_stop", async () => {
    const served = new Metainfo();
    served.readForward(new Map([["RPC_PERSIST_RetryReq", "1"]]));
    let calls = 0;
    const failing: Endpoint = async () => { calls++; throw timeout(); };
    await expect(new Retryer({ policies: { echo: failure(2) } }).middleware()(failing)(ctx("echo", served.forNextHop()), {})).rejects.toThrow();
    expect(calls).toBe(1);
    calls = 0;
    const free = failure(2);
    free.failurePolicy!.stopPolicy!.disableChainStop = true;
    await expect(new Retryer({ policies: { echo: free } }).middleware()(failing)(ctx("echo", served.forNextHop()), {})).rejects.toThrow();
    expect(calls).toBe(3);
  });

  test("the retry breaker stops retrying while the method's error rate is at or above error_rate (≥ 10 samples)", async () => {
    const retryer = new Retryer({ policies: { echo: failure(5) } });
    let attempts = 0;
    const call = retryer.middleware()(async () => { attempts++; throw timeout(); });
    for (let i = 0; i < 20; i++) await call(ctx(), {}).catch(() => undefined);
    // 6 attempts for the first call, 4 for the second (10 samples, all failed: retrying stops), then 1 each
    expect(attempts).toBe(6 + 4 + 18);
  });

  test("budget: retries stay within 10% of calls when a quarter of first attempts fail", async () => {
    let calls = 0;
    let attempts = 0;
    const run = async (budget: number) => {
      calls = attempts = 0;
      const retryer = new Retryer({ policies: { echo: failure(1) }, budget });
      const call = retryer.middleware()(async (c) => {
        attempts++;
        if (attemptOf(c) === 1 && calls % 4 === 0) throw timeout();
        return "ok";
      });
      let failed = 0;
      for (; calls < 1000; calls++) await call(ctx(), {}).catch(() => failed++);
      return failed;
    };
    expect(await run(0)).toBe(0); // no budget: every failure retried (the breaker sees 20% < 30%)
    expect(attempts).toBe(1250);
    const failed = await run(0.1);
    expect(attempts).toBeLessThanOrEqual(1.1 * 1000);
    expect(failed).toBeGreaterThan(100);
  });

  test("max_duration_ms and the call's deadline stop retrying; fixed backoff waits between attempts", async () => {
    vi.useFakeTimers({ now: 0 });
    const p = failure(5, { backoffPolicy: { backoffType: "fixed", cfgItems: { fixMs: 40 } } });
    p.failurePolicy!.stopPolicy!.maxDurationMs = 100;
    const retryer = new Retryer({ policies: { echo: p } });
    const times: number[] = [];
    const result = retryer.middleware()(async () => { times.push(Date.now()); throw timeout(); })(ctx(), {}).catch((e: unknown) => e);
    await vi.advanceTimersByTimeAsync(1000);
    expect(await result).toMatchObject({ code: ErrorCode.TIMEOUT });
    expect(times).toEqual([0, 40, 80]); // no retry starts 100 ms after the first
    times.length = 0;
    const c = ctx();
    c.deadline = c.callDeadline = Date.now() + 50;
    const r2 = retryer.middleware()(async () => { times.push(Date.now()); throw timeout(); })(c, {}).catch(() => undefined);
    await vi.advanceTimersByTimeAsync(1000);
    await r2;
    expect(times.length).toBe(2);
  });

  test("policies change at run time: a new document applies to the next call; an invalid one changes nothing", async () => {
    const retryer = new Retryer({ policies: { echo: failure(1) } });
    let calls = 0;
    const call = retryer.middleware()(async () => { calls++; throw timeout(); });
    await call(ctx(), {}).catch(() => undefined);
    expect(calls).toBe(2);
    retryer.configure(parseRetryDocument({ echo: { enable: true, type: 0, failure_policy: { stop_policy: { max_retry_times: 3, cb_policy: { error_rate: 0.3 } } } } }));
    calls = 0;
    await call(ctx(), {}).catch(() => undefined);
    expect(calls).toBe(4);
    expect(() => retryer.configure(new Map([["echo", { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 7 } } }]]))).toThrow();
    retryer.configure(undefined);
    calls = 0;
    await call(ctx(), {}).catch(() => undefined);
    expect(calls).toBe(2);
  });
});

describe("backup requests", () => {
  test("after retry_delay_ms without a reply a second attempt goes out; the first reply wins and the other is cancelled", async () => {
    vi.useFakeTimers({ now: 0 });
    const retryer = new Retryer({ policies: { echo: { type: 1, backupPolicy: { retryDelayMs: 20 } } } });
    const signals: AbortSignal[] = [];
    const next: Endpoint = (c) => {
      const a = { attempt: attemptOf(c) };
      signals.push(c.signal!);
      return new Promise((resolve, reject) => {
        const t = setTimeout(() => resolve(`attempt ${a.attempt}`), a.attempt === 1 ? 200 : 5);
        c.signal!.addEventListener("abort", () => { clearTimeout(t); reject(c.signal!.reason); });
      });
    };
    const c = ctx();
    const result = retryer.middleware()(next)(c, {});
    await vi.advanceTimersByTimeAsync(19);
    expect(signals.length).toBe(1);
    await vi.advanceTimersByTimeAsync(10);
    expect(await result).toBe("attempt 2");
    expect(signals[0]!.aborted).toBe(true);
    expect(signals[1]!.aborted).toBe(false);
    expect(c.retries).toBe(1); // the answer came from retry 1: Kitex's retry tag, the `retry` metric label
  });

  test("the call's retries are those of the attempt that answered (the first, after a backup was sent: 0)", async () => {
    vi.useFakeTimers({ now: 0 });
    const retryer = new Retryer({ policies: { echo: { type: 1, backupPolicy: { retryDelayMs: 20 } } } });
    let sent = 0;
    const c = ctx();
    const result = retryer.middleware()((a) => new Promise((resolve) => {
      sent++;
      setTimeout(() => resolve(`attempt ${attemptOf(a)}`), attemptOf(a) === 1 ? 30 : 100);
    }))(c, {});
    await vi.advanceTimersByTimeAsync(200);
    expect(await result).toBe("attempt 1");
    expect(sent).toBe(2);
    expect(c.retries).toBe(0);
  });

  test("a fast reply sends no backup; mixed retry also retries a failure at once", async () => {
    vi.useFakeTimers({ now: 0 });
    let attempts = 0;
    const backup = new Retryer({ policies: { echo: { type: 1, backupPolicy: { retryDelayMs: 20 } } } });
    const fast = backup.middleware()(async () => { attempts++; return "ok"; })(ctx(), {});
    await vi.advanceTimersByTimeAsync(100);
    expect(await fast).toBe("ok");
    expect(attempts).toBe(1);
    attempts = 0;
    const mixed = new Retryer({ policies: { echo: { type: 2, mixedPolicy: { retryDelayMs: 20, stopPolicy: { maxRetryTimes: 2 } } } } });
    const r = mixed.middleware()(async (c) => {
      attempts++;
      if (attemptOf(c) < 3) throw refused();
      return "third";
    })(ctx(), {});
    await vi.advanceTimersByTimeAsync(1);
    expect(await r).toBe("third");
    expect(attempts).toBe(3);
  });
});

describe("idempotency: who may be retried", () => {
  const write = { name: "echo", oneway: false, idempotent: false };
  const read = { name: "echo", oneway: false, idempotent: true };
  const unsent = () => new KitewireError(ErrorCode.CONNECTION, "cannot connect", { details: NOT_SENT });
  const attempts = async (retryer: Retryer, method: typeof write, error: () => unknown) => {
    let n = 0;
    await retryer.middleware(method)(async () => { n++; throw error(); })(ctx(), {}).catch(() => undefined);
    return n;
  };

  test("`*` retries a method marked idempotent fully; one not marked only when its request was never sent", async () => {
    const star = new Retryer({ policies: { "*": failure(2) } });
    expect(await attempts(star, read, timeout)).toBe(3);
    expect(await attempts(star, write, timeout)).toBe(1); // it may have been served: not sent again
    expect(await attempts(star, write, refused)).toBe(1); // a connection that failed with the request written
    expect(await attempts(star, write, unsent)).toBe(3); // the connection never opened: nothing to repeat
    expect(requestNotSent(unsent())).toBe(true);
    expect(requestNotSent(refused())).toBe(false);
  });

  test("naming the method, or retryNonIdempotent, is the user saying so; a oneway method is never retried", async () => {
    expect(await attempts(new Retryer({ policies: { echo: failure(2), "*": failure(1) } }), write, timeout)).toBe(3);
    expect(await attempts(new Retryer({ policies: { "*": failure(2) }, retryNonIdempotent: true }), write, timeout)).toBe(3);
    expect(await attempts(new Retryer({ policies: { echo: failure(2) } }), { ...read, oneway: true }, timeout)).toBe(1);
    // A middleware installed by hand knows no method: its policies are the user's word for every method.
    let n = 0;
    await new Retryer({ policies: { "*": failure(2) } }).middleware()(async () => { n++; throw timeout(); })(ctx(), {}).catch(() => undefined);
    expect(n).toBe(3);
  });

  test("a backup policy for `*` sends no backup of a method not marked idempotent", async () => {
    vi.useFakeTimers({ now: 0 });
    const retryer = new Retryer({ policies: { "*": { type: 1, backupPolicy: { retryDelayMs: 20 } } } });
    let sent = 0;
    const slow: Endpoint = async () => { sent++; await new Promise((r) => setTimeout(r, 100)); return "ok"; };
    const w = retryer.middleware(write)(slow)(ctx(), {});
    await vi.advanceTimersByTimeAsync(200);
    expect(await w).toBe("ok");
    expect(sent).toBe(1);
    const r = retryer.middleware(read)(slow)(ctx(), {});
    await vi.advanceTimersByTimeAsync(200);
    expect(await r).toBe("ok");
    expect(sent).toBe(3);
  });
});
