/** An HTTP/2 connection's transport on a Node socket: a tick's frames leave in one (corked) write. */
import type { Socket } from "node:net";
import type { Http2Transport } from "../../net/http2/connection.js";

export function socketTransport(socket: Socket): Http2Transport {
  return {
    write(parts) {
      if (socket.destroyed) return true;
      if (parts.length === 1) return socket.write(parts[0]!);
      socket.cork();
      for (const p of parts) socket.write(p);
      socket.uncork();
      return !socket.writableNeedDrain;
    },
    end() {
      if (socket.destroyed) return;
      socket.end();
      // A peer that never closes its side does not keep the socket: it goes after a second.
      setTimeout(() => socket.destroy(), 1000).unref();
    },
  };
}
