/**
 * Where the engine's two builds live relative to this module. In the source tree they are
 * in build/; rollup rewrites WASM_DIR to "./" in the bundles, beside which it copies them.
 */
import type { EngineOptions } from "../wasm/engine.js";
import type { EngineSource, EngineSources } from "../wasm/load.js";

const WASM_DIR = "../../build/";

/** URLs of the SIMD and plain builds. */
export function engineUrls(): { simd: URL; plain: URL } {
  return {
    simd: new URL(WASM_DIR + "kitewire.simd.wasm", import.meta.url),
    plain: new URL(WASM_DIR + "kitewire.wasm", import.meta.url),
  };
}

/** Options of every runtime's `init()`. */
export interface InitOptions extends EngineOptions {
  /** Load the engine from here instead of the runtime's default place. */
  source?: EngineSource | EngineSources;
}
