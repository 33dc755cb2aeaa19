// One process of the gRPC benchmark (forked by bench/grpc.bench.mjs). argv[2] is a JSON spec:
// { role: "server" | "client", impl: "kitewire" | "grpc-js", port?, mode: "unary" | "stream",
//   inflight, payloadSize, streamCount, gen: { bundle, echo, proto } }.
//
// IPC, parent → peer: "run" (clients: start the load), "mark" (start of the measured window:
// CPU, counters and latencies reset), "stop" (end of it: answers { op: "window", ... }), "exit".
// Peer → parent: { op: "listening", port } (servers), { op: "ready" } (clients, after a checked echo).
import { createRequire } from "node:module";

const spec = JSON.parse(process.argv[2]);
const HOST = "127.0.0.1";
const require = createRequire(import.meta.url);
let count = 0; // calls served / completed, or stream messages received
let close = async () => {};
let stopLoad = () => {};
const lat = new Float64Array(1 << 22);
let nlat = 0;

function payloadBytes(size) {
  const out = new Uint8Array(size);
  for (let i = 0; i < size; i++) out[i] = (i * 131 + 7) & 0xff;
  return out;
}
const payload = payloadBytes(spec.payloadSize);

async function kitewire() {
  const kw = await import(spec.gen.bundle);
  await kw.init();
  const gen = await import(spec.gen.echo);
  return { kw, gen };
}

function grpcJs() {
  const grpc = require("@grpc/grpc-js");
  const loader = require("@grpc/proto-loader");
  const def = loader.loadSync(spec.gen.proto, { defaults: true });
  return { grpc, Echo: grpc.loadPackageDefinition(def).kitewire.grpc.test.Echo };
}

async function kitewireServer() {
  const { kw, gen } = await kitewire();
  const server = new kw.Server({ logger: kw.silentLogger }).register(gen.Echo, {
    unary(request) {
      count++;
      return gen.EchoResponse.create({ payload: request.payload });
    },
    async *serverStream(request) {
      const response = gen.EchoResponse.create({ payload: request.payload });
      for (let i = 0; i < request.count; i++) {
        count++;
        yield response;
      }
    },
    clientStream() { throw new Error("not benchmarked"); },
    bidi() { throw new Error("not benchmarked"); },
  });
  const listener = await kw.listen(server, { host: HOST, port: 0 });
  close = () => listener.close({ timeoutMs: 200 });
  return listener.port;
}

async function grpcJsServer() {
  const { grpc, Echo } = grpcJs();
  const server = new grpc.Server();
  server.addService(Echo.service, {
    unary(call, callback) {
      count++;
      callback(null, { payload: call.request.payload });
    },
    async serverStream(call) {
      const response = { payload: call.request.payload };
      for (let i = 0; i < call.request.count; i++) {
        count++;
        if (!call.write(response)) await new Promise((r) => call.once("drain", r));
      }
      call.end();
    },
  });
  const port = await new Promise((resolve, reject) =>
    server.bindAsync(`${HOST}:0`, grpc.ServerCredentials.createInsecure(), (e, p) => (e ? reject(e) : resolve(p))));
  close = () => new Promise((resolve) => {
    server.tryShutdown(() => resolve());
    setTimeout(() => (server.forceShutdown(), resolve()), 200).unref();
  });
  return port;
}

/** A driver: unary(request) → Promise, stream(request) → AsyncIterable or callback form, close(). */
async function kitewireClient() {
  const { kw, gen } = await kitewire();
  const client = kw.createGrpcClient(gen.Echo, { address: `${HOST}:${spec.port}` });
  const request = gen.EchoRequest.create({ payload, count: spec.streamCount });
  return {
    unary: () => client.unary(request),
    async stream(onMessage) {
      for await (const m of client.serverStream(request)) onMessage(m);
    },
    check: (r) => r.payload.length === payload.length,
    close: () => client.close(),
  };
}

async function grpcJsClient() {
  const { grpc, Echo } = grpcJs();
  const client = new Echo(`${HOST}:${spec.port}`, grpc.credentials.createInsecure());
  const request = { payload: Buffer.from(payload), count: spec.streamCount };
  return {
    unary: () => new Promise((resolve, reject) => client.unary(request, (e, r) => (e ? reject(e) : resolve(r)))),
    stream: (onMessage) => new Promise((resolve, reject) => {
      const call = client.serverStream(request);
      call.on("data", onMessage);
      call.on("end", resolve);
      call.on("error", reject);
    }),
    check: (r) => r.payload.length === payload.length,
    close: async () => client.close(),
  };
}

async function runClient(driver) {
  const first = await driver.unary();
  if (!driver.check(first)) throw new Error("echo mismatch");
  process.send({ op: "ready" });
  let running = true;
  stopLoad = () => (running = false);
  let inflight = 0;
  let drained = () => {};
  if (spec.mode === "unary") {
    const worker = async () => {
      inflight++;
      while (running) {
        const t = performance.now();
        await driver.unary();
        const ms = performance.now() - t;
        count++;
        if (nlat < lat.length) lat[nlat++] = ms;
      }
      if (--inflight === 0) drained();
    };
    await new Promise((r) => process.once("message", r)); // "run"
    for (let i = 0; i < spec.inflight; i++) void worker();
  } else {
    const onMessage = () => count++;
    const worker = async () => {
      inflight++;
      while (running) await driver.stream(onMessage);
      if (--inflight === 0) drained();
    };
    await new Promise((r) => process.once("message", r));
    for (let i = 0; i < spec.inflight; i++) void worker();
  }
  close = async () => {
    running = false;
    if (inflight > 0) await Promise.race([new Promise((r) => (drained = r)), new Promise((r) => setTimeout(r, 2000))]);
    await driver.close();
  };
}

const starts = {
  server: { kitewire: kitewireServer, "grpc-js": grpcJsServer },
  client: { kitewire: kitewireClient, "grpc-js": grpcJsClient },
};
const made = await starts[spec.role][spec.impl]();
if (spec.role === "server") process.send({ op: "listening", port: made });

let mark = null;
process.on("message", async (m) => {
  if (m.op === "mark") {
    mark = { cpu: process.cpuUsage(), t: performance.now(), count };
    nlat = 0;
  } else if (m.op === "stop") {
    const cpu = process.cpuUsage(mark.cpu);
    const wallMs = performance.now() - mark.t;
    const n = count - mark.count;
    const s = lat.subarray(0, nlat).sort();
    const p = (q) => (nlat === 0 ? NaN : s[Math.min(nlat - 1, Math.ceil(q * nlat) - 1)]);
    process.send({ op: "window", cpuUs: cpu.user + cpu.system, wallMs, count: n, p50: p(0.5), p99: p(0.99) });
  } else if (m.op === "exit") {
    stopLoad();
    await Promise.race([close().catch(() => {}), new Promise((r) => setTimeout(r, 3000))]);
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(1));
if (spec.role === "client") await runClient(made);
