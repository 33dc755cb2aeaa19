/**
 * Where the client chain tells its tracer of a call: in the I/O endpoint itself when nothing
 * sits between the tracing step and I/O (no promise of its own per call), else in the
 * tracing step, which then sees the call once however many attempts it takes.
 */
import { expect, test } from "vitest";
import { buildClientChain, RpcContext, type Endpoint, type Middleware, type Tracer } from "kitewire";

function parts(events: string[]) {
  const tracer: Tracer = {
    start: (ctx) => events.push(`start ${ctx.method}`),
    finish: (ctx, error) => events.push(`finish ${ctx.method}${error === undefined ? "" : ` ${String(error)}`}`),
  };
  const io: Endpoint = async (_ctx, args) => {
    events.push("io");
    if (args === "fail") throw new Error("down");
    return args;
  };
  const tracedIo: Endpoint = async (ctx, args) => {
    events.push("traced io");
    tracer.start!(ctx);
    try {
      const out = await io(ctx, args);
      tracer.finish!(ctx);
      return out;
    } catch (error) {
      tracer.finish!(ctx, error);
      throw error;
    }
  };
  const user: Middleware = (next) => (ctx, args) => {
    events.push("user");
    return next(ctx, args);
  };
  return { tracer, io, tracedIo, middlewares: [user] };
}

test("with nothing between tracing and I/O, the traced I/O endpoint serves the call, below the user middlewares", async () => {
  const events: string[] = [];
  const endpoint = buildClientChain({ ...parts(events), ioReportsFirstAttempt: true });
  expect(await endpoint(new RpcContext("S", "m"), "x")).toBe("x");
  await expect(endpoint(new RpcContext("S", "m"), "fail")).rejects.toThrow("down");
  expect(events).toEqual(["user", "traced io", "start m", "io", "finish m", "user", "traced io", "start m", "io", "finish m Error: down"]);
});

test("with a step between them (a retry, say), the tracing step tells the tracer once per call, the plain I/O endpoint runs per attempt", async () => {
  const events: string[] = [];
  const twice: Middleware = (next) => async (ctx, args) => {
    events.push("retry");
    await next(ctx, args).catch(() => undefined);
    return next(ctx, args);
  };
  const endpoint = buildClientChain({ ...parts(events), retry: twice, ioReportsFirstAttempt: true });
  expect(await endpoint(new RpcContext("S", "m"), "x")).toBe("x");
  expect(events).toEqual(["user", "start m", "retry", "io", "io", "finish m"]);
});
