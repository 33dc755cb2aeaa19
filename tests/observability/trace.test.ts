/**
 * OpenTelemetry tracing across three kitewire processes A → B → C (hop-process.mjs, each
 * with sdk-trace-base and an in-memory exporter), over TTHeader on 127.0.0.1: one trace,
 * parent/child links across the processes, attributes, baggage, error status. Runs the
 * built bundles (dist/), as a user's processes would.
 */
import { fork, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, expect, test } from "vitest";
import { generate } from "../../src/codegen/generate.js";

const root = fileURLToPath(new URL("../../", import.meta.url));
const bundle = pathToFileURL(join(root, "dist/kitewire.node.mjs")).href;
const otel = pathToFileURL(join(root, "dist/kitewire.opentelemetry.mjs")).href;

interface SpanRecord {
  name: string;
  kind: number;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  attributes: Record<string, unknown>;
  status: { code: number; message?: string };
  events: { name: string; attributes?: Record<string, unknown> }[];
}

const SpanKind = { SERVER: 1, CLIENT: 2 };
const StatusCode = { UNSET: 0, ERROR: 2 };

let dir: string;
const children: ChildProcess[] = [];
let a: ChildProcess;
let b: ChildProcess;
let c: ChildProcess;
let bPort: number;

function next<T>(child: ChildProcess, op: string): Promise<T> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: { op: string }) => {
      if (m.op !== op) return;
      child.off("message", onMessage);
      child.off("exit", onExit);
      resolve(m as T);
    };
    const onExit = (code: number | null) => reject(new Error(`hop process exited (${code}) before ${op}`));
    child.on("message", onMessage);
    child.once("exit", onExit);
  });
}

async function start(name: string, nextPort?: number): Promise<{ child: ChildProcess; port: number }> {
  const spec = { bundle, otel, gen: pathToFileURL(join(dir, "hop.mjs")).href, name, ...(nextPort ? { next: nextPort } : {}) };
  const child = fork(fileURLToPath(new URL("./hop-process.mjs", import.meta.url)), [JSON.stringify(spec)], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
  children.push(child);
  const { port } = await next<{ port: number }>(child, "listening");
  return { child, port };
}

beforeAll(async () => {
  if (!existsSync(fileURLToPath(bundle)) || !existsSync(fileURLToPath(otel))) throw new Error("dist/ is missing: run `npm run build` first");
  dir = mkdtempSync(join(tmpdir(), "kitewire-trace-"));
  const idl = fileURLToPath(new URL("./hop.thrift", import.meta.url));
  const { files, ok, messages } = generate([idl], { version: "test", readFile: (p) => readFileSync(p, "utf8") });
  if (!ok) throw new Error(messages.join("\n"));
  for (const f of files) {
    const js = ts.transpileModule(f.content, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } }).outputText;
    writeFileSync(join(dir, f.path.replace(/\.ts$/, ".mjs")), js.replaceAll('from "kitewire"', `from ${JSON.stringify(bundle)}`));
  }
  const cc = await start("C");
  const bb = await start("B", cc.port);
  const aa = await start("A", bb.port);
  [a, b, c, bPort] = [aa.child, bb.child, cc.child, bb.port];
});

afterAll(async () => {
  await Promise.all(children.map((child) => new Promise<void>((resolve) => {
    if (child.exitCode !== null) return resolve();
    const timer = setTimeout(() => child.kill("SIGKILL"), 3000);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve();
    });
    child.send({ op: "exit" });
  })));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function spansOf(child: ChildProcess): Promise<SpanRecord[]> {
  const reply = next<{ spans: SpanRecord[] }>(child, "spans");
  child.send({ op: "spans" });
  return (await reply).spans;
}

/** Makes one traced call from A and returns each process's spans of that trace. */
async function traceCall(fail: boolean): Promise<{ result: { result?: string; error?: string }; spans: Record<"a" | "b" | "c", SpanRecord[]> }> {
  const before = { a: (await spansOf(a)).length, b: (await spansOf(b)).length, c: (await spansOf(c)).length };
  const called = next<{ result?: string; error?: string }>(a, "called");
  a.send({ op: "call", fail, baggage: "acme" });
  const result = await called;
  // Servers end their spans before replying, clients when the reply is read: all are done.
  return {
    result,
    spans: { a: (await spansOf(a)).slice(before.a), b: (await spansOf(b)).slice(before.b), c: (await spansOf(c)).slice(before.c) },
  };
}

test("one trace crosses A → B → C, with parent/child links, attributes and baggage", async () => {
  const { result, spans } = await traceCall(false);
  expect(result.result).toBe("/A/B/C (baggage: tenant=acme)");
  expect(spans.a).toHaveLength(1);
  expect(spans.b).toHaveLength(2);
  expect(spans.c).toHaveLength(1);
  const aClient = spans.a[0]!;
  const bServer = spans.b.find((s) => s.kind === SpanKind.SERVER)!;
  const bClient = spans.b.find((s) => s.kind === SpanKind.CLIENT)!;
  const cServer = spans.c[0]!;
  expect(aClient.kind).toBe(SpanKind.CLIENT);
  expect(cServer.kind).toBe(SpanKind.SERVER);

  const traceId = aClient.traceId;
  expect(traceId).toMatch(/^[0-9a-f]{32}$/);
  for (const s of [bServer, bClient, cServer]) expect(s.traceId).toBe(traceId);
  expect(aClient.parentSpanId).toBeUndefined();
  expect(bServer.parentSpanId).toBe(aClient.spanId);
  expect(bClient.parentSpanId).toBe(bServer.spanId);
  expect(cServer.parentSpanId).toBe(bClient.spanId);

  for (const s of [aClient, bServer, bClient, cServer]) {
    expect(s.name).toBe("Hop/call");
    expect(s.status.code).toBe(StatusCode.UNSET);
    expect(s.attributes).toMatchObject({ "rpc.system": "kitex", "rpc.service": "Hop", "rpc.method": "call", "request.protocol": "TTHeader" });
    expect(s.attributes["kitex.send_size"]).toBeGreaterThan(20);
    expect(s.attributes["kitex.recv_size"]).toBeGreaterThan(20);
  }
  // The request A sent is the request B read, byte for byte; and the reply back.
  expect(aClient.attributes["kitex.send_size"]).toBe(bServer.attributes["kitex.recv_size"]);
  expect(aClient.attributes["kitex.recv_size"]).toBe(bServer.attributes["kitex.send_size"]);
  expect(aClient.attributes).toMatchObject({ "server.address": "127.0.0.1", "server.port": bPort });
  expect(bServer.attributes["network.peer.address"]).toBe("127.0.0.1");
  // Each client names its service (transient `service.name`, as obs-opentelemetry sends it).
  expect(bServer.attributes["peer.service"]).toBe("A");
  expect(cServer.attributes["peer.service"]).toBe("B");
});

test("an exception in C: error status and the recorded exception on every span of the path", async () => {
  const { result, spans } = await traceCall(true);
  expect(result.error).toMatch(/^REMOTE: .*C refused \/A\/B\/C/);
  const all = [...spans.a, ...spans.b, ...spans.c];
  expect(all).toHaveLength(4);
  expect(new Set(all.map((s) => s.traceId)).size).toBe(1);
  for (const s of all) {
    expect(s.status.code, `${s.kind} span`).toBe(StatusCode.ERROR);
    expect(s.status.message).toContain("C refused /A/B/C");
    const exception = s.events.find((e) => e.name === "exception");
    expect(exception?.attributes?.["exception.message"]).toContain("C refused /A/B/C");
  }
  expect(spans.c[0]!.attributes["error.type"]).toBe("Error");
  expect(spans.a[0]!.attributes["error.type"]).toBe("REMOTE");
});
