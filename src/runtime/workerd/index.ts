/**
 * kitewire for Cloudflare workerd: the core plus an `init()` over the engine imported as
 * a module. workerd refuses to compile WebAssembly from bytes at run time, so the module
 * must come from an import, which its bundler turns into a compiled `WebAssembly.Module`.
 * workerd's V8 always has SIMD, so only the SIMD build is imported.
 */
import engineModule from "../../../build/kitewire.simd.wasm";
import type { Engine } from "../../wasm/engine.js";
import { initEngine } from "../../wasm/load.js";
import type { InitOptions } from "../assets.js";

import { setDefaultConnector } from "../../client/transport.js";
import { workerdConnector } from "../../net/workerd/connect.js";

export * from "../../index.js";
export { workerdSocket, workerdTransport, workerdConnector } from "../../net/workerd/connect.js";

// workerd clients connect to discovered instances with cloudflare:sockets, a connection per call.
setDefaultConnector(workerdConnector());

export type { InitOptions };

/** Instantiates the engine; later calls return the same engine. */
export function init(options: InitOptions = {}): Promise<Engine> {
  return initEngine(options.source ?? engineModule, options);
}
