/**
 * Cluster mode: one server process per worker (node:cluster), all accepting on one port
 * (the primary shares the listening socket), each loading the service module and serving
 * on one thread as `listen` does. The simpler alternative to server threads: nothing is
 * shared but the port, a crash takes one process, and the OS spreads connections (not
 * calls: a client on one connection is served by one process).
 *
 * `listenCluster` runs in the primary; the workers run kitewire's Node entry, which serves
 * when it finds itself a cluster worker started by this module.
 */
import cluster, { type Worker } from "node:cluster";
import { fileURLToPath } from "node:url";
import { ErrorCode, KitewireError } from "../../errors.js";
import { getLogger, type Logger } from "../../observability/log/logger.js";
import type { Engine } from "../../wasm/engine.js";
import { Server } from "../server.js";
import { listen, type Listener } from "./listen.js";

const SPEC = "KITEWIRE_CLUSTER_WORKER";

export interface ClusterOptions {
  /** Server processes (>= 1). */
  workers: number;
  /** The module each process imports; its default export returns the process's Server (as `listen`'s `serverModule`). */
  serverModule: string | URL;
  /** Loopback by default; `unix:/path` for a Unix socket. */
  host?: string;
  /** 0 picks a free port (the same for every worker). */
  port?: number;
  /** Logs worker exits and replacements (default: the global logger). */
  logger?: Logger;
}

export interface ClusterListener {
  readonly host: string;
  readonly port: number;
  readonly address: string;
  /** The pids of the server processes listening now (a replacement joins once it listens). */
  readonly pids: number[];
  /**
   * Graceful shutdown of every process (each as `Listener.close`: stop accepting, let calls
   * in flight finish up to `timeoutMs`, close); resolves once all have exited.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

interface WorkerSpec {
  module: string;
  host: string | undefined;
  port: number;
}

type FromWorker = { type: "listening"; host: string; port: number; address: string } | { type: "failed"; message: string };

let entry: string | undefined;

/** The script cluster workers run: kitewire's Node entry (it sets this when loaded). */
export function setClusterEntry(url: string): void {
  entry = url;
}

/** Starts `workers` server processes sharing one port; resolves once every one listens. */
export async function listenCluster(options: ClusterOptions): Promise<ClusterListener> {
  if (!cluster.isPrimary) throw new KitewireError(ErrorCode.INVALID_STATE, "listenCluster runs in the primary process");
  if (!Number.isInteger(options.workers) || options.workers < 1) throw new KitewireError(ErrorCode.INVALID_VALUE, `listenCluster: workers must be an integer >= 1 (got ${options.workers})`);
  if (entry === undefined) throw new KitewireError(ErrorCode.INVALID_STATE, "cluster workers need kitewire's Node entry");
  const logger = options.logger ?? getLogger();
  cluster.setupPrimary({ exec: fileURLToPath(entry), args: [] });
  const spec: WorkerSpec = { module: String(options.serverModule), host: options.host, port: options.port ?? 0 };
  const workers = new Set<Worker>();
  /** Workers listening (and so able to close gracefully). */
  const listening = new Set<Worker>();
  let closing = false;
  let bound: FromWorker & { type: "listening" } | undefined;

  const fork = (): Promise<FromWorker & { type: "listening" }> => {
    // Every worker asks for the same address (port 0 too): the primary then shares one socket among them.
    const worker = cluster.fork({ [SPEC]: JSON.stringify(spec) });
    workers.add(worker);
    return new Promise((resolve, reject) => {
      worker.on("message", (m: FromWorker) => {
        if (m.type === "listening") {
          listening.add(worker);
          resolve(m);
        }
        else if (m.type === "failed") reject(new KitewireError(ErrorCode.INVALID_STATE, `cluster worker ${worker.process.pid} could not start: ${m.message}`));
      });
      worker.once("exit", (code, signal) => {
        workers.delete(worker);
        listening.delete(worker);
        reject(new KitewireError(ErrorCode.INVALID_STATE, `cluster worker ${worker.process.pid} exited (${signal ?? code}) before listening`));
        if (closing || bound === undefined) return;
        logger.error("cluster worker exited: replacing it", { pid: worker.process.pid, code, signal });
        const replace = () => void fork().catch((error: unknown) => {
          if (closing) return;
          logger.error("cluster worker could not be replaced: retrying in 1 s", { error });
          setTimeout(() => closing || replace(), 1_000).unref();
        });
        replace();
      });
    });
  };

  // A worker not yet listening is killed; one that does not exit within the timeout (and a second) too.
  const stopAll = (timeoutMs?: number) => Promise.all([...workers].map((w) => new Promise<void>((resolve) => {
    if (w.isDead()) return resolve();
    const timer = setTimeout(() => w.process.kill("SIGKILL"), (timeoutMs ?? 10_000) + 1_000);
    w.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    if (listening.has(w)) w.send({ type: "close", timeoutMs });
    else w.process.kill("SIGKILL");
  })));
  let where: FromWorker & { type: "listening" };
  try {
    where = bound = await fork();
    await Promise.all(Array.from({ length: options.workers - 1 }, fork));
  } catch (error) {
    closing = true;
    await stopAll(0);
    throw error;
  }
  let closed: Promise<void> | undefined;
  return {
    host: where.host,
    port: where.port,
    address: where.address,
    get pids() {
      return [...listening].map((w) => w.process.pid ?? -1);
    },
    close(closeOptions = {}) {
      closing = true;
      return (closed ??= stopAll(closeOptions.timeoutMs).then(() => undefined));
    },
  };
}

/** Whether this process is a cluster worker started by listenCluster. */
export function isClusterWorker(): boolean {
  return cluster.isWorker && process.env[SPEC] !== undefined;
}

/** Serves as a cluster worker: loads the module, listens on the shared port, closes gracefully when told. */
export async function runClusterWorker(init: () => Promise<Engine>): Promise<void> {
  const spec = JSON.parse(process.env[SPEC]!) as WorkerSpec;
  const send = (m: FromWorker) => process.send!(m);
  let listener: Listener;
  try {
    await init();
    const factory: unknown = ((await import(spec.module)) as { default?: unknown }).default;
    const server: unknown = typeof factory === "function" ? await (factory as () => unknown)() : factory;
    if (!(server instanceof Server)) throw new KitewireError(ErrorCode.INVALID_VALUE, `server module ${spec.module}: its default export must be a function returning a Server`);
    listener = await listen(server, { ...(spec.host !== undefined ? { host: spec.host } : {}), port: spec.port });
  } catch (error) {
    send({ type: "failed", message: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  }
  process.on("message", (m: { type?: string; timeoutMs?: number }) => {
    if (m.type !== "close") return;
    void listener.close(m.timeoutMs === undefined ? {} : { timeoutMs: m.timeoutMs }).finally(() => process.exit(0));
  });
  send({ type: "listening", host: listener.host, port: listener.port, address: listener.address });
}
