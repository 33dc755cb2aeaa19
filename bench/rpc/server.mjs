// The server process of one RPC benchmark case (forked by bench/rpc.bench.mjs). argv[2] is
// a JSON spec: { kind: "kitewire" | "thrift" | "grpc" | "raw", gen: { kitewire, thrift, proto } }.
//
// IPC, parent → server: "mark" (start of the measured window: CPU and call count noted),
// "stop" (end of the window: answers { op: "window", cpuUser, cpuSystem, wallMs, served }),
// "exit" (close and exit normally, so that --cpu-prof can write its profile).
// Server → parent: { op: "listening", port } once it accepts connections.
import { createRequire } from "node:module";
import { createServer } from "node:net";
import { gcMonitor, settleBufferDeprecation } from "./common.mjs";

const spec = JSON.parse(process.argv[2]);
const HOST = "127.0.0.1";
let served = 0;
let close = async () => {};

async function kitewireServer() {
  const kw = await import(spec.gen.bundle);
  await kw.init();
  const gen = await import(spec.gen.kitewire);
  const server = new kw.Server().register(gen.Echo, {
    echo(payload) {
      served++;
      return payload;
    },
  });
  const listener = await kw.listen(server, { host: HOST, port: 0 });
  close = () => listener.close({ timeoutMs: 200 });
  return listener.port;
}

async function thriftServer() {
  settleBufferDeprecation();
  const require = createRequire(import.meta.url);
  const thrift = require("thrift");
  const Echo = require(spec.gen.thrift);
  const server = thrift.createServer(Echo, {
    echo(payload, result) {
      served++;
      result(null, payload); // null, not undefined (peers.md)
    },
  }, { transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, resolve);
  });
  close = () => new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections?.();
  });
  return server.address().port;
}

async function grpcServer() {
  const require = createRequire(import.meta.url);
  const grpc = require("@grpc/grpc-js");
  const loader = require("@grpc/proto-loader");
  const def = loader.loadSync(spec.gen.proto, { keepCase: true, defaults: true });
  const pkg = grpc.loadPackageDefinition(def).echo;
  const server = new grpc.Server();
  server.addService(pkg.Echo.service, {
    Echo(call, callback) {
      served++;
      callback(null, { payload: call.request.payload });
    },
  });
  const port = await new Promise((resolve, reject) => {
    server.bindAsync(`${HOST}:0`, grpc.ServerCredentials.createInsecure(), (error, p) => (error ? reject(error) : resolve(p)));
  });
  close = () => new Promise((resolve) => {
    server.tryShutdown(() => resolve());
    setTimeout(() => (server.forceShutdown(), resolve()), 200).unref();
  });
  return port;
}

/**
 * The ceiling: frames of a 4-byte big-endian length and a payload, echoed as they are.
 * Each data event's complete frames are found by their lengths and written back in one
 * write of that range (replies are byte-identical to requests); a partial frame waits for
 * the rest.
 */
async function rawServer() {
  const sockets = new Set();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.setNoDelay(true);
    let held = null;
    socket.on("data", (chunk) => {
      let buf = held === null ? chunk : Buffer.concat([held, chunk]);
      let at = 0;
      while (buf.length - at >= 4) {
        const end = at + 4 + buf.readUInt32BE(at);
        if (end > buf.length) break;
        at = end;
        served++;
      }
      if (at > 0) socket.write(at === buf.length ? buf : buf.subarray(0, at));
      held = at === buf.length ? null : buf.subarray(at);
    });
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, HOST, resolve);
  });
  close = () => new Promise((resolve) => {
    for (const s of sockets) s.destroy();
    server.close(() => resolve());
  });
  return server.address().port;
}

const start = { kitewire: kitewireServer, thrift: thriftServer, grpc: grpcServer, raw: rawServer }[spec.kind];
if (!start) throw new Error(`unknown server kind ${spec.kind}`);
const port = await start();

const gc = await gcMonitor();
let mark = null;
process.on("message", async (m) => {
  if (m.op === "mark") {
    gc.reset();
    mark = { cpu: process.cpuUsage(), t: performance.now(), served };
  } else if (m.op === "stop") {
    const cpu = process.cpuUsage(mark.cpu);
    const wallMs = performance.now() - mark.t;
    const count = served - mark.served;
    await new Promise((r) => setImmediate(r));
    process.send({ op: "window", cpuUser: cpu.user, cpuSystem: cpu.system, wallMs, served: count, gc: gc.snapshot() });
  } else if (m.op === "exit") {
    await Promise.race([close().catch(() => {}), new Promise((r) => setTimeout(r, 500))]);
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(1));
process.send({ op: "listening", port });
