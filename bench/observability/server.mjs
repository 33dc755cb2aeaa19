// The server process of one case of bench/observability.bench.mjs. argv[2] is JSON:
// { bundle, gen, observe }. IPC as bench/rpc/server.mjs: "mark", "stop" (answers
// { op: "window", cpuUser, cpuSystem, wallMs, served }), "exit"; sends { op: "listening", port }.
import { adaptersBeside, tracerFor } from "./tracers.mjs";

const spec = JSON.parse(process.argv[2]);
const kw = await import(spec.bundle);
await kw.init();
const gen = await import(spec.gen);
let served = 0;
const tracer = await tracerFor(kw, spec.observe, "server", adaptersBeside(spec.bundle));
const server = new kw.Server(tracer ? { tracer } : {}).register(gen.Echo, {
  echo(payload) {
    served++;
    return payload;
  },
});
const listener = await kw.listen(server, { host: "127.0.0.1", port: 0 });

let mark = null;
process.on("message", async (m) => {
  if (m.op === "mark") {
    mark = { cpu: process.cpuUsage(), t: performance.now(), served };
  } else if (m.op === "stop") {
    const cpu = process.cpuUsage(mark.cpu);
    process.send({ op: "window", cpuUser: cpu.user, cpuSystem: cpu.system, wallMs: performance.now() - mark.t, served: served - mark.served });
  } else if (m.op === "exit") {
    await Promise.race([listener.close({ timeoutMs: 200 }), new Promise((r) => setTimeout(r, 500))]);
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(1));
process.send({ op: "listening", port: listener.port });
