/**
 * A gRPC channel to one `host:port` on kitewire's HTTP/2 (src/net/http2): one connection,
 * made on the first call and again after it closes or the server sends GOAWAY (calls in
 * flight finish on the old one, new calls go to the new one). It is the `ClientTransport`
 * of a discovered instance too, so discovery, balancing and breakers pick channels as they
 * pick connections. The socket comes from a `GrpcDialer`: Node's net/tls (grpc/node/dial.ts)
 * or a runtime's web-stream socket.
 */
import type { ClientTransport, ConnectEvents } from "../client/transport.js";
import { ErrorCode, KitewireError } from "../errors.js";
import { Http2Connection, type Http2Transport } from "../net/http2/connection.js";
import type { Http2StreamHandler, OutgoingHeaders } from "../net/http2/stream.js";
import type { Http2Stream } from "../net/http2/stream.js";
import type { Frame } from "../remote/frame-decoder.js";
import type { GrpcCodec } from "./codec.js";
import { keepalive } from "./keepalive.js";
import type { GrpcClientOptions } from "./options.js";

/** A byte connection as a channel's HTTP/2 connection drives it. */
export interface DialedSocket extends Http2Transport {
  /** Starts delivering what is read, the close, and the end of backpressure to `connection`. */
  attach(connection: Http2Connection): void;
  /** Closes the socket now. */
  destroy(): void;
}

/**
 * Opens a socket to `address` (`host:port`) within `timeoutMs`; rejects with CONNECTION or
 * TIMEOUT. With TLS it negotiates ALPN `h2`.
 */
export type GrpcDialer = (address: string, timeoutMs: number) => Promise<DialedSocket>;

export interface GrpcChannelOptions {
  dialer: GrpcDialer;
  /** `https` when the dialer speaks TLS. */
  scheme: "http" | "https";
  /** Whether `connectTimeoutMs` was set by the user (it then wins over a config document's conn_timeout_ms). */
  connectTimeoutSet?: boolean;
  events?: ConnectEvents | undefined;
  /** The schedule of the connection's batched writes (Node: setImmediate). */
  schedule?: (fn: () => void) => void;
}

export class GrpcChannel implements ClientTransport {
  readonly peer: string;
  readonly authority: string;
  readonly scheme: "http" | "https";
  private connection: Http2Connection | undefined;
  private connecting: Promise<Http2Connection> | undefined;
  private closed = false;

  constructor(address: string, readonly options: Readonly<GrpcClientOptions>, readonly codec: GrpcCodec,
    private readonly channelOptions: GrpcChannelOptions) {
    this.peer = address;
    this.authority = address;
    this.scheme = channelOptions.scheme;
  }

  /**
   * The connection for the next call: the open one, or a new one once connected (within
   * `connectTimeoutMs`, a config document's conn_timeout_ms, or the channel's option).
   */
  ready(connectTimeoutMs?: number): Http2Connection | Promise<Http2Connection> {
    const c = this.connection;
    if (c !== undefined && !c.dead && !c.goawayReceived) return c;
    if (this.closed) throw new KitewireError(ErrorCode.CONNECTION, `gRPC channel to ${this.peer} is closed`);
    const timeout = this.channelOptions.connectTimeoutSet || connectTimeoutMs === undefined || connectTimeoutMs <= 0
      ? this.options.connectTimeoutMs : connectTimeoutMs;
    return (this.connecting ??= this.connect(timeout).finally(() => (this.connecting = undefined)));
  }

  /** Opens a stream; throws CONNECTION if the connection cannot take one (it was told GOAWAY meanwhile). */
  open(connection: Http2Connection, headers: OutgoingHeaders, handler: Http2StreamHandler): Http2Stream {
    try {
      return connection.request(headers, handler);
    } catch (error) {
      if (this.connection === connection) this.connection = undefined;
      throw new KitewireError(ErrorCode.CONNECTION, `gRPC channel to ${this.peer}: ${(error as Error).message}`, { cause: error });
    }
  }

  private async connect(timeoutMs: number): Promise<Http2Connection> {
    const o = this.options;
    let socket: DialedSocket;
    try {
      socket = await this.channelOptions.dialer(this.peer, timeoutMs);
    } catch (error) {
      const e = KitewireError.from(error, ErrorCode.CONNECTION);
      this.channelOptions.events?.connectFailed(e);
      throw e;
    }
    if (this.closed) {
      socket.destroy();
      throw new KitewireError(ErrorCode.CONNECTION, `gRPC channel to ${this.peer} is closed`);
    }
    const forget = () => {
      stop();
      if (this.connection === connection) this.connection = undefined;
    };
    const connection = new Http2Connection("client", socket, { onGoaway: forget, onClose: forget }, {
      initialWindowSize: o.initialWindowSize,
      connectionWindowSize: Math.max(o.initialWindowSize, 65535),
      ...(this.channelOptions.schedule === undefined ? {} : { schedule: this.channelOptions.schedule }),
    });
    const stop = keepalive(connection, o.keepaliveIntervalMs, o.keepaliveTimeoutMs, () => undefined);
    socket.attach(connection);
    this.connection = connection;
    this.channelOptions.events?.connected();
    return connection;
  }

  /** kitewire's frame transports' `send`: a gRPC channel carries gRPC calls only. */
  send(): Promise<Frame | null> {
    return Promise.reject(new KitewireError(ErrorCode.INVALID_STATE, "a gRPC channel carries gRPC calls, not kitewire frames"));
  }

  async warm(): Promise<void> {
    await this.ready();
  }

  /** Closes the connection once its calls in flight are over (after 1 s they are cut: CONNECTION); later calls fail with CONNECTION. */
  async close(): Promise<void> {
    this.closed = true;
    const c = this.connection ?? (await this.connecting?.catch(() => undefined));
    this.connection = undefined;
    if (c === undefined || c.dead) return;
    await new Promise<void>((resolve) => {
      const before = c.events.onClose;
      c.events.onClose = () => (before?.(), resolve());
      c.shutdown();
      const timer = setTimeout(() => c.destroy(), 1000);
      (timer as { unref?: () => void }).unref?.();
    });
  }
}
