// The service module of the server-thread tests (listen(server, { threads, serverModule })):
// each server thread imports it and calls its default export for the thread's Server. The
// generated modules' URLs come in the environment (KITEWIRE_TEST_GEN), set by the test.
import { BroadcastChannel, threadId } from "node:worker_threads";
import { KitewireError, Server } from "../../../dist/kitewire.node.mjs";

const gen = JSON.parse(process.env.KITEWIRE_TEST_GEN);
const ex = await import(gen.thrift);
const pb = await import(gen.proto);

/** `middlewares`: more, after the one of these tests. */
export default function makeServer(middlewares = []) {
  let inflight = 0;
  const server = new Server({
    // A middleware, to show they run in the thread: it counts the calls in flight there.
    middlewares: [(next) => async (ctx, req) => {
      inflight++;
      try {
        return await next(ctx, req);
      } finally {
        inflight--;
      }
    }, ...middlewares],
  });
  server.register(ex.UserService, {
    async getUser(id) {
      if (id < 0n) throw new ex.NotFound({ message: `no user ${id}`, id });
      if (id >= 1000n && id < 10000n) await new Promise((r) => setTimeout(r, Number(id) - 1000));
      if (id === 66n) setTimeout(() => { throw new Error("a handler's timer threw"); }); // kills this thread
      if (id === 67n) process.exit(3); // so does this
      if (id === 68n) for (const end = Date.now() + 600; Date.now() < end;); // keeps this thread from reading its ring
      return ex.User.create({ id, name: `process ${process.pid} thread ${threadId}`, tags: [String(inflight)] });
    },
    listUsers: (page, size) => Array.from({ length: size }, (_, i) => ex.User.create({ id: BigInt(page * 100 + i), name: `thread ${threadId}` })),
    updateUser(user) {
      if (user.name === "boom") throw new Error("handler exploded");
    },
    touch() {},
    contactOf: (id) => ({ case: "phone", value: String(id) }),
    statuses: (ids) => new Map([...ids].map((id) => [id, ex.Status.ACTIVE])),
    async ping(message, ctx) {
      if (message === "peer") return `peer ${ctx.peer}`;
      if (message === "until-closed") {
        // Waits for the connection to close, and says how its signal ended on the test's channel.
        const signal = ctx.signal;
        await new Promise((resolve) => signal.addEventListener("abort", resolve, { once: true }));
        const channel = new BroadcastChannel("kitewire-threads-test");
        channel.postMessage({ thread: threadId, code: signal.reason?.code });
        channel.close();
        return "closed";
      }
      return `pong from thread ${threadId}: ${message}`;
    },
  });
  server.register(pb.UserService, {
    getUser(request) {
      if (request.id < 0n) throw new KitewireError("INVALID_VALUE", `no user ${request.id}`);
      return pb.User.create({ id: request.id, name: `pb thread ${threadId}` });
    },
    listUsers: () => (async function* () {})(),
    importUsers: async () => pb.GetUserRequest.create(),
    chat: () => (async function* () {})(),
  });
  return server;
}
