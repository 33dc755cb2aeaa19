/**
 * A kitewire Server's gRPC side on Node sockets: the listener hands it every connection
 * that opens with the HTTP/2 preface (same port as Thrift, server/node/listen.ts), and
 * kitewire's own HTTP/2 (src/net/http2) serves the registered services' methods on it,
 * all four call shapes, in the server's middleware chain with its tracer, limits and logger.
 *
 * Each bad input costs its stream only, with the status gRPC asks for: an unknown path
 * UNIMPLEMENTED, a bad `grpc-timeout` or malformed message INTERNAL, a message (or its
 * inflated form) over the limit RESOURCE_EXHAUSTED, and is logged (rate-limited). HTTP/2
 * protocol errors cost their connection: GOAWAY with the error's code, then the socket is
 * closed. A client that stops reading holds only its own stream, and only until
 * writeTimeoutMs. `close()` sends GOAWAY, so clients open new calls elsewhere while the
 * calls in flight finish.
 *
 * How each call is served: ../server-call.ts.
 */
import type { Socket } from "node:net";
import { ErrorCode, KitewireError } from "../../errors.js";
import type { PartialFrameBudget } from "../../net/node/budgets.js";
import { Http2Connection, type Http2Transport } from "../../net/http2/connection.js";
import type { Server } from "../../server/server.js";
import { GrpcCodec } from "../codec.js";
import { keepalive } from "../keepalive.js";
import { makeGrpcServerOptions, type GrpcServerOptions } from "../options.js";
import { grpcRoutes, type GrpcRoute } from "../routes.js";
import { serveStream, type GrpcServerSide } from "../server-call.js";
import { gzip } from "./gzip.js";
import { socketTransport } from "./socket.js";

export class GrpcNodeServer implements GrpcServerSide {
  readonly options: Readonly<GrpcServerOptions>;
  readonly codec: GrpcCodec;
  private readonly open = new Set<Http2Connection>();
  private routeTable: Map<string, GrpcRoute> | undefined;
  private routesFor = -1;
  /** `grpc-accept-encoding` of responses. */
  readonly acceptEncoding: string;
  private closing = false;

  /**
   * @param partial the listener's budget of bytes held in partial frames, which partial gRPC
   *   messages share (the largest holder, a stream or a Thrift connection, is closed past it).
   * @param maxConcurrentStreams streams per connection (default the server's maxInflightPerConnection).
   */
  constructor(readonly server: Server, options: Partial<GrpcServerOptions> = {}, readonly partial?: PartialFrameBudget,
    private readonly maxConcurrentStreams = server.options.maxInflightPerConnection) {
    this.options = makeGrpcServerOptions(options, [gzip]);
    this.codec = new GrpcCodec(server.engine, server.options.maxDepth);
    this.acceptEncoding = ["identity", ...this.options.compressions.map((c) => c.name)].join(",");
  }

  /** The routes, rebuilt when services were registered since they were last built. */
  routes(): Map<string, GrpcRoute> {
    const registered = this.server.registered;
    if (this.routeTable === undefined || this.routesFor !== registered.length) {
      this.routeTable = grpcRoutes(registered, this.server.options.middlewares, this.options.reflection);
      this.routesFor = registered.length;
    }
    return this.routeTable;
  }

  /** Serves a connection whose first bytes (the HTTP/2 preface) are still unread on `socket`. */
  accept(socket: Socket): void {
    if (this.closing) return void socket.destroy();
    const connection = this.serve(socketTransport(socket), `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`);
    // The listener's idle timeout, as for its other connections: GOAWAY after that long without a byte.
    socket.setTimeout(this.server.options.idleTimeoutMs, () => connection.shutdown());
    socket.on("data", (bytes: Buffer) => connection.receive(bytes));
    socket.on("close", () => connection.transportClosed());
    socket.on("drain", () => connection.transportDrained());
    socket.on("error", () => undefined); // 'close' follows
    socket.resume();
  }

  /**
   * Serves an HTTP/2 connection on `transport` (a socket, or a server thread's relay of one):
   * the caller feeds it what it reads (`receive`), and tells it when the transport drained or
   * closed. After `close()`, the connection is told to go away as soon as it opens.
   */
  serve(transport: Http2Transport, peer: string): Http2Connection {
    const o = this.options;
    const connection = new Http2Connection("server", transport, {
      onStream: (stream, headers) => serveStream(this, peer, stream, headers),
      onError: (error) => this.server.rejected(peer, error, "grpc-http2-error", error.offset),
      onClose: () => {
        stopPings();
        this.open.delete(connection);
      },
    }, {
      maxConcurrentStreams: this.maxConcurrentStreams,
      initialWindowSize: o.initialWindowSize,
      connectionWindowSize: Math.max(o.initialWindowSize, 65535),
      schedule: setImmediate,
    });
    this.open.add(connection);
    const stopPings = keepalive(connection, o.keepaliveIntervalMs, o.keepaliveTimeoutMs, () => {
      this.server.rejected(peer, new KitewireError(ErrorCode.TIMEOUT,
        `no answer to a keepalive PING within ${o.keepaliveTimeoutMs} ms`), "grpc-keepalive-timeout");
    });
    if (this.closing) connection.shutdown();
    return connection;
  }

  /** GOAWAY on every connection (calls in flight finish), and on each new one as it opens. */
  shutdown(): void {
    this.closing = true;
    for (const c of this.open) c.shutdown();
  }

  /** Open HTTP/2 connections. */
  get connections(): number {
    return this.open.size;
  }

  /**
   * Graceful shutdown: GOAWAY on every connection (clients open new calls elsewhere), calls
   * in flight finish; after `timeoutMs` what is left is closed.
   */
  async close(timeoutMs: number): Promise<void> {
    const closed = [...this.open].map((c) => new Promise<void>((resolve) => {
      if (c.dead) return resolve();
      const before = c.events.onClose;
      c.events.onClose = () => (before?.(), resolve());
    }));
    this.shutdown();
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(closed), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    for (const c of this.open) c.destroy();
  }
}
