// A/B of decode from fresh inputs between two builds, in one process: the small message of
// bench.thrift/bench.proto and bench.proto's Profile (sparse and full) decoded by each build's generated code from a ring of 1,024
// pooled Buffers or plain Uint8Arrays (lib.mjs freshInputs), the builds interleaved round by
// round, the second-lowest of ROUNDS rounds reported. For judging one change on a noisy
// machine, where tables from separate runs cannot be compared.
//
//   node bench/decode-ab.mjs OLD_CHECKOUT NEW_CHECKOUT     (each built: dist/kitewire.node.mjs)
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";

const [oldRoot, newRoot] = process.argv.slice(2).map((p) => resolve(p));
if (!oldRoot || !newRoot) throw new Error("usage: node bench/decode-ab.mjs OLD_CHECKOUT NEW_CHECKOUT");
const ROUNDS = 15;
const CALLS = 200_000;

async function build(root) {
  const kw = await import(pathToFileURL(`${root}/dist/kitewire.node.mjs`).href);
  await kw.init();
  const { importGenerated } = await import(pathToFileURL(`${root}/bench/generated.mjs`).href);
  return { kw, proto: await importGenerated("tests/golden/proto/gen/bench.ts"), thrift: await importGenerated("tests/golden/thrift/gen/bench.ts") };
}

function ring(bytes, kind) {
  const inputs = Array.from({ length: 1024 }, () => (kind === "pool" ? Buffer.from(bytes) : Uint8Array.from(bytes)));
  let i = 0;
  return () => inputs[(i = (i + 1) & 1023)];
}

function time(decode, input) {
  let sink = 0;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) if (decode(input()) !== undefined) sink++;
  if (sink !== CALLS) throw new Error("decode returned nothing");
  return Number(process.hrtime.bigint() - t0) / CALLS;
}

const [a, b] = [await build(oldRoot), await build(newRoot)];
const small = { id: 1234567890123n, name: "kitewire", age: 42, active: true, score: 98.6 };
const profile = (full) => (x) => x.kw.encodeProtobuf(x.proto.Profile, x.proto.Profile.create({
  id: 42n, name: "Ada Lovelace", level: 3, active: true,
  ...(full ? { labels: new Map([["team", "engines"], ["floor", "2"]]), items: new Map([[1, x.proto.Inner.create({ a: 1, b: "x" })]]), scores: [1, 2, 300], aliases: ["ada", "countess"], friends: [x.proto.Inner.create({ b: "charles" })] } : {}),
}));
const { largeValue } = await import(pathToFileURL(`${newRoot}/bench/messages.bench.mjs`).href);
const codecs = [
  ["Protobuf", (x) => x.kw.encodeProtobuf(x.proto.Small, x.proto.Small.create(small)), (x) => (bytes) => x.kw.decodeProtobuf(x.proto.Small, bytes)],
  ["Protobuf large", (x) => x.kw.encodeProtobuf(x.proto.Large, x.proto.Large.create(largeValue(x.proto.Inner))), (x) => (bytes) => x.kw.decodeProtobuf(x.proto.Large, bytes)],
  ["Protobuf Profile sparse", profile(false), (x) => (bytes) => x.kw.decodeProtobuf(x.proto.Profile, bytes)],
  ["Protobuf Profile full", profile(true), (x) => (bytes) => x.kw.decodeProtobuf(x.proto.Profile, bytes)],
  ["Thrift Binary", (x) => x.kw.encodeThrift(x.thrift.Small, small, "binary"), (x) => (bytes) => x.kw.decodeThrift(x.thrift.Small, bytes, "binary")],
  ["Thrift Compact", (x) => x.kw.encodeThrift(x.thrift.Small, small, "compact"), (x) => (bytes) => x.kw.decodeThrift(x.thrift.Small, bytes, "compact")],
];
for (const kind of ["pool", "plain"]) {
  for (const [name, encode, decoder] of codecs) {
    const bytes = encode(b);
    const [da, db] = [decoder(a), decoder(b)];
    const [ia, ib] = [ring(bytes, kind), ring(bytes, kind)];
    const ta = [], tb = [];
    for (let r = 0; r < ROUNDS; r++) {
      ta.push(time(da, ia));
      tb.push(time(db, ib));
    }
    ta.sort((x, y) => x - y);
    tb.sort((x, y) => x - y);
    console.log(`${name} (${kind} inputs)`.padEnd(40), `old ${ta[1].toFixed(1)} ns`, `new ${tb[1].toFixed(1)} ns`, `${(ta[1] / tb[1]).toFixed(2)}x`);
  }
}
