/**
 * kitewire for browsers, Deno and Bun: the core plus an `init()` that fetches the engine
 * from beside this module.
 */
import type { Engine } from "../../wasm/engine.js";
import { initEngine } from "../../wasm/load.js";
import { engineUrls, type InitOptions } from "../assets.js";

export * from "../../index.js";

export type { InitOptions };

/** Loads the engine (SIMD build first, plain fallback); later calls return the same engine. */
export function init(options: InitOptions = {}): Promise<Engine> {
  return initEngine(options.source ?? (() => {
    const urls = engineUrls();
    return { simd: () => fetch(urls.simd), plain: () => fetch(urls.plain) };
  }), options);
}
