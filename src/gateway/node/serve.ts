/**
 * The gateway on node:http: each request read straight into a GatewayRequest (no fetch
 * `Request` is built), its body bounded as it arrives, and an AbortSignal that fires when
 * the HTTP client goes away before the reply, which cancels the upstream call.
 *
 * The signal belongs to the HTTP connection, not to each request: the only way an HTTP/1.1
 * client goes away is by closing its connection, which cancels whatever it still waits
 * for; one signal per connection spares an AbortController and a pair of listeners per
 * request (creating the AbortSignal alone was 4 % of the gateway's CPU under load).
 */
import { setMaxListeners } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { bodyTooLarge, type GatewayReply, type GatewayRequest } from "../exchange.js";
import type { Gateway } from "../gateway.js";

/** Options of `serveGateway`. */
export interface ServeGatewayOptions {
  /** Port to listen on (default 0: any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Answers requests the gateway should not see (static files, health checks); return false to pass. */
  before?: (req: IncomingMessage, res: ServerResponse) => boolean;
}

/** A listening gateway. */
export interface GatewayServer {
  readonly server: Server;
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** Stops listening, closes open connections and the gateway's upstream clients. */
  close(): Promise<void>;
}

/**
 * The node:http request listener of a gateway, for node:http and node:https servers
 * (HTTP/1.1: a call is cancelled when its connection closes, see the file's comment).
 */
export function nodeHandler(gateway: Gateway): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const exchange = nodeExchange(req, res);
    gateway.serve(exchange).then((reply) => writeReply(res, reply), (error: unknown) => {
      res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "internal", message: String(error) }));
    });
  };
}

/** Serves `gateway` on a new node:http server. */
export function serveGateway(gateway: Gateway, options: ServeGatewayOptions = {}): Promise<GatewayServer> {
  const handle = nodeHandler(gateway);
  const before = options.before;
  const server = createServer(before === undefined ? handle : (req, res) => {
    if (!before(req, res)) handle(req, res);
  });
  server.keepAliveTimeout = 65_000;
  const host = options.host ?? "127.0.0.1";
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => {
      server.off("error", reject);
      const port = (server.address() as AddressInfo).port;
      resolve({
        server, port, url: `http://${host.includes(":") ? `[${host}]` : host}:${port}`,
        close: async () => {
          await new Promise<void>((done) => {
            server.close(() => done());
            server.closeAllConnections();
          });
          await gateway.close();
        },
      });
    });
  });
}

/** The signal of each HTTP connection a request has asked for (see the file's comment). */
const connectionSignals = new WeakMap<Socket, AbortSignal>();

/** Aborts when `socket` closes. */
function connectionSignal(socket: Socket): AbortSignal {
  let signal = connectionSignals.get(socket);
  if (signal === undefined) {
    const controller = new AbortController();
    signal = controller.signal;
    setMaxListeners(0, signal); // one listener per call in flight on the connection (pipelined requests)
    connectionSignals.set(socket, signal);
    const gone = () => controller.abort(new Error("the HTTP client went away"));
    if (socket.destroyed) gone();
    else socket.once("close", gone);
  }
  return signal;
}

function nodeExchange(req: IncomingMessage, res: ServerResponse): GatewayRequest {
  const url = req.url ?? "/";
  const q = url.indexOf("?");
  return {
    method: req.method ?? "GET",
    path: q < 0 ? url : url.slice(0, q),
    query: q < 0 ? "" : url.slice(q + 1),
    header(name) {
      const v = req.headers[name];
      return v === undefined ? null : Array.isArray(v) ? v.join(", ") : v;
    },
    body: (limit) => readBody(req, res, limit),
    get signal() {
      return connectionSignal(req.socket);
    },
  };
}

/** Reads the body up to `limit`; past it, stops reading and has the connection closed after the reply. */
function readBody(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Uint8Array> {
  const tooLarge = (): Promise<never> => {
    res.shouldKeepAlive = false;
    req.pause();
    return Promise.reject(bodyTooLarge(limit));
  };
  if (Number(req.headers["content-length"] ?? 0) > limit) return tooLarge();
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        cleanup();
        tooLarge().catch(reject);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      cleanup();
      resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onError = (error: Error): void => {
      cleanup();
      reject(error);
    };
    const cleanup = (): void => {
      req.off("data", onData);
      req.off("end", onEnd);
      req.off("error", onError);
    };
    req.on("data", onData);
    req.on("end", onEnd);
    req.on("error", onError);
  });
}

function writeReply(res: ServerResponse, reply: GatewayReply): void {
  if (res.destroyed) return;
  if (reply.status === 204) {
    res.writeHead(204, reply.headers);
    res.end();
    return;
  }
  const body = reply.body;
  if (typeof body !== "string" && !(body instanceof Uint8Array)) {
    writeStream(res, reply, body);
    return;
  }
  // With the length known, the reply goes out in one write, not chunked; a string body is
  // joined to the head by node:http (one write of one string, where bytes take a writev).
  reply.headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.length);
  res.writeHead(reply.status, reply.headers);
  res.end(body);
}

/**
 * Writes a streaming reply: a chunk is read from the stream only once node:http has taken
 * the previous one (`write` true, or 'drain'), so a slow client holds the upstream back;
 * the stream is cancelled (and with it the upstream call) when the client goes away.
 */
function writeStream(res: ServerResponse, reply: GatewayReply, body: ReadableStream<Uint8Array>): void {
  res.writeHead(reply.status, reply.headers);
  res.flushHeaders();
  const reader = body.getReader();
  const gone = (): void => {
    reader.cancel().catch(() => undefined);
  };
  res.once("close", gone);
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        if (res.destroyed) return;
        if (!res.write(value)) {
          await new Promise<void>((resume) => {
            const go = (): void => {
              res.off("drain", go);
              res.off("close", go);
              resume();
            };
            res.on("drain", go);
            res.on("close", go);
          });
        }
      }
      res.end();
    } catch {
      res.destroy();
    } finally {
      res.off("close", gone);
    }
  })();
}
