/** kitewire for Node: the core plus an `init()` that reads the engine from disk. */
import { readFile } from "node:fs/promises";
import type { Engine } from "../../wasm/engine.js";
import { initEngine } from "../../wasm/load.js";
import { engineUrls, type InitOptions } from "../assets.js";
import { registerTransform } from "../../remote/transform.js";
import { zlibTransform } from "../../remote/node/zlib.js";

export * from "../../index.js";
export { listen, type Listener, type ListenOptions } from "../../server/node/listen.js";
export { nodeTransport, type NodeTransportOptions } from "../../client/node/transport.js";

export { zlibTransform };
export type { InitOptions };

// Apache THeader's zlib transform, on node:zlib (the core has no compression of its own).
registerTransform(zlibTransform);

/** Loads the engine (SIMD build first, plain fallback); later calls return the same engine. */
export function init(options: InitOptions = {}): Promise<Engine> {
  return initEngine(options.source ?? (() => {
    const urls = engineUrls();
    return { simd: () => readFile(urls.simd), plain: () => readFile(urls.plain) };
  }), options);
}
