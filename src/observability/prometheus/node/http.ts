/**
 * The `/metrics` endpoint Prometheus scrapes, on `node:http` (monitor-prometheus serves
 * its registry the same way, at an address and path of the user's choice).
 */
import { createServer, type Server as HttpServer } from "node:http";
import type { Registry } from "prom-client";
import { ErrorCode, KitewireError } from "../../../errors.js";

export interface MetricsEndpointOptions {
  /** Loopback by default. */
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Default "/metrics". */
  path?: string;
}

export interface MetricsEndpoint {
  readonly host: string;
  readonly port: number;
  /** The scrape URL, e.g. `http://127.0.0.1:9091/metrics`. */
  readonly url: string;
  close(): Promise<void>;
}

/** Serves `registry` in the Prometheus text format at `path`; other paths get 404. */
export async function serveMetrics(registry: Registry, options: MetricsEndpointOptions = {}): Promise<MetricsEndpoint> {
  const path = options.path ?? "/metrics";
  if (!path.startsWith("/")) throw new KitewireError(ErrorCode.INVALID_VALUE, `metrics path must start with "/", got ${path}`);
  const http: HttpServer = createServer((req, res) => {
    const url = req.url ?? "/";
    const query = url.indexOf("?");
    if ((query < 0 ? url : url.slice(0, query)) !== path || (req.method !== "GET" && req.method !== "HEAD")) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
      return;
    }
    registry.metrics().then(
      (text) => res.writeHead(200, { "content-type": registry.contentType }).end(req.method === "HEAD" ? undefined : text),
      (error: unknown) => res.writeHead(500, { "content-type": "text/plain" }).end(`${String(error)}\n`),
    );
  });
  await new Promise<void>((resolve, reject) => {
    http.once("error", reject);
    http.listen(options.port ?? 0, options.host ?? "127.0.0.1", () => {
      http.off("error", reject);
      resolve();
    });
  });
  const address = http.address();
  if (address === null || typeof address === "string") throw new KitewireError(ErrorCode.CONNECTION, "metrics endpoint has no TCP address");
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  return {
    host: address.address,
    port: address.port,
    url: `http://${host}:${address.port}${path}`,
    close: () => new Promise<void>((resolve) => {
      http.close(() => resolve());
      http.closeAllConnections();
    }),
  };
}
