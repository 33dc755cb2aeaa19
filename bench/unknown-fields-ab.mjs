// A/B of reading a struct whose fields the reader's schema does not know (a newer peer's
// struct, read by older generated code): each field kept (`readUnknown`, with keepUnknown)
// or skipped (`skip`), in Thrift Binary and Compact, between two builds. The struct has 48
// fields: bools, bytes, i32, i64, doubles and short strings (the fields a schema most
// often gains), 409 bytes in Binary, 243 in Compact, read from a Buffer as a
// socket delivers it.
//
// Each build runs in processes of its own, OLD and NEW alternating (PROCS each), times each
// case in CPU time (process.cpuUsage), keeps the fastest of ROUNDS rounds, and the report
// is the median over processes (as decode-ab.mjs, for a noisy machine).
//
//   node bench/unknown-fields-ab.mjs OLD_CHECKOUT NEW_CHECKOUT [--procs=4]
//   (each checkout built: dist/kitewire.node.mjs)
import { execFileSync } from "node:child_process";
import { resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROUNDS = 15;
const BUDGET_NS = 3e6; // per round and case

if (process.argv[2] === "--child") await child(process.argv[3]);
else parent();

function parent() {
  const args = process.argv.slice(2);
  const [oldRoot, newRoot] = args.filter((a) => !a.startsWith("--")).map((p) => resolve(p));
  if (!oldRoot || !newRoot) throw new Error("usage: node bench/unknown-fields-ab.mjs OLD_CHECKOUT NEW_CHECKOUT [--procs=N]");
  const procs = Number(args.find((a) => a.startsWith("--procs="))?.slice(8) ?? 4);
  const runs = { old: [], new: [] };
  for (let i = 0; i < procs; i++) {
    for (const [label, root] of [["old", oldRoot], ["new", newRoot]]) {
      const out = execFileSync(process.execPath, [fileURLToPath(import.meta.url), "--child", root], { encoding: "utf8" });
      runs[label].push(JSON.parse(out));
    }
  }
  const median = (xs) => xs.slice().sort((a, b) => a - b)[xs.length >> 1];
  console.log(`${procs} processes per build, median of each process's fastest of ${ROUNDS} rounds (CPU ns per struct read)`);
  for (const name of Object.keys(runs.old[0])) {
    const [o, n] = ["old", "new"].map((l) => median(runs[l].map((r) => r[name])));
    console.log(name.padEnd(24), `old ${o.toFixed(0).padStart(7)}`, `new ${n.toFixed(0).padStart(7)}`, `speed-up ${(o / n).toFixed(2)}x`);
  }
}

/** Writes the struct: 48 fields of the scalar types and short strings. */
function writeStruct(w, T) {
  w.writeStructBegin();
  for (let i = 0; i < 8; i++) {
    const id = 10 + i * 6;
    w.writeFieldBegin(T.BOOL, id); w.writeBool(i % 2 === 0);
    w.writeFieldBegin(T.BYTE, id + 1); w.writeByte(i - 4);
    w.writeFieldBegin(T.I32, id + 2); w.writeI32(i * 100_003 - 7);
    w.writeFieldBegin(T.I64, id + 3); w.writeI64(BigInt(i) * 1_000_000_007n);
    w.writeFieldBegin(T.DOUBLE, id + 4); w.writeDouble(i / 3);
    w.writeFieldBegin(T.STRING, id + 5); w.writeString(`label-${i}`);
  }
  w.writeFieldStop();
  w.writeStructEnd();
}

async function child(root) {
  const kw = await import(pathToFileURL(`${root}/dist/kitewire.node.mjs`).href);
  await kw.init();
  const T = kw.TType;
  const cases = {};
  for (const protocol of ["binary", "compact"]) {
    const w = protocol === "binary" ? new kw.ThriftBinaryWriter() : new kw.ThriftCompactWriter();
    writeStruct(w, T);
    const bytes = Buffer.from(w.finish()); // a Buffer, as from a socket
    const Reader = protocol === "binary" ? kw.ThriftBinaryReader : kw.ThriftCompactReader;
    for (const keep of [true, false]) {
      const r = new Reader({ keepUnknown: keep });
      let kept = 0;
      const read = () => {
        r.load(bytes);
        r.readStructBegin();
        for (let t = r.readFieldBegin(); t !== T.STOP; t = r.readFieldBegin()) {
          if (keep) kept += r.readUnknown(t).bytes.length;
          else r.skip(t);
        }
        r.readStructEnd();
      };
      cases[`${protocol} (${bytes.length} B) ${keep ? "kept" : "skipped"}`] = read;
    }
  }
  const out = {};
  for (const [name, fn] of Object.entries(cases)) {
    for (let i = 0; i < 2000; i++) fn(); // warm up
    let best = Infinity;
    for (let round = 0; round < ROUNDS; round++) {
      let n = 0;
      const start = process.cpuUsage();
      let spent = 0;
      while (spent < BUDGET_NS) {
        for (let i = 0; i < 100; i++) fn();
        n += 100;
        const c = process.cpuUsage(start);
        spent = (c.user + c.system) * 1000;
      }
      best = Math.min(best, spent / n);
    }
    out[name] = best;
  }
  process.stdout.write(JSON.stringify(out));
}
