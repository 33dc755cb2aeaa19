// The client process of one RPC benchmark case (forked by bench/rpc.bench.mjs). argv[2] is
// a JSON spec: { case: { kind, framing?, mode?, connections? }, port, inflight, payloadSize,
// gen: { bundle, kitewire, thrift, proto } }.
//
// The load is closed-loop: `inflight` workers, each issuing its next call as soon as its
// previous one completes, so exactly `inflight` calls are in flight at all times. A call's
// latency is measured from just before it is issued to its completion callback.
//
// IPC, parent → client: "run" (start the workers; warmup begins), "mark" (start of the
// measured window: counters reset, CPU noted), "stop" (end of the window: workers stop
// issuing; once the calls in flight are back, answers { op: "result", ... }), "exit".
// Client → parent: { op: "ready" } after connecting and checking three echoes byte for byte.
import { createRequire } from "node:module";
import { connect } from "node:net";
import { gcMonitor, payloadBytes, percentiles, settleBufferDeprecation } from "./common.mjs";

const spec = JSON.parse(process.argv[2]);
const HOST = "127.0.0.1";
const payload = payloadBytes(spec.payloadSize);
const now = () => performance.now();

/**
 * A driver: `call()` (one echo as a promise, for the self-check), `issuer(done)` (a
 * function that issues one call and calls `done(error)` on completion; made once per worker
 * so the hot path allocates no closures of ours), and `close()`.
 */
async function kitewireDriver(c) {
  const kw = await import(spec.gen.bundle);
  await kw.init();
  const gen = await import(spec.gen.kitewire);
  const transport = { framing: c.framing, protocol: "binary" };
  const client = kw.createClient(gen.Echo, {
    transport, transforms: c.transforms ?? [],
    connection: kw.nodeTransport({
      address: { host: HOST, port: spec.port }, transport, mode: c.mode,
      ...(c.mode === "mux" ? { connections: c.connections } : {}),
      ...(c.mode === "pool" ? { pool: { maxIdle: c.connections } } : {}),
    }),
  });
  return {
    call: () => client.echo(payload),
    issuer(done) {
      const ok = () => done(null);
      return () => {
        client.echo(payload).then(ok, done);
      };
    },
    close: () => client.close(),
  };
}

async function thriftDriver() {
  settleBufferDeprecation();
  const require = createRequire(import.meta.url);
  const thrift = require("thrift");
  const Echo = require(spec.gen.thrift);
  const connection = thrift.createConnection(HOST, spec.port, {
    transport: thrift.TFramedTransport, protocol: thrift.TBinaryProtocol, max_attempts: 1,
  });
  await new Promise((resolve, reject) => {
    connection.once("connect", resolve);
    connection.once("error", reject);
  });
  connection.on("error", (e) => console.error(`npm thrift connection error: ${e.message}`));
  const client = thrift.createClient(Echo, connection);
  const buf = Buffer.from(payload);
  return {
    call: () => new Promise((resolve, reject) => client.echo(buf, (e, r) => (e ? reject(e) : resolve(r)))),
    issuer(done) {
      const cb = (e) => done(e ?? null);
      return () => client.echo(buf, cb);
    },
    close: async () => connection.end(),
  };
}

async function grpcDriver() {
  const require = createRequire(import.meta.url);
  const grpc = require("@grpc/grpc-js");
  const loader = require("@grpc/proto-loader");
  const def = loader.loadSync(spec.gen.proto, { keepCase: true, defaults: true });
  const pkg = grpc.loadPackageDefinition(def).echo;
  const client = new pkg.Echo(`${HOST}:${spec.port}`, grpc.credentials.createInsecure());
  await new Promise((resolve, reject) => client.waitForReady(Date.now() + 5000, (e) => (e ? reject(e) : resolve())));
  const request = { payload: Buffer.from(payload) };
  return {
    call: () => new Promise((resolve, reject) => client.Echo(request, (e, r) => (e ? reject(e) : resolve(r.payload)))),
    issuer(done) {
      const cb = (e) => done(e ?? null);
      return () => client.Echo(request, cb);
    },
    close: async () => client.close(),
  };
}

/**
 * The ceiling: frames of a 4-byte big-endian length and the payload, pipelined on one
 * connection (or spread over `connections`, each worker keeping to one). Replies come back
 * in order, so completions are matched FIFO (a ring of callbacks per connection). Requests
 * issued in the same tick leave in one write (cork until nextTick), as kitewire's do
 * (through its staging buffer, src/net/node/outbound.ts).
 */
async function rawConnection(frame) {
  const socket = connect({ host: HOST, port: spec.port });
  await new Promise((resolve, reject) => {
    socket.once("connect", resolve);
    socket.once("error", reject);
  });
  socket.setNoDelay(true);
  const size = 1 << 12;
  const ring = new Array(size).fill(null);
  let head = 0;
  let tail = 0;
  let corked = false;
  const uncork = () => {
    corked = false;
    socket.uncork();
  };
  const send = (cb) => {
    ring[tail] = cb;
    tail = (tail + 1) & (size - 1);
    if (!corked) {
      corked = true;
      socket.cork();
      process.nextTick(uncork);
    }
    socket.write(frame);
  };
  let held = null;
  socket.on("data", (chunk) => {
    const buf = held === null ? chunk : Buffer.concat([held, chunk]);
    let at = 0;
    while (buf.length - at >= 4) {
      const end = at + 4 + buf.readUInt32BE(at);
      if (end > buf.length) break;
      const cb = ring[head];
      ring[head] = null;
      head = (head + 1) & (size - 1);
      cb(null, buf.subarray(at + 4, end));
      at = end;
    }
    held = at === buf.length ? null : buf.subarray(at);
  });
  socket.on("error", (e) => console.error(`raw connection error: ${e.message}`));
  return { send, close: () => socket.destroy() };
}

async function rawDriver(c) {
  const frame = Buffer.alloc(4 + payload.length);
  frame.writeUInt32BE(payload.length, 0);
  frame.set(payload, 4);
  const conns = [];
  for (let i = 0; i < (c.connections ?? 1); i++) conns.push(await rawConnection(frame));
  let next = 0;
  return {
    call: () => new Promise((resolve) => conns[0].send((_, reply) => resolve(Buffer.from(reply)))),
    issuer(done) {
      const { send } = conns[next++ % conns.length];
      const cb = () => done(null);
      return () => send(cb);
    },
    close: async () => conns.forEach((x) => x.close()),
  };
}

const c = spec.case;
const driver = await { kitewire: kitewireDriver, thrift: thriftDriver, grpc: grpcDriver, raw: rawDriver }[c.kind](c);

// Self-check before timing: the echo must come back byte for byte.
for (let i = 0; i < 3; i++) {
  const reply = await driver.call();
  const got = Buffer.from(reply.buffer, reply.byteOffset, reply.byteLength);
  if (!got.equals(Buffer.from(payload))) {
    throw new Error(`benchmark self-check failed: ${c.kind} echo returned ${got.length} bytes that differ from the ${payload.length} sent`);
  }
}

const gc = await gcMonitor();
let running = false;
let measuring = false;
let lat = new Float64Array(1 << 20);
let n = 0;
let errors = 0;
let firstError = null;
let active = 0;
let drained = null;
let window = null;

function record(ms, error) {
  if (!measuring) return;
  if (error !== null) {
    errors++;
    firstError ??= String(error?.stack ?? error);
    return;
  }
  if (n === lat.length) {
    const bigger = new Float64Array(lat.length * 2);
    bigger.set(lat);
    lat = bigger;
  }
  lat[n++] = ms;
}

function startWorker() {
  active++;
  let t0 = 0;
  let issue = null;
  const done = (error) => {
    const t = now();
    record(t - t0, error);
    if (running) {
      t0 = t;
      issue();
    } else if (--active === 0) {
      drained?.();
    }
  };
  issue = driver.issuer(done);
  t0 = now();
  issue();
}

process.on("message", async (m) => {
  if (m.op === "run") {
    running = true;
    for (let i = 0; i < spec.inflight; i++) startWorker();
  } else if (m.op === "mark") {
    n = 0;
    errors = 0;
    firstError = null;
    measuring = true;
    gc.reset();
    window = { cpu: process.cpuUsage(), t: now() };
  } else if (m.op === "stop") {
    measuring = false;
    const wallMs = now() - window.t;
    const cpu = process.cpuUsage(window.cpu);
    running = false;
    // GC entries are delivered asynchronously: let the window's last ones arrive.
    await new Promise((r) => setImmediate(r));
    const gcStats = gc.snapshot();
    const calls = n;
    const pct = percentiles(lat, n);
    // Let the calls in flight come back (bounded), so the server can close cleanly.
    if (active > 0) await Promise.race([new Promise((r) => (drained = r)), new Promise((r) => setTimeout(r, 2000))]);
    process.send({ op: "result", calls, errors, firstError, wallMs, cpuUser: cpu.user, cpuSystem: cpu.system, latencyMs: pct, stuck: active, gc: gcStats });
  } else if (m.op === "exit") {
    await Promise.race([driver.close().catch(() => {}), new Promise((r) => setTimeout(r, 500))]);
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(1));
process.send({ op: "ready" });
