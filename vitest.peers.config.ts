import { defineConfig } from "vitest/config";

// Tests against Debian-packaged peers (Chromium, python3-thrift, protoc, grpcio, etcd):
// `npm run test:peers`, after the apt-get line in the README.
export default defineConfig({
  test: {
    include: ["tests/peers/**/*.test.ts"],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
  },
});
