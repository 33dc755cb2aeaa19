/**
 * Loading the engine from whatever a runtime can provide, and the process-wide default.
 *
 * Each runtime has its own way to get a `WebAssembly.Module` (a file in Node, `fetch` in
 * browsers and Deno, a module import in workerd, which refuses to compile bytes); all of
 * them end here. The SIMD build is tried first and the plain build is the fallback.
 */
import { ErrorCode, KitewireError } from "../errors.js";
import { Engine, type EngineOptions } from "./engine.js";

type EngineBytes = WebAssembly.Module | ArrayBuffer | ArrayBufferView | Response;

/** Anything the engine can be made from: a compiled module, its bytes, or a fetch Response. */
export type EngineSource = EngineBytes | PromiseLike<EngineBytes>;

/** The two builds, SIMD first; either may be omitted. */
export interface EngineSources {
  simd?: EngineSource | (() => EngineSource);
  plain?: EngineSource | (() => EngineSource);
}

async function compile(source: EngineSource): Promise<WebAssembly.Module> {
  const value = await source;
  if (value instanceof WebAssembly.Module) return value;
  if (value instanceof ArrayBuffer || ArrayBuffer.isView(value)) return WebAssembly.compile(value as BufferSource);
  const response = value;
  if (!response.ok) throw new Error(`HTTP ${response.status} fetching ${response.url}`);
  if (typeof WebAssembly.compileStreaming === "function" &&
      response.headers.get("content-type")?.split(";")[0] === "application/wasm") {
    return WebAssembly.compileStreaming(response);
  }
  return WebAssembly.compile(await response.arrayBuffer());
}

/**
 * Compiles and instantiates an engine. Given both builds, the SIMD one is used when the
 * runtime can compile it; any failure there falls back to the plain build.
 */
export async function loadEngine(sources: EngineSource | EngineSources, options: EngineOptions = {}): Promise<Engine> {
  const pair: EngineSources = isPair(sources) ? sources : { plain: sources };
  const tried: unknown[] = [];
  for (const source of [pair.simd, pair.plain]) {
    if (source === undefined) continue;
    let module: WebAssembly.Module;
    try {
      module = await compile(typeof source === "function" ? source() : source);
    } catch (error) {
      tried.push(error);
      continue;
    }
    const instance = await WebAssembly.instantiate(module, {});
    return new Engine(instance, options);
  }
  throw new KitewireError(ErrorCode.NOT_INITIALIZED, `could not load the kitewire engine: ${tried.map(String).join("; ")}`, {
    cause: tried[0],
  });
}

function isPair(value: EngineSource | EngineSources): value is EngineSources {
  return typeof value === "object" && value !== null && !(value instanceof WebAssembly.Module) &&
    !(value instanceof ArrayBuffer) && !ArrayBuffer.isView(value) && !("then" in value) &&
    !("arrayBuffer" in value) && ("simd" in value || "plain" in value);
}

let current: Engine | null = null;
let pending: Promise<Engine> | null = null;

/**
 * Loads the engine that writers and readers use by default. Later calls return the same
 * engine (the first call's sources win).
 */
export function initEngine(sources: EngineSource | EngineSources | (() => EngineSources), options?: EngineOptions): Promise<Engine> {
  if (current) return Promise.resolve(current);
  pending ??= loadEngine(typeof sources === "function" ? sources() : sources, options).then(
    (engine) => (current = engine),
    (error) => {
      pending = null;
      throw error;
    },
  );
  return pending;
}

/** Makes `engine` the default (for runtimes that instantiate the module themselves). */
export function setEngine(engine: Engine): void {
  current = engine;
}

/** The default engine; throws NOT_INITIALIZED before `init()` has finished. */
export function getEngine(): Engine {
  if (current === null) throw notInitialized();
  return current;
}

function notInitialized(): KitewireError {
  return new KitewireError(ErrorCode.NOT_INITIALIZED, "kitewire is not initialized: await init() first");
}
