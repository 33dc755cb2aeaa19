/**
 * kitewire for browsers, Deno and Bun: the core plus an `init()` that fetches the engine
 * from beside this module.
 */
import type { Engine, EngineOptions } from "../../wasm/engine.js";
import { initEngine, type EngineSource, type EngineSources } from "../../wasm/load.js";
import { engineUrls } from "../assets.js";

export * from "../../index.js";

/** Options of `init()`. */
export interface InitOptions extends EngineOptions {
  /** Load the engine from here instead of fetching the files shipped beside this module. */
  source?: EngineSource | EngineSources;
}

/** Loads the engine (SIMD build first, plain fallback); later calls return the same engine. */
export function init(options: InitOptions = {}): Promise<Engine> {
  return initEngine(options.source ?? (() => {
    const urls = engineUrls();
    return { simd: () => fetch(urls.simd), plain: () => fetch(urls.plain) };
  }), options);
}
