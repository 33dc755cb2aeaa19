// The shared-memory ring's parts, measured alone (bench/README.md, "Every core"):
//  1. a 1 KiB copy into and out of shared memory with TypedArray#set, both sides agreeing
//     mod 8 or not (V8 copies shared memory word by word only when they agree);
//  2. a 1053-byte frame (a 1 KiB echo's) written to a ring from wasm memory and read out
//     into a packed buffer (as the socket thread's write buffer takes replies), per frame;
//  3. a wake-up between two threads: a ping-pong with Atomics.waitAsync/notify, and one with
//     a MessagePort, in µs per round trip and CPU µs per round trip (both threads).
//
//   npm run build && node bench/cores/ring-micro.mjs [bundle URL or path, default dist/kitewire.node.mjs]
import { isMainThread, MessageChannel, parentPort, Worker, workerData } from "node:worker_threads";
import { pathToFileURL } from "node:url";

const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];

if (isMainThread) {
  const bundle = process.argv[2] ? pathToFileURL(process.argv[2]).href : new URL("../../dist/kitewire.node.mjs", import.meta.url).href;
  const kw = await import(bundle);
  await kw.init();

  // 1.
  const src = new Uint8Array(1024).fill(3);
  const shared = new Uint8Array(new SharedArrayBuffer(8192));
  const plain = new Uint8Array(8192);
  const ns = (f, n = 200_000) => {
    const runs = [];
    for (let r = 0; r < 5; r++) {
      const t = performance.now();
      for (let i = 0; i < n; i++) f(i);
      runs.push((performance.now() - t) * 1e6 / n);
    }
    return median(runs).toFixed(0);
  };
  console.log("1. a 1 KiB TypedArray#set, ns (median of 5):");
  console.log(`   into shared memory, same offset mod 8: ${ns((i) => shared.set(src, (i & 3) * 8))}; not: ${ns((i) => shared.set(src, 1 + (i & 3) * 8))}`);
  console.log(`   out of shared memory, same offset mod 8: ${ns((i) => plain.set(shared.subarray(8, 1032), (i & 3) * 8))}; not: ${ns((i) => plain.set(shared.subarray(8, 1032), 3 + (i & 3) * 8))}`);
  console.log(`   plain to plain: ${ns((i) => plain.set(src, 1 + (i & 3) * 8))}`);

  // 2.
  const ring = new kw.Ring(kw.createRing());
  const wasm = new Uint8Array(new WebAssembly.Memory({ initial: 1 }).buffer);
  const frame = wasm.subarray(8, 8 + 1053).fill(5);
  const out = new Uint8Array(65536);
  let used = 0;
  const take = (_k, _t, bytes) => {
    if (used + bytes.length > out.length) used = 0;
    out.set(bytes, used);
    used += bytes.length;
  };
  const perFrame = [];
  for (let r = 0; r < 7; r++) {
    const t = performance.now();
    const n = 200_000;
    for (let i = 0; i < n; i += 64) {
      for (let j = 0; j < 64; j++) ring.tryWrite(1, j, frame);
      ring.read(take);
    }
    perFrame.push((performance.now() - t) * 1e6 / n);
    await new Promise((r) => setImmediate(r));
  }
  console.log(`2. a 1053-byte frame from wasm memory into a ring and out to a packed buffer: ${median(perFrame).toFixed(0)} ns per frame (median of 7)`);

  // 3.
  const keepAlive = setInterval(() => {}, 1000);
  for (const mode of ["futex", "port"]) {
    const sab = new SharedArrayBuffer(64);
    const { port1, port2 } = new MessageChannel();
    const w = new Worker(new URL(import.meta.url), { workerData: { sab, mode, port: port2 }, transferList: [port2] });
    await new Promise((r) => w.once("message", r));
    const i32 = new Int32Array(sab);
    const n = 20_000;
    const cpu = process.cpuUsage();
    const t = performance.now();
    for (let i = 0; i < n; i++) {
      if (mode === "futex") {
        Atomics.store(i32, 0, i + 1);
        Atomics.notify(i32, 0);
        while (Atomics.load(i32, 1) !== i + 1) {
          const r = Atomics.waitAsync(i32, 1, i);
          if (r.async) await r.value;
        }
      } else {
        port1.postMessage(i);
        await new Promise((r) => port1.once("message", r));
      }
    }
    const used = process.cpuUsage(cpu);
    console.log(`3. wake-up ping-pong (${mode === "futex" ? "Atomics.waitAsync/notify" : "MessagePort"}): ${((performance.now() - t) * 1000 / n).toFixed(1)} µs per round trip, ` +
      `${((used.user + used.system) / n).toFixed(1)} µs CPU per round trip (both threads)`);
    await w.terminate();
    port1.close();
  }
  clearInterval(keepAlive);
} else {
  const { sab, mode, port } = workerData;
  const i32 = new Int32Array(sab);
  setInterval(() => {}, 1000);
  parentPort.postMessage("ready");
  if (mode === "futex") {
    for (let i = 0; ; i++) {
      while (Atomics.load(i32, 0) !== i + 1) {
        const r = Atomics.waitAsync(i32, 0, i);
        if (r.async) await r.value;
      }
      Atomics.store(i32, 1, i + 1);
      Atomics.notify(i32, 1);
    }
  } else {
    port.on("message", (m) => port.postMessage(m));
  }
}
