// JSON generic on Thrift, the JS path (issue 21): the small and large messages of
// messages.bench.mjs as JSON text, to Thrift Binary and back, through the descriptors of
// bench.thrift loaded at run time (`jsonToBytes`, `bytesToJson`), against what a user of
// generated code writes for the same job: `JSON.parse`, the JSON values turned into
// generated code's (BigInt for i64, base64 to bytes), generated encode; and generated
// decode, then `JSON.stringify` with a replacer for bigint and bytes. The engine
// transcoder (JSON text to Thrift bytes without JS values) is to be measured against both.
import { readFileSync } from "node:fs";
import { Suite, kw, check, checkBytes, machine, isMain } from "./lib.mjs";
import { importGenerated } from "./generated.mjs";
import { smallValue, largeValue } from "./messages.bench.mjs";

const toBase64 = (b) => Buffer.from(b.buffer, b.byteOffset, b.length).toString("base64");
const replacer = (_k, x) => (typeof x === "bigint" ? (x >= -(2n ** 53n) && x <= 2n ** 53n ? Number(x) : `${x}`)
  : x instanceof Uint8Array ? toBase64(x) : x);

/** JSON values to generated code's values, by hand for these two structs (what a caller of generated code writes). */
function fromJsonByHand(j, Codec, Inner) {
  const inner = (x) => Inner.create(x);
  if (j.payload === undefined) return Codec.create({ ...j, id: BigInt(j.id) });
  return Codec.create({
    ...j, id: BigInt(j.id), createdAt: BigInt(j.createdAt), updatedAt: BigInt(j.updatedAt),
    inner: inner(j.inner), children: j.children.map(inner), payload: new Uint8Array(Buffer.from(j.payload, "base64")),
  });
}

export async function run() {
  const engine = await kw.init();
  const gen = await importGenerated("tests/golden/thrift/gen/bench.ts");
  const idl = kw.loadIdl(["tests/golden/thrift/bench.thrift"], {
    readFile: (p) => { try { return readFileSync(new URL(`../${p}`, import.meta.url), "utf8"); } catch { return undefined; } },
  });
  const suite = new Suite("generic", "JSON generic (JS path) vs JSON.parse/stringify + generated code, Thrift Binary");
  suite.note(`machine ${JSON.stringify(machine(engine))}`);
  for (const [size, Codec, value] of [["small", gen.Small, smallValue()], ["large", gen.Large, largeValue(gen.Inner)]]) {
    const name = Codec.typeName;
    const bytes = kw.encodeThrift(Codec, value);
    const json = JSON.stringify(value, replacer);
    const generic = () => kw.jsonToBytes(idl, name, json);
    const byHand = () => kw.encodeThrift(Codec, fromJsonByHand(JSON.parse(json), Codec, gen.Inner));
    checkBytes(generic(), bytes, `${size}: generic bytes`);
    checkBytes(byHand(), bytes, `${size}: by-hand bytes`);
    suite.group(`${size}: JSON → Thrift Binary (${json.length} chars → ${bytes.length} B)`, { unit: "msg" })
      .add("kitewire JSON generic (jsonToBytes)", generic)
      .add("JSON.parse + by-hand conversion + generated encode", byHand)
      .ratio("kitewire JSON generic (jsonToBytes)", "JSON.parse + by-hand conversion + generated encode", { label: `JSON generic vs parse+generated (${size}, to bytes)` });

    const genericOut = () => kw.bytesToJson(idl, name, bytes);
    const stringified = () => JSON.stringify(kw.decodeThrift(Codec, bytes), replacer);
    check(JSON.stringify(JSON.parse(genericOut())) === JSON.stringify(JSON.parse(stringified())), `${size}: same JSON`);
    suite.group(`${size}: Thrift Binary → JSON`, { unit: "msg" })
      .add("kitewire JSON generic (bytesToJson)", genericOut)
      .add("generated decode + JSON.stringify (replacer)", stringified)
      .ratio("kitewire JSON generic (bytesToJson)", "generated decode + JSON.stringify (replacer)", { label: `JSON generic vs generated+stringify (${size}, to JSON)` });
  }
  return suite.run();
}

if (isMain(import.meta.url)) await run();
