/**
 * Puts a Server on TCP (or TLS) sockets with Node's `net`/`tls`: frames cut as they
 * complete, replies written as they are ready (out of order across calls), the count of
 * connections capped, and each connection bounded in time and memory (connection.ts).
 * A malformed frame closes its connection only.
 */
import { createServer as createTcpServer, type Server as NetServer, type Socket } from "node:net";
import { createServer as createTlsServer, type TlsOptions } from "node:tls";
import { BufferChain } from "../../buffer/chain.js";
import { ErrorCode, KitewireError } from "../../errors.js";
import { PartialFrameBudget, WriteQueueBudget } from "../../net/node/budgets.js";
import { registerListener, type Registration } from "../registration.js";
import type { Server } from "../server.js";
import type { Registry } from "../../governance/discovery/registry.js";
import { joinAddress } from "../../governance/discovery/instance.js";
import { listenUnix, unixPath } from "../../net/node/unix.js";
import { Connection, peerOf, type SharedState } from "./connection.js";
import { GrpcNodeServer } from "../../grpc/node/server.js";
import type { GrpcServerOptions } from "../../grpc/options.js";
import { ServerThreads } from "./threads/pool.js";

export interface ListenOptions {
  /** Loopback by default; `unix:/path` listens on that Unix domain socket (`port` is then ignored). */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  /** Serve TLS with these options (`requestCert` and `ca` for mutual TLS). */
  tls?: TlsOptions;
  /**
   * Register in this registry once listening (as `registration` says); deregistered first
   * thing in `close()`, before calls in flight are drained.
   */
  registry?: Registry;
  registration?: Registration;
  /**
   * gRPC on the same port: connections opening with the HTTP/2 preface are served as gRPC
   * (the registered Protobuf services), with these options; `false` refuses them. Default on.
   * With `threads`, each HTTP/2 connection is served whole by one server thread (its
   * Server's services), its bytes relayed by this thread; `compressions` can then only be
   * kitewire's own (gzip).
   */
  grpc?: Partial<GrpcServerOptions> | false;
  /**
   * Serve on this many server threads (Node worker threads, each with its own engine and
   * Server made by `serverModule`); this thread then only owns the sockets: it accepts,
   * cuts frames, enforces the connection limits, and hands each frame over a shared-memory
   * ring to a thread. `server` gives the socket options (frame size, timeouts, budgets);
   * its handlers are not called.
   */
  threads?: number;
  /**
   * With `threads`: the URL (a URL or its string) of the module each server thread
   * imports; its default export is a function returning the thread's Server (or a promise of it), e.g. `export default () => new Server(options).register(Svc, handler)`.
   * It must import kitewire by the same specifier as this program, so that the thread's
   * Server is made by the copy of kitewire the thread runs.
   */
  serverModule?: string | URL;
  /**
   * With `threads`: how long (µs) the socket thread and each server thread look for frames
   * in their rings before they wait to be woken (default 0). A wake-up costs ~10 µs of CPU;
   * looking costs what it lasts: worth trying with a core to spare per thread, not on a
   * machine whose cores are all busy.
   */
  spinMicros?: number;
}

export interface Listener {
  /** The TCP host, or `unix:/path` for a Unix domain socket. */
  readonly host: string;
  /** 0 on a Unix domain socket. */
  readonly port: number;
  /** `host:port`, or `unix:/path`: what clients give `nodeTransport({ address })`. */
  readonly address: string;
  /** Open connections. */
  readonly connections: number;
  /**
   * With `threads`: Thrift calls handed to each server thread so far, HTTP/2 (gRPC)
   * connections pinned to each now, and their thread ids.
   */
  readonly threads?: { readonly served: number[]; readonly http2Connections: number[]; readonly threadIds: number[]; readonly timedOut: number };
  /**
   * Graceful shutdown: stop accepting, tell multiplexing clients to stop reusing their
   * connections (TTHeader `crrst`), let calls in flight finish up to `timeoutMs` (default
   * the server's shutdownTimeoutMs), then close every connection.
   */
  close(options?: { timeoutMs?: number }): Promise<void>;
}

/** Starts serving `server` on a socket. */
export async function listen(server: Server, options: ListenOptions = {}): Promise<Listener> {
  const connections = new Set<Connection>();
  let grpc: GrpcNodeServer | undefined;
  const grpcOptions = options.grpc;
  const threads = options.threads === undefined ? undefined : await ServerThreads.start(server, {
    threads: options.threads, module: String(options.serverModule ?? ""), spinMicros: options.spinMicros, grpc: grpcOptions || undefined,
  });
  // Made on the first HTTP/2 connection: a port that never sees one pays nothing for it.
  // With server threads, each HTTP/2 connection goes whole to one of them.
  const base = sharedState(server);
  const http2 = grpcOptions === false ? undefined
    : threads !== undefined ? (socket: Socket) => threads.acceptHttp2(socket, peerOf(socket, path))
    : (socket: Socket) => (grpc ??= new GrpcNodeServer(server, grpcOptions, base.partial)).accept(socket);
  const shared: SharedState = threads === undefined ? { ...base, http2 }
    : { ...base, http2, handle: threads.handle, keepTransforms: true, handOver: threads };
  const path = unixPath(options.host);
  const handler = (socket: Socket) => {
    const peer = peerOf(socket, path);
    if (connections.size >= server.connectionLimit) {
      const error = new KitewireError(ErrorCode.OVERLOADED, `too many connections (connection limit ${server.connectionLimit})`);
      server.options.tracer?.connection?.("error", peer, error);
      server.rejected(peer, error, "connection-limit");
      socket.destroy();
      return;
    }
    const conn = new Connection(shared, socket, () => connections.delete(conn), peer);
    connections.add(conn);
  };
  // With gRPC on, TLS clients may negotiate HTTP/2 (ALPN h2); Thrift clients send no ALPN and are served as before.
  const tlsOptions = options.tls && http2 !== undefined ? { ALPNProtocols: ["h2"], ...options.tls } : options.tls;
  const net: NetServer = tlsOptions ? createTlsServer(tlsOptions, handler) : createTcpServer(handler);
  // A handshake that fails (a plain TCP client on the TLS port says "wrong version number") is the client's error: log it.
  net.on("tlsClientError", (error: Error & { code?: string; reason?: string }, socket: Socket) => server.rejected(peerOf(socket, path),
    new KitewireError(ErrorCode.CONNECTION, `TLS handshake failed: ${error.reason ?? error.message.split("\n")[0]}` +
      `${/WRONG_VERSION|HTTP_REQUEST/.test(error.code ?? "") ? " (a plain TCP client on a TLS port?)" : ""}`,
    { cause: error, details: { detected: "tls-handshake" } })));
  try {
    if (path !== undefined) await listenUnix(net, path);
    else {
      await new Promise<void>((resolve, reject) => {
        net.once("error", reject);
        net.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
          net.off("error", reject);
          resolve();
        });
      });
    }
  } catch (error) {
    await threads?.close();
    throw error;
  }
  const address = net.address();
  if (address === null || (typeof address === "string") !== (path !== undefined)) throw new KitewireError(ErrorCode.CONNECTION, "no address");
  const host = typeof address === "string" ? `unix:${address}` : address.address;
  const port = typeof address === "string" ? 0 : address.port;
  // Node removes a Unix socket's file when the server closes.
  const deregister = await registerListener(options, host, port, () => new Promise<void>((r) => net.close(() => r())), server.options.logger);
  let closing: Promise<void> | undefined;
  return {
    host,
    port,
    address: path !== undefined ? host : joinAddress(host, port),
    get connections() {
      return connections.size;
    },
    ...(threads !== undefined ? { threads } : {}),
    close(closeOptions = {}) {
      closing ??= (async () => {
        await deregister();
        server.draining = true;
        threads?.drain(); // server threads also send GOAWAY on their HTTP/2 connections
        const stopped = new Promise<void>((resolve) => net.close(() => resolve()));
        for (const c of connections) c.drain();
        const timeout = closeOptions.timeoutMs ?? server.options.shutdownTimeoutMs;
        const grpcClosed = grpc?.close(timeout);
        const allClosed = Promise.all([...connections].map((c) => c.closed));
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([allClosed, new Promise((r) => (timer = setTimeout(r, timeout)))]);
        clearTimeout(timer);
        for (const c of connections) c.destroy(new KitewireError(ErrorCode.SHUTTING_DOWN, "shutdown deadline passed"));
        await grpcClosed;
        await stopped;
        await threads?.close();
      })();
      return closing;
    },
  };
}

/** What a server's connections share, made on its first listen (so that several listeners share the budgets). */
const sharedStates = new WeakMap<Server, SharedState>();

function sharedState(server: Server): SharedState {
  let shared = sharedStates.get(server);
  if (shared === undefined) {
    const o = server.options;
    shared = {
      server,
      handle: (frame, info) => server.handle(frame, info),
      chain: new BufferChain(server.engine, 64 * 1024),
      partial: new PartialFrameBudget(o.maxPartialFrameBytes),
      queued: new WriteQueueBudget(o.maxQueuedBytes),
    };
    sharedStates.set(server, shared);
  }
  return shared;
}
