/**
 * A client transport over StreamSockets, for runtimes without node:net (Deno, workerd):
 * `mux` (the default) spreads calls over `connections` long connections, replies matched
 * by seqid, reopened when one closes; `short` opens a connection per call, which is what
 * workerd needs (an I/O object belongs to the request that made it and cannot serve the
 * next one).
 */
import type { ClientTransport, ConnectEvents, Connector, OutgoingCall } from "../../client/transport.js";
import { ErrorCode, KitewireError } from "../../errors.js";
import type { Frame } from "../../remote/frame-decoder.js";
import type { Transport } from "../../remote/transport.js";
import type { Engine } from "../../wasm/engine.js";
import { getEngine } from "../../wasm/load.js";
import type { OpenSocket } from "../socket.js";
import { StreamConnection } from "./connection.js";

export interface StreamTransportOptions {
  /** `host:port`. */
  address: string;
  /** Must match the client's `transport`. */
  transport: Transport;
  mode?: "mux" | "short";
  /** Connections a `mux` transport spreads calls over (default 1). */
  connections?: number;
  /** Give up connecting after this long (default 1 000 ms). */
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
  const connectTimeoutMs = options.connectTimeoutMs ?? 1_000;
  const connOptions = {
    address: options.address, transport: options.transport,
    maxFrameSize: options.maxFrameSize ?? 16 << 20, maxPendingWriteBytes: options.maxPendingWriteBytes ?? 4 << 20,
  };
  const events = options.events;
  const connect = async (): Promise<StreamConnection> => {
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      const socket = await Promise.race([
        open(host, port),
        new Promise<never>((_, reject) => (timer = setTimeout(
          () => reject(new KitewireError(ErrorCode.TIMEOUT, `connect to ${options.address} took over ${connectTimeoutMs} ms`)), connectTimeoutMs))),
      ]);
      events?.connected();
      return new StreamConnection(engine, connOptions, socket);
    } catch (error) {
      const e = error instanceof KitewireError ? error
        : new KitewireError(ErrorCode.CONNECTION, `cannot connect to ${options.address}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
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

type Connect = () => Promise<StreamConnection>;

class ShortStreamTransport implements ClientTransport {
  private readonly open = new Set<StreamConnection>();
  constructor(private readonly connect: Connect, readonly peer: string) {}

  async send(call: OutgoingCall): Promise<Frame | null> {
    const later = { ...call, bytes: call.bytes.slice() };
    const conn = await this.connect();
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
    return this.connection(i).then((c) => c.send(later));
  }

  private connection(i: number): Promise<StreamConnection> {
    this.conns[i] = undefined;
    return (this.opening[i] ??= this.connect().then((conn) => {
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
