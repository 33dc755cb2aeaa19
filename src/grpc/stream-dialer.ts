/**
 * gRPC channels on web-stream sockets (src/net/socket.ts: Deno.connect, cloudflare:sockets,
 * Bun's adapters): what is read goes to the HTTP/2 connection, what it writes goes to the
 * socket's writer, and the writer's backpressure holds the connection's writers back.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import type { Http2Connection } from "../net/http2/connection.js";
import type { OpenSocket } from "../net/socket.js";
import type { DialedSocket, GrpcDialer } from "./channel.js";

/** A dialer over `open` (plain TCP: h2c). */
export function streamDialer(open: OpenSocket): GrpcDialer {
  return async (address, timeoutMs) => {
    const colon = address.lastIndexOf(":");
    const host = address.slice(0, colon).replace(/^\[|\]$/g, "");
    const port = Number(address.slice(colon + 1));
    let timer: ReturnType<typeof setTimeout> | undefined;
    const opening = open(host, port);
    const socket = await Promise.race([opening, new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new KitewireError(ErrorCode.TIMEOUT, `gRPC channel to ${address}: no connection within ${timeoutMs} ms`)), timeoutMs);
    })]).catch((error: unknown) => {
      opening.then((s) => s.close(), () => undefined);
      throw error instanceof KitewireError ? error
        : new KitewireError(ErrorCode.CONNECTION, `gRPC channel to ${address}: ${(error as Error).message}`, { cause: error });
    }).finally(() => clearTimeout(timer));
    const writer = socket.writable.getWriter();
    let closed = false;
    let connection: Http2Connection | undefined;
    let waiting = false;
    const close = () => {
      if (closed) return;
      closed = true;
      void Promise.resolve(socket.close()).catch(() => undefined);
    };
    const dialed: DialedSocket = {
      write(parts) {
        for (const p of parts) writer.write(p).catch(close);
        if (writer.desiredSize === null || writer.desiredSize > 0) return true;
        if (!waiting) {
          waiting = true;
          void writer.ready.then(() => ((waiting = false), connection?.transportDrained()), () => undefined);
        }
        return false;
      },
      end() {
        writer.close().catch(() => undefined).finally(close);
      },
      destroy: close,
      attach(c) {
        connection = c;
        const reader = socket.readable.getReader();
        void (async () => {
          try {
            for (;;) {
              const { value, done } = await reader.read();
              if (done) break;
              c.receive(value);
            }
          } catch {
            // the connection below says what became of its calls
          }
          close();
          c.transportClosed();
        })();
      },
    };
    return dialed;
  };
}
