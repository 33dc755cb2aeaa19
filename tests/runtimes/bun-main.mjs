/**
 * Bun entry of the runtime tests (run by bun.test.ts; by hand: `npx bun tests/runtimes/bun-main.mjs '{}'`).
 * Loads the Node bundle (Bun implements node:fs and node:net, which it uses), runs the
 * cross-runtime codec round trip, and, given an upstream port, calls the kitewire Thrift
 * server there (tests/gateway/fixtures/upstream.mjs, a Node process) with a generic JSON
 * client over node:net: a result, a declared exception, an unknown method. Prints one JSON
 * line per part; exits 1 if any failed.
 * argv[2]: JSON { idl?: path of search.thrift, upstream?: port }.
 */
import { readFileSync } from "node:fs";
import * as kitewire from "../../dist/kitewire.node.mjs";
import { run } from "./shared/roundtrip.mjs";

const spec = JSON.parse(process.argv[2] ?? "{}");
const result = await run(kitewire);
console.log("kitewire-roundtrip " + JSON.stringify({ runtime: `bun ${Bun.version}`, ...result }));
let ok = result.ok;

if (spec.upstream !== undefined) {
  const idl = kitewire.loadIdl([spec.idl], { readFile: (p) => readFileSync(p, "utf8") });
  const transport = { framing: "ttheader", protocol: "binary" };
  const client = kitewire.createGenericClient({
    idl, service: "SearchService", kind: "json", transport,
    connection: kitewire.nodeTransport({ address: `127.0.0.1:${spec.upstream}`, transport }),
  });
  const out = {};
  try {
    out.search = JSON.parse(await client.call("search", '{"req": {"q": "bun", "limit": 2}}'));
    out.echo = JSON.parse(await client.call("echo", '{"text": "t", "blob": "AAEC", "big": "9007199254740993"}'));
    out.notFound = await client.call("getUser", '{"req": {"id": 404}}').then(() => "resolved", (e) => ({ type: e.typeName, message: e.message, id: e.id }));
    out.unknown = await client.call("nope").then(() => "resolved", (e) => e.code);
  } catch (error) {
    out.error = String(error?.stack ?? error);
    ok = false;
  } finally {
    await client.close();
  }
  console.log("kitewire-client " + JSON.stringify(out));
}
process.exit(ok ? 0 : 1);
