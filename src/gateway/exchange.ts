/**
 * The gateway's view of one HTTP exchange, small enough that each runtime's adapter fills
 * it without building a fetch `Request` (the Node adapter reads node:http straight into
 * it), and `fetchExchange` / `toResponse` for runtimes whose server hands out fetch objects.
 */
import { GatewayFailure } from "./failure.js";

/** One HTTP request as the gateway reads it. */
export interface GatewayRequest {
  /** Upper-case method. */
  readonly method: string;
  /** The path, percent-encoded as received, without the query. */
  readonly path: string;
  /** The query string without `?` ("" when none). */
  readonly query: string;
  /** A request header by lower-case name (several joined with ", "), or null. */
  header(name: string): string | null;
  /**
   * The whole body, read up to `limit` bytes: past that it rejects with a GatewayFailure
   * (resource_exhausted, HTTP 413) and stops reading.
   */
  body(limit: number): Promise<Uint8Array>;
  /** Aborts when the HTTP client goes away. */
  readonly signal?: AbortSignal;
}

/** One HTTP response. */
export interface GatewayReply {
  status: number;
  headers: Record<string, string>;
  /**
   * The body; a stream for a server-streaming call, which the adapter reads only as fast
   * as the HTTP client takes it, and cancels when the client goes away (stream.ts).
   */
  body: Uint8Array | string | ReadableStream<Uint8Array>;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** A JSON body's text; invalid_argument when it is not UTF-8. */
export function jsonBodyText(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new GatewayFailure("invalid_argument", "the JSON body is not valid UTF-8");
  }
}

/** The failure of a body over `limit` bytes. */
export function bodyTooLarge(limit: number): GatewayFailure {
  return new GatewayFailure("resource_exhausted", `request body larger than the gateway's limit of ${limit} bytes`, 413);
}

/** Reads `stream` whole, failing once it passes `limit` bytes (and cancelling the rest). */
export async function readLimited(stream: ReadableStream<Uint8Array> | null, limit: number): Promise<Uint8Array> {
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      reader.cancel().catch(() => undefined);
      throw bodyTooLarge(limit);
    }
    chunks.push(value);
  }
  if (chunks.length === 1) return chunks[0]!;
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}

/** The gateway's view of a fetch `Request`. */
export function fetchExchange(request: Request): GatewayRequest {
  const url = request.url;
  const schemeEnd = url.indexOf("://");
  const pathStart = url.indexOf("/", schemeEnd < 0 ? 0 : schemeEnd + 3);
  const q = url.indexOf("?", pathStart);
  const hash = url.indexOf("#", pathStart);
  const end = hash < 0 ? url.length : hash;
  return {
    method: request.method.toUpperCase(),
    path: pathStart < 0 ? "/" : url.slice(pathStart, q < 0 ? end : q),
    query: q < 0 ? "" : url.slice(q + 1, end),
    header: (name) => request.headers.get(name),
    body: (limit) => {
      const length = Number(request.headers.get("content-length") ?? "0");
      if (length > limit) return Promise.reject(bodyTooLarge(limit));
      return readLimited(request.body, limit);
    },
    signal: request.signal,
  };
}

/** A fetch `Response` of a reply. */
export function toResponse(reply: GatewayReply): Response {
  const body = reply.status === 204 || reply.status === 304 ? null : reply.body;
  return new Response(body as BodyInit | null, { status: reply.status, headers: reply.headers });
}
