// A/B of decode and encode between two builds, for judging one change on a noisy machine,
// where tables from separate runs cannot be compared. Each build runs in processes of its
// own, OLD and NEW alternating (PROCS each): two builds loaded into one process disturb each
// other (the first one loaded ran up to 20 % faster in A/A runs of one build). Each process
// times every case with fresh inputs (lib.mjs freshInputs: a ring of 1,024 pooled Buffers,
// or plain Uint8Arrays with `--plain`), in CPU time (process.cpuUsage, so time the process
// spends descheduled on a loaded machine does not count), and keeps the fastest of ROUNDS
// rounds; the report is the median over processes, and each case's ratio to the peer
// (protobufjs, npm thrift) timed in the same process. A process sees one input kind only,
// unless `--mixed`: then each decoder reads plain arrays before it is timed on pooled
// Buffers, as in a process that decodes both (the readers' array loads then see two array
// classes: bench/README.md, section 5b).
//
//   node bench/decode-ab.mjs OLD_CHECKOUT NEW_CHECKOUT [--plain | --mixed] [--procs=4] [--only=large,full]
//   (--only: the cases whose names contain one of the words)
//   (each checkout built: dist/kitewire.node.mjs)
import { execFileSync } from "node:child_process";
import { createRequire } from "node:module";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROUNDS = 15;
const BUDGET_NS = 3e6; // per round and case

if (process.argv[2] === "--child") await child(process.argv[3], process.argv[4], process.argv[5]);
else parent();

function parent() {
  const args = process.argv.slice(2);
  const [oldRoot, newRoot] = args.filter((a) => !a.startsWith("--")).map((p) => resolve(p));
  if (!oldRoot || !newRoot) throw new Error("usage: node bench/decode-ab.mjs OLD_CHECKOUT NEW_CHECKOUT [--plain | --mixed] [--procs=N] [--only=WORD,...]");
  const kind = args.includes("--plain") ? "plain" : args.includes("--mixed") ? "mixed" : "pool";
  const procs = Number(args.find((a) => a.startsWith("--procs="))?.slice(8) ?? 4);
  const only = args.find((a) => a.startsWith("--only="))?.slice(7) ?? "";
  const runs = { old: [], new: [] };
  for (let i = 0; i < procs; i++) {
    for (const [label, root] of [["old", oldRoot], ["new", newRoot]]) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", root, kind, only], { encoding: "utf8" });
      runs[label].push(JSON.parse(out));
    }
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
  console.log(`${kind === "mixed" ? "pool (after plain)" : kind} inputs, ${procs} processes per build, median of each process's fastest of ${ROUNDS} rounds (CPU ns per call)`);
  for (const name of Object.keys(runs.old[0])) {
    const [o, n] = ["old", "new"].map((l) => median(runs[l].map((r) => r[name].ns)));
    const [ro, rn] = ["old", "new"].map((l) => median(runs[l].map((r) => r[name].peer / r[name].ns)));
    console.log(name.padEnd(26), `old ${o.toFixed(1).padStart(7)}`, `new ${n.toFixed(1).padStart(7)}`, `speed-up ${(o / n).toFixed(2)}x`,
      ` vs peer: old ${ro.toFixed(2)}x new ${rn.toFixed(2)}x`);
  }
}

async function child(root, kind, only) {
  const kw = await import(pathToFileURL(`${root}/dist/kitewire.node.mjs`).href);
  await kw.init();
  const { importGenerated } = await import(pathToFileURL(`${root}/bench/generated.mjs`).href);
  const { freshInputs, settleBufferDeprecation } = await import(pathToFileURL(`${root}/bench/lib.mjs`).href);
  const { smallValue, largeValue } = await import(pathToFileURL(`${root}/bench/messages.bench.mjs`).href);
  const { profileValues, largeConstructionFloor, profileConstructionFloor } = await import(pathToFileURL(`${root}/bench/protobuf.bench.mjs`).href);
  const proto = await importGenerated("tests/golden/proto/gen/bench.ts");
  const thriftGen = await importGenerated("tests/golden/thrift/gen/bench.ts");
  const require = createRequire(pathToFileURL(`${root}/bench/`).href);
  const protobuf = require("protobufjs/minimal.js");
  protobuf.util.Long = null; // int64 as numbers: protobufjs's fastest mode, as in protobuf.bench.mjs
  protobuf.configure();
  const { bench: pb } = await import(pathToFileURL(`${root}/tests/fixtures/protobufjs/bench.js`).href);
  const thrift = require("thrift");
  const npm = require(`${root}/tests/fixtures/thrift-js/bench_types.js`);
  settleBufferDeprecation();

  const profile = profileValues(proto);
  const small = smallValue();
  const large = largeValue(proto.Inner);
  const thriftLarge = largeValue(thriftGen.Inner);
  const npmIn = new thrift.TFramedTransport(Buffer.alloc(0));
  const npmRead = (Protocol, Type = npm.Small) => {
    const p = new Protocol(npmIn);
    return (bytes) => {
      npmIn.inBuf = bytes;
      npmIn.readPos = 0;
      const v = new Type();
      v.read(p);
      return v;
    };
  };
  const pbSmall = pb.Small.decode(kw.encodeProtobuf(proto.Small, small));
  const pbLarge = pb.Large.decode(kw.encodeProtobuf(proto.Large, large));
  const pbProfile = pb.Profile.decode(kw.encodeProtobuf(proto.Profile, profile.full));
  // name: [bytes to decode (null: an encode case), kitewire, peer]
  const cases = {
    "Protobuf small": [kw.encodeProtobuf(proto.Small, small), (b) => kw.decodeProtobuf(proto.Small, b), (b) => pb.Small.decode(b)],
    "Protobuf large": [kw.encodeProtobuf(proto.Large, large), (b) => kw.decodeProtobuf(proto.Large, b), (b) => pb.Large.decode(b)],
    // What building the large value costs with no parsing (protobuf.bench.mjs): the bound on the row above.
    "Protobuf large floor": [kw.encodeProtobuf(proto.Large, large), largeConstructionFloor(kw.encodeProtobuf(proto.Large, large)), (b) => pb.Large.decode(b)],
    "Protobuf Profile sparse": [kw.encodeProtobuf(proto.Profile, profile.sparse), (b) => kw.decodeProtobuf(proto.Profile, b), (b) => pb.Profile.decode(b)],
    "Protobuf Profile full": [kw.encodeProtobuf(proto.Profile, profile.full), (b) => kw.decodeProtobuf(proto.Profile, b), (b) => pb.Profile.decode(b)],
    "Protobuf Profile full floor": [kw.encodeProtobuf(proto.Profile, profile.full), profileConstructionFloor(kw.encodeProtobuf(proto.Profile, profile.full)), (b) => pb.Profile.decode(b)],
    "Thrift Binary small": [kw.encodeThrift(thriftGen.Small, small, "binary"), (b) => kw.decodeThrift(thriftGen.Small, b, "binary"), npmRead(thrift.TBinaryProtocol)],
    "Thrift Compact small": [kw.encodeThrift(thriftGen.Small, small, "compact"), (b) => kw.decodeThrift(thriftGen.Small, b, "compact"), npmRead(thrift.TCompactProtocol)],
    "Thrift Binary large": [kw.encodeThrift(thriftGen.Large, thriftLarge, "binary"), (b) => kw.decodeThrift(thriftGen.Large, b, "binary"), npmRead(thrift.TBinaryProtocol, npm.Large)],
    "Thrift Compact large": [kw.encodeThrift(thriftGen.Large, thriftLarge, "compact"), (b) => kw.decodeThrift(thriftGen.Large, b, "compact"), npmRead(thrift.TCompactProtocol, npm.Large)],
    "Protobuf small encode": [null, () => kw.encodeProtobuf(proto.Small, small), () => pb.Small.encode(pbSmall).finish()],
    "Protobuf large encode": [null, () => kw.encodeProtobuf(proto.Large, large), () => pb.Large.encode(pbLarge).finish()],
    "Protobuf Profile full encode": [null, () => kw.encodeProtobuf(proto.Profile, profile.full), () => pb.Profile.encode(pbProfile).finish()],
  };
  const result = {};
  if (kind === "mixed") {
    for (const [bytes, ours, peer] of Object.values(cases)) {
      if (bytes === null) continue;
      const plain = freshInputs(bytes, "plain");
      for (let i = 0; i < 20000; i++) ours(plain()), peer(plain());
    }
  }
  const inputKind = kind === "mixed" ? "pool" : kind;
  for (const [name, [bytes, ours, peer]] of Object.entries(cases)) {
    if (only !== "" && !only.split(",").some((word) => name.includes(word))) continue;
    const [a, b] = [timer(ours, bytes, inputKind), timer(peer, bytes, inputKind)];
    for (let w = 0; w < 3; w++) a(), b();
    let best = [Infinity, Infinity];
    for (let r = 0; r < ROUNDS; r++) best = [Math.min(best[0], a()), Math.min(best[1], b())];
    result[name] = { ns: best[0], peer: best[1] };
  }
  process.stdout.write(JSON.stringify(result));

  // A timed loop of its own per function, so that each call site stays monomorphic.
  function timer(fn, bytes, inputKind) {
    const next = bytes === null ? () => undefined : freshInputs(bytes, inputKind);
    const loop = new Function("fn", "next", "return (n) => { let sink = 0; for (let i = 0; i < n; i++) if (fn(next()) !== undefined) sink++; return sink; };")(fn, next);
    let calls = 1000;
    return () => {
      const c0 = process.cpuUsage();
      if (loop(calls) !== calls) throw new Error("a call returned nothing");
      const c = process.cpuUsage(c0);
      const ns = ((c.user + c.system) * 1000) / calls;
      calls = Math.max(1000, Math.min(1e6, Math.round(BUDGET_NS / Math.max(ns, 1))));
      return ns;
    };
  }
}
