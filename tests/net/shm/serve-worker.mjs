// A server thread for the shared-memory transport test: serves the threads tests'
// service module (its Server) on the channel it is given, with serveShm.
import { parentPort, workerData } from "node:worker_threads";

const { bundle, service, channel } = workerData;
const kw = await import(bundle);
await kw.init();
const server = (await import(service)).default();
const serving = kw.serveShm(server, channel);
parentPort.on("message", async (m) => {
  if (m === "close") {
    await serving.close({ timeoutMs: 2000 });
    parentPort.postMessage("closed");
  }
});
parentPort.postMessage("ready");
