// as-pect runs AssemblyScript-level specs (assembly/__tests__/*.spec.ts) on primitives;
// everything that crosses the ABI is tested from vitest on the compiled module.
export default {
  entries: ["assembly/__tests__/**/*.spec.ts"],
  include: ["assembly/__tests__/**/*.include.ts"],
  disclude: [/node_modules/],
  async instantiate(memory, createImports, instantiate, binary) {
    return instantiate(binary, createImports({ env: { memory } }));
  },
  outputBinary: false,
};
