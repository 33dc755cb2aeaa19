// Summarizes a V8 .cpuprofile (from `node --cpu-prof`): time by category (kitewire, its
// engine's wasm, Node internals, GC, ...), and the functions with the most self and
// inclusive time. Functions of the kitewire bundle are mapped back to their source file
// and line through dist/kitewire.node.mjs.map.
//
//   node bench/rpc/profile.mjs FILE.cpuprofile [--top=N]
import { existsSync, readFileSync } from "node:fs";
import { SourceMap } from "node:module";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { isMain } from "../lib.mjs";

const maps = new Map();
/** The source map of the script at file URL or path `file` (from `file.map`), or null. */
function sourceMapOf(file) {
  const path = file.startsWith("file://") ? fileURLToPath(file) : file;
  if (!maps.has(path)) {
    const mapPath = `${path}.map`;
    maps.set(path, existsSync(mapPath) ? new SourceMap(JSON.parse(readFileSync(mapPath, "utf8"))) : null);
  }
  return maps.get(path);
}

/**
 * Where 0-based `line`/`column` of the script at `url` comes from: through the bundle's map
 * to dist/esm/*.js, then through that file's map to src/*.ts.
 */
function original(url, line, column) {
  if (!url.startsWith("file://") || !url.endsWith(".mjs")) return null;
  let file = fileURLToPath(url);
  let at = { line, column };
  let found = null;
  for (let hop = 0; hop < 3; hop++) {
    const map = sourceMapOf(file);
    if (!map) break;
    const e = map.findEntry(at.line, at.column);
    if (!e?.originalSource) break;
    file = resolve(dirname(file), e.originalSource.replace(/^file:\/\//, ""));
    at = { line: e.originalLine, column: e.originalColumn };
    found = { file, line: at.line };
  }
  return found && { file: found.file.replace(/^.*?\/(src|dist)\//, "$1/"), line: found.line + 1 };
}

const sources = new Map();
/** Text of 1-based `line` of the script at `url`. */
function lineText(url, line) {
  if (!url.startsWith("file://")) return "";
  if (!sources.has(url)) {
    const path = fileURLToPath(url);
    sources.set(url, existsSync(path) ? readFileSync(path, "utf8").split("\n") : []);
  }
  return (sources.get(url)[line - 1] ?? "").trim();
}

function category(url, name) {
  if (name === "(garbage collector)") return "GC";
  if (name === "(program)") return "(program: native, not attributed)";
  if (name === "(idle)") return "idle";
  if (url.startsWith("wasm://")) return "wasm engine";
  if (/\/kitewire\.(node|web|workerd)\.mjs$/.test(url)) return "kitewire (JS)";
  if (url.includes("kitewire-bench-rpc-") && url.includes("/kitewire/")) return "kitewire generated code";
  if (url.includes("/bench/rpc/")) return "benchmark harness";
  if (url.startsWith("node:")) return "Node internals (JS)";
  if (url.includes("/node_modules/")) return `npm: ${url.split("/node_modules/").pop().split("/")[0]}`;
  if (url === "") return name.startsWith("(") ? name : "native / builtins";
  return "other JS";
}

function where(frame) {
  const { url, lineNumber, columnNumber } = frame;
  const o = original(url, lineNumber, columnNumber);
  if (o) return `${o.file}:${o.line}`;
  if (url === "") return "";
  const short = url.replace(/^file:\/\/.*\/node_modules\//, "").replace(/^file:\/\/.*\/(bench\/|kitewire-bench-rpc-[^/]+\/)/, "$1");
  return `${short}:${lineNumber + 1}`;
}

/** Lines of a summary of the profile at `file`. */
export function summarizeProfile(file, { top = 25, lineFunctions = 12 } = {}) {
  const p = JSON.parse(readFileSync(file, "utf8"));
  const nodes = new Map(p.nodes.map((n) => [n.id, n]));
  // Self time per node: each sample's time delta belongs to the node sampled.
  const self = new Map();
  for (let i = 0; i < p.samples.length; i++) {
    const dt = p.timeDeltas[i + 1] ?? 0;
    self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + dt);
  }
  const keyOf = (n) => `${n.callFrame.functionName || "(anonymous)"}\u0000${n.callFrame.url}\u0000${n.callFrame.lineNumber}\u0000${n.callFrame.columnNumber}`;
  const fn = new Map(); // key -> { name, where, cat, self, total }
  const info = (n) => {
    const k = keyOf(n);
    let f = fn.get(k);
    if (!f) {
      const { functionName, url } = n.callFrame;
      fn.set(k, (f = { name: functionName || "(anonymous)", url, where: where(n.callFrame), cat: category(url, functionName), self: 0, total: 0,
        ticks: 0, lines: new Map() }));
    }
    return f;
  };
  const cats = new Map();
  let busy = 0;
  let idle = 0;
  // Inclusive time: a function's subtree counted once even when it recurses.
  const active = new Map();
  const walk = (id) => {
    const n = nodes.get(id);
    const f = info(n);
    const s = self.get(id) ?? 0;
    f.self += s;
    f.ticks += n.hitCount ?? 0;
    for (const t of n.positionTicks ?? []) f.lines.set(t.line, (f.lines.get(t.line) ?? 0) + t.ticks);
    if (f.cat === "idle") idle += s;
    else {
      busy += s;
      cats.set(f.cat, (cats.get(f.cat) ?? 0) + s);
    }
    const k = keyOf(n);
    active.set(k, (active.get(k) ?? 0) + 1);
    let total = s;
    for (const c of n.children ?? []) total += walk(c);
    const left = active.get(k) - 1;
    if (left === 0) {
      active.delete(k);
      f.total += total;
    } else active.set(k, left);
    return total;
  };
  walk(p.nodes[0].id);
  const pct = (us) => `${((us / busy) * 100).toFixed(1)}%`.padStart(6);
  const lines = [];
  lines.push(`busy ${(busy / 1000).toFixed(0)} ms, idle ${(idle / 1000).toFixed(0)} ms (${p.samples.length} samples); shares below are of busy time`);
  lines.push("by category:");
  for (const [c, us] of [...cats].sort((a, b) => b[1] - a[1])) lines.push(`  ${pct(us)}  ${c}`);
  const all = [...fn.values()].filter((f) => f.cat !== "idle");
  lines.push(`top ${top} by self time:`);
  for (const f of all.sort((a, b) => b.self - a.self).slice(0, top)) {
    lines.push(`  ${pct(f.self)} self ${pct(f.total)} incl  ${f.name}  [${f.cat}] ${f.where}`);
  }
  lines.push("hot lines of the kitewire functions with the most self time (share of the function's self time):");
  for (const f of all.filter((f) => f.cat.startsWith("kitewire") && f.lines.size > 0).sort((a, b) => b.self - a.self).slice(0, lineFunctions)) {
    lines.push(`  ${f.name} (${f.where}), ${pct(f.self).trim()} self:`);
    const ticks = [...f.lines].reduce((a, [, t]) => a + t, 0);
    for (const [line, t] of [...f.lines].sort((a, b) => b[1] - a[1]).slice(0, 3)) {
      if (t / ticks < 0.1) break;
      const o = original(f.url, line - 1, 0);
      lines.push(`    ${((t / ticks) * 100).toFixed(0).padStart(3)}%  ${o ? `${o.file}:${o.line}` : `line ${line}`}  ${lineText(f.url, line).slice(0, 90)}`);
    }
  }
  lines.push(`top ${top} by inclusive time (JS functions):`);
  for (const f of all.filter((f) => !f.name.startsWith("(")).sort((a, b) => b.total - a.total).slice(0, top)) {
    lines.push(`  ${pct(f.total)} incl ${pct(f.self)} self  ${f.name}  [${f.cat}] ${f.where}`);
  }
  return lines;
}

if (isMain(import.meta.url)) {
  const args = process.argv.slice(2);
  const top = Number(args.find((a) => a.startsWith("--top="))?.slice(6) ?? 30);
  for (const file of args.filter((a) => !a.startsWith("--"))) {
    console.log(`\n## ${file}`);
    for (const l of summarizeProfile(file, { top })) console.log(l);
  }
}
