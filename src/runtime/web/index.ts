/**
 * kitewire for browsers, Deno and Bun: the core plus an `init()` that fetches the engine
 * from beside this module.
 */
import type { Engine } from "../../wasm/engine.js";
import { initEngine } from "../../wasm/load.js";
import { engineUrls, type InitOptions } from "../assets.js";

import { setDefaultConnector } from "../../client/transport.js";
import { denoConnector, isDeno } from "../../net/deno/connect.js";

export * from "../../index.js";
export { createGrpcClient, type WebGrpcClientOptions } from "../../grpc/web-client.js";
export { streamDialer } from "../../grpc/stream-dialer.js";
export { denoSocket, denoTransport, denoConnector } from "../../net/deno/connect.js";

// Deno clients connect to discovered instances with Deno.connect (browsers have no TCP).
if (isDeno()) setDefaultConnector(denoConnector());

export type { InitOptions };

/** Loads the engine (SIMD build first, plain fallback); later calls return the same engine. */
export function init(options: InitOptions = {}): Promise<Engine> {
  return initEngine(options.source ?? (() => {
    const urls = engineUrls();
    return { simd: () => fetch(urls.simd), plain: () => fetch(urls.plain) };
  }), options);
}
