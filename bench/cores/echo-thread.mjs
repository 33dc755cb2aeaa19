// The server thread of the two-thread echo cases: serves echo-service.mjs on a shared-memory
// channel, a Unix socket or loopback TCP, as workerData says; posts its address when ready.
import { parentPort, workerData } from "node:worker_threads";

const { bundle, kind, channel, path, spinMicros } = workerData;
const kw = await import(bundle);
await kw.init();
const server = (await import("./echo-service.mjs")).default();
if (kind === "shm") {
  kw.serveShm(server, channel, { spinMicros });
  parentPort.postMessage({ address: "shm" });
} else {
  const listener = await kw.listen(server, kind === "uds" ? { host: `unix:${path}` } : { host: "127.0.0.1", port: 0 });
  parentPort.postMessage({ address: listener.address });
}
parentPort.on("message", () => {}); // keeps the thread alive: ring waits alone do not
