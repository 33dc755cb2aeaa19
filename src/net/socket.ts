/**
 * What a runtime without node:net gives kitewire's clients: a TCP connection as a pair of
 * web streams (Deno.connect's TcpConn, cloudflare:sockets' Socket, Bun's and others'
 * adapters). `net/stream` builds client connections on it; `net/deno` and `net/workerd`
 * open it.
 */

/** A connected byte stream. */
export interface StreamSocket {
  readonly readable: ReadableStream<Uint8Array>;
  readonly writable: WritableStream<Uint8Array>;
  /** Closes both directions; pending reads end. */
  close(): void | Promise<void>;
}

/**
 * Opens a TCP connection to `host:port`; rejects when it cannot be made. `signal` aborts
 * when the caller stops waiting (the connect timeout passed): stop connecting and close
 * what was opened, if the runtime can. A socket that still arrives later is closed by the
 * caller.
 */
export type OpenSocket = (host: string, port: number, signal?: AbortSignal) => Promise<StreamSocket>;
