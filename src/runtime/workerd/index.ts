/**
 * kitewire for Cloudflare workerd: the core plus an `init()` over the engine imported as
 * a module. workerd refuses to compile WebAssembly from bytes at run time, so the module
 * must come from an import, which its bundler turns into a compiled `WebAssembly.Module`.
 * workerd's V8 always has SIMD, so only the SIMD build is imported.
 */
import engineModule from "../../../build/kitewire.simd.wasm";
import type { Engine, EngineOptions } from "../../wasm/engine.js";
import { initEngine, type EngineSource, type EngineSources } from "../../wasm/load.js";

export * from "../../index.js";

/** Options of `init()`. */
export interface InitOptions extends EngineOptions {
  /** Use this engine source instead of the imported module. */
  source?: EngineSource | EngineSources;
}

/** Instantiates the engine; later calls return the same engine. */
export function init(options: InitOptions = {}): Promise<Engine> {
  return initEngine(options.source ?? engineModule, options);
}
