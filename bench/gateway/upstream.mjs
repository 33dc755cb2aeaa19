// The kitewire Thrift server of the gateway benchmark: Echo.echo(text) -> {text}, map-generic
// handler over bench/gateway/echo.thrift, TTHeader or any transport the client speaks.
// argv[2]: JSON { bundle }. Prints {"port": N}; exits when stdin closes.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const { bundle } = JSON.parse(process.argv[2]);
const kw = await import(bundle);
await kw.init();
const idl = kw.loadIdl([fileURLToPath(new URL("echo.thrift", import.meta.url))], { readFile: (p) => readFileSync(p, "utf8") });
const server = new kw.Server({});
kw.registerGeneric(server, { idl, service: "Echo", kind: "map", handle: (_method, args) => ({ text: args.text }) });
const listener = await kw.listen(server, { host: "127.0.0.1", port: 0 });
process.stdout.write(JSON.stringify({ port: listener.port }) + "\n");
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
