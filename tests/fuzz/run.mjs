#!/usr/bin/env node
/**
 * Long coverage-guided fuzzing runs with Jazzer.js (libFuzzer in Node), one target after
 * the other, each bounded in time:
 *
 *   npm run fuzz -- --time=10m                       # every target, 10 minutes each
 *   npm run fuzz -- --time=1h --target=frames,protobuf
 *   npm run fuzz -- --time=10m --jobs=2              # two targets at a time
 *   npm run fuzz -- --summary                        # totals of the runs recorded so far
 *   npm run fuzz -- --target=frames --replay=<file>  # run one input (a finding) and show what it breaks
 *
 * Needs `npm run build` (the engine in build/). The targets (tests/fuzz/targets.ts) are
 * bundled to CommonJS in .tmp/fuzz/ so that Jazzer.js instruments them; each target keeps
 * its corpus in .tmp/fuzz/corpus/<target> (seeded from the golden corpora, grown by every
 * run), findings go to .tmp/fuzz/findings/, and each run's executions and coverage are
 * appended to .tmp/fuzz/runs.jsonl. Runs are niced (19): the machine is shared.
 */
import { spawn } from "node:child_process";
import { appendFileSync, existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";

const root = process.cwd();
const dir = join(root, ".tmp", "fuzz");
const bundleFile = join(dir, "targets.cjs");
const runsFile = join(dir, "runs.jsonl");
const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const args = { time: 60, targets: undefined, summary: false, maxLen: 16384, jobs: 1, replay: undefined };
  for (const a of argv) {
    const [key, value] = a.replace(/^--/, "").split("=");
    if (key === "time") args.time = seconds(value);
    else if (key === "target") args.targets = value.split(",");
    else if (key === "summary") args.summary = true;
    else if (key === "max-len") args.maxLen = Number(value);
    else if (key === "jobs") args.jobs = Math.max(1, Number(value));
    else if (key === "replay") args.replay = value;
    else throw new Error(`unknown option ${a} (--time=<30s|10m|1h>, --target=a,b, --jobs=N, --max-len=N, --summary, --replay=<file>)`);
  }
  return args;
}

function seconds(text) {
  const m = /^(\d+)(s|m|h)?$/.exec(text ?? "");
  if (!m) throw new Error(`--time takes a number of seconds or 30s, 10m, 1h; got ${text}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] ?? "s"];
}

/** Bundles tests/fuzz/jazzer/entry.ts and what it imports into one CommonJS file. */
async function bundle(file = bundleFile) {
  const { rolldown } = await import("rolldown");
  const build = await rolldown({
    input: join(root, "tests/fuzz/jazzer/entry.ts"),
    platform: "node",
    resolve: {
      alias: { kitewire: join(root, "src/runtime/node/index.ts"), vitest: join(root, "tests/fuzz/jazzer/vitest-stub.ts") },
      extensionAlias: { ".js": [".ts", ".js"] },
    },
    external: [/^node:/],
    logLevel: "silent",
  });
  await build.write({ file, format: "cjs", codeSplitting: false }); // one file: dynamic imports inlined
  await build.close();
}

/** Writes each target's seeds into its corpus folder (named by content, so again is a no-op) and its dictionary. */
function prepare(names) {
  const { targets } = require(bundleFile);
  for (const name of names) {
    const t = targets[name];
    if (t === undefined) throw new Error(`no target ${name}; targets: ${Object.keys(targets).join(", ")}`);
    const corpus = join(dir, "corpus", name);
    mkdirSync(corpus, { recursive: true });
    for (const seed of t.seeds()) {
      writeFileSync(join(corpus, `seed-${createHash("sha1").update(seed).digest("hex")}`), seed);
    }
    writeFileSync(join(dir, `${name}.dict`), t.dictionary());
  }
  return Object.keys(targets);
}

/** Runs one target under Jazzer.js for `time` seconds; resolves to what libFuzzer reported. */
function fuzz(name, time, maxLen) {
  const corpus = join(dir, "corpus", name);
  const findings = join(dir, "findings");
  mkdirSync(findings, { recursive: true });
  const cli = require.resolve("@jazzer.js/core/dist/cli.js");
  const args = [
    "-n", "19", process.execPath, "--max-old-space-size=1024", "-r", join(root, "tests/fuzz/jazzer/load-addon.cjs"),
    cli, bundleFile, corpus, "--sync", "--timeout=10000", "--",
    `-max_total_time=${time}`, `-dict=${join(dir, `${name}.dict`)}`, `-max_len=${maxLen}`, "-rss_limit_mb=2048",
    "-print_final_stats=1", `-artifact_prefix=${findings}/${name}-`, "-use_value_profile=1",
  ];
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn("nice", args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, KITEWIRE_FUZZ_TARGET: name } });
    let log = "";
    const keep = (chunk) => {
      log += chunk;
      if (log.length > 1 << 20) log = log.slice(-(1 << 19));
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("close", (code) => {
      const stat = (key) => Number(new RegExp(`stat::${key}:\\s+(\\d+)`).exec(log)?.[1] ?? NaN);
      const status = [...log.matchAll(/#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/g)].pop();
      const crash = /Test unit written to (\S+)/.exec(log)?.[1];
      const result = {
        target: name, date: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000), exitCode: code,
        execs: stat("number_of_executed_units") || Number(status?.[1] ?? 0),
        execsPerSecond: stat("average_exec_per_sec"), cov: Number(status?.[2] ?? 0), ft: Number(status?.[3] ?? 0),
        corpus: Number(status?.[4] ?? 0), peakRssMb: stat("peak_rss_mb"), finding: crash ?? null,
      };
      if (crash || (code !== 0 && code !== null)) {
        writeFileSync(join(findings, `${name}-${Date.now()}.log`), log);
        result.error = (/==\d+== (.*)/.exec(log)?.[1] ?? /Error[^\n]*/.exec(log)?.[0] ?? `exit ${code}`).slice(0, 500);
      }
      done(result);
    });
  });
}

function summary() {
  if (!existsSync(runsFile)) return console.log("no runs recorded yet");
  const runs = readFileSync(runsFile, "utf8").trim().split("\n").map((l) => JSON.parse(l));
  const by = new Map();
  for (const r of runs) {
    const s = by.get(r.target) ?? { runs: 0, seconds: 0, execs: 0, cov: 0, ft: 0, corpus: 0, findings: 0 };
    s.runs++;
    s.seconds += r.seconds;
    s.execs += r.execs;
    s.cov = Math.max(s.cov, r.cov);
    s.ft = Math.max(s.ft, r.ft);
    s.corpus = Math.max(s.corpus, r.corpus);
    if (r.finding || r.error) s.findings++;
    by.set(r.target, s);
  }
  console.log("| target | runs | seconds | executions | cov (edges) | ft (features) | corpus | runs with a finding |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const [t, s] of by) {
    console.log(`| ${t} | ${s.runs} | ${s.seconds} | ${s.execs.toLocaleString("en")} | ${s.cov} | ${s.ft} | ${s.corpus} | ${s.findings} |`);
  }
}

/** Runs one input through one target, outside Jazzer.js: prints the property it breaks, or that it passes. */
async function replay(name, input) {
  const file = join(dir, "replay.cjs"); // not targets.cjs, which runs in progress may be loading
  await bundle(file);
  const target = require(file).targets[name];
  if (target === undefined) throw new Error(`--replay needs --target=<one target>; no target ${name}`);
  try {
    target.run(new Uint8Array(readFileSync(input)));
    console.log(`${input}: passes ${name}`);
  } catch (error) {
    console.log(`${input}: ${name} fails:`);
    console.log(error);
    process.exitCode = 1;
  }
}

const args = parseArgs(process.argv.slice(2));
if (args.summary) {
  summary();
} else if (args.replay !== undefined) {
  mkdirSync(dir, { recursive: true });
  await replay(args.targets?.[0], args.replay);
} else {
  if (!existsSync(join(root, "build", "kitewire.simd.wasm"))) throw new Error("run `npm run build` first");
  mkdirSync(dir, { recursive: true });
  await bundle();
  const all = prepare(args.targets ?? []);
  const names = args.targets ?? all;
  prepare(names);
  const queue = [...names];
  const lane = async () => {
    for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
      const before = readdirSync(join(dir, "corpus", name)).length;
      const r = await fuzz(name, args.time, args.maxLen);
      appendFileSync(runsFile, `${JSON.stringify(r)}\n`);
      console.log(`${name}: ${r.execs.toLocaleString("en")} executions in ${r.seconds} s, cov ${r.cov}, ft ${r.ft}, corpus ${before} -> ${r.corpus}` +
        (r.error ? `; FINDING: ${r.error} (${r.finding ?? "see .tmp/fuzz/findings"})` : ""));
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.jobs, names.length) }, lane));
  summary();
}

