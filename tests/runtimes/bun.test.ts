/**
 * Bun (the npm `bun` package's binary) through dist/kitewire.node.mjs, which Bun runs on
 * its node:fs and node:net: the cross-runtime codec round trip, and a generic client
 * calling a kitewire Thrift server in a Node process over a TCP socket (a result, i64
 * beyond 2^53, binary as base64, a declared exception, an unknown method). The gateway
 * under Bun.serve is tests/gateway/bun.test.ts.
 */
import { afterAll, beforeAll, expect, test } from "vitest";
import { startUpstream, SEARCH_THRIFT, type Upstream } from "../gateway/support.js";
import { describeProcess, distFile, parseMarkedJson, repoPath, runProcess } from "./support.js";

const BUN = repoPath("node_modules/.bin/bun");
const SCRIPT = repoPath("tests/runtimes/bun-main.mjs");

let upstream: Upstream;
beforeAll(async () => {
  upstream = await startUpstream();
});
afterAll(async () => {
  await upstream?.stop();
});

test("codec round trip and a client call over a socket, in Bun through dist/kitewire.node.mjs", async () => {
  distFile("kitewire.node.mjs");
  const p = await runProcess(BUN, [SCRIPT, JSON.stringify({ idl: SEARCH_THRIFT, upstream: upstream.port })], {
    env: { ...process.env, NO_COLOR: "1" }, timeoutMs: 60_000,
  });
  const result = parseMarkedJson(p.stdout, "kitewire-roundtrip ");
  expect(result, describeProcess("bun", p)).toBeDefined();
  expect(result!.failures).toEqual([]);
  expect(result!.ok).toBe(true);
  expect(result!.simd).toBe(true);
  expect(result!.checks).toBeGreaterThan(1000);
  const client = parseMarkedJson(p.stdout, "kitewire-client ") as unknown as Record<string, unknown> | undefined;
  expect(client, describeProcess("bun", p)).toEqual({
    search: { hits: [{ title: "bun #0", score: 100 }, { title: "bun #1", score: 99 }], total: 1002 },
    echo: "t|3|9007199254740993",
    notFound: { type: "NotFound", message: "no user 404", id: 404 },
    unknown: "UNKNOWN_METHOD",
  });
  expect(p.code, describeProcess("bun", p)).toBe(0);
});
