/** Keepalive PINGs on an HTTP/2 session: one every `intervalMs`; no answer within `timeoutMs` closes it. */
import type { Http2Session } from "node:http2";

/** Starts pinging `session` (nothing when `intervalMs` is 0); returns what stops it. */
export function keepalive(session: Http2Session, intervalMs: number, timeoutMs: number, onTimeout: () => void): () => void {
  if (intervalMs <= 0) return () => undefined;
  let timeout: ReturnType<typeof setTimeout> | undefined;
  const interval = setInterval(() => {
    if (session.closed || session.destroyed || timeout !== undefined) return;
    timeout = setTimeout(() => {
      onTimeout();
      session.destroy();
    }, timeoutMs);
    timeout.unref();
    const sent = session.ping((error) => {
      clearTimeout(timeout);
      timeout = undefined;
      if (error && !session.destroyed) session.destroy();
    });
    if (!sent) {
      clearTimeout(timeout);
      timeout = undefined;
    }
  }, intervalMs);
  interval.unref();
  return () => {
    clearInterval(interval);
    clearTimeout(timeout);
  };
}
