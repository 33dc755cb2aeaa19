/**
 * Puts a Server on TCP (or TLS) sockets with Node's `net`/`tls`: one buffer chain per
 * connection in engine memory, frames cut from it as they complete, replies written as
 * they are ready (out of order across calls), and the limits that keep one connection
 * from hurting the rest: frame size, read and idle timeouts, calls in flight, connection
 * count. A malformed frame closes its connection only. Backpressure: when a peer stops
 * reading replies, the connection stops reading requests until the socket drains.
 */
import { setMaxListeners } from "node:events";
import { createServer as createTcpServer, type Server as NetServer, type Socket } from "node:net";
import { createServer as createTlsServer, type TlsOptions } from "node:tls";
import { BufferChain } from "../../buffer/chain.js";
import { ErrorCode, KitewireError } from "../../errors.js";
import { Outbound } from "../../net/node/outbound.js";
import { FrameDecoder } from "../../remote/frame-decoder.js";
import { registerListener, type Registration } from "../registration.js";
import type { ConnectionInfo, Server } from "../server.js";
import type { Registry } from "../../governance/discovery/registry.js";

export interface ListenOptions {
  /** Loopback by default. */
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
}

export interface Listener {
  readonly host: string;
  readonly port: number;
  /** Open connections. */
  readonly connections: number;
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
  const handler = (socket: Socket) => {
    if (connections.size >= server.options.maxConnections) {
      server.options.tracer?.connection?.("error", peerOf(socket), new KitewireError(ErrorCode.OVERLOADED, "too many connections"));
      socket.destroy();
      return;
    }
    const conn = new Connection(server, socket, () => connections.delete(conn));
    connections.add(conn);
  };
  const net: NetServer = options.tls ? createTlsServer(options.tls, handler) : createTcpServer(handler);
  // A handshake that fails (a plain TCP client on the TLS port says "wrong version number") is the client's error: log it.
  net.on("tlsClientError", (error: Error & { code?: string; reason?: string }, socket: Socket) => server.rejected(peerOf(socket),
    new KitewireError(ErrorCode.CONNECTION, `TLS handshake failed: ${error.reason ?? error.message.split("\n")[0]}` +
      `${/WRONG_VERSION|HTTP_REQUEST/.test(error.code ?? "") ? " (a plain TCP client on a TLS port?)" : ""}`,
    { cause: error, details: { detected: "tls-handshake" } })));
  await new Promise<void>((resolve, reject) => {
    net.once("error", reject);
    net.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      net.off("error", reject);
      resolve();
    });
  });
  const address = net.address();
  if (address === null || typeof address === "string") throw new KitewireError(ErrorCode.CONNECTION, "no TCP address");
  const deregister = await registerListener(options, address.address, address.port, () => new Promise<void>((r) => net.close(() => r())), server.options.logger);
  let closing: Promise<void> | undefined;
  return {
    host: address.address,
    port: address.port,
    get connections() {
      return connections.size;
    },
    close(closeOptions = {}) {
      closing ??= (async () => {
        await deregister();
        server.draining = true;
        const stopped = new Promise<void>((resolve) => net.close(() => resolve()));
        for (const c of connections) c.drain();
        const timeout = closeOptions.timeoutMs ?? server.options.shutdownTimeoutMs;
        const allClosed = Promise.all([...connections].map((c) => c.closed));
        let timer: ReturnType<typeof setTimeout> | undefined;
        await Promise.race([allClosed, new Promise((r) => (timer = setTimeout(r, timeout)))]);
        clearTimeout(timer);
        for (const c of connections) c.destroy(new KitewireError(ErrorCode.SHUTTING_DOWN, "shutdown deadline passed"));
        await stopped;
      })();
      return closing;
    },
  };
}

function peerOf(socket: Socket): string {
  return `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
}

class Connection {
  readonly closed: Promise<void>;
  private readonly chain: BufferChain;
  private readonly decoder: FrameDecoder;
  private readonly peer: string;
  private readonly abort = new AbortController();
  private readonly outbound: Outbound;
  /** What each call is told of this connection; replies go to the outbound buffer. */
  private readonly info: ConnectionInfo;
  private inflight = 0;
  private draining = false;
  private dead = false;
  private paused = false;
  private readTimer: ReturnType<typeof setTimeout> | undefined;
  private idleTimer: ReturnType<typeof setTimeout> | undefined;
  /** When the last frame arrived (ms): the idle timer checks it rather than being re-armed per frame. */
  private lastFrameAt = Date.now();

  constructor(private readonly server: Server, private readonly socket: Socket, onClose: () => void) {
    this.peer = peerOf(socket);
    // Every call in flight listens for the connection closing.
    setMaxListeners(0, this.abort.signal);
    this.outbound = new Outbound(socket, () => this.pause());
    this.info = { peer: this.peer, signal: this.abort.signal, write: (reply) => this.outbound.write(reply) };
    this.chain = new BufferChain(server.engine, 64 * 1024);
    this.decoder = new FrameDecoder(server.engine, { maxFrameSize: server.options.maxFrameSize, maxDepth: server.options.maxDepth });
    socket.setNoDelay(true);
    server.options.tracer?.connection?.("open", this.peer);
    this.closed = new Promise((resolve) => {
      socket.once("close", () => {
        this.dead = true;
        this.clearTimers();
        this.abort.abort();
        this.chain.release();
        onClose();
        server.options.tracer?.connection?.("close", this.peer);
        resolve();
      });
    });
    socket.on("error", (error) => server.options.tracer?.connection?.("error", this.peer, error));
    socket.on("data", (chunk: Buffer) => this.receive(chunk));
    socket.on("drain", () => this.resume());
    this.armIdle();
  }

  private receive(chunk: Buffer): void {
    if (this.dead) return;
    let served = false;
    try {
      this.chain.append(chunk);
      for (let frame = this.decoder.next(this.chain); frame !== null; frame = this.decoder.next(this.chain)) {
        this.lastFrameAt = Date.now();
        this.clearRead(); // what remains is a new frame: its clock starts now
        this.inflight++;
        const pending = this.server.handle(frame, this.info);
        if (pending === undefined) {
          this.inflight--;
          served = true;
        } else {
          pending.then(this.replied, this.failed);
        }
        if (this.inflight >= this.server.options.maxInflightPerConnection) this.pause();
      }
      // Checked after the loop for calls served at once, so that a draining connection is
      // not ended while this chunk's frames are still being read.
      if (served) this.settled();
      // Bytes of an unfinished frame are waiting: they have readTimeoutMs to complete it.
      if (this.chain.length > 0) this.armRead();
      else this.clearRead();
    } catch (error) {
      this.server.rejected(this.peer, error);
      this.destroy(error);
    }
  }

  /** A call was served later (its reply, if any, is in the outbound buffer). */
  private readonly replied = (): void => {
    this.inflight--;
    this.settled();
  };

  /** After calls were served: a draining connection with none left ends; a paused one may read again. */
  private settled(): void {
    if (this.dead) return;
    if (this.draining && this.inflight === 0) {
      this.outbound.flush();
      this.socket.end();
    } else if (this.inflight < this.server.options.maxInflightPerConnection && this.socket.writableLength === 0) {
      this.resume();
    }
  }

  private readonly failed = (error: unknown): void => this.destroy(error);

  private pause(): void {
    if (!this.paused) {
      this.paused = true;
      this.socket.pause();
    }
  }

  private resume(): void {
    if (this.paused && this.inflight < this.server.options.maxInflightPerConnection) {
      this.paused = false;
      this.socket.resume();
    }
  }

  /** Graceful shutdown: finish what is in flight, then close. */
  drain(): void {
    this.draining = true;
    if (this.inflight === 0) {
      this.outbound.flush();
      this.socket.end();
    }
  }

  destroy(error?: unknown): void {
    if (this.dead) return;
    this.server.options.tracer?.connection?.("error", this.peer, error);
    this.socket.destroy();
  }

  private armRead(): void {
    if (this.readTimer !== undefined) return;
    this.readTimer = setTimeout(() => {
      this.destroy(new KitewireError(ErrorCode.TIMEOUT, `a frame did not arrive whole within ${this.server.options.readTimeoutMs} ms`));
    }, this.server.options.readTimeoutMs);
  }

  private clearRead(): void {
    clearTimeout(this.readTimer);
    this.readTimer = undefined;
  }

  /** Closes the connection once no frame arrived for idleTimeoutMs and nothing is in flight. */
  private armIdle(delay = this.server.options.idleTimeoutMs): void {
    this.idleTimer = setTimeout(() => {
      const idleFor = Date.now() - this.lastFrameAt;
      if (this.inflight > 0) this.armIdle();
      else if (idleFor >= this.server.options.idleTimeoutMs) this.destroy(new KitewireError(ErrorCode.TIMEOUT, "idle connection closed"));
      else this.armIdle(this.server.options.idleTimeoutMs - idleFor);
    }, delay);
  }

  private clearTimers(): void {
    this.clearRead();
    clearTimeout(this.idleTimer);
  }
}
