// UTF-8 between JS strings and engine memory: kitewire's string write/read paths against
// every other way to do it, per string size and script, to place the thresholds of
// src/codec/utf8.ts (SHORT_ENCODE, SHORT_DECODE, ENGINE_DECODE).
//
// Encode (JS string -> bytes in engine memory):
//   kitewire writeString   ThriftBinaryWriter.reset().writeString(s): the shipped path
//                          (JS loop up to SHORT_ENCODE units, encodeInto above), + length
//   encodeInto             TextEncoder.encodeInto(s, u8.subarray(at, at + 3n))
//   JS loop                charCodeAt loop into the Uint8Array (this file's own)
//   JS->UTF-16 + engine    copy charCodes into memory, then exports.utf8Encode (SIMD build)
// Decode (bytes in engine memory -> JS string), all strict (invalid UTF-8 throws):
//   kitewire readString    ThriftBinaryReader.attach().readString(): the shipped path
//   TextDecoder            fatal TextDecoder on a subarray of wasm memory
//   JS loop +=             validating decoder, concatenating String.fromCharCode results: eight
//                          ASCII characters per call, else one unit per call
//   JS loop -> u16 + apply validating decoder into a Uint16Array, one String.fromCharCode.apply
//   ASCII cached Array     (ASCII only) copy bytes < 0x80 into a reused plain Array of that
//                          length, one String.fromCharCode.apply
//   engine + apply         exports.utf8Decode into scratch, String.fromCharCode.apply (what
//                          kitewire does between SHORT_DECODE and ENGINE_DECODE for more
//                          than 32 units; fewer it joins eight per fromCharCode call)
//   engine + utf-16le      exports.utf8Decode, then a TextDecoder("utf-16le") on the units
// Raw engine exports on data already in memory: utf8Decode, utf8Validate, utf8Encode.
import { Suite, kw, check, rng, fmtNs, machine, isMain, TIME } from "./lib.mjs";

const ASCII_SIZES = [8, 12, 16, 24, 32, 48, 64, 256, 4096];
const CJK_SIZES = [8, 16, 32, 64, 128, 512, 1024];
const EMOJI_SIZES = [16];
/** The main sizes get the raw-export and engine-encode rows and the longer time budget. */
const MAIN = new Set(["ASCII 8", "ASCII 32", "ASCII 256", "ASCII 4096", "CJK 16", "CJK 64", "CJK 512", "emoji 16"]);
// Many small groups: a shorter budget than the other files keeps `npm run bench` near 3.5 min.
const MAIN_TIME = Math.min(TIME, 400);
const SWEEP_TIME = Math.min(TIME, 200);

function asciiString(n, seed) {
  const r = rng(seed);
  const alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 .,:-_/";
  let s = "";
  for (let i = 0; i < n; i++) s += alphabet[Math.floor(r() * alphabet.length)];
  return s;
}

function cjkString(n, seed) {
  const r = rng(seed);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCharCode(0x4e00 + Math.floor(r() * 0x5000));
  return s;
}

function emojiString(n, seed) {
  const r = rng(seed);
  let s = "";
  for (let i = 0; i < n; i++) s += String.fromCodePoint(0x1f600 + Math.floor(r() * 0x50));
  return s;
}

// ------------------------------------------------------------------ JS implementations

function jsEncode(s, u8, at) {
  const n = s.length;
  let p = at;
  for (let i = 0; i < n; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) {
      u8[p++] = c;
      continue;
    }
    if (c < 0x800) {
      u8[p++] = 0xc0 | (c >> 6);
      u8[p++] = 0x80 | (c & 0x3f);
      continue;
    }
    if (c >= 0xd800 && c < 0xe000) {
      const d = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      if (c < 0xdc00 && d >= 0xdc00 && d < 0xe000) {
        i++;
        const cp = ((c - 0xd800) << 10) + (d - 0xdc00) + 0x10000;
        u8[p++] = 0xf0 | (cp >> 18);
        u8[p++] = 0x80 | ((cp >> 12) & 0x3f);
        u8[p++] = 0x80 | ((cp >> 6) & 0x3f);
        u8[p++] = 0x80 | (cp & 0x3f);
        continue;
      }
      c = 0xfffd;
    }
    u8[p++] = 0xe0 | (c >> 12);
    u8[p++] = 0x80 | ((c >> 6) & 0x3f);
    u8[p++] = 0x80 | (c & 0x3f);
  }
  return p - at;
}

function invalid() {
  return new Error("invalid UTF-8");
}

/**
 * Decodes one multi-byte sequence with lead byte `b` at u8[p - 1]; returns the code point
 * and leaves the position after it in `seqEnd`. Rejects overlongs, surrogates and values
 * above U+10FFFF, as the WHATWG decoder does.
 */
let seqEnd = 0;
function decodeSeq(u8, p, end, b) {
  let cp;
  let need;
  let lo = 0x80;
  let hi = 0xbf;
  if (b >= 0xc2 && b <= 0xdf) {
    need = 1;
    cp = b & 0x1f;
  } else if (b >= 0xe0 && b <= 0xef) {
    need = 2;
    cp = b & 0x0f;
    if (b === 0xe0) lo = 0xa0;
    else if (b === 0xed) hi = 0x9f;
  } else if (b >= 0xf0 && b <= 0xf4) {
    need = 3;
    cp = b & 0x07;
    if (b === 0xf0) lo = 0x90;
    else if (b === 0xf4) hi = 0x8f;
  } else throw invalid();
  if (p + need > end) throw invalid();
  for (let k = 0; k < need; k++) {
    const c = u8[p++];
    if (c < lo || c > hi) throw invalid();
    lo = 0x80;
    hi = 0xbf;
    cp = (cp << 6) | (c & 0x3f);
  }
  seqEnd = p;
  return cp;
}

function jsDecodeConcat(u8, p, end) {
  let s = "";
  while (p < end) {
    // ASCII eight at a time: one String.fromCharCode call per eight characters.
    if (p + 8 <= end) {
      const a = u8[p], b = u8[p + 1], c = u8[p + 2], d = u8[p + 3];
      const e = u8[p + 4], f = u8[p + 5], g = u8[p + 6], h = u8[p + 7];
      if (((a | b | c | d | e | f | g | h) & 0x80) === 0) {
        s += String.fromCharCode(a, b, c, d, e, f, g, h);
        p += 8;
        continue;
      }
    }
    const b = u8[p++];
    if (b < 0x80) {
      s += String.fromCharCode(b);
      continue;
    }
    const cp = decodeSeq(u8, p, end, b);
    p = seqEnd;
    if (cp >= 0x10000) s += String.fromCharCode(0xd7c0 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    else s += String.fromCharCode(cp);
  }
  return s;
}

const units = new Uint16Array(16 * 1024);
function jsDecodeApply(u8, p, end) {
  let n = 0;
  while (p < end) {
    const b = u8[p++];
    if (b < 0x80) {
      units[n++] = b;
      continue;
    }
    const cp = decodeSeq(u8, p, end, b);
    p = seqEnd;
    if (cp >= 0x10000) {
      units[n++] = 0xd7c0 + (cp >> 10);
      units[n++] = 0xdc00 + (cp & 0x3ff);
    } else units[n++] = cp;
  }
  return String.fromCharCode.apply(null, units.subarray(0, n));
}

/** One plain Array per length, reused: String.fromCharCode.apply takes it without a typed-array view. */
const arrays = Array.from({ length: 4097 }, (_, n) => new Array(n).fill(0));
function asciiApply(u8, p, end) {
  const a = arrays[end - p];
  for (let i = 0; i < a.length; i++) {
    const c = u8[p + i];
    if (c >= 0x80) throw new Error("not ASCII");
    a[i] = c;
  }
  return String.fromCharCode.apply(null, a);
}

// ------------------------------------------------------------------ the suite

export async function run() {
  const engine = await kw.init();
  const X = engine.exports;
  const suite = new Suite("utf8", "UTF-8 encode/decode paths between JS strings and engine memory, by size");
  suite.note(`machine ${JSON.stringify(machine(engine))}`);
  check(engine.simd, "the SIMD engine build is loaded");

  const strings = [
    ...ASCII_SIZES.map((n) => ["ASCII", n, asciiString(n, n)]),
    ...CJK_SIZES.map((n) => ["CJK", n, cjkString(n, n + 1)]),
    ...EMOJI_SIZES.map((n) => ["emoji", n, emojiString(n, n + 2)]),
  ];

  // Everything that allocates in the engine happens before any view is taken.
  const writer = new kw.ThriftBinaryWriter({ initialCapacity: 64 * 1024 });
  const reader = new kw.ThriftBinaryReader();
  const OUT = engine.alloc(64 * 1024); // encode destination
  // Inputs stay in place until their group runs (groups run after all are defined), so
  // each string gets its own region: [i32 length][UTF-8 bytes] and its UTF-16 units.
  const INPUTS = engine.alloc(128 * 1024);
  let nextInput = INPUTS;
  const region = (size) => {
    const at = nextInput;
    nextInput += (size + 7) & ~7;
    check(nextInput <= INPUTS + 128 * 1024, "input area is large enough");
    return at;
  };
  const DST = engine.alloc(64 * 1024); // UTF-16 output of utf8Decode
  engine.scratch(64 * 1024); // kitewire's decode scratch, at full size up front
  const encoder = new TextEncoder();
  const strict = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true });
  const utf16 = new TextDecoder("utf-16le", { ignoreBOM: true });

  for (const [script, n, s] of strings) {
    const label = `${script} ${n}`;
    const main = MAIN.has(label);
    const bytes = Buffer.from(s, "utf8");
    const len = bytes.length;
    const SRC = region(4 + len);
    const U16 = region(2 * s.length);
    engine.refresh();
    engine.u8.set(bytes, SRC + 4);
    engine.dv.setInt32(SRC, len);
    const u8 = () => engine.u8;

    // ---------------------------------------------------------------- encode
    const kwWrite = () => {
      writer.reset();
      writer.writeString(s);
      return writer.pos;
    };
    const encInto = () => encoder.encodeInto(s, engine.u8.subarray(OUT, OUT + s.length * 3)).written;
    const jsLoop = () => jsEncode(s, engine.u8, OUT);
    const viaU16 = () => {
      const u16 = new Uint16Array(X.memory.buffer, U16, s.length);
      for (let i = 0; i < s.length; i++) u16[i] = s.charCodeAt(i);
      return X.utf8Encode(U16, s.length, OUT);
    };
    const out = () => Buffer.from(u8().subarray(OUT, OUT + len));
    kwWrite();
    check(Buffer.from(writer.view()).subarray(4).equals(bytes), `${label}: kitewire writeString`);
    for (const [name, f] of [["encodeInto", encInto], ["JS loop", jsLoop], ["engine", viaU16]]) {
      out().fill(0);
      check(f() === len && out().equals(bytes), `${label}: ${name} encode`);
    }
    const enc = suite.group(`encode ${label} (${s.length} UTF-16 units -> ${len} B)`, {
      unit: "string", bytes: len, time: main ? MAIN_TIME : SWEEP_TIME, warmup: main ? 80 : 40,
    })
      .add("kitewire writeString", kwWrite)
      .add("TextEncoder.encodeInto", encInto)
      .add("JS loop", jsLoop);
    if (main) enc.add("JS->UTF-16 copy + engine utf8Encode", viaU16);
    enc.ratio("kitewire writeString", "TextEncoder.encodeInto", { label: "kitewire vs encodeInto" });

    // ---------------------------------------------------------------- decode
    const kwRead = () => reader.attach(SRC, 4 + len).readString();
    const textDecoder = () => strict.decode(engine.u8.subarray(SRC + 4, SRC + 4 + len));
    const concat = () => jsDecodeConcat(engine.u8, SRC + 4, SRC + 4 + len);
    const apply = () => jsDecodeApply(engine.u8, SRC + 4, SRC + 4 + len);
    const ascii = () => asciiApply(engine.u8, SRC + 4, SRC + 4 + len);
    const engineApply = () => {
      const m = X.utf8Decode(SRC + 4, len, DST, 1);
      if (m < 0) throw new Error("invalid UTF-8");
      return String.fromCharCode.apply(null, new Uint16Array(X.memory.buffer, DST, m));
    };
    const engineU16 = () => {
      const m = X.utf8Decode(SRC + 4, len, DST, 1);
      if (m < 0) throw new Error("invalid UTF-8");
      return utf16.decode(new Uint16Array(X.memory.buffer, DST, m));
    };
    const decoders = [["kitewire", kwRead], ["TextDecoder", textDecoder], ["JS +=", concat], ["JS apply", apply],
      ["engine", engineApply], ["engine u16", engineU16]];
    if (script === "ASCII") decoders.push(["ASCII apply", ascii]);
    for (const [name, f] of decoders) check(f() === s, `${label}: ${name} decode`);
    const dec = suite.group(`decode ${label} (${len} B)`, { unit: "string", bytes: len, time: main ? MAIN_TIME : SWEEP_TIME, warmup: main ? 80 : 40 })
      .add("kitewire readString", kwRead)
      .add("TextDecoder (fatal)", textDecoder)
      .add("JS loop +=", concat)
      .add("JS loop -> u16 + fromCharCode.apply", apply)
      .add("engine utf8Decode + fromCharCode.apply", engineApply)
      .add("engine utf8Decode + TextDecoder(utf-16le)", engineU16);
    if (script === "ASCII") dec.add("ASCII -> cached Array + fromCharCode.apply", ascii);
    dec.ratio("kitewire readString", "TextDecoder (fatal)", { label: "kitewire vs TextDecoder" });

    // ---------------------------------------------------------------- raw exports
    if (main) {
      const u16 = new Uint16Array(X.memory.buffer, U16, s.length);
      for (let i = 0; i < s.length; i++) u16[i] = s.charCodeAt(i);
      check(X.utf8Validate(SRC + 4, len) === 0, `${label}: utf8Validate`);
      check(X.utf8Decode(SRC + 4, len, DST, 1) === s.length, `${label}: utf8Decode`);
      check(X.utf8Encode(U16, s.length, OUT) === len && out().equals(bytes), `${label}: utf8Encode`);
      suite.group(`engine exports, ${label} (data already in memory, ${len} B)`, { unit: "call", bytes: len, time: MAIN_TIME, warmup: 80 })
        .add("utf8Validate", () => X.utf8Validate(SRC + 4, len))
        .add("utf8Decode (strict)", () => X.utf8Decode(SRC + 4, len, DST, 1))
        .add("utf8Encode (from UTF-16)", () => X.utf8Encode(U16, s.length, OUT));
    }
  }

  suite.after((groups) => crossovers(groups));
  return suite.run();
}

/** Picks, per string, the fastest encode and decode path, and derives the thresholds. */
function crossovers(groups) {
  const lines = ["", "## crossovers (ns per string; fastest = fastest path other than kitewire's own)"];
  const byLabel = new Map();
  for (const g of groups) {
    const m = /^(encode|decode) (\S+ \d+) /.exec(g.title);
    if (!m) continue;
    const entry = byLabel.get(m[2]) ?? {};
    entry[m[1]] = Object.fromEntries(g.rows.map((r) => [r.name, r.ns]));
    entry.bytes = g.rows[0].bytes;
    byLabel.set(m[2], entry);
  }
  const portableEnc = ["JS loop", "TextEncoder.encodeInto", "JS->UTF-16 copy + engine utf8Encode"];
  const portableDec = ["JS loop +=", "JS loop -> u16 + fromCharCode.apply", "ASCII -> cached Array + fromCharCode.apply",
    "TextDecoder (fatal)", "engine utf8Decode + fromCharCode.apply", "engine utf8Decode + TextDecoder(utf-16le)"];
  const best = (row, names) => names.filter((k) => row[k] !== undefined).reduce((a, b) => (row[a] <= row[b] ? a : b));
  lines.push("| string | bytes | encode: JS loop | encodeInto | kitewire | fastest | decode: JS += | JS apply | ASCII cached Array | TextDecoder | engine+apply | engine+utf-16le | kitewire | fastest |");
  lines.push("|---|---:|---:|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---|");
  const f = (v) => (v === undefined ? "" : fmtNs(v));
  for (const [label, e] of byLabel) {
    const E = e.encode;
    const D = e.decode;
    const be = best(E, portableEnc);
    const bd = best(D, portableDec);
    lines.push(`| ${label} | ${e.bytes} | ${f(E["JS loop"])} | ${f(E["TextEncoder.encodeInto"])} | ${f(E["kitewire writeString"])} | ${be} | ` +
      `${f(D["JS loop +="])} | ${f(D["JS loop -> u16 + fromCharCode.apply"])} | ${f(D["ASCII -> cached Array + fromCharCode.apply"])} | ${f(D["TextDecoder (fatal)"])} | ` +
      `${f(D["engine utf8Decode + fromCharCode.apply"])} | ${f(D["engine utf8Decode + TextDecoder(utf-16le)"])} | ${f(D["kitewire readString"])} | ${bd} |`);
  }
  // SHORT_ENCODE: largest ASCII size at which the JS loop still beats encodeInto.
  const entries = [...byLabel.entries()];
  const sizeOf = (label) => Number(label.split(" ")[1]);
  const asciiRows = entries.filter(([l]) => l.startsWith("ASCII"));
  const cjkRows = entries.filter(([l]) => l.startsWith("CJK"));
  const lastWin = (rows, a, b, kind) => {
    let n = 0;
    let firstLoss = null;
    for (const [l, e] of rows) {
      const row = e[kind];
      if (row[a] <= row[b]) {
        if (firstLoss === null) n = sizeOf(l);
      } else if (firstLoss === null) firstLoss = sizeOf(l);
    }
    return { lastWin: n, firstLoss };
  };
  const encA = lastWin(asciiRows, "JS loop", "TextEncoder.encodeInto", "encode");
  const encC = lastWin(cjkRows, "JS loop", "TextEncoder.encodeInto", "encode");
  const decA = lastWin(asciiRows, "JS loop +=", "TextDecoder (fatal)", "decode");
  const decAapply = lastWin(asciiRows, "ASCII -> cached Array + fromCharCode.apply", "TextDecoder (fatal)", "decode");
  const engA = lastWin(asciiRows, "engine utf8Decode + fromCharCode.apply", "TextDecoder (fatal)", "decode");
  const engC = lastWin(cjkRows, "engine utf8Decode + fromCharCode.apply", "TextDecoder (fatal)", "decode");
  const cjkBytes = (chars) => chars * 3;
  lines.push("");
  lines.push(`JS loop vs encodeInto: JS wins for ASCII up to ${encA.lastWin} units (loses from ${encA.firstLoss ?? "never"}); ` +
    `for CJK up to ${encC.lastWin} units (loses from ${encC.firstLoss ?? "never"}).`);
  lines.push(`ASCII decode, JS += vs TextDecoder: JS wins up to ${decA.lastWin} B (loses from ${decA.firstLoss ?? "never"}); ` +
    `ASCII cached Array + apply vs TextDecoder: up to ${decAapply.lastWin} B (loses from ${decAapply.firstLoss ?? "never"}).`);
  lines.push(`engine decode vs TextDecoder: ASCII up to ${engA.lastWin} B (loses from ${engA.firstLoss ?? "never"}); ` +
    `CJK up to ${cjkBytes(engC.lastWin)} B (loses from ${engC.firstLoss ? cjkBytes(engC.firstLoss) + " B" : "never"}).`);
  return lines;
}

if (isMain(import.meta.url)) await run();
