#!/usr/bin/env node
/**
 * Executions per CPU second of one target under Jazzer.js after INIT, on 200 files of its
 * corpus with a fixed seed, from /proc/<pid>/stat (so the figure holds on a loaded machine):
 *
 *   node tests/fuzz/rate.mjs .tmp/fuzz/bundle thrift-idl 3000
 *
 * Runs the Jazzer.js CLI as run.mjs does (a bundle made by `npm run fuzz`), with
 * `-runs=<INIT + N> -seed=1`, not niced (it measures; it is short). Linux only.
 */
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";

const [bundleDir, target, extra] = process.argv.slice(2);
if (target === undefined) throw new Error("usage: node tests/fuzz/rate.mjs <bundle dir> <target> [executions after INIT]");
const n = Number(extra ?? 10000);
const corpus = join(".tmp", "fuzz", "corpus", target);
const sample = join(".tmp", "fuzz", `rate-${target}-${process.pid}`);
rmSync(sample, { recursive: true, force: true });
mkdirSync(sample, { recursive: true });
const files = readdirSync(corpus).sort();
const step = Math.max(1, Math.floor(files.length / 200));
const chosen = files.filter((_, i) => i % step === 0).slice(0, 200);
for (const f of chosen) copyFileSync(join(corpus, f), join(sample, f));

const cpu = (pid) => {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return undefined;
  }
};
const engine = join(bundleDir, "kitewire.simd.wasm");
const child = spawn(process.execPath, [
  "--max-old-space-size=1024", "-r", "./tests/fuzz/jazzer/load-addon.cjs", "node_modules/@jazzer.js/core/dist/cli.js",
  join(bundleDir, "targets.cjs"), sample, "--sync", "--timeout=10000", `--includes=${join(bundleDir, "kitewire.cjs")}`, "--",
  `-runs=${chosen.length + 1 + n}`, "-seed=1", `-dict=.tmp/fuzz/${target}.dict`, "-max_len=16384", "-use_value_profile=1",
], { env: { ...process.env, KITEWIRE_FUZZ_TARGET: target, ...(existsSync(engine) ? { KITEWIRE_FUZZ_ENGINE: engine } : {}) } });
let log = "";
let init;
let last = 0;
const poll = setInterval(() => {
  last = cpu(child.pid) ?? last;
}, 200);
const keep = (chunk) => {
  log += chunk;
  const m = init === undefined ? /#(\d+)\s+INITED/.exec(log) : null;
  if (m) init = { execs: Number(m[1]), cpu: cpu(child.pid) };
};
child.stdout.on("data", keep);
child.stderr.on("data", keep);
child.on("close", () => {
  clearInterval(poll);
  rmSync(sample, { recursive: true, force: true });
  const execs = Number([...log.matchAll(/#(\d+)\s+(?:DONE|NEW|REDUCE|pulse)/g)].pop()?.[1]);
  if (init === undefined || !(execs > init.execs)) return console.log(`${target}: no result\n${log.slice(-2000)}`);
  const seconds = last - init.cpu;
  console.log(`${target}: start and INIT ${init.cpu.toFixed(1)} CPU s; ${execs - init.execs} executions in ${seconds.toFixed(1)} CPU s: ` +
    `${Math.round((execs - init.execs) / seconds)} per CPU second`);
});
