/**
 * Client connections in Deno: `Deno.connect` (needs `--allow-net` for the address).
 * `denoTransport({ address, transport })` is what `createClient`'s `connection` takes;
 * `denoConnector()` what its `connect` takes for discovered instances.
 */
import type { Connector, ClientTransport } from "../../client/transport.js";
import { ErrorCode, KitewireError } from "../../errors.js";
import type { OpenSocket, StreamSocket } from "../socket.js";
import { streamConnector, streamTransport, type StreamTransportOptions } from "../stream/transport.js";

/** The part of Deno's API used here (kitewire is not compiled against Deno's types). */
interface DenoTcpConn extends StreamSocket {
  setNoDelay?(noDelay?: boolean): void;
}
interface DenoApi {
  connect(options: { hostname: string; port: number; transport?: "tcp" }): Promise<DenoTcpConn>;
}

/** Opens a TCP connection with `Deno.connect` (Nagle off). */
export const denoSocket: OpenSocket = async (host, port) => {
  const deno = (globalThis as { Deno?: DenoApi }).Deno;
  if (deno === undefined) throw new KitewireError(ErrorCode.INVALID_STATE, "denoSocket: not running in Deno");
  const conn = await deno.connect({ hostname: host, port, transport: "tcp" });
  conn.setNoDelay?.(true);
  return conn;
};

/** A client transport over Deno TCP connections (multiplexed by default). */
export function denoTransport(options: StreamTransportOptions): ClientTransport {
  return streamTransport(denoSocket, options);
}

/** A connector over Deno TCP connections. */
export function denoConnector(options: Omit<StreamTransportOptions, "address" | "transport" | "events"> = {}): Connector {
  return streamConnector(denoSocket, options);
}

/** Whether this runtime is Deno. */
export function isDeno(): boolean {
  return typeof (globalThis as { Deno?: unknown }).Deno === "object";
}
