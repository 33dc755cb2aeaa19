#!/usr/bin/env node
/**
 * Long coverage-guided fuzzing runs with Jazzer.js (libFuzzer in Node), one target after
 * the other, each bounded in time:
 *
 *   npm run fuzz -- --time=10m                       # every target, 10 minutes each
 *   npm run fuzz -- --time=1h --target=frames,protobuf
 *   npm run fuzz -- --time=10m --jobs=2              # two targets at a time
 *   npm run fuzz -- --summary                        # totals of the runs recorded so far
 *   npm run fuzz -- --until=13:20 --time=10m --jobs=2 # chunks of 10 minutes until 13:20 UTC, toward --goal
 *                                                    # (touch .tmp/fuzz/stop to end it after the chunks in progress)
 *   npm run fuzz -- --target=frames --replay=<file>  # run one input (a finding) and show what it breaks
 *
 * Needs `npm run build` (the engine in build/). The targets (tests/fuzz/targets.ts) are
 * bundled to CommonJS in .tmp/fuzz/bundle/ so that Jazzer.js instruments the code they
 * test (`bundle` below); each target keeps
 * its corpus in .tmp/fuzz/corpus/<target> (seeded from the golden corpora, grown by every
 * run), findings go to .tmp/fuzz/findings/, and each run's executions and coverage are
 * appended to .tmp/fuzz/runs.jsonl. Runs are niced (19, or --nice=N): the machine is shared.
 */
import { spawn } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import { join } from "node:path";

const root = process.cwd();
const dir = join(root, ".tmp", "fuzz");
const bundleDir = join(dir, "bundle");
const bundleFile = join(bundleDir, "targets.cjs");
/** The bundle's chunk of code under test: the only file Jazzer.js instruments. */
const INSTRUMENTED = "kitewire.cjs";
/** Clock ticks per second of /proc/<pid>/stat's CPU times. */
const CLOCK_TICKS = 100;
const runsFile = join(dir, "runs.jsonl");
const stopFile = join(dir, "stop");
const require = createRequire(import.meta.url);

function parseArgs(argv) {
  const args = { time: 60, targets: undefined, summary: false, maxLen: 16384, jobs: 1, replay: undefined, until: undefined, goal: 10_000_000, nice: 19 };
  for (const a of argv) {
    const [key, value] = a.replace(/^--/, "").split("=");
    if (key === "time") args.time = seconds(value);
    else if (key === "target") args.targets = value.split(",");
    else if (key === "summary") args.summary = true;
    else if (key === "max-len") args.maxLen = Number(value);
    else if (key === "jobs") args.jobs = Math.max(1, Number(value));
    else if (key === "replay") args.replay = value;
    else if (key === "until") args.until = deadline(value);
    else if (key === "goal") args.goal = Number(value);
    else if (key === "nice") args.nice = Math.min(19, Math.max(0, Number(value)));
    else throw new Error(`unknown option ${a} (--time=<30s|10m|1h>, --target=a,b, --jobs=N, --max-len=N, --summary, --replay=<file>, --until=HH:MM, --goal=N, --nice=0..19)`);
  }
  return args;
}

function seconds(text) {
  const m = /^(\d+)(s|m|h)?$/.exec(text ?? "");
  if (!m) throw new Error(`--time takes a number of seconds or 30s, 10m, 1h; got ${text}`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] ?? "s"];
}

/** The next time of day `HH:MM` (UTC) as a Date. */
function deadline(text) {
  const m = /^(\d\d?):(\d\d)$/.exec(text ?? "");
  if (!m) throw new Error(`--until takes a UTC time of day HH:MM; got ${text}`);
  const at = new Date();
  at.setUTCHours(Number(m[1]), Number(m[2]), 0, 0);
  if (at.getTime() <= Date.now()) at.setUTCDate(at.getUTCDate() + 1);
  return at;
}

/**
 * Bundles tests/fuzz/jazzer/entry.ts and what it imports into CommonJS files in `out`:
 * `kitewire.cjs`, the code under test (src/ and the generated code of the golden and interop
 * IDL files), which Jazzer.js instruments; `targets.cjs`, the harness (targets, property
 * checks, seed makers), and `lib.cjs`, npm packages the seed makers use, which it does not:
 * hooks on the harness's byte-by-byte comparisons and on packages no input reaches only
 * slow every execution down. "kitewire" is the runtime-agnostic core (src/index.ts): the
 * Node entry would bring etcd3 and grpc-js along; entry.ts registers the one thing of it
 * the targets reach, the zlib transform.
 */
async function bundle(out = bundleDir) {
  const { rolldown } = await import("rolldown");
  rmSync(out, { recursive: true, force: true });
  const build = await rolldown({
    input: { targets: join(root, "tests/fuzz/jazzer/entry.ts") },
    platform: "node",
    resolve: {
      alias: { kitewire: join(root, "src/index.ts"), vitest: join(root, "tests/fuzz/jazzer/vitest-stub.ts") },
      extensionAlias: { ".js": [".ts", ".js"] },
    },
    external: [/^node:/],
    logLevel: "silent",
  });
  await build.write({
    dir: out, format: "cjs", entryFileNames: "[name].cjs", chunkFileNames: "[name].cjs", plugins: [unhookCharCompares()],
    codeSplitting: { groups: [
      { name: "lib", test: /[\\/]node_modules[\\/]/ },
      { name: "kitewire", test: /[\\/](src|tests[\\/]golden|tests[\\/]interop)[\\/]/ },
    ] },
  });
  await build.close();
  copyFileSync(join(root, "build", "kitewire.simd.wasm"), join(out, "kitewire.simd.wasm")); // the engine the bundle was made with
  if (!existsSync(join(out, INSTRUMENTED))) throw new Error(`bundling made no ${INSTRUMENTED} in ${out}`);
}

/**
 * A rolldown output plugin that writes the one-character string literals compared with
 * `===`, `!==`, `==`, `!=` in the instrumented chunk as template literals (`c === "{"`
 * becomes c === `{`, the same value). Jazzer.js hooks comparisons with a string literal
 * only: each unequal one is a call into libFuzzer with both strings, and the lexers'
 * character tests made them a quarter of the IDL targets' time. A one-character hint is
 * worth little to libFuzzer (one byte is found by mutation, and the dictionaries hold the
 * punctuation); the comparisons with longer literals (keywords, magics) keep their hooks.
 */
function unhookCharCompares() {
  const EQUALITY = new Set(["===", "!==", "==", "!="]);
  const isChar = (n) => n?.type === "Literal" && typeof n.value === "string" && n.value.length === 1;
  return {
    name: "unhook-char-compares",
    async renderChunk(code, chunk) {
      if (chunk.fileName !== INSTRUMENTED) return null;
      const { parseAst } = await import("rolldown/parseAst");
      const edits = [];
      const visit = (node) => {
        if (Array.isArray(node)) return node.forEach(visit);
        if (node === null || typeof node !== "object") return;
        if (node.type === "BinaryExpression" && EQUALITY.has(node.operator) && isChar(node.left) !== isChar(node.right)) {
          const literal = isChar(node.left) ? node.left : node.right;
          edits.push({ start: literal.start, end: literal.end, text: literal.value === "`" ? "`\\``" : `\`${literal.raw.slice(1, -1)}\`` });
        }
        for (const key in node) if (key !== "type") visit(node[key]);
      };
      visit(parseAst(code));
      edits.sort((a, b) => b.start - a.start);
      for (const e of edits) code = code.slice(0, e.start) + e.text + code.slice(e.end);
      return { code, map: null };
    },
  };
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

/** User and system CPU seconds of process `pid` so far (Linux /proc), or undefined. */
function cpuSeconds(pid) {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS; // utime, stime (fields 14, 15 of stat)
  } catch {
    return undefined;
  }
}

/** Runs one target under Jazzer.js for `time` seconds; resolves to what libFuzzer reported. */
function fuzz(name, time, maxLen, nice) {
  const corpus = join(dir, "corpus", name);
  const findings = join(dir, "findings");
  mkdirSync(findings, { recursive: true });
  const cli = require.resolve("@jazzer.js/core/dist/cli.js");
  const args = [
    "-n", String(nice), process.execPath, "--max-old-space-size=1024", "-r", join(root, "tests/fuzz/jazzer/load-addon.cjs"),
    cli, bundleFile, corpus, "--sync", "--timeout=10000", `--includes=${join(bundleDir, INSTRUMENTED)}`, "--",
    `-max_total_time=${time}`, `-dict=${join(dir, `${name}.dict`)}`, `-max_len=${maxLen}`, "-rss_limit_mb=2048",
    "-print_final_stats=1", `-artifact_prefix=${findings}/${name}-`, "-use_value_profile=1",
  ];
  const started = Date.now();
  return new Promise((done) => {
    const env = { ...process.env, KITEWIRE_FUZZ_TARGET: name, KITEWIRE_FUZZ_ENGINE: join(bundleDir, "kitewire.simd.wasm") };
    const child = spawn("nice", args, { cwd: root, stdio: ["ignore", "pipe", "pipe"], env });
    let log = "";
    // CPU time of the run, and at the end of INIT (its corpus run once): the rate a free core gives, whatever the load.
    let cpu = 0;
    let init;
    const sample = () => {
      cpu = cpuSeconds(child.pid) ?? cpu;
    };
    const sampler = setInterval(sample, 2000);
    const keep = (chunk) => {
      log += chunk;
      if (log.length > 1 << 20) log = log.slice(-(1 << 19));
      const inited = init === undefined ? /#(\d+)\s+INITED/.exec(log) : null;
      if (inited) {
        sample();
        init = { execs: Number(inited[1]), cpu };
      }
    };
    child.stdout.on("data", keep);
    child.stderr.on("data", keep);
    child.on("close", (code) => {
      clearInterval(sampler);
      const stat = (key) => Number(new RegExp(`stat::${key}:\\s+(\\d+)`).exec(log)?.[1] ?? NaN);
      const status = [...log.matchAll(/#(\d+)\s+\w+\s+cov: (\d+) ft: (\d+) corp: (\d+)/g)].pop();
      const crash = /Test unit written to (\S+)/.exec(log)?.[1];
      const result = {
        target: name, date: new Date().toISOString(), seconds: Math.round((Date.now() - started) / 1000), exitCode: code, maxLen,
        execs: stat("number_of_executed_units") || Number(status?.[1] ?? 0),
        execsPerSecond: stat("average_exec_per_sec"), cov: Number(status?.[2] ?? 0), ft: Number(status?.[3] ?? 0),
        corpus: Number(status?.[4] ?? 0), peakRssMb: stat("peak_rss_mb"), finding: crash ?? null,
        cpuSeconds: Math.round(cpu), initCpuSeconds: init === undefined ? null : Math.round(init.cpu), initExecs: init?.execs ?? null,
      };
      if (crash || (code !== 0 && code !== null)) {
        writeFileSync(join(findings, `${name}-${Date.now()}.log`), log);
        result.error = (/==\d+== (.*)/.exec(log)?.[1] ?? /Error[^\n]*/.exec(log)?.[0] ?? `exit ${code}`).slice(0, 500);
      }
      done(result);
    });
  });
}

/**
 * Per target: the recorded runs' totals, the rate of its last run (executions per second of
 * the machine as it was), and of the last run that recorded its CPU time, executions per
 * CPU second after its INIT (what a free core gives).
 */
function totals() {
  const by = new Map();
  if (!existsSync(runsFile)) return by;
  const runs = readFileSync(runsFile, "utf8").trim().split("\n").filter((l) => l !== "").map((l) => JSON.parse(l));
  for (const r of runs) {
    const s = by.get(r.target) ?? { runs: 0, seconds: 0, execs: 0, cov: 0, ft: 0, corpus: 0, findings: 0, lastRate: 0 };
    s.runs++;
    s.seconds += r.seconds;
    s.execs += r.execs;
    s.cov = Math.max(s.cov, r.cov);
    s.ft = Math.max(s.ft, r.ft);
    s.corpus = Math.max(s.corpus, r.corpus);
    if (r.finding || r.error) s.findings++;
    if (r.seconds > 0) s.lastRate = r.execs / r.seconds;
    if (r.cpuSeconds - r.initCpuSeconds >= 10) s.cpuRate = (r.execs - r.initExecs) / (r.cpuSeconds - r.initCpuSeconds);
    by.set(r.target, s);
  }
  return by;
}

function summary() {
  const by = totals();
  if (by.size === 0) return console.log("no runs recorded yet");
  console.log("| target | runs | seconds | executions | cov (edges) | ft (features) | corpus | runs with a finding | executions per CPU second |");
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const [t, s] of by) {
    const rate = s.cpuRate === undefined ? "" : Math.round(s.cpuRate).toLocaleString("en");
    console.log(`| ${t} | ${s.runs} | ${s.seconds} | ${s.execs.toLocaleString("en")} | ${s.cov} | ${s.ft} | ${s.corpus} | ${s.findings} | ${rate} |`);
  }
}

/**
 * The next chunk of an `--until` run: among the targets below `--goal` executions (and not
 * running in another lane), the one furthest from the goal that can still reach it before
 * the deadline at its last run's rate, else the one furthest from it; fuzzed for `--time`,
 * or less when that reaches the goal or the deadline first. None when under a minute is left,
 * or once .tmp/fuzz/stop exists (the runs in progress finish and are recorded).
 */
function nextChunk(names, running, args) {
  const left = Math.floor((args.until.getTime() - Date.now()) / 1000) - 30; // a run's start and end take a few seconds
  if (left < 60 || existsSync(stopFile)) return { name: undefined };
  const by = totals();
  const open = names.filter((n) => !running.has(n) && (by.get(n)?.execs ?? 0) < args.goal).map((n) => {
    const s = by.get(n);
    const missing = args.goal - (s?.execs ?? 0);
    return { name: n, missing, needs: s?.lastRate > 0 ? missing / s.lastRate : 0 };
  }).sort((a, b) => b.missing - a.missing);
  const pick = open.find((t) => t.needs <= left) ?? open[0];
  if (pick === undefined) return { name: undefined };
  const time = Math.min(args.time, left, pick.needs > 0 ? Math.ceil(pick.needs * 1.1) + 30 : args.time);
  return { name: pick.name, time: Math.max(60, time) };
}

/** Runs one input through one target, outside Jazzer.js: prints the property it breaks, or that it passes. */
async function replay(name, input) {
  const out = join(dir, "replay"); // not the bundle runs in progress may be loading
  await bundle(out);
  const target = require(join(out, "targets.cjs")).targets[name];
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
  const running = new Set();
  const next = args.until === undefined ? () => ({ name: queue.shift(), time: args.time }) : () => nextChunk(names, running, args);
  const lane = async () => {
    for (let chunk = next(); chunk.name !== undefined; chunk = next()) {
      const { name, time } = chunk;
      running.add(name);
      const before = readdirSync(join(dir, "corpus", name)).length;
      const r = await fuzz(name, time, args.maxLen, args.nice);
      running.delete(name);
      appendFileSync(runsFile, `${JSON.stringify(r)}\n`);
      console.log(`${r.date} ${name}: ${r.execs.toLocaleString("en")} executions in ${r.seconds} s, cov ${r.cov}, ft ${r.ft}, corpus ${before} -> ${r.corpus}` +
        (r.error ? `; FINDING: ${r.error} (${r.finding ?? "see .tmp/fuzz/findings"})` : ""));
    }
  };
  await Promise.all(Array.from({ length: Math.min(args.jobs, names.length) }, lane));
  summary();
}

