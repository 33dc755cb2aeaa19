/**
 * Deno entry of the cross-runtime round trip (run by deno.test.ts; by hand:
 * `npx deno run --allow-read tests/runtimes/deno-main.mjs`). Loads the browser/Deno bundle,
 * whose init() fetches kitewire.simd.wasm from beside it (a file: URL here), and prints the
 * result as one JSON line; exits 1 if any check failed.
 */
import * as kitewire from "../../dist/kitewire.web.mjs";
import { run } from "./shared/roundtrip.mjs";

const result = await run(kitewire);
console.log("kitewire-roundtrip " + JSON.stringify({ runtime: `deno ${Deno.version.deno}`, ...result }));
if (!result.ok) Deno.exit(1);
