/**
 * The engine the fuzz targets run on, loaded synchronously (a Jazzer.js target module
 * cannot await), with a memory limit: an input that makes a decoder allocate past it gets
 * OUT_OF_MEMORY, and `checkEngineMemory` fails the run if memory or live blocks grow.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Engine, setEngine } from "kitewire";

/** Most linear memory the fuzzed engine may have (decoders must fail cleanly before it). */
export const ENGINE_MEMORY_LIMIT = 256 << 20;
/** Engine blocks that may stay live across inputs beyond the first input's (readers' own copies, scratch). */
const LIVE_BLOCK_SLACK = 8;

let engine: Engine | undefined;
let liveBlocks = -1;

/**
 * Loads the engine once: from build/ (relative to the working directory, the repository
 * root), or the file KITEWIRE_FUZZ_ENGINE names (run.mjs's copy, taken with its bundle, so a
 * rebuild during long runs does not pair new engine code with the old bundle).
 */
export function fuzzEngine(): Engine {
  if (engine === undefined) {
    const bytes = readFileSync(process.env.KITEWIRE_FUZZ_ENGINE ?? join(process.cwd(), "build", "kitewire.simd.wasm"));
    engine = new Engine(new WebAssembly.Instance(new WebAssembly.Module(bytes), {}), { memoryLimit: ENGINE_MEMORY_LIMIT });
    setEngine(engine);
  }
  return engine;
}

/** Forgets the live-block baseline: the next `checkEngineMemory` takes it afresh (one per target). */
export function resetEngineBaseline(): void {
  liveBlocks = -1;
}

/**
 * Throws if the engine's live blocks grew past those after the first input plus a small
 * slack (a block leaked per input shows up within a few inputs), or memory passed its limit.
 */
export function checkEngineMemory(): void {
  const e = fuzzEngine();
  const live = e.exports.liveBlockCount();
  if (liveBlocks < 0) liveBlocks = live;
  if (live > liveBlocks + LIVE_BLOCK_SLACK) {
    throw new Error(`engine blocks leak: ${live} live, ${liveBlocks} after the first input`);
  }
  const size = e.exports.memory.buffer.byteLength;
  if (size > ENGINE_MEMORY_LIMIT) throw new Error(`engine memory ${size} bytes exceeds ${ENGINE_MEMORY_LIMIT}`);
}
