/**
 * Preloaded (`node -r`) before the Jazzer.js CLI: makes its native fuzzer (libFuzzer in a
 * Node addon) load on glibc < 2.38.
 *
 * @jazzer.js/fuzzer 4.0.0 ships one linux-x64 prebuild, linked against glibc 2.38 and
 * libstdc++ 13. On Debian 12 (glibc 2.36, libstdc++ 12) it fails to load with
 * "version `GLIBC_2.38' not found". Its only needs from those versions are
 * `__isoc23_strtol`/`__isoc23_strtoul` (C23 strtol, which only adds "0b" prefixes) and the
 * marker symbol `std::ios_base_library_init` (referenced, never called). So a copy of the
 * addon is patched (in .tmp/, node_modules is left alone): the two calls are bound to
 * strtol@GLIBC_2.2.5 / strtoul@GLIBC_2.2.5, and the two missing version requirements are
 * marked weak (VER_FLG_WEAK: the loader then tolerates their absence). The copy is put in
 * require's cache under the original's path, where the addon loader looks for it.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const Module = require("node:module");

const original = path.join(path.dirname(require.resolve("@jazzer.js/fuzzer/package.json")), "prebuilds",
  `fuzzer-${process.platform}-${process.arch}.node`);

/** Whether this is glibc older than 2.38 (the unpatched addon is never dlopen'ed there: a failed load leaves the loader in a state that crashes the next one). */
function oldGlibc() {
  const version = process.report.getReport().header.glibcVersionRuntime;
  if (typeof version !== "string") return false;
  const [major, minor] = version.split(".").map(Number);
  return major < 2 || (major === 2 && minor < 38);
}

/** Patches an ELF64 little-endian shared object as described above; returns the new bytes. */
function patchElf(bytes) {
  const b = Buffer.from(bytes);
  const shoff = Number(b.readBigUInt64LE(0x28));
  const shentsize = b.readUInt16LE(0x3a);
  const shnum = b.readUInt16LE(0x3c);
  const sections = [];
  for (let i = 0; i < shnum; i++) {
    const at = shoff + i * shentsize;
    sections.push({ type: b.readUInt32LE(at + 4), offset: Number(b.readBigUInt64LE(at + 0x18)),
      size: Number(b.readBigUInt64LE(at + 0x20)), link: b.readUInt32LE(at + 0x28) });
  }
  const byType = (type) => {
    const s = sections.find((x) => x.type === type);
    if (s === undefined) throw new Error(`jazzer addon: no section of type 0x${type.toString(16)}`);
    return s;
  };
  const dynsym = byType(11);
  const versym = byType(0x6fffffff);
  const verneed = byType(0x6ffffffe);
  const strtab = sections[dynsym.link].offset;
  const str = (off) => b.toString("latin1", strtab + off, b.indexOf(0, strtab + off));
  const WEAK = ["GLIBC_2.38", "GLIBCXX_3.4.32"];
  let baseLibc = -1;
  for (let vn = verneed.offset; ;) {
    const file = str(b.readUInt32LE(vn + 4));
    for (let n = b.readUInt16LE(vn + 2), aux = vn + b.readUInt32LE(vn + 8); n > 0; n--) {
      const name = str(b.readUInt32LE(aux + 8));
      if (WEAK.includes(name)) b.writeUInt16LE(b.readUInt16LE(aux + 4) | 0x2, aux + 4);
      if (file === "libc.so.6" && name === "GLIBC_2.2.5") baseLibc = b.readUInt16LE(aux + 6);
      const next = b.readUInt32LE(aux + 12);
      if (next === 0) break;
      aux += next;
    }
    const next = b.readUInt32LE(vn + 12);
    if (next === 0) break;
    vn += next;
  }
  if (baseLibc < 0) throw new Error("jazzer addon: no GLIBC_2.2.5 requirement to bind strtol to");
  const RENAME = { __isoc23_strtol: "strtol", __isoc23_strtoul: "strtoul" };
  for (let i = 0; i < dynsym.size / 24; i++) {
    const nameOff = b.readUInt32LE(dynsym.offset + i * 24);
    const to = RENAME[str(nameOff)];
    if (to === undefined) continue;
    // In place: the new name is shorter; a name sharing the old one's tail ("strtol") is untouched.
    b.write(`${to}\0`, strtab + nameOff, "latin1");
    b.writeUInt16LE(baseLibc, versym.offset + i * 2);
  }
  return b;
}

if (process.platform === "linux" && process.arch === "x64" && require.cache[original] === undefined && oldGlibc()) {
  const dir = path.join(__dirname, "..", "..", "..", ".tmp", "jazzer");
  const patched = path.join(dir, path.basename(original));
  if (!fs.existsSync(patched)) {
    // Written aside and renamed: fuzzer processes started together may race here.
    fs.mkdirSync(dir, { recursive: true });
    const temp = `${patched}.${process.pid}`;
    fs.writeFileSync(temp, patchElf(fs.readFileSync(original)));
    fs.renameSync(temp, patched);
  }
  const m = new Module(original, module);
  m.filename = original;
  process.dlopen(m, patched);
  m.loaded = true;
  require.cache[original] = m;
}
