/** Keepalive PINGs on an HTTP/2 connection: one every `intervalMs`; no answer within `timeoutMs` ends it. */
import type { Http2Connection } from "../net/http2/connection.js";

/** Starts pinging `connection` (nothing when `intervalMs` is 0); returns what stops it. */
export function keepalive(connection: Http2Connection, intervalMs: number, timeoutMs: number, onTimeout: () => void): () => void {
  if (intervalMs <= 0) return () => undefined;
  let timeout: ReturnType<typeof setTimeout> | undefined;
  const interval = setInterval(() => {
    if (connection.dead || timeout !== undefined) return;
    timeout = setTimeout(() => {
      onTimeout();
      connection.destroy();
    }, timeoutMs);
    unref(timeout);
    connection.ping(() => {
      clearTimeout(timeout);
      timeout = undefined;
    });
  }, intervalMs);
  unref(interval);
  return () => {
    clearInterval(interval);
    clearTimeout(timeout);
  };
}

function unref(timer: unknown): void {
  (timer as { unref?: () => void }).unref?.();
}
