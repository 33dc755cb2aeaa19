// Runs the benchmarks: every bench/*.bench.mjs, or those whose names contain one of the
// arguments (`node bench/run.mjs utf8 skip`). Each file runs in its own Node process (same
// flags as this one, so `--expose-gc` carries over), so one benchmark's JIT state and heap
// cannot colour another's; each prints its tables when its passes are done, and this
// runner prints the summary of ratios and targets at the end.
//
// Options:
//   --json=FILE       also write all results as JSON
//   --markdown=FILE   also write all tables and the summary as Markdown (for bench/README.md)
//   --time=MS         time budget per task, split over its rounds (default 600; env BENCH_TIME)
//   --warmup=MS       warmup before a task's first round (default 150; env BENCH_WARMUP)
//   --passes=N        passes over each file's groups, spread in time (default 4)
//   --rounds=N        rounds per group and pass (default 1); each task keeps its best round
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = fileURLToPath(new URL(".", import.meta.url));
const args = process.argv.slice(2);
const option = (name) => args.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const names = args.filter((a) => !a.startsWith("--"));

if (!existsSync(join(dir, "../dist/kitewire.node.mjs"))) {
  console.error("dist/kitewire.node.mjs is missing: run `npm run build` first (or `npm run bench`).");
  process.exit(1);
}

const all = readdirSync(dir).filter((f) => f.endsWith(".bench.mjs")).sort();
const files = names.length === 0 ? all : all.filter((f) => names.some((n) => f.includes(n)));
if (files.length === 0) {
  console.error(`no benchmark matches ${names.join(", ")}; there are: ${all.map((f) => f.replace(".bench.mjs", "")).join(", ")}`);
  process.exit(1);
}

const env = { ...process.env };
if (option("time")) env.BENCH_TIME = option("time");
if (option("warmup")) env.BENCH_WARMUP = option("warmup");
if (option("rounds")) env.BENCH_ROUNDS = option("rounds");
if (option("passes")) env.BENCH_PASSES = option("passes");

const tmp = mkdtempSync(join(tmpdir(), "kitewire-bench-"));
const results = [];
const started = Date.now();
let failed = false;
try {
  for (const file of files) {
    const json = join(tmp, `${file}.json`);
    const child = spawnSync(process.execPath, [...process.execArgv, join(dir, file)], {
      stdio: "inherit",
      env: { ...env, BENCH_JSON: json },
    });
    if (child.status !== 0 || !existsSync(json)) {
      console.error(`\n${file} failed (exit ${child.status ?? child.signal})`);
      failed = true;
      continue;
    }
    results.push(JSON.parse(readFileSync(json, "utf8")));
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

const seconds = (Date.now() - started) / 1000;
const ratios = results.flatMap((r) => r.groups.flatMap((g) => g.ratios.map((q) => ({ suite: r.suite, ...q }))));
const summary = [];
summary.push(`| suite | group | comparison | ratio / throughput | target | |`);
summary.push(`|---|---|---|---:|---:|---|`);
for (const q of ratios) {
  const verdict = q.target === null ? "" : q.met ? "met" : "**missed**";
  summary.push(`| ${q.suite} | ${q.group} | ${q.label} | ${q.ratio.toFixed(2)}x | ${q.target === null ? "" : `>= ${q.target}x`} | ${verdict} |`);
}
const speeds = results.flatMap((r) => r.groups.flatMap((g) => (g.throughput ?? []).map((q) => ({ suite: r.suite, ...q }))));
for (const q of speeds) {
  summary.push(`| ${q.suite} | ${q.group} | ${q.label} | ${Math.round(q.mbPerSec).toLocaleString("en-US")} MB/s | ` +
    `>= ${q.target.toLocaleString("en-US")} MB/s | ${q.met ? "met" : "**missed**"} |`);
}
const targets = [...ratios.filter((q) => q.target !== null), ...speeds];
const met = targets.filter((q) => q.met).length;

console.log(`\n${"=".repeat(60)}\nsummary: ratios (kitewire ops/s / peer ops/s) and throughput targets\n${"=".repeat(60)}`);
for (const line of summary) console.log(line);
for (const r of results) for (const line of r.analysis ?? []) if (line.trim() && !line.startsWith("|")) console.log(`${r.suite}: ${line}`);
console.log(`\ntargets met: ${met} of ${targets.length}; ${results.length} benchmark file(s) in ${seconds.toFixed(0)} s ` +
  `(Node ${process.version}, ${cpus().length} cores)`);

if (option("json")) {
  writeFileSync(option("json"), JSON.stringify({ node: process.version, cores: cpus().length, seconds, results }, null, 1));
}
if (option("markdown")) {
  const md = [];
  for (const r of results) {
    md.push(`## ${r.suite}: ${r.description}`, "");
    for (const g of r.groups) {
      md.push(`### ${g.title}`, "");
      if (g.note) md.push(g.note, "");
      const hasMB = g.rows.some((x) => x.mbPerSec);
      md.push(`| task | ns/${g.unit} | ops/s |${hasMB ? " MB/s |" : ""} ±rme |`);
      md.push(`|---|---:|---:|${hasMB ? "---:|" : ""}---:|`);
      for (const x of g.rows) {
        md.push(`| ${x.name} | ${fmt(x.ns)} | ${Math.round(x.opsPerSec).toLocaleString("en-US")} |` +
          `${hasMB ? ` ${x.mbPerSec ? Math.round(x.mbPerSec).toLocaleString("en-US") : ""} |` : ""} ${x.rme.toFixed(1)}% |`);
      }
      for (const q of g.ratios) {
        md.push(`\n${q.label}: **${q.ratio.toFixed(2)}x**${q.target === null ? "" : ` (target >= ${q.target}x: ${q.met ? "met" : "missed"})`}`);
      }
      for (const q of g.throughput ?? []) {
        md.push(`\n${q.label}: **${Math.round(q.mbPerSec).toLocaleString("en-US")} MB/s** (target >= ${q.target} MB/s: ${q.met ? "met" : "missed"})`);
      }
      md.push("");
    }
    if (r.analysis?.length) md.push(...r.analysis, "");
  }
  md.push("## summary", "", ...summary, "", `targets met: ${met} of ${targets.length}`);
  writeFileSync(option("markdown"), md.join("\n") + "\n");
}
process.exitCode = failed ? 1 : 0;

function fmt(ns) {
  return ns < 10 ? ns.toFixed(2) : ns < 100 ? ns.toFixed(1) : Math.round(ns).toLocaleString("en-US");
}
