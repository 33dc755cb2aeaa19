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
  // The adapters are entries of their own, so that only their users need prom-client or
  // @opentelemetry/api (kitewire/prometheus, kitewire/opentelemetry).
  opentelemetry: "dist/esm/observability/opentelemetry/index.js",
  prometheus: "dist/esm/observability/prometheus/node/index.js",
};

// Loaded from the user's node_modules, only by the features that need them: etcd3 by etcd
// discovery, prom-client and @opentelemetry/api by their adapters' entries.
const OPTIONAL_DEPENDENCIES = ["etcd3", "prom-client", "@opentelemetry/api"];

export default Object.entries(entries).map(([name, input]) => ({
  input,
  output: { file: `dist/kitewire.${name}.mjs`, format: "es", sourcemap: true },
  external: (id) => id.startsWith("node:") || id.startsWith("cloudflare:") || OPTIONAL_DEPENDENCIES.includes(id),
  plugins: [engineAssets()],
  onwarn(warning, warn) {
    if (warning.code === "CIRCULAR_DEPENDENCY") throw new Error(warning.message);
    warn(warning);
  },
}));
