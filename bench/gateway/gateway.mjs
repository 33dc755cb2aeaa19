// The kitewire gateway of the gateway benchmark: createGateway over echo.thrift, upstream
// Echo at 127.0.0.1:<upstream> over TTHeader binary (one multiplexed connection), served by
// serveGateway (node:http). argv[2]: JSON { bundle, upstream, connections }. Prints {"port": N}.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const { bundle, upstream, connections } = JSON.parse(process.argv[2]);
const kw = await import(bundle);
await kw.init();
const idl = kw.loadIdl([fileURLToPath(new URL("echo.thrift", import.meta.url))], { readFile: (p) => readFileSync(p, "utf8") });
const transport = { framing: "ttheader", protocol: "binary" };
const gateway = kw.createGateway({
  idl,
  upstreams: { Echo: { transport, connection: kw.nodeTransport({ address: `127.0.0.1:${upstream}`, transport, mode: "mux", connections }) } },
});
const server = await kw.serveGateway(gateway, { host: "127.0.0.1", port: 0 });
process.stdout.write(JSON.stringify({ port: server.port }) + "\n");
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
