/**
 * A client transport over StreamSockets, for runtimes without node:net (Deno, workerd):
 * `mux` (the default) spreads calls over `connections` long connections, replies matched
 * by seqid, reopened when one closes; `short` opens a connection per call, which is what
 * workerd needs (an I/O object belongs to the request that made it and cannot serve the
 * next one).
 */
import { NOT_SENT, type ClientTransport, type ConnectEvents, type Connector, type OutgoingCall } from "../../client/transport.js";
import { ErrorCode, KitewireError } from "../../errors.js";
import type { Frame } from "../../remote/frame-decoder.js";
import type { Transport } from "../../remote/transport.js";
import type { Engine } from "../../wasm/engine.js";
import { getEngine } from "../../wasm/load.js";
import type { OpenSocket, StreamSocket } from "../socket.js";
import { StreamConnection } from "./connection.js";

export interface StreamTransportOptions {
  /** `host:port`. */
  address: string;
  /** Must match the client's `transport`. */
  transport: Transport;
  mode?: "mux" | "short";
  /** Connections a `mux` transport spreads calls over (default 1). */
  connections?: number;
  /**
   * Give up connecting after this long (default: a call's `connectTimeoutMs`, i.e. a config
   * document's `conn_timeout_ms`, else 1 000 ms). Given here, it wins over the call's, as a
   * Kitex client's `WithConnectTimeout` does.
   */
  connectTimeoutMs?: number;
  maxFrameSize?: number;
  /** Calls fail OVERLOADED while this many bytes are unsent on a connection (default 4 MiB). */
  maxPendingWriteBytes?: number;
  engine?: Engine;
  events?: ConnectEvents;
}

/** Splits `host:port` (IPv6 hosts in brackets). */
export function splitHostPort(address: string): { host: string; port: number } {
  const colon = address.lastIndexOf(":");
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port)) throw new KitewireError(ErrorCode.INVALID_VALUE, `address ${address} is not host:port`);
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ""), port };
}

/** A client transport whose connections `open` makes. */
export function streamTransport(open: OpenSocket, options: StreamTransportOptions): ClientTransport {
  const engine = options.engine ?? getEngine();
  const { host, port } = splitHostPort(options.address);
  const connOptions = {
    address: options.address, transport: options.transport,
    maxFrameSize: options.maxFrameSize ?? 16 << 20, maxPendingWriteBytes: options.maxPendingWriteBytes ?? 4 << 20,
  };
  const events = options.events;
  // Failing here, the request was never sent: NOT_SENT lets a `*` retry policy retry any method.
  const connect: Connect = async (callTimeoutMs) => {
    const connectTimeoutMs = options.connectTimeoutMs ?? callTimeoutMs ?? 1_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const abandoned = new AbortController();
    let opening: Promise<StreamSocket> | undefined;
    try {
      opening = open(host, port, abandoned.signal);
      const socket = await Promise.race([
        opening,
        new Promise<never>((_, reject) => (timer = setTimeout(() => {
          abandoned.abort();
          reject(new KitewireError(ErrorCode.TIMEOUT, `connect to ${options.address} took over ${connectTimeoutMs} ms`, { details: NOT_SENT }));
        }, connectTimeoutMs))),
      ]);
      events?.connected();
      return new StreamConnection(engine, connOptions, socket);
    } catch (error) {
      // A connection that completes after its timeout is nobody's: close it.
      if (abandoned.signal.aborted) opening!.then((socket) => socket.close(), () => undefined).catch(() => undefined);
      const e = error instanceof KitewireError ? error
        : new KitewireError(ErrorCode.CONNECTION, `cannot connect to ${options.address}: ${error instanceof Error ? error.message : String(error)}`,
          { cause: error, details: NOT_SENT });
      events?.connectFailed(e);
      throw e;
    } finally {
      clearTimeout(timer);
    }
  };
  return options.mode === "short" ? new ShortStreamTransport(connect, options.address)
    : new MuxStreamTransport(connect, options.address, Math.max(1, options.connections ?? 1));
}

/** A connector giving each discovered instance a stream transport of these options. */
export function streamConnector(open: OpenSocket, options: Omit<StreamTransportOptions, "address" | "transport" | "events"> = {}): Connector {
  return (address, transport, events) => streamTransport(open, { ...options, address, transport, events });
}

/** Opens a connection (within the call's connect timeout, if it has one and the transport none of its own). */
type Connect = (callTimeoutMs?: number) => Promise<StreamConnection>;

class ShortStreamTransport implements ClientTransport {
  private readonly open = new Set<StreamConnection>();
  constructor(private readonly connect: Connect, readonly peer: string) {}

  async send(call: OutgoingCall): Promise<Frame | null> {
    const later = { ...call, bytes: call.bytes.slice() };
    const conn = await this.connect(call.connectTimeoutMs);
    this.open.add(conn);
    try {
      return await conn.send(later);
    } finally {
      this.open.delete(conn);
      conn.close();
    }
  }

  async close(): Promise<void> {
    for (const c of this.open) c.close();
  }

  async warm(): Promise<void> {
    (await this.connect()).close();
  }
}

class MuxStreamTransport implements ClientTransport {
  private readonly conns: (StreamConnection | undefined)[];
  private readonly opening: (Promise<StreamConnection> | undefined)[];
  private next = 0;
  private closed = false;

  constructor(private readonly connect: Connect, readonly peer: string, size: number) {
    this.conns = new Array(size).fill(undefined);
    this.opening = new Array(size).fill(undefined);
  }

  send(call: OutgoingCall): Promise<Frame | null> {
    if (this.closed) return Promise.reject(new KitewireError(ErrorCode.CONNECTION, "client closed"));
    const i = this.next;
    this.next = (i + 1) % this.conns.length;
    const conn = this.conns[i];
    if (conn !== undefined && conn.usable) return conn.send(call);
    const later = { ...call, bytes: call.bytes.slice() };
    return this.connection(i, call.connectTimeoutMs).then((c) => c.send(later));
  }

  /** Slot `i`'s connection, opened (once, however many calls wait, within the first one's connect timeout) if it has none or it closed. */
  private connection(i: number, connectTimeoutMs?: number): Promise<StreamConnection> {
    this.conns[i] = undefined;
    return (this.opening[i] ??= this.connect(connectTimeoutMs).then((conn) => {
      this.opening[i] = undefined;
      if (this.closed) {
        conn.close();
        throw new KitewireError(ErrorCode.CONNECTION, "client closed");
      }
      this.conns[i] = conn;
      return conn;
    }, (error: unknown) => {
      this.opening[i] = undefined;
      throw error;
    }));
  }

  async warm(): Promise<void> {
    const conn = this.conns[this.next];
    if (conn === undefined || !conn.usable) await this.connection(this.next);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.conns) c?.close();
    await Promise.all(this.opening.map((p) => p?.catch(() => undefined)));
  }
}
