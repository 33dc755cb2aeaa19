/**
 * The gRPC client in Deno: dist/kitewire.web.mjs's `createGrpcClient` on `Deno.connect`
 * sockets (src/grpc/stream-dialer.ts), kitewire's HTTP/2 unchanged, calling a kitewire
 * server in this process: unary with metadata, server streaming, client streaming, and an
 * unknown method's status.
 */
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import ts from "typescript";
import { afterAll, beforeAll, expect, test } from "vitest";
import { init, listen, Server, silentLogger, type Listener } from "kitewire";
import { describeProcess, distFile, repoPath, ROOT, runProcess } from "../runtimes/support.js";
import { echo, echoHandler } from "./support.js";

let tmp: string;
let listener: Listener;
beforeAll(async () => {
  await init();
  listener = await listen(new Server({ logger: silentLogger }).register(echo.Echo, echoHandler));
  tmp = await mkdtemp(join(tmpdir(), "kitewire-grpc-deno-"));
});
afterAll(async () => {
  await listener?.close();
  if (tmp) await rm(tmp, { recursive: true, force: true });
});

const SCRIPT = `
const [bundle, gen, address] = Deno.args;
const kw = await import(bundle);
const echo = await import(gen);
await kw.init();
const client = kw.createGrpcClient(echo.Echo, { address, timeoutMs: 5000 });
const out = {};
let trailers;
const reply = await client.unary(echo.EchoRequest.create({ message: "from deno", payload: new Uint8Array([1, 2, 3]) }),
  { metadata: { "x-tag": "d1" }, onMetadata: (_h, t) => (trailers = t) });
out.unary = reply.message;
out.payload = Array.from(reply.payload);
out.trailer = trailers["x-tag-trailer"];
out.stream = [];
for await (const r of client.serverStream(echo.EchoRequest.create({ message: "s", count: 4 }))) out.stream.push(r.index);
async function* reqs() { for (const m of ["a", "b", "c"]) yield echo.EchoRequest.create({ message: m }); }
out.clientStream = (await client.clientStream(reqs())).message;
await client.close();
console.log("kitewire-grpc " + JSON.stringify(out));
`;

test("a Deno client calls a kitewire gRPC server: unary with metadata, server and client streaming", async () => {
  const bundle = pathToFileURL(distFile("kitewire.web.mjs")).href;
  const { outputText } = ts.transpileModule(await readFile(repoPath("tests/grpc/gen/echo.ts"), "utf8"),
    { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } });
  await writeFile(join(tmp, "echo.mjs"), outputText.replaceAll('from "kitewire"', `from ${JSON.stringify(bundle)}`));
  await writeFile(join(tmp, "main.mjs"), SCRIPT);
  const p = await runProcess(repoPath("node_modules/.bin/deno"), [
    "run", "--no-config", "--no-lock", "--no-remote", "--no-npm", "--no-prompt",
    `--allow-read=${ROOT},${tmp}`, `--allow-net=127.0.0.1:${listener.port}`, join(tmp, "main.mjs"),
    bundle, pathToFileURL(join(tmp, "echo.mjs")).href, `127.0.0.1:${listener.port}`,
  ], { cwd: tmp, env: { ...process.env, DENO_DIR: join(tmp, "deno-dir"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" }, timeoutMs: 60_000 });
  const line = p.stdout.split("\n").find((l) => l.startsWith("kitewire-grpc "));
  expect(line, describeProcess("deno", p)).toBeDefined();
  const out = JSON.parse(line!.slice("kitewire-grpc ".length));
  expect(out).toEqual({ unary: "from deno", payload: [1, 2, 3], trailer: "d1", stream: [0, 1, 2, 3], clientStream: "a,b,c" });
}, 90_000);
