/**
 * A gRPC channel to one `host:port` on `node:http2`: one HTTP/2 connection, made on the
 * first call and again after it closes or the server sends GOAWAY (calls in flight finish
 * on the old one, new calls go to the new one). It is the `ClientTransport` of a
 * discovered instance too, so discovery, balancing and breakers pick channels as they
 * pick connections.
 */
import http2, { type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from "node:http2";
import type { SecureClientSessionOptions } from "node:http2";
import { ErrorCode, KitewireError } from "../../errors.js";
import type { ClientTransport, ConnectEvents } from "../../client/transport.js";
import type { Frame } from "../../remote/frame-decoder.js";
import type { GrpcCodec } from "../codec.js";
import type { GrpcClientOptions } from "../options.js";
import { keepalive } from "./session-keepalive.js";

export interface GrpcChannelOptions {
  /** TLS (`https:`) with these options; plain HTTP/2 (h2c) without. */
  tls?: SecureClientSessionOptions;
  events?: ConnectEvents;
}

export class NodeGrpcChannel implements ClientTransport {
  readonly peer: string;
  private session: ClientHttp2Session | undefined;
  private connecting: Promise<ClientHttp2Session> | undefined;
  private closed = false;
  private readonly authority: string;

  constructor(address: string, readonly options: Readonly<GrpcClientOptions>, readonly codec: GrpcCodec,
    private readonly channelOptions: GrpcChannelOptions = {}) {
    this.peer = address;
    this.authority = `${channelOptions.tls ? "https" : "http"}://${address}`;
  }

  /** The session for the next call: the open one, or a new one once connected. */
  ready(): ClientHttp2Session | Promise<ClientHttp2Session> {
    const s = this.session;
    if (s !== undefined && !s.closed && !s.destroyed) return s;
    if (this.closed) throw new KitewireError(ErrorCode.CONNECTION, `gRPC channel to ${this.peer} is closed`);
    return (this.connecting ??= this.connect().finally(() => (this.connecting = undefined)));
  }

  /** Opens a stream; throws CONNECTION if the session cannot take one (it was told GOAWAY meanwhile). */
  open(session: ClientHttp2Session, headers: OutgoingHttpHeaders): ClientHttp2Stream {
    try {
      return session.request(headers, { endStream: false });
    } catch (error) {
      if (this.session === session) this.session = undefined;
      throw new KitewireError(ErrorCode.CONNECTION, `gRPC channel to ${this.peer}: ${(error as Error).message}`, { cause: error });
    }
  }

  private connect(): Promise<ClientHttp2Session> {
    const o = this.options;
    return new Promise((resolve, reject) => {
      const session = http2.connect(this.authority, {
        ...this.channelOptions.tls,
        settings: { initialWindowSize: o.initialWindowSize, enablePush: false },
      });
      const timer = setTimeout(() => {
        session.destroy();
        fail(new KitewireError(ErrorCode.TIMEOUT, `gRPC channel to ${this.peer}: no connection within ${o.connectTimeoutMs} ms`));
      }, o.connectTimeoutMs);
      const fail = (error: KitewireError) => {
        clearTimeout(timer);
        this.channelOptions.events?.connectFailed(error);
        reject(error);
      };
      session.once("error", (error) => {
        if (!session.connecting && this.session === session) return;
        fail(new KitewireError(ErrorCode.CONNECTION, `gRPC channel to ${this.peer}: ${error.message}`, { cause: error }));
      });
      session.once("connect", () => {
        clearTimeout(timer);
        session.on("error", () => undefined); // later errors close the session; its streams say why
        // The connection's window starts at 64 KiB whatever the settings say: open it as wide as a stream's.
        session.setLocalWindowSize(Math.max(o.initialWindowSize, 65535));
        this.session = session;
        this.channelOptions.events?.connected();
        const stop = keepalive(session, o.keepaliveIntervalMs, o.keepaliveTimeoutMs, () => undefined);
        const forget = () => {
          stop();
          if (this.session === session) this.session = undefined;
        };
        session.once("goaway", forget);
        session.once("close", forget);
        session.unref();
        resolve(session);
      });
    });
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
    const s = this.session;
    this.session = undefined;
    if (s === undefined || s.destroyed) return;
    await new Promise<void>((resolve) => {
      s.once("close", () => resolve());
      s.close();
      setTimeout(() => s.destroy(), 1000).unref();
    });
  }
}
