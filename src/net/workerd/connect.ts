/**
 * Client connections in Cloudflare workerd: `connect()` from `cloudflare:sockets`. A
 * socket belongs to the request that opened it (workerd refuses I/O on another request's
 * objects), so the default mode here is `short`: a connection per call.
 */
import { connect } from "cloudflare:sockets";
import type { ClientTransport, Connector } from "../../client/transport.js";
import type { OpenSocket } from "../socket.js";
import { streamConnector, streamTransport, type StreamTransportOptions } from "../stream/transport.js";

/** Opens a TCP connection with `connect()`; resolves once it is open (closed if `signal` aborts first). */
export const workerdSocket: OpenSocket = async (host, port, signal) => {
  const socket = connect({ hostname: host, port }, { allowHalfOpen: false });
  signal?.addEventListener("abort", () => void socket.close().catch(() => undefined), { once: true });
  await socket.opened;
  return socket;
};

/** A client transport over workerd sockets (a connection per call unless `mode: "mux"`). */
export function workerdTransport(options: StreamTransportOptions): ClientTransport {
  return streamTransport(workerdSocket, { mode: "short", ...options });
}

/** A connector over workerd sockets. */
export function workerdConnector(options: Omit<StreamTransportOptions, "address" | "transport" | "events"> = {}): Connector {
  return streamConnector(workerdSocket, { mode: "short", ...options });
}
