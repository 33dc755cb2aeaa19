/** Sockets for gRPC channels in Node: TCP, or TLS negotiating ALPN `h2`. */
import net from "node:net";
import tls, { type ConnectionOptions } from "node:tls";
import { ErrorCode, KitewireError } from "../../errors.js";
import type { DialedSocket, GrpcDialer } from "../channel.js";
import { socketTransport } from "./socket.js";

/** A dialer of plain TCP (h2c), or of TLS with `tlsOptions` (ALPN `h2` asked for and required). */
export function nodeDialer(tlsOptions?: ConnectionOptions): GrpcDialer {
  return (address, timeoutMs) => new Promise<DialedSocket>((resolve, reject) => {
    const colon = address.lastIndexOf(":");
    const host = address.slice(0, colon).replace(/^\[|\]$/g, "");
    const port = Number(address.slice(colon + 1));
    const socket = tlsOptions === undefined ? net.connect({ host, port })
      : tls.connect({ servername: net.isIP(host) === 0 ? host : undefined, ...tlsOptions, host, port, ALPNProtocols: ["h2"] });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new KitewireError(ErrorCode.TIMEOUT, `gRPC channel to ${address}: no connection within ${timeoutMs} ms`));
    }, timeoutMs);
    const failed = (error: Error) => {
      clearTimeout(timer);
      reject(new KitewireError(ErrorCode.CONNECTION, `gRPC channel to ${address}: ${error.message}`, { cause: error }));
    };
    socket.once("error", failed);
    socket.once(tlsOptions === undefined ? "connect" : "secureConnect", () => {
      clearTimeout(timer);
      socket.off("error", failed);
      if (tlsOptions !== undefined && (socket as tls.TLSSocket).alpnProtocol !== "h2") {
        socket.destroy();
        return reject(new KitewireError(ErrorCode.CONNECTION, `gRPC channel to ${address}: the server did not agree to HTTP/2 (ALPN h2)`));
      }
      socket.setNoDelay(true);
      socket.unref();
      const transport = socketTransport(socket);
      resolve({
        ...transport,
        attach(connection) {
          socket.on("data", (bytes: Buffer) => connection.receive(bytes));
          socket.on("close", () => connection.transportClosed());
          socket.on("drain", () => connection.transportDrained());
          socket.on("error", () => undefined); // 'close' follows
        },
        destroy: () => socket.destroy(),
      });
    });
  });
}
