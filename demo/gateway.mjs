// The end of `npm start`: calls without generated code. A Shop server whose handler takes
// and returns plain objects (map generic, demo/shop.thrift loaded at run time), called once
// from the shell with `kitewire call`, then once over HTTP through a gateway
// (`GET /items/:id`, from the (api.get) annotation in shop.thrift) that calls it over TTHeader.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { readFileSync } from "node:fs";
import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import {
  createGateway, listen, loadIdl, nodeTransport, registerGeneric, serveGateway, Server, silentLogger, ThriftGenericException,
} from "../dist/kitewire.node.mjs";

const SHOP = fileURLToPath(new URL("shop.thrift", import.meta.url));
const CLI = fileURLToPath(new URL("../bin/kitewire.mjs", import.meta.url));

/** Serves Shop generically, then shows one `kitewire call` and one HTTP call through the gateway. */
export async function runGatewayDemo() {
  const idl = loadIdl([SHOP], { readFile: (p) => readFileSync(p, "utf8") });
  const items = new Map([[1n, { id: 1n, title: "Dune", priceCents: 999, tags: ["sci-fi"] }], [2n, { id: 2n, title: "Kind of Blue", category: 2, priceCents: 1299, tags: ["jazz"] }]]);
  const server = new Server({ logger: silentLogger });
  registerGeneric(server, {
    idl, service: "Shop", kind: "map",
    handle(method, args) {
      if (method !== "getItem") return method === "search" ? [...items.values()] : undefined;
      const item = items.get(args.id);
      if (item === undefined) throw new ThriftGenericException("OutOfStock", { message: `item ${args.id} is out of stock`, itemId: args.id });
      return item;
    },
  });
  const listener = await listen(server, { host: "127.0.0.1", port: 0 });
  const address = `127.0.0.1:${listener.port}`;

  console.log("\ncalls without generated code (demo/gateway.mjs): Shop served by a map-generic handler");
  const args = ["call", "-f", relative(process.cwd(), SHOP), "-m", "Shop/getItem", "-d", '{"id": 1}', address];
  console.log(`$ kitewire ${args.map((a) => (/[\s{"]/.test(a) ? `'${a}'` : a)).join(" ")}`);
  // Asynchronously: the server answering it runs in this process.
  console.log((await promisify(execFile)(process.execPath, [CLI, ...args], { encoding: "utf8" })).stdout.trim());

  const transport = { framing: "ttheader", protocol: "binary" };
  const gateway = createGateway({ idl, upstreams: { Shop: { transport, connection: nodeTransport({ address, transport }) } } });
  const http = await serveGateway(gateway);
  const reply = await fetch(`${http.url}/items/2`);
  console.log(`$ curl ${http.url}/items/2     (gateway routes: ${gateway.routes.join("; ")})`);
  console.log(`HTTP ${reply.status} ${reply.headers.get("content-type")}: ${await reply.text()}`);
  await http.close();
  await listener.close();
}
