/**
 * A kitewire Server's gRPC side on `node:http2`: the listener hands it every connection
 * that opens with the HTTP/2 preface (same port as Thrift, server/node/listen.ts), and it
 * serves the registered Protobuf services' methods, all four call shapes, in the server's
 * middleware chain with its tracer, limits and logger.
 *
 * Each bad input costs its stream only, with the status gRPC asks for: an unknown path
 * UNIMPLEMENTED, a bad `grpc-timeout` or malformed message INTERNAL, a message (or its
 * inflated form) over the limit RESOURCE_EXHAUSTED, and is logged (rate-limited). HTTP/2
 * protocol errors cost their connection. A client that stops reading holds only its own
 * stream, and only until writeTimeoutMs. `close()` sends GOAWAY, so clients open new
 * calls elsewhere while the calls in flight finish.
 *
 * How each call is served: server-call.ts.
 */
import http2, { type Http2Server, type ServerHttp2Stream } from "node:http2";
import type { Socket } from "node:net";
import { ErrorCode, KitewireError } from "../../errors.js";
import type { PartialFrameBudget } from "../../net/node/budgets.js";
import type { Server } from "../../server/server.js";
import { GrpcCodec } from "../codec.js";
import { makeGrpcServerOptions, type GrpcServerOptions } from "../options.js";
import { grpcRoutes, type GrpcRoute } from "../routes.js";
import { gzip } from "./gzip.js";
import { keepalive } from "./keepalive.js";
import { onStream, OWNER, PEER, type Session } from "./server-call.js";

export class GrpcNodeServer {
  readonly options: Readonly<GrpcServerOptions>;
  readonly codec: GrpcCodec;
  private readonly h2: Http2Server;
  private readonly sessions = new Set<Session>();
  private routeTable: Map<string, GrpcRoute> | undefined;
  private routesFor = -1;
  /** `grpc-accept-encoding` of responses. */
  readonly acceptEncoding: string;
  private closing = false;

  /**
   * @param partial the listener's budget of bytes held in partial frames, which partial gRPC
   *   messages share (the largest holder, a stream or a Thrift connection, is closed past it).
   */
  constructor(readonly server: Server, options: Partial<GrpcServerOptions> = {}, readonly partial?: PartialFrameBudget) {
    this.options = makeGrpcServerOptions(options, [gzip]);
    this.codec = new GrpcCodec(server.engine, server.options.maxDepth);
    this.acceptEncoding = ["identity", ...this.options.compressions.map((c) => c.name)].join(",");
    this.h2 = http2.createServer({
      settings: {
        maxConcurrentStreams: server.options.maxInflightPerConnection,
        initialWindowSize: this.options.initialWindowSize,
      },
      // Bounds what one session may hold in nghttp2 (MB): a peer that floods is refused streams past it.
      maxSessionMemory: 32,
    });
    this.h2.on("session", (session: Session) => this.opened(session));
    this.h2.on("stream", onStream);
    (this.h2 as unknown as { [OWNER]: GrpcNodeServer })[OWNER] = this;
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
    this.h2.emit("connection", socket);
  }

  /** Open HTTP/2 connections. */
  get connections(): number {
    return this.sessions.size;
  }

  /**
   * Graceful shutdown: GOAWAY on every connection (clients open new calls elsewhere), calls
   * in flight finish; after `timeoutMs` what is left is closed.
   */
  async close(timeoutMs: number): Promise<void> {
    this.closing = true;
    const closed = [...this.sessions].map((s) => new Promise<void>((resolve) => {
      if (s.closed || s.destroyed) return resolve();
      s.once("close", () => resolve());
      s.close();
    }));
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([Promise.all(closed), new Promise((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
    for (const s of this.sessions) s.destroy();
  }

  private opened(session: Session): void {
    const socket = session.socket;
    session[PEER] = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
    this.sessions.add(session);
    // The connection's window starts at 64 KiB whatever the settings say: open it as wide as a stream's.
    session.setLocalWindowSize(Math.max(this.options.initialWindowSize, 65535));
    // The tracer hears of the connection's open and close from the listener's Connection, which still counts it.
    const stopPings = keepalive(session, this.options.keepaliveIntervalMs, this.options.keepaliveTimeoutMs, () => {
      this.server.rejected(session[PEER], new KitewireError(ErrorCode.TIMEOUT,
        `no answer to a keepalive PING within ${this.options.keepaliveTimeoutMs} ms`), "grpc-keepalive-timeout");
    });
    // The listener's idle timeout, as for its other connections: GOAWAY after that long without a frame.
    session.setTimeout(this.server.options.idleTimeoutMs, () => session.close());
    session.on("error", (error) => {
      this.server.rejected(session[PEER], new KitewireError(ErrorCode.MALFORMED_FRAME, `HTTP/2: ${error.message}`,
        { cause: error, details: { detected: "http2" } }), "grpc-http2-error");
    });
    session.on("frameError", (type: number, code: number) => {
      this.server.rejected(session[PEER], new KitewireError(ErrorCode.MALFORMED_FRAME,
        `HTTP/2 frame of type ${type} refused (error ${code})`, { details: { detected: "http2" } }), "grpc-http2-error");
    });
    session.once("close", () => {
      stopPings();
      this.sessions.delete(session);
    });
  }

  /** Logs a stream refused or failed for the client's input (rate-limited, one line per kind). */
  rejected(stream: ServerHttp2Stream, error: unknown, kind: string): void {
    this.server.rejected((stream.session as Session | undefined)?.[PEER], error, `grpc-${kind}`);
  }
}
