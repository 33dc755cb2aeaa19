/**
 * Governance over real sockets on loopback: server limits (OVERLOADED for the excess, the
 * rest served, connections kept), the deadline check before the handler, and chain stop
 * across three services A → B → C over TTHeader.
 */
import { afterEach, beforeAll, describe, expect, test } from "vitest";
import { createClient, ErrorCode, init, nodeTransport, Retryer, type Listener, type RetryPolicy, type RpcContext, type KitewireCallOptions } from "kitewire";
import { client, ex, FRAMED, SlowHandler, startServer, TTHEADER } from "../rpc/support.js";

const listeners: Listener[] = [];
beforeAll(async () => {
  await init();
});
afterEach(async () => {
  await Promise.all(listeners.splice(0).map((l) => l.close({ timeoutMs: 500 })));
});

async function start(handler: object, options: Parameters<typeof startServer>[1] = {}) {
  const { server, listener } = await startServer(handler, options);
  listeners.push(listener);
  return { server, listener };
}

describe("server limits", () => {
  test("concurrency: a burst beyond the limit gets OVERLOADED for the excess, success for the rest, on one connection", async () => {
    const handler = new SlowHandler();
    const { listener } = await start(handler, { limits: { concurrency: 5 } });
    for (const transport of [TTHEADER, FRAMED]) {
      const c = client(listener, transport, { mode: "mux" });
      const outcomes = await Promise.allSettled(Array.from({ length: 20 }, () => c.getUser(1100n, undefined as never)));
      const ok = outcomes.filter((o) => o.status === "fulfilled").length;
      const overloaded = outcomes.filter((o) => o.status === "rejected" && (o.reason as { code?: string }).code === ErrorCode.OVERLOADED);
      expect(ok).toBe(5);
      expect(overloaded.length).toBe(15);
      expect(String((overloaded[0] as PromiseRejectedResult).reason.message)).toMatch(/concurrency limit/);
      expect((await c.getUser(7n, undefined as never)).id).toBe(7n); // the server and the connection carry on
      await c.close();
    }
  });

  test("rate: per-method qps admits the bucket's burst and refuses the rest; other methods are not limited", async () => {
    const { listener } = await start(new SlowHandler(), { limits: { methods: { ping: { qps: 10 } } } });
    const c = client(listener, TTHEADER, { mode: "mux" });
    const outcomes = await Promise.allSettled(Array.from({ length: 30 }, () => c.ping("x")));
    const ok = outcomes.filter((o) => o.status === "fulfilled").length;
    expect(ok).toBeGreaterThanOrEqual(10);
    expect(ok).toBeLessThanOrEqual(11); // a token may be earned while the burst is read
    for (const o of outcomes) if (o.status === "rejected") expect(o.reason).toMatchObject({ code: ErrorCode.OVERLOADED });
    const users = await Promise.all(Array.from({ length: 30 }, (_, i) => c.getUser(BigInt(i), undefined as never)));
    expect(users.length).toBe(30);
    await c.close();
  });
});

describe("deadline", () => {
  test("a handler sees its remaining time; a call whose deadline passed before the handler would run is not served", async () => {
    let remaining = 0;
    let pings = 0;
    const handler = Object.assign(new SlowHandler(), {
      ping(message: string, ctx: RpcContext) {
        pings++;
        remaining = ctx.remaining();
        return message;
      },
    });
    const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
    const { listener } = await start(handler, { middlewares: [(next) => async (ctx, args) => { if (ctx.metadata["slow"]) await wait(120); return next(ctx, args); }] });
    const c = client(listener, TTHEADER, { mode: "mux" });
    expect(await c.ping("a", { timeoutMs: 1000 } as never)).toBe("a");
    expect(remaining).toBeGreaterThan(800);
    expect(remaining).toBeLessThanOrEqual(1000);
    pings = 0;
    await expect(c.ping("b", { timeoutMs: 50, metadata: { slow: "1" } } as never)).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    await wait(150);
    expect(pings).toBe(0);
    await c.close();
  });
});

describe("chain stop A → B → C", () => {
  const policy: RetryPolicy = { type: 0, failurePolicy: { stopPolicy: { maxRetryTimes: 1, cbPolicy: { errorRate: 0.3 } } } };
  async function run(disableChainStop: boolean) {
    const seen: (string | undefined)[] = [];
    const c = await start(Object.assign(new SlowHandler(), {
      async ping(message: string, ctx: RpcContext) {
        seen.push(ctx.metadata["RetryReq"]);
        await new Promise((r) => setTimeout(r, 80));
        return message;
      },
    }));
    const bPolicy = structuredClone(policy);
    bPolicy.failurePolicy!.stopPolicy!.disableChainStop = disableChainStop;
    const toCWithRetry = withRetry(c.listener, bPolicy, 40);
    const b = await start(Object.assign(new SlowHandler(), {
      ping(message: string, ctx: RpcContext) {
        return toCWithRetry.ping(message, { context: ctx } satisfies KitewireCallOptions as never);
      },
    }));
    const a = withRetry(b.listener, policy, 500);
    await expect(a.ping("x")).rejects.toMatchObject({ code: ErrorCode.TIMEOUT });
    await a.close();
    await toCWithRetry.close();
    await new Promise((r) => setTimeout(r, 150)); // B's calls still in flight reach C
    return seen.map((v) => v ?? "-").sort();
  }

  test("A retries B; B, serving a retry (RetryReq), does not retry its call to C; with disable_chain_stop it does", async () => {
    // A's first attempt: B calls C twice (B's own retry carries RetryReq=1). A's retry carries RetryReq=1 to B and
    // on to C: B, serving a retry, calls C once.
    expect(await run(false)).toEqual(["-", "1", "1"]);
    expect(await run(true)).toEqual(["-", "1", "1", "1"]);
  });
});

/** A client whose ping retries under `policy`, each attempt given `timeoutMs`. */
function withRetry(listener: Listener, policy: RetryPolicy, timeoutMs: number) {
  const retryer = new Retryer({ policies: { ping: policy } });
  return createClient<ex.UserServiceClient>(ex.UserService, {
    transport: TTHEADER, timeoutMs,
    middlewares: [retryer.middleware()],
    connection: nodeTransport({ address: { host: "127.0.0.1", port: listener.port }, transport: TTHEADER, mode: "mux" }),
  });
}
