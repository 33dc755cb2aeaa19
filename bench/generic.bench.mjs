// JSON generic on Thrift (issue 21): the small and large messages of messages.bench.mjs as
// JSON, to Thrift Binary and back, through the descriptors of bench.thrift loaded at run
// time. Three ways, same run:
//  - the engine transcoder (`jsonToBytes`, `bytesToJson`, `bytesToJsonBytes`): JSON text to
//    Thrift bytes and back in the engine, no JS value per field;
//  - the JS-object generic path (what those functions did before the engine transcoder, and
//    still do as its fallback): parseGenericJson + genericFromJson + encodeGeneric, and
//    decodeGeneric + genericToJson + JSON.stringify;
//  - what a user of generated code writes: JSON.parse, the JSON values turned into generated
//    code's by hand (BigInt for i64, base64 to bytes), generated encode; generated decode,
//    then JSON.stringify with a replacer for bigint and bytes.
// What a gateway sees: the request body arrives as bytes (a Uint8Array) and the reply goes
// out as a string or as bytes. Each group says which side of TextDecoder/TextEncoder its
// rows start and end: every row of a group starts from the same kind of input and ends
// with the same kind of output, and every call gets an input object it has not seen in the
// last 1024 calls (same content).
import { readFileSync } from "node:fs";
import { Suite, kw, check, checkBytes, freshInputs, machine, isMain } from "./lib.mjs";
import { importGenerated } from "./generated.mjs";
import { smallValue, largeValue } from "./messages.bench.mjs";

const toBase64 = (b) => Buffer.from(b.buffer, b.byteOffset, b.length).toString("base64");
const replacer = (_k, x) => (typeof x === "bigint" ? (x >= -(2n ** 53n) && x <= 2n ** 53n ? Number(x) : `${x}`)
  : x instanceof Uint8Array ? toBase64(x) : x);
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** JSON values to generated code's values, by hand for these two structs (what a caller of generated code writes). */
function fromJsonByHand(j, Codec, Inner) {
  const inner = (x) => Inner.create(x);
  if (j.payload === undefined) return Codec.create({ ...j, id: BigInt(j.id) });
  return Codec.create({
    ...j, id: BigInt(j.id), createdAt: BigInt(j.createdAt), updatedAt: BigInt(j.updatedAt),
    inner: inner(j.inner), children: j.children.map(inner), payload: new Uint8Array(Buffer.from(j.payload, "base64")),
  });
}

/** Distinct string objects of the same text, cycled through (a fresh string per call). */
function freshStrings(text) {
  const ring = Array.from({ length: 1024 }, (_, i) => (i % 2 ? ` ${text}` : `${text} `).slice(i % 2, i % 2 + text.length));
  let i = 0;
  return () => ring[(i = (i + 1) & 1023)];
}

export async function run() {
  const engine = await kw.init();
  const gen = await importGenerated("tests/golden/thrift/gen/bench.ts");
  const idl = kw.loadIdl(["tests/golden/thrift/bench.thrift"], {
    readFile: (p) => { try { return readFileSync(new URL(`../${p}`, import.meta.url), "utf8"); } catch { return undefined; } },
  });
  const suite = new Suite("generic", "JSON generic on Thrift Binary: engine transcoder vs JS-object generic path vs JSON.parse/stringify + generated code");
  suite.note(`machine ${JSON.stringify(machine(engine))}`);
  for (const [size, Codec, value] of [["small", gen.Small, smallValue()], ["large", gen.Large, largeValue(gen.Inner)]]) {
    const name = Codec.typeName;
    const bytes = kw.encodeThrift(Codec, value);
    const json = JSON.stringify(value, replacer);
    const body = freshInputs(encoder.encode(json), "plain");
    const text = freshStrings(json);
    const thrift = freshInputs(bytes, "plain");

    const jsGenericIn = (s) => kw.encodeGeneric(idl, name, kw.genericFromJson(idl, name, kw.parseGenericJson(s)));
    const byHandIn = (s) => kw.encodeThrift(Codec, fromJsonByHand(JSON.parse(s), Codec, gen.Inner));
    checkBytes(kw.jsonToBytes(idl, name, body()), bytes, `${size}: engine bytes (body)`);
    checkBytes(kw.jsonToBytes(idl, name, text()), bytes, `${size}: engine bytes (string)`);
    checkBytes(jsGenericIn(text()), bytes, `${size}: JS generic bytes`);
    checkBytes(byHandIn(text()), bytes, `${size}: by-hand bytes`);
    const E = "engine transcoder (jsonToBytes)";
    const J = "JS-object generic path";
    const G = "JSON.parse + by-hand conversion + generated encode";
    suite.group(`${size}: JSON body (Uint8Array, UTF-8) → Thrift Binary bytes (${json.length} chars → ${bytes.length} B); TextDecoder inside the JS rows`, { unit: "msg" })
      .add(E, () => kw.jsonToBytes(idl, name, body()))
      .add(J, () => jsGenericIn(decoder.decode(body())))
      .add(G, () => byHandIn(decoder.decode(body())))
      .ratio(E, G, { label: `engine vs parse+generated (${size}, body bytes → Thrift)`, target: size === "large" ? 2 : null })
      .ratio(E, J, { label: `engine vs JS generic (${size}, body bytes → Thrift)`, target: size === "large" ? 2 : null });
    suite.group(`${size}: JSON string → Thrift Binary bytes; the engine row encodes the string into engine memory`, { unit: "msg" })
      .add(E, () => kw.jsonToBytes(idl, name, text()))
      .add(J, () => jsGenericIn(text()))
      .add(G, () => byHandIn(text()))
      .ratio(E, G, { label: `engine vs parse+generated (${size}, string → Thrift)` })
      .ratio(E, J, { label: `engine vs JS generic (${size}, string → Thrift)` });

    const jsGenericOut = (b) => JSON.stringify(kw.genericToJson(idl, name, kw.decodeGeneric(idl, name, b)));
    const generatedOut = (b) => JSON.stringify(kw.decodeThrift(Codec, b), replacer);
    const expectedJson = jsGenericOut(bytes);
    check(kw.bytesToJson(idl, name, thrift()) === expectedJson, `${size}: engine JSON = JS generic JSON`);
    check(decoder.decode(kw.bytesToJsonBytes(idl, name, thrift())) === expectedJson, `${size}: engine JSON bytes`);
    check(JSON.stringify(JSON.parse(generatedOut(bytes))) === JSON.stringify(JSON.parse(expectedJson)), `${size}: generated JSON is the same value`);
    const EO = "engine transcoder (bytesToJson)";
    const GO = "generated decode + JSON.stringify (replacer)";
    suite.group(`${size}: Thrift Binary bytes → JSON string; TextDecoder inside the engine row`, { unit: "msg" })
      .add(EO, () => kw.bytesToJson(idl, name, thrift()))
      .add(J, () => jsGenericOut(thrift()))
      .add(GO, () => generatedOut(thrift()))
      .ratio(EO, GO, { label: `engine vs generated+stringify (${size}, Thrift → string)`, target: size === "large" ? 2 : null })
      .ratio(EO, J, { label: `engine vs JS generic (${size}, Thrift → string)`, target: size === "large" ? 2 : null });
    const EB = "engine transcoder (bytesToJsonBytes)";
    suite.group(`${size}: Thrift Binary bytes → JSON body (Uint8Array, UTF-8); TextEncoder inside the JS rows`, { unit: "msg" })
      .add(EB, () => kw.bytesToJsonBytes(idl, name, thrift()))
      .add(J, () => encoder.encode(jsGenericOut(thrift())))
      .add(GO, () => encoder.encode(generatedOut(thrift())))
      .ratio(EB, GO, { label: `engine vs generated+stringify (${size}, Thrift → body bytes)` })
      .ratio(EB, J, { label: `engine vs JS generic (${size}, Thrift → body bytes)` });
  }
  return suite.run();
}

if (isMain(import.meta.url)) await run();
