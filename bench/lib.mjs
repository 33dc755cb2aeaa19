// Shared harness of the benchmarks: tinybench with batched samples, correctness checks,
// printing, ratios against peers, and JSON output for bench/run.mjs.
//
// Every task function is called `inner` times inside one tinybench sample (the count is
// calibrated so a sample lasts about BATCH_MS) and the sample reports the mean per call via
// `overriddenDuration`: reading the clock costs ~55 ns here (hrtime and performance.now
// alike), which would swamp operations that take 10 ns. Each task gets its own compiled
// loop (new Function), so the call to the task function is monomorphic and V8 may inline
// it, as it would in real code.
//
// The suite makes PASSES passes over all its groups (task order alternating), and each
// pass runs a group ROUNDS times; every round gets an equal share of the task's time
// budget, and every task reports the median sample of its best round. Load from other
// processes only ever slows a round down, and bursts of it last seconds, so rounds spread
// over passes tens of seconds apart are rarely all disturbed.
import { Bench } from "tinybench";
import { writeFileSync } from "node:fs";
import { cpus } from "node:os";
import { pathToFileURL } from "node:url";

export const kw = await import(new URL("../dist/kitewire.node.mjs", import.meta.url).href);

const env = process.env;
/** Time budget per task (ms), shared by its rounds. */
export const TIME = Number(env.BENCH_TIME ?? 600);
/** Passes over the whole suite, spread in time; the budget is split over them. */
export const PASSES = Math.max(1, Number(env.BENCH_PASSES ?? 4));
/** Rounds per group and pass (task order alternates). */
export const ROUNDS = Math.max(1, Number(env.BENCH_ROUNDS ?? 1));
/** Warmup before a task's first round (ms); later rounds get a share of it. */
export const WARMUP = Number(env.BENCH_WARMUP ?? 150);
/** Target duration of one sample (ms). */
const BATCH_MS = Number(env.BENCH_BATCH_MS ?? 0.25);

const hrclock = new Bench({ timestampProvider: "hrtimeNow" });

/** Where results go, so the work that made them cannot be optimized away. */
export const sunk = { value: null };
export function sink(v) {
  sunk.value = v;
}

/** Distinct input objects each `freshInputs` ring cycles through. */
const FRESH_RING = 1024;

/**
 * Inputs for decode benchmarks as a server sees them: every call gets an input object it
 * has not seen in the last FRESH_RING calls, holding the same bytes. `kind`:
 *  - "pool": Node Buffers from Buffer.from, which slices small ones (< 4 KiB) out of a
 *    shared pool ArrayBuffer, as node:net and most Buffer code deliver them;
 *  - "plain": Uint8Arrays each over memory of its own (what fetch or a copy gives);
 *  - "same": the one input every call (the diagnostic the old tables showed: a reader that
 *    caches per input object never pays its per-input set-up).
 * Returns the function that gives the next input; the ring is built before timing.
 */
export function freshInputs(bytes, kind) {
  if (kind === "same") return () => bytes;
  const ring = Array.from({ length: FRESH_RING }, () => (kind === "pool" ? Buffer.from(bytes) : Uint8Array.from(bytes)));
  let i = 0;
  return () => ring[(i = (i + 1) & (FRESH_RING - 1))];
}

/** Throws unless `cond`; used to verify every benchmark's output before timing. */
export function check(cond, what) {
  if (!cond) throw new Error(`benchmark self-check failed: ${what}`);
}

/** Throws unless the two byte arrays are equal. */
export function checkBytes(a, b, what) {
  const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength);
  const y = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  if (!x.equals(y)) {
    throw new Error(`benchmark self-check failed: ${what}: bytes differ (${x.length} vs ${y.length} bytes)\n` +
      `  ${x.subarray(0, 64).toString("hex")}\n  ${y.subarray(0, 64).toString("hex")}`);
  }
}

/** Throws unless two array-likes hold the same values (compared with ===, or as given). */
export function checkValues(a, b, what, eq = (x, y) => x === y) {
  check(a.length === b.length, `${what}: length ${a.length} vs ${b.length}`);
  for (let i = 0; i < a.length; i++) {
    if (!eq(a[i], b[i])) throw new Error(`benchmark self-check failed: ${what}: index ${i}: ${a[i]} vs ${b[i]}`);
  }
}

/** Deterministic PRNG (mulberry32), so every run measures the same data. */
export function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) | 0;
    let t = Math.imul(s ^ (s >>> 15), 1 | s);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function makeLoop() {
  // A fresh function per task: its call site `fn()` sees one target only.
  return new Function("fn", "now", "n", "sink",
    "let r; const t0 = now(); for (let i = 0; i < n; i++) r = fn(); const dt = now() - t0; sink(r); return dt;");
}

function calibrate(fn, now) {
  const loop = makeLoop();
  let n = 1;
  // Grow n until one batch takes >= 2 ms (this doubles as an early warmup).
  for (;;) {
    const dt = loop(fn, now, n, sink);
    if (dt >= 2 || n >= 1 << 24) return { loop, perCall: dt / n };
    n *= 2;
  }
}

/**
 * A suite is one benchmark file: groups of tasks, each group printed as one table, and
 * ratios (kitewire vs a peer) collected for the summary.
 */
export class Suite {
  constructor(name, description) {
    this.name = name;
    this.description = description;
    this.groups = [];
    this.notes = [];
    this.analyses = [];
  }

  /** Registers `fn(groups)`, run after all groups; it returns lines printed and kept in the JSON. */
  after(fn) {
    this.analyses.push(fn);
  }

  group(title, options = {}) {
    const g = new Group(title, options);
    this.groups.push(g);
    return g;
  }

  note(text) {
    this.notes.push(text);
  }

  async run() {
    const started = Date.now();
    header(`${this.name}: ${this.description}`);
    for (let pass = 0; pass < PASSES; pass++) {
      if (PASSES > 1) console.log(`pass ${pass + 1} of ${PASSES} (${this.groups.length} groups)...`);
      for (const g of this.groups) await g.run(pass);
    }
    for (const g of this.groups) g.finish();
    const seconds = (Date.now() - started) / 1000;
    const analysis = [];
    for (const fn of this.analyses) {
      const lines = fn(this.groups.map((g) => g.toJSON()));
      for (const l of lines) console.log(l);
      analysis.push(...lines);
    }
    for (const n of this.notes) console.log(`note: ${n}`);
    const result = {
      suite: this.name,
      description: this.description,
      seconds,
      groups: this.groups.map((g) => g.toJSON()),
      notes: this.notes,
      analysis,
    };
    console.log(`\n${this.name}: ${seconds.toFixed(1)} s`);
    if (env.BENCH_JSON) writeFileSync(env.BENCH_JSON, JSON.stringify(result, null, 1));
    return result;
  }
}

class Group {
  constructor(title, options) {
    this.title = title;
    this.unit = options.unit ?? "op";
    this.bytes = options.bytes ?? 0;
    this.time = options.time ?? TIME;
    this.warmup = options.warmup ?? WARMUP;
    this.note = options.note ?? "";
    this.tasks = [];
    this.ratios = [];
    this.speedTargets = [];
    this.results = new Map();
    this.best = new Map();
  }

  /** Adds a task; `bytes` (per call) turns on the MB/s column. */
  add(name, fn, options = {}) {
    this.tasks.push({ name, fn, bytes: options.bytes ?? this.bytes, setup: options.setup });
    return this;
  }

  /** Records a throughput target: task `name` must reach `mbPerSec` MB/s. */
  throughput(name, mbPerSec, label = name) {
    this.speedTargets.push({ name, mbPerSec, label });
    return this;
  }

  get throughputResults() {
    return this.speedTargets.map((q) => {
      const r = this.results.get(q.name);
      if (!r) throw new Error(`${this.title}: throughput target names an unknown task ${q.name}`);
      return { group: this.title, label: q.label, mbPerSec: r.mbPerSec, target: q.mbPerSec, met: r.mbPerSec >= q.mbPerSec };
    });
  }

  /**
   * Records a kitewire/peer ratio (ops/s of `a` over ops/s of `b`), with an optional
   * target. `b` may list several peer tasks: the fastest of them in this run is used.
   */
  ratio(a, b, options = {}) {
    this.ratios.push({ a, b: [b].flat(), target: options.target ?? null, label: options.label ?? `${a} vs ${b}` });
    return this;
  }

  async run(pass) {
    const now = hrclock.now;
    if (pass === 0) {
      // Calibrate each task: the inner-loop count that makes one sample last ~BATCH_MS.
      for (const t of this.tasks) {
        t.setup?.();
        globalThis.gc?.();
        const { loop, perCall } = calibrate(t.fn, now);
        t.loop = loop;
        t.inner = Math.max(1, Math.min(1 << 22, Math.round(BATCH_MS / perCall)));
      }
    }
    const share = PASSES * ROUNDS;
    for (let round = 0; round < ROUNDS; round++) {
      const bench = new Bench({
        name: this.title,
        time: this.time / share,
        // Warm up fully before the first round; later rounds only re-prime caches.
        warmupTime: pass === 0 && round === 0 ? this.warmup : this.warmup / share,
        warmupIterations: 8,
        iterations: 16,
        timestampProvider: "hrtimeNow",
        throws: true,
      });
      const order = (pass + round) % 2 === 0 ? this.tasks : [...this.tasks].reverse();
      for (const t of order) {
        const { fn, loop, inner } = t;
        bench.add(t.name, () => {
          const dt = loop(fn, now, inner, sink);
          return { overriddenDuration: dt / inner, overriddenIterationCost: dt };
        }, {
          beforeAll() {
            t.setup?.();
            globalThis.gc?.();
          },
        });
      }
      await bench.run();
      for (const task of bench.tasks) {
        const r = task.result;
        if (r.state !== "completed") throw new Error(`${this.title} / ${task.name}: ${r.state} ${r.error ?? ""}`);
        const prev = this.best.get(task.name);
        if (!prev || r.latency.p50 < prev.latency.p50) this.best.set(task.name, r);
      }
    }
  }

  /** Turns the best rounds into results and prints the table. */
  finish() {
    for (const t of this.tasks) {
      const r = this.best.get(t.name);
      const ns = r.latency.p50 * 1e6;
      this.results.set(t.name, {
        name: t.name,
        ns,
        opsPerSec: 1e9 / ns,
        rme: r.latency.rme,
        samples: r.latency.samplesCount,
        inner: t.inner,
        bytes: t.bytes,
        mbPerSec: t.bytes ? (t.bytes / ns) * 1e3 : null,
      });
    }
    this.print();
  }

  get ratioResults() {
    return this.ratios.map((q) => {
      const a = this.results.get(q.a);
      const peers = q.b.map((n) => this.results.get(n));
      if (!a || peers.some((x) => !x)) throw new Error(`${this.title}: ratio ${q.label} names an unknown task`);
      const b = peers.reduce((x, y) => (x.opsPerSec >= y.opsPerSec ? x : y));
      const ratio = a.opsPerSec / b.opsPerSec;
      const label = q.b.length > 1 ? `${q.label} [${b.name}]` : q.label;
      return { group: this.title, label, a: q.a, b: b.name, ratio, target: q.target,
        met: q.target === null ? null : ratio >= q.target };
    });
  }

  print() {
    console.log(`\n## ${this.title}${this.note ? `\n   ${this.note}` : ""}`);
    const rows = [...this.results.values()];
    const fastest = Math.max(...rows.map((r) => r.opsPerSec));
    const cols = [
      ["task", (r) => r.name, "l"],
      ["ns/" + this.unit, (r) => fmtNs(r.ns), "r"],
      ["ops/s", (r) => fmtInt(r.opsPerSec), "r"],
      ["±rme", (r) => `${r.rme.toFixed(1)}%`, "r"],
      ...(rows.some((r) => r.mbPerSec) ? [["MB/s", (r) => (r.mbPerSec ? fmtInt(r.mbPerSec) : ""), "r"]] : []),
      ["vs fastest", (r) => (r.opsPerSec / fastest).toFixed(2) + "x", "r"],
    ];
    printTable(cols, rows);
    for (const q of this.ratioResults) {
      const mark = q.target === null ? "" : q.met ? `  target >=${q.target}x: met` : `  target >=${q.target}x: MISSED`;
      console.log(`   ratio ${q.label}: ${q.ratio.toFixed(2)}x${mark}`);
    }
    for (const q of this.throughputResults) {
      console.log(`   ${q.label}: ${fmtInt(q.mbPerSec)} MB/s, target >=${fmtInt(q.target)} MB/s: ${q.met ? "met" : "MISSED"}`);
    }
  }

  toJSON() {
    return { title: this.title, note: this.note, unit: this.unit, rows: [...this.results.values()], ratios: this.ratioResults,
      throughput: this.throughputResults };
  }
}

function header(text) {
  console.log(`\n${"=".repeat(Math.min(100, text.length))}\n${text}\n${"=".repeat(Math.min(100, text.length))}`);
}

export function printTable(cols, rows) {
  const cells = rows.map((r) => cols.map(([, f]) => String(f(r))));
  const widths = cols.map(([h], i) => Math.max(h.length, ...cells.map((c) => c[i].length)));
  const line = (vals) => "| " + vals.map((v, i) => (cols[i][2] === "r" ? v.padStart(widths[i]) : v.padEnd(widths[i]))).join(" | ") + " |";
  console.log(line(cols.map(([h]) => h)));
  console.log("|" + widths.map((w, i) => (cols[i][2] === "r" ? "-".repeat(w + 1) + ":" : ":" + "-".repeat(w + 1))).join("|") + "|");
  for (const c of cells) console.log(line(c));
}

export function fmtNs(ns) {
  if (ns < 10) return ns.toFixed(2);
  if (ns < 100) return ns.toFixed(1);
  return fmtInt(ns);
}

export function fmtInt(v) {
  return Math.round(v).toLocaleString("en-US");
}

/**
 * npm thrift calls the deprecated `new Buffer()`. Node checks whether each such call comes
 * from node_modules by capturing a stack trace, for the first 10,000 calls of the process
 * or until the warning has been shown once; a long-running server is past that within
 * seconds. Showing the (silenced) warning once puts the peer in that steady state now,
 * instead of letting the first ~10,000 calls land in the measurements.
 */
export function settleBufferDeprecation() {
  const quiet = process.noDeprecation;
  process.noDeprecation = true;
  // eslint-disable-next-line n/no-deprecated-api
  new Buffer(0);
  process.noDeprecation = quiet;
}

/** Node, CPU and engine facts printed with every run. */
export function machine(engine) {
  const c = cpus();
  return {
    node: process.version,
    v8: process.versions.v8,
    cpu: c[0]?.model ?? "unknown",
    cores: c.length,
    simd: engine?.simd ?? null,
    time: TIME,
    warmup: WARMUP,
    passes: PASSES,
    rounds: ROUNDS,
  };
}

/** True when the module at `url` is the script node was started with. */
export function isMain(url) {
  return process.argv[1] !== undefined && pathToFileURL(process.argv[1]).href === url;
}
