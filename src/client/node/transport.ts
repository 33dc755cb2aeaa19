/**
 * Connection management for Node clients, as Kitex offers it:
 *  - `pool` (long connections, the default): a call takes an idle connection to itself;
 *    up to `maxIdle` idle connections are kept, closed after `idleTimeoutMs`, but never
 *    fewer than `minIdle`;
 *  - `mux`: `connections` long connections shared by every call, replies matched by
 *    sequence id (out of order);
 *  - `short`: a connection per call.
 */
import type { ConnectionOptions } from "node:tls";
import { ErrorCode, KitewireError } from "../../errors.js";
import type { Frame } from "../../remote/frame-decoder.js";
import type { Transport } from "../../remote/transport.js";
import type { Engine } from "../../wasm/engine.js";
import { getEngine } from "../../wasm/load.js";
import type { ClientTransport, ConnectEvents, Connector, OutgoingCall } from "../transport.js";
import { unixPath } from "../../net/node/unix.js";
import { ClientConnection } from "./connection.js";

export interface NodeTransportOptions {
  /** `host:port`, or the parts; `unix:/path` for a Unix domain socket. */
  address: string | { host: string; port: number };
  /** Must match the client's `transport` (the replies are cut by it). */
  transport: Transport;
  mode?: "pool" | "mux" | "short";
  pool?: { maxIdle?: number; idleTimeoutMs?: number; minIdle?: number };
  /** Connections a `mux` transport spreads calls over (default 1). */
  connections?: number;
  connectTimeoutMs?: number;
  maxFrameSize?: number;
  /** Writes wait while this many bytes are unsent (default 4 MiB); calls waiting may hold as many again, then fail OVERLOADED. */
  maxPendingWriteBytes?: number;
  /** A connection whose requests stay unread (over maxPendingWriteBytes) this long is closed, its calls failing TIMEOUT (default 30 s). */
  writeTimeoutMs?: number;
  tls?: ConnectionOptions;
  engine?: Engine;
  /** Told of each connect's outcome (the client's per-instance health, when discovered). */
  events?: ConnectEvents;
}

function parseAddress(address: NodeTransportOptions["address"]): { host: string; port: number; path?: string } {
  if (typeof address !== "string") return address;
  const path = unixPath(address);
  if (path !== undefined) return { host: address, port: 0, path };
  const colon = address.lastIndexOf(":");
  const port = Number(address.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port)) throw new KitewireError(ErrorCode.INVALID_VALUE, `address ${address} is not host:port`);
  return { host: address.slice(0, colon).replace(/^\[|\]$/g, ""), port };
}

/** A client transport over TCP or TLS connections. */
export function nodeTransport(options: NodeTransportOptions): ClientTransport {
  const engine = options.engine ?? getEngine();
  const { host, port, path } = parseAddress(options.address);
  // An explicit connectTimeoutMs wins over a call's (a config document's), as Kitex's WithConnectTimeout does.
  const open = (callTimeoutMs?: number) => ClientConnection.open(engine, {
    host, port, ...(path !== undefined ? { path } : {}), transport: options.transport,
    connectTimeoutMs: options.connectTimeoutMs ?? callTimeoutMs ?? 1_000,
    maxFrameSize: options.maxFrameSize ?? 16 << 20,
    maxPendingWriteBytes: options.maxPendingWriteBytes ?? 4 << 20,
    writeTimeoutMs: options.writeTimeoutMs ?? 30_000,
    flushOn: options.mode === "mux" ? "turn" : "tick",
    ...(options.tls ? { tls: options.tls } : {}),
  });
  const events = options.events;
  const connect: Connect = events === undefined ? open : (callTimeoutMs) => open(callTimeoutMs).then(
    (conn) => {
      events.connected();
      return conn;
    },
    (error: unknown) => {
      events.connectFailed(error);
      throw error;
    });
  const mode = options.mode ?? "pool";
  const transport = mode === "short" ? new ShortTransport(connect)
    : mode === "mux" ? new MuxTransport(connect, Math.max(1, options.connections ?? 1))
    : new PoolTransport(connect, {
      maxIdle: options.pool?.maxIdle ?? 10,
      idleTimeoutMs: options.pool?.idleTimeoutMs ?? 30_000,
      minIdle: options.pool?.minIdle ?? 0,
    });
  transport.peer = path !== undefined ? host : host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
  return transport;
}

/**
 * A connector giving each discovered instance a transport of these options (pooled by
 * default; `mode: "mux"` for multiplexed connections).
 */
export function nodeConnector(options: Omit<NodeTransportOptions, "address" | "transport" | "events"> = {}): Connector {
  return (address, transport, events) => nodeTransport({ ...options, address, transport, events });
}

/** Opens a connection (within the call's connect timeout, if it has one and the transport none of its own). */
type Connect = (callTimeoutMs?: number) => Promise<ClientConnection>;

/** `call` with a copy of its bytes, for sending after an await (the original bytes are reused by then). */
function detached(call: OutgoingCall): OutgoingCall {
  return { ...call, bytes: call.bytes.slice() };
}

class ShortTransport implements ClientTransport {
  peer: string | undefined;
  private readonly open = new Set<ClientConnection>();

  constructor(private readonly connect: Connect) {}

  async send(call: OutgoingCall): Promise<Frame | null> {
    const later = detached(call);
    const conn = await this.connect(call.connectTimeoutMs);
    this.open.add(conn);
    try {
      return await conn.send(later);
    } finally {
      conn.close();
      this.open.delete(conn);
    }
  }

  async close(): Promise<void> {
    for (const c of this.open) c.destroy();
  }

  async warm(): Promise<void> {
    (await this.connect()).close();
  }
}

class MuxTransport implements ClientTransport {
  peer: string | undefined;
  /** Each slot's connection, once open: the path of almost every call. */
  private readonly open: (ClientConnection | undefined)[];
  /** Each slot's connection being opened. */
  private readonly opening: (Promise<ClientConnection> | undefined)[];
  private next = 0;
  private closed = false;

  constructor(private readonly connect: Connect, size: number) {
    this.open = new Array(size).fill(undefined);
    this.opening = new Array(size).fill(undefined);
  }

  send(call: OutgoingCall): Promise<Frame | null> {
    if (this.closed) return Promise.reject(new KitewireError(ErrorCode.CONNECTION, "client closed"));
    const i = this.next;
    this.next = (i + 1) % this.open.length;
    const conn = this.open[i];
    if (conn !== undefined && conn.usable) return conn.send(call);
    const later = detached(call);
    return this.connection(i, call.connectTimeoutMs).then((c) => c.send(later));
  }

  /** Slot `i`'s connection, opened (once, however many calls wait, within the first one's connect timeout) if it has none or it closed. */
  private connection(i: number, connectTimeoutMs?: number): Promise<ClientConnection> {
    this.open[i] = undefined;
    const opening = (this.opening[i] ??= this.connect(connectTimeoutMs).then(
      (conn) => {
        this.opening[i] = undefined;
        if (this.closed) {
          conn.destroy();
          throw new KitewireError(ErrorCode.CONNECTION, "client closed");
        }
        this.open[i] = conn;
        return conn;
      },
      (error: unknown) => {
        this.opening[i] = undefined;
        throw error;
      }));
    return opening;
  }

  async warm(): Promise<void> {
    const conn = this.open[this.next];
    if (conn === undefined || !conn.usable) await this.connection(this.next);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const c of this.open) c?.destroy();
    await Promise.all(this.opening.map((p) => p?.catch(() => undefined)));
  }
}

class PoolTransport implements ClientTransport {
  peer: string | undefined;
  private readonly idle: ClientConnection[] = [];
  private readonly busy = new Set<ClientConnection>();
  private sweeper: ReturnType<typeof setInterval> | undefined;
  private closed = false;

  constructor(private readonly connect: Connect, private readonly limits: { maxIdle: number; idleTimeoutMs: number; minIdle: number }) {}

  async send(call: OutgoingCall): Promise<Frame | null> {
    if (this.closed) throw new KitewireError(ErrorCode.CONNECTION, "client closed");
    let conn = this.idle.pop();
    while (conn && !conn.usable) conn = this.idle.pop();
    if (!conn) {
      call = detached(call);
      conn = await this.connect(call.connectTimeoutMs);
    }
    this.busy.add(conn);
    let healthy = false;
    try {
      const frame = await conn.send(call);
      healthy = true;
      return frame;
    } finally {
      this.busy.delete(conn);
      // A connection whose call failed (timeout: its reply may still come) is not reused.
      if (healthy && conn.usable && !this.closed && this.idle.length < this.limits.maxIdle) {
        this.idle.push(conn);
        this.sweep();
      } else {
        conn.close();
      }
    }
  }

  /** Closes connections idle past the timeout, keeping `minIdle`. */
  private sweep(): void {
    this.sweeper ??= setInterval(() => {
      const now = Date.now();
      for (let i = 0; i < this.idle.length && this.idle.length > this.limits.minIdle; i++) {
        const c = this.idle[i]!;
        if (now - c.lastUsed >= this.limits.idleTimeoutMs || !c.usable) {
          this.idle.splice(i--, 1);
          c.close();
        }
      }
      if (this.idle.length === 0) {
        clearInterval(this.sweeper);
        this.sweeper = undefined;
      }
    }, Math.max(10, Math.min(1_000, this.limits.idleTimeoutMs / 2)));
    this.sweeper.unref?.();
  }

  async warm(): Promise<void> {
    const conn = await this.connect();
    if (this.closed || this.idle.length >= this.limits.maxIdle) conn.close();
    else {
      this.idle.push(conn);
      this.sweep();
    }
  }

  /** Idle connections kept. */
  get idleCount(): number {
    return this.idle.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const c of this.idle.splice(0)) c.close();
    for (const c of this.busy) c.destroy();
  }
}
