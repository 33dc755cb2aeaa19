/**
 * kitewire gRPC against Python grpcio (Debian python3-grpcio, code generated at test time
 * with python3-grpc-tools), both directions, on the cases of the gRPC interop suite
 * (grpc/doc/interop-test-descriptions.md) over its own test.proto / messages.proto:
 *
 *  - a grpcio client (tests/peers/grpc/interop_peer.py) runs every case against a kitewire
 *    server implementing grpc.testing.TestService as the suite's servers do;
 *  - the same, against a kitewire server on `listen` threads (two clients at once);
 *  - a kitewire client runs every case against a grpcio server.
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createGrpcClient, ErrorCode, grpcError, gzip, init, KitewireError, listen, Server, silentLogger,
  type GrpcMetadata, type Listener,
} from "kitewire";
import * as empty from "./grpc/gen/empty.js";
import * as msg from "./grpc/gen/messages.js";
import * as t from "./grpc/gen/test.js";
// @ts-expect-error: a plain .mjs module, also loaded by server threads
import { interopService } from "./grpc/interop-service.mjs";

const PY = "/usr/bin/python3";
const here = fileURLToPath(new URL(".", import.meta.url));
const PROTO = join(here, "grpc/proto");
const PEER = join(here, "grpc/interop_peer.py");
const CASES = ["empty_unary", "large_unary", "client_streaming", "server_streaming", "ping_pong", "empty_stream",
  "timeout_on_sleeping_server", "cancel_after_begin", "cancel_after_first_response", "status_code_and_message",
  "special_status_message", "custom_metadata", "unimplemented_method", "unimplemented_service", "client_compressed_unary",
  "server_compressed_unary"];
const SPECIAL = "\t\ntest with whitespace\r\nand Unicode BMP \u263a and non-BMP \u{1f608}\t\n";
const ECHO_INITIAL = "x-grpc-test-echo-initial";
const ECHO_TRAILING = "x-grpc-test-echo-trailing-bin";

let gen: string;

beforeAll(async () => {
  await init();
  gen = mkdtempSync(join(tmpdir(), "kitewire-grpc-interop-"));
  const r = spawnSync(PY, ["-m", "grpc_tools.protoc", `-I${PROTO}`, `--python_out=${gen}`, `--grpc_python_out=${gen}`,
    "empty.proto", "messages.proto", "test.proto"], { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`grpc_tools.protoc failed: ${r.stderr}`);
});
afterAll(() => rmSync(gen, { recursive: true, force: true }));

const zeros = (n: number) => new Uint8Array(n);
const payload = (n: number) => msg.Payload.create({ body: zeros(n) });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const testService = interopService({ grpcError }, empty, msg);

describe("grpcio client -> kitewire server", () => {
  let listener: Listener;
  beforeAll(async () => {
    listener = await listen(new Server({ logger: silentLogger }).register(t.TestService, testService as unknown as t.TestServiceHandler));
  });
  afterAll(() => listener.close({ timeoutMs: 500 }));

  test("every interop case", async () => {
    // Not spawnSync: the server under test runs in this process's event loop.
    const child = spawn(PY, [PEER, gen, "client", String(listener.port), ...CASES], { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
    const r = { stdout: "", stderr: "" };
    child.stdout.on("data", (d: Buffer) => (r.stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (r.stderr += d.toString()));
    await new Promise((resolve) => child.once("exit", resolve));
    const results = r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { case: string; ok: boolean; detail?: string });
    expect(r.stderr.includes("Traceback") ? r.stderr : "").toBe("");
    expect(results.map((x) => x.case)).toEqual(CASES);
    expect(results.filter((x) => !x.ok)).toEqual([]);
  });
});

describe("grpcio client -> kitewire server on 2 threads (listen threads: each HTTP/2 connection served by one server thread)", () => {
  let listener: Listener;
  beforeAll(async () => {
    // The generated modules, transpiled for the server threads (which load the build by URL).
    const bundle = pathToFileURL(join(here, "../../dist/kitewire.node.mjs")).href;
    const out = mkdtempSync(join(tmpdir(), "kitewire-grpc-interop-threads-"));
    const urls: Record<string, string> = { bundle };
    for (const name of ["empty", "messages", "test"]) {
      const { outputText } = ts.transpileModule(readFileSync(join(here, `grpc/gen/${name}.ts`), "utf8"), { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } });
      writeFileSync(join(out, `${name}.mjs`), outputText.replaceAll('from "kitewire"', `from ${JSON.stringify(bundle)}`).replace(/from "\.\/([a-z]+)\.js"/g, 'from "./$1.mjs"'));
      urls[name] = pathToFileURL(join(out, `${name}.mjs`)).href;
    }
    process.env["KITEWIRE_INTEROP_GEN"] = JSON.stringify(urls);
    const kw = (await import(bundle)) as typeof import("kitewire");
    await kw.init();
    listener = await kw.listen(new kw.Server({ logger: kw.silentLogger }), { threads: 2, serverModule: new URL("./grpc/interop-service.mjs", import.meta.url) });
  });
  afterAll(() => listener.close({ timeoutMs: 500 }));

  test("every interop case, from two clients at once (one connection pinned to each thread)", async () => {
    const runs = await Promise.all([0, 1].map(async () => {
      const child = spawn(PY, [PEER, gen, "client", String(listener.port), ...CASES], { stdio: ["ignore", "pipe", "pipe"], timeout: 60_000 });
      const r = { stdout: "", stderr: "" };
      child.stdout.on("data", (d: Buffer) => (r.stdout += d.toString()));
      child.stderr.on("data", (d: Buffer) => (r.stderr += d.toString()));
      await new Promise((resolve) => child.once("exit", resolve));
      return r;
    }));
    for (const r of runs) {
      const results = r.stdout.trim().split("\n").filter(Boolean).map((l) => JSON.parse(l) as { case: string; ok: boolean; detail?: string });
      expect(r.stderr.includes("Traceback") ? r.stderr : "").toBe("");
      expect(results.map((x) => x.case)).toEqual(CASES);
      expect(results.filter((x) => !x.ok)).toEqual([]);
    }
  });
});

/** Requests fed one at a time (ping-pong), as an AsyncIterable. */
class Feed<T> implements AsyncIterable<T> {
  private items: T[] = [];
  private wake: (() => void) | undefined;
  private done = false;
  put(item: T): void {
    this.items.push(item);
    this.wake?.();
  }
  close(): void {
    this.done = true;
    this.wake?.();
  }
  async *[Symbol.asyncIterator](): AsyncIterator<T> {
    for (;;) {
      while (this.items.length > 0) yield this.items.shift()!;
      if (this.done) return;
      await new Promise<void>((r) => (this.wake = r));
    }
  }
}

describe("kitewire client -> grpcio server", () => {
  let py: ChildProcess;
  let address: string;
  type Client = t.TestServiceClient & { close(): Promise<void> };
  let client: Client;

  beforeAll(async () => {
    py = spawn(PY, [PEER, gen, "server"], { stdio: ["pipe", "pipe", "inherit"] });
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      py.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /PORT (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      py.once("exit", (code) => reject(new Error(`python server exited (${code})`)));
    });
    address = `127.0.0.1:${port}`;
    client = createGrpcClient<t.TestServiceClient>(t.TestService, { address, timeoutMs: 20_000 });
  });
  afterAll(async () => {
    await client?.close();
    py.stdin!.end();
    await new Promise((r) => py.once("exit", r));
  });

  const statusOf = (e: unknown) => (e as KitewireError).details?.["grpcStatus"];
  const collect = async <T>(it: AsyncIterable<T>) => {
    const out: T[] = [];
    for await (const v of it) out.push(v);
    return out;
  };

  test("empty_unary", async () => {
    expect(await client.emptyCall(empty.Empty.create())).toEqual(empty.Empty.create());
  });

  test("large_unary", async () => {
    const r = await client.unaryCall(msg.SimpleRequest.create({ responseSize: 314159, payload: payload(271828) }));
    expect(r.payload?.body).toEqual(zeros(314159));
  });

  test("client_streaming", async () => {
    async function* requests() {
      for (const n of [27182, 8, 1828, 45904]) yield msg.StreamingInputCallRequest.create({ payload: payload(n) });
    }
    expect((await client.streamingInputCall(requests())).aggregatedPayloadSize).toBe(74922);
  });

  test("server_streaming", async () => {
    const sizes = [31415, 9, 2653, 58979];
    const got = await collect(client.streamingOutputCall(msg.StreamingOutputCallRequest.create({
      responseParameters: sizes.map((size) => msg.ResponseParameters.create({ size })),
    })));
    expect(got.map((r) => r.payload?.body.length)).toEqual(sizes);
  });

  test("ping_pong", async () => {
    const feed = new Feed<msg.StreamingOutputCallRequest>();
    const it = client.fullDuplexCall(feed)[Symbol.asyncIterator]();
    for (const [size, body] of [[31415, 27182], [9, 8], [2653, 1828], [58979, 45904]] as const) {
      feed.put(msg.StreamingOutputCallRequest.create({ responseParameters: [msg.ResponseParameters.create({ size })], payload: payload(body) }));
      const r = await it.next();
      expect(r.value?.payload?.body.length).toBe(size);
    }
    feed.close();
    expect((await it.next()).done).toBe(true);
  });

  test("empty_stream", async () => {
    expect(await collect(client.fullDuplexCall((async function* () {})()))).toEqual([]);
  });

  test("timeout_on_sleeping_server", async () => {
    const feed = new Feed<msg.StreamingOutputCallRequest>();
    feed.put(msg.StreamingOutputCallRequest.create({ payload: payload(27182) }));
    const error = await collect(client.fullDuplexCall(feed, { timeoutMs: 1 })).catch((e: unknown) => e);
    expect((error as KitewireError).code).toBe(ErrorCode.TIMEOUT);
    feed.close();
  });

  test("cancel_after_begin", async () => {
    const controller = new AbortController();
    const feed = new Feed<msg.StreamingInputCallRequest>();
    const call = client.streamingInputCall(feed, { signal: controller.signal });
    await sleep(20);
    controller.abort();
    const error = await call.catch((e: unknown) => e);
    expect((error as KitewireError).code).toBe(ErrorCode.CANCELLED);
    feed.close();
  });

  test("cancel_after_first_response", async () => {
    const controller = new AbortController();
    const feed = new Feed<msg.StreamingOutputCallRequest>();
    feed.put(msg.StreamingOutputCallRequest.create({ responseParameters: [msg.ResponseParameters.create({ size: 31415 })], payload: payload(27182) }));
    const it = client.fullDuplexCall(feed, { signal: controller.signal })[Symbol.asyncIterator]();
    expect((await it.next()).value?.payload?.body.length).toBe(31415);
    controller.abort();
    const error = await it.next().catch((e: unknown) => e);
    expect((error as KitewireError).code).toBe(ErrorCode.CANCELLED);
    feed.close();
  });

  for (const [name, message] of [["status_code_and_message", "test status message"], ["special_status_message", SPECIAL]] as const) {
    test(name, async () => {
      const responseStatus = msg.EchoStatus.create({ code: 2, message });
      const unary = await client.unaryCall(msg.SimpleRequest.create({ responseStatus })).catch((e: unknown) => e);
      expect((unary as KitewireError).details).toMatchObject({ grpcStatus: 2, grpcMessage: message });
      const stream = await collect(client.fullDuplexCall((async function* () {
        yield msg.StreamingOutputCallRequest.create({ responseStatus });
      })())).catch((e: unknown) => e);
      expect((stream as KitewireError).details).toMatchObject({ grpcStatus: 2, grpcMessage: message });
    });
  }

  test("custom_metadata", async () => {
    const metadata: GrpcMetadata = { [ECHO_INITIAL]: "test_initial_metadata_value", [ECHO_TRAILING]: new Uint8Array([0xab, 0xab, 0xab]) };
    const check = (headers: GrpcMetadata, trailers: GrpcMetadata) => {
      expect(headers[ECHO_INITIAL]).toBe("test_initial_metadata_value");
      expect(trailers[ECHO_TRAILING]).toEqual(new Uint8Array([0xab, 0xab, 0xab]));
    };
    let seen = 0;
    const onMetadata = (h: GrpcMetadata, tr: GrpcMetadata) => (check(h, tr), seen++);
    await client.unaryCall(msg.SimpleRequest.create({ responseSize: 314159, payload: payload(271828) }), { metadata, onMetadata } as never);
    await collect(client.fullDuplexCall((async function* () {
      yield msg.StreamingOutputCallRequest.create({ responseParameters: [msg.ResponseParameters.create({ size: 314159 })], payload: payload(271828) });
    })(), { metadata, onMetadata } as never));
    expect(seen).toBe(2);
  });

  test("unimplemented_method", async () => {
    const error = await client.unimplementedCall(empty.Empty.create()).catch((e: unknown) => e);
    expect(statusOf(error)).toBe(12);
    expect((error as KitewireError).code).toBe(ErrorCode.UNKNOWN_METHOD);
  });

  test("unimplemented_service", async () => {
    const other = createGrpcClient<t.UnimplementedServiceClient>(t.UnimplementedService, { address });
    try {
      expect(statusOf(await other.unimplementedCall(empty.Empty.create()).catch((e: unknown) => e))).toBe(12);
    } finally {
      await other.close();
    }
  });

  test("client_compressed_unary (grpcio's server does not report whether the request came compressed: checked against the kitewire server above)", async () => {
    const gz = createGrpcClient<t.TestServiceClient>(t.TestService, { address, grpc: { compression: gzip } });
    try {
      const r = await gz.unaryCall(msg.SimpleRequest.create({ expectCompressed: msg.BoolValue.create({ value: true }), responseSize: 314159, payload: payload(271828) }));
      expect(r.payload?.body.length).toBe(314159);
    } finally {
      await gz.close();
    }
  });

  test("server_compressed_unary", async () => {
    for (const value of [true, false]) {
      const r = await client.unaryCall(msg.SimpleRequest.create({ responseCompressed: msg.BoolValue.create({ value }), responseSize: 314159, payload: payload(271828) }));
      expect(r.payload?.body.length).toBe(314159);
    }
  });
});
