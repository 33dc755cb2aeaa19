// The per-call cost of each tracer's hooks on one side, in this process, without I/O: a
// call's context made as the client or server makes it, then start, io (write, read) and
// finish, as many times as fit in the time; best of several passes (load only slows a
// pass). A server's requests carry the traceparent its client's tracer would send.
import { tracerFor } from "./tracers.mjs";

const PASSES = 5;

/** ns per call of each case's hooks, { client, server }, and of the call context alone. */
export async function hookCosts(kw, cases, timeMs = 200) {
  const transport = { framing: "ttheader", protocol: "binary" };
  const out = new Map();
  for (const c of cases) {
    const client = await tracerFor(kw, c.id, "client");
    const server = await tracerFor(kw, c.id, "server");
    const incoming = new kw.RpcContext("Echo", "echo");
    client?.start?.(incoming);
    const forward = new Map(incoming.metainfo.transient ?? []);
    client?.finish?.(incoming);
    const once = {
      client: () => {
        const ctx = new kw.RpcContext("Echo", "echo");
        ctx.transport = transport;
        ctx.peer = "127.0.0.1:8888";
        if (client === undefined) return;
        ctx.caller = "bench";
        client.start?.(ctx);
        client.io?.(ctx, "write", 1100);
        client.io?.(ctx, "read", 1100);
        client.finish?.(ctx, undefined);
      },
      server: () => {
        const ctx = new kw.RpcContext("Echo", "echo");
        if (forward.size > 0) for (const [k, v] of forward) ctx.metainfo.transient.set(k, v);
        ctx.transport = transport;
        ctx.peer = "127.0.0.1:40000";
        if (server === undefined) return;
        server.start?.(ctx);
        server.io?.(ctx, "read", 1100);
        server.io?.(ctx, "write", 1100);
        server.finish?.(ctx, undefined);
      },
    };
    const costs = {};
    for (const side of ["client", "server"]) {
      let best = Infinity;
      for (let pass = 0; pass < PASSES; pass++) {
        const fn = once[side];
        let n = 0;
        const t0 = performance.now();
        const until = t0 + timeMs / PASSES;
        let t = t0;
        while (t < until) {
          for (let i = 0; i < 1000; i++) fn();
          n += 1000;
          t = performance.now();
        }
        best = Math.min(best, ((t - t0) * 1e6) / n);
      }
      costs[side] = best;
    }
    out.set(c.id, costs);
  }
  return out;
}
