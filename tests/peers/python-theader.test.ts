/**
 * Apache THeader against Apache Thrift's Python (python3-thrift 0.17: THeaderTransport,
 * THeaderProtocol, TThreadedServer), over real sockets on 127.0.0.1, with Python code that
 * Debian's thrift-compiler generates for tests/golden/thrift/example.thrift; the Python
 * side is python/theader_peer.py. Both ways, in Binary and Compact, with and without the
 * zlib transform:
 *  - a Python THeader client calls a kitewire server: results (a union of 200 strings:
 *    Python's THeaderProtocol encodes with the C extension, which cannot write User), a
 *    declared exception, an application error, its info header reaching the handler as metadata, the handler's
 *    backward metainfo coming back as a reply header, and a zlib request answered in zlib
 *    (its reply frame is smaller than the same reply uncompressed);
 *  - a kitewire THeader client calls a Python THeader server that takes header clients
 *    only: results, the declared exception, metadata arriving as Python info headers,
 *    Python's reply header arriving as backward metainfo, a zlib reply inflated;
 *  - a transform Python does not know: Python's error reply crashes, and the caller hears
 *    that the server closed the connection without replying to its THeader request.
 * Here "kitewire" is the built package (dist/), as `npm run test:peers` builds it first.
 */
import { execFile, execFileSync, spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { promisify } from "node:util";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import {
  createClient, init, listen, nodeTransport, registerTransform, Server, type Listener, type RpcContext, type Transport,
} from "kitewire";
import * as ex from "../golden/thrift/gen/example.js";

const run = promisify(execFile);
const THRIFT = "/usr/bin/thrift";
const PYTHON = "/usr/bin/python3";
const HELPER = fileURLToPath(new URL("./python/theader_peer.py", import.meta.url));
const IDL = fileURLToPath(new URL("../golden/thrift/example.thrift", import.meta.url));

let genDir: string;
let listener: Listener;
/** Reply frame sizes the kitewire server wrote, by the request's `size-tag` metadata. */
const replySizes = new Map<string, number>();

const EMAILS = (n: number) => Array.from({ length: n }, (_, i) => `p${i}`);

class Handler implements ex.UserServiceHandler {
  getUser(id: bigint): ex.User {
    throw new ex.NotFound({ message: `no user ${id}`, id });
  }
  listUsers(): ex.User[] {
    return [];
  }
  updateUser(user: ex.User): void {
    if (user.name === "boom") throw new Error("handler exploded");
  }
  touch(): void {}
  contactOf(id: bigint): ex.Contact {
    return { case: "emails", value: EMAILS(Number(id)) };
  }
  statuses(): Map<bigint, ex.Status> {
    return new Map();
  }
  ping(message: string, ctx: RpcContext): string {
    if (message === "boom") throw new Error("handler exploded");
    ctx.metainfo.backward.set("served-by", "kitewire");
    return `pong: ${message} (${ctx.transport?.framing}/${ctx.transport?.protocol}, tenant ${ctx.metadata["tenant"]})`;
  }
}

beforeAll(async () => {
  await init();
  genDir = mkdtempSync(join(tmpdir(), "kitewire-theader-"));
  execFileSync(THRIFT, ["-r", "--gen", "py", "-out", genDir, IDL], { stdio: "pipe" });
  listener = await listen(new Server({
    tracer: {
      io(ctx, direction, bytes) {
        if (direction === "write" && ctx.method === "contactOf") replySizes.set(`${ctx.transport?.protocol}`, bytes);
      },
    },
  }).register(ex.UserService, new Handler()));
});

afterAll(async () => {
  await listener?.close({ timeoutMs: 500 });
  if (genDir) rmSync(genDir, { recursive: true, force: true });
});

/** Runs the Python THeader client against `port` (asynchronously: the server is in this process); resolves to what it printed. */
async function pythonClient(port: number, protocol: string, zlib: boolean): Promise<Record<string, unknown>> {
  const { stdout } = await run(PYTHON, [HELPER, "client", genDir, String(port), protocol, zlib ? "1" : "0"], { timeout: 20_000 });
  return JSON.parse(stdout) as Record<string, unknown>;
}

/** Starts the Python THeader server; resolves to its port and a stop function. */
async function pythonServer(): Promise<{ port: number; stop(): Promise<void> }> {
  const proc: ChildProcessWithoutNullStreams = spawn(PYTHON, [HELPER, "server", genDir], { stdio: ["pipe", "pipe", "pipe"] });
  let stderr = "";
  proc.stderr.on("data", (c) => (stderr += c));
  const port = await new Promise<number>((resolve, reject) => {
    proc.stdout.once("data", (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
    proc.once("exit", (code) => reject(new Error(`the Python server exited (${code}): ${stderr}`)));
  });
  return {
    port,
    stop: () => new Promise((resolve) => {
      proc.once("exit", () => resolve());
      proc.stdin.end();
      setTimeout(() => proc.kill(), 2000).unref();
    }),
  };
}

describe.each(["binary", "compact"] as const)("THeader %s", (protocol) => {
  test.each([false, true])("a Python THeaderProtocol client calls a kitewire server (zlib %s)", async (zlib) => {
    const out = await pythonClient(listener.port, protocol, zlib);
    expect(out["ping"]).toBe(`pong: hi (theader/${protocol}, tenant acme)`);
    expect(out["pingHeaders"]).toEqual({ "served-by": "kitewire" });
    expect(out["contact"]).toEqual({ emails: EMAILS(200) });
    expect(out["notFound"]).toEqual({ message: "no user -3", id: -3 });
    expect(out["appError"]).toEqual({ type: 6, message: "handler exploded" });
    // The reply went back through zlib: 200 short addresses deflate to far less.
    const size = replySizes.get(protocol)!;
    if (zlib) expect(size).toBeLessThan(600);
    else expect(size).toBeGreaterThan(900);
  });

  test.each([false, true])("a kitewire THeader client calls a Python THeader server (zlib %s)", async (zlib) => {
    const py = await pythonServer();
    const transport: Transport = { framing: "theader", protocol };
    const client = createClient<ex.UserServiceClient>(ex.UserService, {
      transport, transforms: zlib ? ["zlib"] : [],
      connection: nodeTransport({ address: { host: "127.0.0.1", port: py.port }, transport, mode: "mux" }),
    });
    try {
      let backward: ReadonlyMap<string, string> | undefined;
      const metadata: Record<string, string> = zlib ? { tenant: "acme", "want-zlib": "1" } : { tenant: "acme" };
      const pong = await client.ping("hi", { metadata, onBackward: (values: ReadonlyMap<string, string>) => (backward = new Map(values)) });
      expect(pong).toBe(`py pong: hi ${JSON.stringify(metadata, Object.keys(metadata).sort()).replace(/,/g, ", ").replace(/:/g, ": ")}`);
      expect(backward).toEqual(new Map([["served-by", "python"]]));
      expect(await client.contactOf(300n, { case: "phone", value: "1" })).toEqual({ case: "emails", value: EMAILS(300) });
      await expect(client.getUser(-3n, undefined as never)).rejects.toMatchObject({ message: "py: no user -3", id: -3n });
    } finally {
      await client.close();
      await py.stop();
    }
  });
});

test("a transform the Python server does not know: its error reply crashes (python3-thrift 0.17), the caller is told the server refused", async () => {
  // HeaderFormat.md asks for an error reply; Python's THeaderProtocol tries one but writes
  // its empty method name as bytes, a TypeError in its own code, and drops the connection.
  registerTransform({ id: 0x7e, name: "reversed", encode: (b) => b.slice().reverse(), decode: (b) => b.slice().reverse() });
  const py = await pythonServer();
  const transport: Transport = { framing: "theader", protocol: "binary" };
  const client = createClient<ex.UserServiceClient>(ex.UserService, {
    transport, transforms: ["reversed"], connection: nodeTransport({ address: { host: "127.0.0.1", port: py.port }, transport }),
  });
  try {
    await expect(client.ping("hi")).rejects.toMatchObject({
      code: "CONNECTION",
      message: `connection to 127.0.0.1:${py.port} closed before any reply to this client's plain TCP theader/binary requests: ` +
        "the server may serve another transport or expect TLS (its log says what it refused)",
    });
  } finally {
    await client.close();
    await py.stop();
  }
});
