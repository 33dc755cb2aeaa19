/** Writes made to a socket within one tick leave in one system call. */
import type { Socket } from "node:net";

const corked = new WeakSet<Socket>();

/** Corks `socket` until the end of this tick (idempotent within a tick). */
export function corkForTick(socket: Socket): void {
  if (corked.has(socket)) return;
  corked.add(socket);
  socket.cork();
  process.nextTick(() => {
    corked.delete(socket);
    socket.uncork();
  });
}
