// One echo server process of the etcd tests and the discovery benchmark, forked with a
// JSON spec as argv[2]: { module, name, etcd?, weight?, tags?, service?, ttl? }.
// It answers echo(payload) with its own name (`reply: "name"`), or with the payload
// (`reply: "payload"`), listens on 127.0.0.1, registers in etcd when given one (as a
// kitewire server does: after listening), then tells the parent { op: "listening", port }.
// "stop" from the parent: graceful close (deregistration first), then exit.
import { BUNDLE } from "./support.mjs";

const spec = JSON.parse(process.argv[2]);
const kw = await import(BUNDLE);
await kw.init();
const gen = await import(spec.module);
const name = new TextEncoder().encode(spec.name);
const server = new kw.Server({ logger: kw.silentLogger }).register(gen.Echo, {
  echo: spec.reply === "payload" ? (payload) => payload : () => name,
});
const registry = spec.etcd ? kw.etcdRegistry({ endpoints: spec.etcd, ttlSeconds: spec.ttl ?? 60, logger: kw.silentLogger }) : undefined;
const listener = await kw.listen(server, {
  host: "127.0.0.1", port: 0,
  ...(registry ? { registry, registration: { service: spec.service ?? "echo", weight: spec.weight, tags: spec.tags } } : {}),
});
process.send({ op: "listening", port: listener.port });
process.on("message", async (m) => {
  if (m === "stop") {
    await listener.close({ timeoutMs: 1_000 });
    await registry?.close();
    process.exit(0);
  }
});
process.on("disconnect", () => process.exit(0));
