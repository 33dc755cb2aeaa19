// Bundles the tsc output (dist/esm) into one ESM file per runtime, with the engine's
// .wasm files copied beside them as assets (never only base64-inlined: workerd refuses
// to compile wasm from bytes).
import { readFileSync } from "node:fs";

const WASM_FILES = ["kitewire.wasm", "kitewire.simd.wasm"];

/** Points the engine URLs and the workerd wasm import at files beside the bundle. */
function engineAssets() {
  return {
    name: "kitewire-engine-assets",
    resolveId(source) {
      const name = source.split("/").pop();
      if (source.endsWith(".wasm") && WASM_FILES.includes(name)) return { id: `./${name}`, external: true };
      return null;
    },
    transform(code, id) {
      if (!id.replaceAll("\\", "/").endsWith("/runtime/assets.js")) return null;
      return { code: code.replace('"../../build/"', '"./"'), map: null };
    },
    generateBundle() {
      for (const fileName of WASM_FILES) {
        this.emitFile({ type: "asset", fileName, source: readFileSync(`build/${fileName}`) });
      }
    },
  };
}

const entries = {
  node: "dist/esm/runtime/node/index.js",
  web: "dist/esm/runtime/web/index.js",
  workerd: "dist/esm/runtime/workerd/index.js",
  cli: "dist/esm/cli/main.js",
};

export default Object.entries(entries).map(([name, input]) => ({
  input,
  output: { file: `dist/kitewire.${name}.mjs`, format: "es", sourcemap: true },
  // etcd3 is loaded only when etcd discovery is used, from the user's node_modules.
  external: (id) => id.startsWith("node:") || id === "etcd3",
  plugins: [engineAssets()],
  onwarn(warning, warn) {
    if (warning.code === "CIRCULAR_DEPENDENCY") throw new Error(warning.message);
    warn(warning);
  },
}));
