/** kitewire for Node: the core plus an `init()` that reads the engine from disk. */
import { readFile } from "node:fs/promises";
import type { Engine } from "../../wasm/engine.js";
import { initEngine } from "../../wasm/load.js";
import { engineUrls, type InitOptions } from "../assets.js";

export * from "../../index.js";
export { listen, type Listener, type ListenOptions } from "../../server/node/listen.js";
export { nodeTransport, type NodeTransportOptions } from "../../client/node/transport.js";

export type { InitOptions };

/** Loads the engine (SIMD build first, plain fallback); later calls return the same engine. */
export function init(options: InitOptions = {}): Promise<Engine> {
  return initEngine(options.source ?? (() => {
    const urls = engineUrls();
    return { simd: () => readFile(urls.simd), plain: () => readFile(urls.plain) };
  }), options);
}
