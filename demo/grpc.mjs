// `npm start`, part 9: gRPC. Generates TypeScript from demo/greeter.proto, serves it on a
// kitewire listener (the same port would serve Thrift too: the HTTP/2 preface says gRPC),
// with server reflection on, and makes one unary and one server-streaming call with
// kitewire's gRPC client, then one from the shell with `kitewire call --transport grpc`. Any
// gRPC client calls the same methods, e.g.
// `grpcurl -plaintext -d '{"name":"you"}' 127.0.0.1:PORT kitewire.demo.Greeter/SayHello`.
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import ts from "typescript";
import { createGrpcClient, generate, init, listen, Server, silentLogger } from "../dist/kitewire.node.mjs";

await init(); // already done by main.mjs; this module runs alone too

const proto = new URL("./greeter.proto", import.meta.url).pathname;
const { files, ok, messages } = generate([proto], { version: "demo", readFile: (p) => readFileSync(p, "utf8") });
if (!ok) throw new Error(messages.join("\n"));
const dir = mkdtempSync(join(tmpdir(), "kitewire-demo-grpc-"));
const bundle = new URL("../dist/kitewire.node.mjs", import.meta.url).href;
for (const f of files) {
  const js = ts.transpileModule(f.content, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ES2022 } }).outputText;
  writeFileSync(join(dir, f.path.replace(/\.ts$/, ".mjs")), js.replaceAll('from "kitewire"', `from ${JSON.stringify(bundle)}`));
}
const greeter = await import(pathToFileURL(join(dir, "greeter.mjs")).href);
rmSync(dir, { recursive: true, force: true });

const server = new Server({ logger: silentLogger }).register(greeter.Greeter, {
  sayHello: (request) => greeter.HelloReply.create({ message: `hello, ${request.name}` }),
  async *sayHelloStream(request) {
    for (let i = 1; i <= request.times; i++) yield greeter.HelloReply.create({ message: `hello #${i}, ${request.name}` });
  },
});
const listener = await listen(server, { grpc: { reflection: true } });
console.log(`\ngRPC: serving kitewire.demo.Greeter on ${listener.host}:${listener.port} (HTTP/2, reflection on)`);
const client = createGrpcClient(greeter.Greeter, { address: `127.0.0.1:${listener.port}`, timeoutMs: 1000 });
const reply = await client.sayHello(greeter.HelloRequest.create({ name: "kitewire" }));
console.log(`  unary kitewire.demo.Greeter/SayHello: ${JSON.stringify(reply.message)}`);
const streamed = [];
for await (const r of client.sayHelloStream(greeter.HelloRequest.create({ name: "stream", times: 3 }))) streamed.push(r.message);
console.log(`  server streaming kitewire.demo.Greeter/SayHelloStream: ${streamed.map((m) => JSON.stringify(m)).join(", ")}`);
await client.close();
const cli = ["call", "-f", proto, "-m", "kitewire.demo.Greeter/SayHelloStream", "-d", '{"name": "shell", "times": 2}', "--transport", "grpc",
  `127.0.0.1:${listener.port}`];
console.log(`  $ kitewire call -f demo/greeter.proto -m kitewire.demo.Greeter/SayHelloStream -d '{"name": "shell", "times": 2}' --transport grpc 127.0.0.1:${listener.port}`);
const { stdout } = await promisify(execFile)(process.execPath, [fileURLToPath(new URL("../bin/kitewire.mjs", import.meta.url)), ...cli], { encoding: "utf8" });
console.log(stdout.trimEnd().split("\n").map((line) => `  ${line}`).join("\n"));
await listener.close(); // GOAWAY, calls in flight finish
