/**
 * Thrift Binary or Compact bytes to JSON text, guided by a type descriptor: the text
 * `JSON.stringify` prints for what the JS path (the generic struct codec, then
 * thriftStructToJson) makes of the same bytes. Anything this path does not do exactly, and
 * every error, returns -1: the host then runs the JS path. Doubles outside the exact fast
 * path are left as 25-byte gaps the host fills with `String(x)` (then `transcodeCloseGaps`).
 */
import { binarySkip } from "../thrift/binary";
import { compactSkip } from "../thrift/compact";
import {
  addFixup, allDistinct, ENTRY, ensure, keepMarkedFixups, putEntry, reorderEntries, shiftFixups, fixBase, fixCount, hashBytes, hashValue, outBase, outOffset, outPos,
  pushHash, resetBuffers, workAlloc, workBase, workPop, workTop,
} from "./buffers";
import {
  fieldAbsentJson, fieldAbsentJsonLen, fieldById, fieldKey, fieldKeyLen, fieldRequired, fieldTType, fieldType, Kind,
  structCount, structField, structKind, structUnsupported, StructKind, typeA, typeB, typeKind, typeTType,
} from "./descriptor";
import { put, putBase64, putBytes, putString, putUuid, putWord } from "./json-out";
import { isIndexKey, keyIndex } from "./json-text";
import { writeDoubleShort, writeI64, writeU64 } from "./numbers";

let inp: usize = 0;
let inEnd: usize = 0;
let compact = false;
let depthLeft: i32 = 64;
/** A Compact bool field's value, read with its header (-1: none pending). */
let pendingBool: i32 = -1;
/** Identity of the last scalar written (sets' duplicate checks). */
let identity: u64 = 0;
/** Whether the output is only the value of the root struct's one field (flag bit 1). */
let rootOnly = false;
/** With rootOnly: the index of that field, or -1 when the struct had none. */
let rootField: i32 = -1;

/** Longest text `String(x)` gives for a double. */
const GAP: usize = 25;
/** The reader's default limits (src/codec/byte-reader.ts), which the JS path decodes with. */
const MAX_LENGTH: usize = 64 << 20;
const MAX_COUNT: i64 = 16 << 20;

/** Contexts of a value: a field, list or map value; a set element; a map key. */
const VALUE: i32 = 0;
const ELEMENT: i32 = 1;
const KEY: i32 = 2;

/**
 * Transcodes the Thrift struct `desc` at [src, src+len) to JSON text. Returns the output
 * length (at `transcodeOutput()`; gaps listed at `transcodeFixups()`), or -1: take the JS path.
 */
export function transcodeThriftToJson(desc: usize, src: usize, len: usize, flags: i32, maxDepth: i32): isize {
  if (!resetBuffers()) return -1;
  inp = src;
  inEnd = src + len;
  compact = (flags & 1) != 0;
  depthLeft = maxDepth;
  pendingBool = -1;
  rootOnly = (flags & 2) != 0;
  rootField = -1;
  if (!readStruct(desc, true)) return -1;
  if (inp != inEnd) return -1;
  return <isize>outOffset();
}

/**
 * With flag bit 1 (a method's result struct): the index of the one field whose value the
 * output is, or -1 when the struct had no field (the output is then `{}`).
 */
export function transcodeRootField(): i32 {
  return rootField;
}

/**
 * Closes the gaps left for doubles once the host has written each one's text at its
 * start and its length in the fixup's last word; returns the output's new length.
 */
export function transcodeCloseGaps(): isize {
  const n = fixCount;
  // Gaps are listed in output order except where a struct was rebuilt: sort by offset.
  for (let i = 1; i < n; i++) {
    const r = fixBase + (<usize>i << 4);
    const a = load<u64>(r), b = load<u64>(r, 8);
    const at = load<u32>(r, 8);
    let j = i - 1;
    while (j >= 0 && load<u32>(fixBase + (<usize>j << 4), 8) > at) {
      const s = fixBase + (<usize>j << 4);
      store<u64>(s + 16, load<u64>(s));
      store<u64>(s + 24, load<u64>(s, 8));
      j--;
    }
    const d = fixBase + (<usize>(j + 1) << 4);
    store<u64>(d, a);
    store<u64>(d, b, 8);
  }
  let dst = outBase;
  let src = outBase;
  for (let i = 0; i < n; i++) {
    const r = fixBase + (<usize>i << 4);
    const gap = outBase + <usize>load<u32>(r, 8);
    const len = <usize>load<u32>(r, 12);
    memory.copy(dst, src, gap - src);
    dst += gap - src;
    memory.copy(dst, gap, len);
    dst += len;
    src = gap + GAP;
  }
  memory.copy(dst, src, outPos - src);
  return <isize>(dst + (outPos - src) - outBase);
}

// ---- reading Thrift ---------------------------------------------------------------------

/** A varint of at most 5 bytes, low 32 bits kept (as the JS reader reads it); -1 as u64 max on failure. */
let varOk = true;
function varint32(): u32 {
  let result: u32 = 0;
  for (let shift: u32 = 0; shift < 35; shift += 7) {
    if (inp >= inEnd) {
      varOk = false;
      return 0;
    }
    const b = <u32>load<u8>(inp++);
    result |= (b & 0x7f) << shift;
    if (b < 0x80) return result;
  }
  varOk = false;
  return 0;
}

function varint64(): u64 {
  let result: u64 = 0;
  for (let shift: u64 = 0; shift < 70; shift += 7) {
    if (inp >= inEnd) {
      varOk = false;
      return 0;
    }
    const b = <u64>load<u8>(inp++);
    // The tenth byte holds bit 63 only; more is left to the JS path.
    if (shift == 63 && b > 1) {
      varOk = false;
      return 0;
    }
    result |= (b & 0x7f) << shift;
    if (b < 0x80) return result;
  }
  varOk = false;
  return 0;
}

/** Compact type id to TType (-1: not a field type). */
function fromCompact(c: u32): i32 {
  switch (c) {
    case 1: case 2: return 2;
    case 3: return 3;
    case 4: return 6;
    case 5: return 8;
    case 6: return 10;
    case 7: return 4;
    case 8: return 11;
    case 9: return 15;
    case 10: return 14;
    case 11: return 13;
    case 12: return 12;
    case 13: return 16;
    default: return -1;
  }
}

/** Smallest Binary wire size of each type (0: not an element type). */
function minSize(t: u32): i64 {
  switch (t) {
    case 2: case 3: case 12: return 1;
    case 4: case 10: return 8;
    case 6: return 2;
    case 8: case 11: return 4;
    case 13: return 6;
    case 14: case 15: return 5;
    case 16: return 16;
    default: return 0;
  }
}

// ---- structs ----------------------------------------------------------------------------

const SLOT: usize = 8;

function putAbsent(f: usize, first: bool): bool {
  const n = fieldAbsentJsonLen(f);
  if (n == 0) return true;
  if (!first && !put(0x2c)) return false;
  return putBytes(fieldKey(f), fieldKeyLen(f)) && putBytes(fieldAbsentJson(f), n);
}

function readStruct(s: usize, root: bool): bool {
  if (--depthLeft < 0 || structUnsupported(s)) return false;
  const n = structCount(s);
  const union = structKind(s) == StructKind.UNION;
  if (!put(0x7b)) return false;
  const top = workTop;
  const so = workAlloc(n * SLOT);
  if (so < 0) return false;
  const slots = <usize>so;
  memory.fill(workBase + slots, 0xff, n * SLOT);
  const structStart = outOffset();
  const fixFrom = fixCount;
  let lastIdx: i32 = -1;
  let lastId: i32 = 0;
  let ordered = true;
  let first = true;
  let unionSet = false;
  while (true) {
    if (inp >= inEnd) return false;
    const head = <u32>load<u8>(inp++);
    if (head == 0) break;
    let type: u32;
    let id: i32;
    let ctype: u32 = 0;
    if (!compact) {
      if (inp + 2 > inEnd) return false;
      type = head;
      id = <i32>bswap<u16>(load<u16>(inp)) << 16 >> 16;
      inp += 2;
    } else {
      ctype = head & 15;
      const tt = fromCompact(ctype);
      if (tt <= 0) return false;
      type = <u32>tt;
      const delta = <i32>(head >> 4);
      if (delta != 0) {
        id = lastId + delta;
      } else {
        varOk = true;
        const z = varint32();
        if (!varOk) return false;
        id = <i32>((z >>> 1) ^ (0 - (z & 1))) << 16 >> 16;
      }
      lastId = id;
      if (type == 2) pendingBool = ctype == 1 ? 1 : 0;
    }
    const i = fieldById(s, id);
    const f = i >= 0 ? structField(s, <usize>i) : 0;
    if (i < 0 || fieldTType(f) != type) {
      if (compact && type == 2) {
        pendingBool = -1;
        continue;
      }
      const r = compact ? compactSkip(inp, inEnd, ctype, depthLeft) : binarySkip(inp, inEnd, type, depthLeft);
      if (r < 0) return false;
      inp = <usize>r;
      continue;
    }
    if (union) {
      if (unionSet) return false;
      unionSet = true;
    }
    const slot = workBase + slots + <usize>i * SLOT;
    if (ordered && load<i32>(slot) < 0 && <i32>i > lastIdx) {
      if (!union) {
        for (let j = lastIdx + 1; j < <i32>i; j++) {
          const g = structField(s, <usize>j);
          if (fieldAbsentJsonLen(g) != 0) {
            if (!putAbsent(g, first)) return false;
            first = false;
          }
        }
      }
      if (!first && !put(0x2c)) return false;
      if (!putBytes(fieldKey(f), fieldKeyLen(f))) return false;
      first = false;
      lastIdx = <i32>i;
    } else {
      ordered = false;
    }
    const start = outOffset();
    if (!readValue(fieldType(f), VALUE)) return false;
    const s2 = workBase + slots + <usize>i * SLOT;
    store<i32>(s2, <i32>start);
    store<i32>(s2, <i32>outOffset(), 4);
  }
  if (root && rootOnly) return onlyField(s, slots);
  if (!union) {
    for (let j: usize = 0; j < n; j++) {
      if (fieldRequired(structField(s, j)) && load<i32>(workBase + slots + j * SLOT) < 0) return false;
    }
    if (ordered) {
      for (let j = lastIdx + 1; j < <i32>n; j++) {
        const g = structField(s, <usize>j);
        if (fieldAbsentJsonLen(g) != 0) {
          if (!putAbsent(g, first)) return false;
          first = false;
        }
      }
    } else if (!rebuild(s, slots, structStart, fixFrom)) {
      return false;
    }
  }
  if (!put(0x7d)) return false;
  workPop(top);
  depthLeft++;
  return true;
}

/**
 * Makes the output the value of the root struct's one field (a result struct's success or
 * exception); false when it has more than one or lacks a required one. No field: `{}`.
 */
function onlyField(s: usize, slots: usize): bool {
  const n = structCount(s);
  let found: i32 = -1;
  for (let j: usize = 0; j < n; j++) {
    const set = load<i32>(workBase + slots + j * SLOT) >= 0;
    if (set) {
      if (found >= 0) return false;
      found = <i32>j;
    } else if (fieldRequired(structField(s, j))) {
      return false;
    }
  }
  rootField = found;
  if (found < 0) {
    outPos = outBase;
    return put(0x7b) && put(0x7d);
  }
  const slot = workBase + slots + <usize>found * SLOT;
  const start = <usize>load<i32>(slot);
  const len = <usize>load<i32>(slot, 4) - start;
  memory.copy(outBase, outBase + start, len);
  outPos = outBase + len;
  shiftFixups(0, <u32>0 - <u32>start);
  return true;
}

/** Rewrites a struct whose fields came out of IDL order (or twice: the last one wins). */
function rebuild(s: usize, slots: usize, structStart: usize, fixFrom: i32): bool {
  const n = structCount(s);
  const len = outOffset() - structStart;
  const wa = workAlloc(len);
  if (wa < 0) return false;
  memory.copy(workBase + <usize>wa, outBase + structStart, len);
  outPos = outBase + structStart;
  let first = true;
  for (let j: usize = 0; j < n; j++) {
    const f = structField(s, j);
    const slot = workBase + slots + j * SLOT;
    const start = load<i32>(slot);
    if (start < 0) {
      if (fieldAbsentJsonLen(f) != 0) {
        if (!putAbsent(f, first)) return false;
        first = false;
      }
      continue;
    }
    const end = load<i32>(slot, 4);
    if (!first && !put(0x2c)) return false;
    first = false;
    if (!putBytes(fieldKey(f), fieldKeyLen(f))) return false;
    const m = <usize>(end - start);
    const to = outOffset();
    if (!putBytes(workBase + <usize>wa + <usize>start - structStart, m)) return false;
    for (let k = fixFrom; k < fixCount; k++) {
      const r = fixBase + (<usize>k << 4);
      const at = load<u32>(r, 8);
      const moved = load<u32>(r, 12);
      if (moved == 0 && at >= <u32>start && at < <u32>end) {
        store<u32>(r, <u32>to + (at - <u32>start), 8);
        store<u32>(r, 1, 12);
      }
    }
  }
  // The gaps of a value dropped (a field given twice) go with it: closing a stale one would
  // copy from before the previous gap.
  keepMarkedFixups(fixFrom);
  return true;
}

// ---- values -----------------------------------------------------------------------------

/** Whether set elements of kind `k` are compared (JS Set semantics: scalars but binary). */
// @ts-ignore: decorator
@inline function comparable(k: u32): bool {
  return k <= <u32>Kind.UUID && k != <u32>Kind.BINARY || k == <u32>Kind.ENUM;
}

/** Reads a length prefix, checked as the JS reader checks it; -1 when it fails. */
function readLength(): i64 {
  let len: i64;
  if (compact) {
    varOk = true;
    len = <i64>varint32();
    if (!varOk) return -1;
  } else {
    if (inp + 4 > inEnd) return -1;
    len = <i64>(<i32>bswap<u32>(load<u32>(inp)));
    inp += 4;
  }
  if (len < 0 || len > <i64>(inEnd - inp) || len > <i64>MAX_LENGTH) return -1;
  return len;
}

/** Writes an integer; in a key it goes in the quotes the key brings. */
function putInteger(v: i64, ctx: i32): bool {
  identity = hashValue(<u64>v, 2);
  if (!ensure(24)) return false;
  if (ctx != KEY && (v > 9007199254740992 || v < -9007199254740992)) {
    store<u8>(outPos++, 0x22);
    outPos = writeI64(outPos, v);
    store<u8>(outPos++, 0x22);
    return true;
  }
  outPos = writeI64(outPos, v);
  return true;
}

function putDouble(v: f64, ctx: i32): bool {
  if (ctx != VALUE && v == 0) v = 0; // a Set or Map keeps -0 as +0
  identity = hashValue(isNaN(v) ? 0x7ff8000000000000 : reinterpret<u64>(v), 5);
  const quoted = ctx != KEY;
  if (isNaN(v)) return quoted ? putWord(0x224e614e22, 5) : putWord(0x4e614e, 3); // "NaN"
  if (!isFinite(v)) {
    const neg = v < 0;
    if (quoted && !put(0x22)) return false;
    if (neg && !put(0x2d)) return false;
    if (!putWord(0x7974696e69666e49, 8)) return false; // Infinity
    return !quoted || put(0x22);
  }
  if (v == 0) {
    if (1 / v < 0) return putWord(0x22302d22, 4); // "-0" (only as a value)
    return put(0x30);
  }
  if (!ensure(GAP)) return false;
  const q = writeDoubleShort(outPos, v);
  if (q != 0) {
    outPos = q;
    return true;
  }
  if (ctx == KEY) return false; // a key's text is needed now (order, duplicates)
  const bits = reinterpret<u64>(v);
  if (!addFixup(<u32>bits, <u32>(bits >> 32), <u32>outOffset(), 0)) return false;
  outPos += GAP;
  return true;
}

function readValue(t: usize, ctx: i32): bool {
  const k = typeKind(t);
  switch (k) {
    case Kind.BOOL: {
      let b: bool;
      if (pendingBool >= 0) {
        b = pendingBool == 1;
        pendingBool = -1;
      } else {
        if (inp >= inEnd) return false;
        const x = load<u8>(inp++);
        b = compact ? x == 1 : x != 0;
      }
      identity = hashValue(b ? 1 : 0, 1);
      return b ? putWord(0x65757274, 4) : putWord(0x65736c6166, 5);
    }
    case Kind.BYTE:
      if (inp >= inEnd) return false;
      return putInteger(<i64>load<i8>(inp++), ctx);
    case Kind.I16: {
      if (compact) {
        varOk = true;
        const z = varint32();
        return varOk && putInteger(<i64>(<i32>((z >>> 1) ^ (0 - (z & 1))) << 16 >> 16), ctx);
      }
      if (inp + 2 > inEnd) return false;
      const v = <i16>bswap<u16>(load<u16>(inp));
      inp += 2;
      return putInteger(<i64>v, ctx);
    }
    case Kind.I32: case Kind.ENUM: {
      if (compact) {
        varOk = true;
        const z = varint32();
        return varOk && putInteger(<i64>(<i32>((z >>> 1) ^ (0 - (z & 1)))), ctx);
      }
      if (inp + 4 > inEnd) return false;
      const v = <i32>bswap<u32>(load<u32>(inp));
      inp += 4;
      return putInteger(<i64>v, ctx);
    }
    case Kind.I64: {
      if (compact) {
        varOk = true;
        const z = varint64();
        return varOk && putInteger(<i64>((z >>> 1) ^ (0 - (z & 1))), ctx);
      }
      if (inp + 8 > inEnd) return false;
      const v = <i64>bswap<u64>(load<u64>(inp));
      inp += 8;
      return putInteger(v, ctx);
    }
    case Kind.DOUBLE: {
      if (inp + 8 > inEnd) return false;
      const bits = load<u64>(inp);
      inp += 8;
      return putDouble(reinterpret<f64>(compact ? bits : bswap<u64>(bits)), ctx);
    }
    case Kind.STRING: {
      const n = readLength();
      if (n < 0) return false;
      const p = inp;
      inp += <usize>n;
      if (ctx != VALUE) identity = hashBytes(p, <usize>n, 4);
      return putString(p, <usize>n);
    }
    case Kind.BINARY: {
      const n = readLength();
      if (n < 0) return false;
      const p = inp;
      inp += <usize>n;
      return putBase64(p, <usize>n);
    }
    case Kind.UUID: {
      if (inp + 16 > inEnd) return false;
      const p = inp;
      inp += 16;
      identity = hashBytes(p, 16, 3);
      return putUuid(p);
    }
    case Kind.LIST: case Kind.SET: return readList(t, k == Kind.SET);
    case Kind.MAP: return readMap(t);
    case Kind.STRUCT: return readStruct(typeA(t), false);
    default: return false;
  }
}

/** Reads a list or set header; returns the count, or -1. Sets `elementType`. */
let elementType: u32 = 0;
function listHeader(): i64 {
  let size: i64;
  if (!compact) {
    if (inp + 5 > inEnd) return -1;
    elementType = load<u8>(inp);
    size = <i64>(<i32>bswap<u32>(load<u32>(inp, 1)));
    inp += 5;
    if (size < 0 || size > MAX_COUNT) return -1;
    if (size > 0) {
      const m = minSize(elementType);
      if (m == 0 || size * m > <i64>(inEnd - inp)) return -1;
    }
    return size;
  }
  if (inp >= inEnd) return -1;
  const head = <u32>load<u8>(inp++);
  size = <i64>(head >> 4);
  if (size == 15) {
    varOk = true;
    size = <i64>(<i32>varint32());
    if (!varOk) return -1;
  }
  if (size < 0 || size > MAX_COUNT || size > <i64>(inEnd - inp)) return -1;
  if (size > 0) {
    const c = head & 15;
    const tt = c == 0 ? -1 : fromCompact(c);
    if (tt < 0) return -1;
    elementType = <u32>tt;
  }
  return size;
}

function readList(t: usize, isSet: bool): bool {
  const size = listHeader();
  if (size < 0 || --depthLeft < 0) return false;
  const e = typeA(t);
  if (size > 0 && elementType != typeTType(e)) return false;
  const dedup = isSet && comparable(typeKind(e));
  if (!put(0x5b)) return false;
  const top = workTop;
  const hashesAt = (workTop + 7) & ~<usize>7;
  for (let i: i64 = 0; i < size; i++) {
    if (i > 0 && !put(0x2c)) return false;
    if (!readValue(e, isSet ? ELEMENT : VALUE)) return false;
    if (dedup && !pushHash(identity)) return false;
  }
  if (dedup && !allDistinct(hashesAt, <usize>size)) return false;
  workPop(top);
  depthLeft++;
  return put(0x5d);
}

function readMap(t: usize): bool {
  let size: i64;
  let kt: u32 = 0;
  let vt: u32 = 0;
  if (!compact) {
    if (inp + 6 > inEnd) return false;
    kt = load<u8>(inp);
    vt = load<u8>(inp, 1);
    size = <i64>(<i32>bswap<u32>(load<u32>(inp, 2)));
    inp += 6;
    if (size < 0 || size > MAX_COUNT) return false;
    if (size > 0) {
      const a = minSize(kt), b = minSize(vt);
      if (a == 0 || b == 0 || size * (a + b) > <i64>(inEnd - inp)) return false;
    }
  } else {
    varOk = true;
    size = <i64>(<i32>varint32());
    if (!varOk) return false;
    if (size != 0) {
      if (inp >= inEnd) return false;
      const kv = <u32>load<u8>(inp++);
      const a = (kv >> 4) == 0 ? -1 : fromCompact(kv >> 4);
      const b = (kv & 15) == 0 ? -1 : fromCompact(kv & 15);
      if (a < 0 || b < 0) return false;
      kt = <u32>a;
      vt = <u32>b;
    }
    if (size < 0 || size > MAX_COUNT || size * 2 > <i64>(inEnd - inp)) return false;
  }
  if (--depthLeft < 0) return false;
  const ktd = typeA(t);
  const vtd = typeB(t);
  if (size > 0 && (kt != typeTType(ktd) || vt != typeTType(vtd))) return false;
  const kk = typeKind(ktd);
  if (size > 0 && (kk == Kind.STRUCT || kk >= <u32>Kind.LIST && kk <= <u32>Kind.MAP)) return false;
  if (!put(0x7b)) return false;
  const top = workTop;
  const eo = workAlloc(<usize>size * ENTRY);
  if (eo < 0) return false;
  const entries = <usize>eo;
  const bodyStart = outOffset();
  const fixFrom = fixCount;
  let lastIndex: i64 = -1;
  let sawName = false;
  let reorder = false;
  for (let i: i64 = 0; i < size; i++) {
    if (i > 0 && !put(0x2c)) return false;
    const keyStart = outOffset();
    const quoted = kk == Kind.STRING || kk == Kind.BINARY || kk == Kind.UUID;
    if (!quoted && !put(0x22)) return false;
    if (!readValue(ktd, KEY)) return false;
    if (!quoted && !put(0x22)) return false;
    // The key's text, between its quotes: what makes two keys one in a JS object.
    const p = outBase + keyStart + 1;
    const q = outPos - 1;
    if (q - p == 9 && load<u64>(p) == 0x5f6f746f72705f5f && load<u8>(p + 8) == 0x5f) return false; // __proto__
    let order: u64;
    if (isIndexKey(p, q)) {
      // JS puts array-index keys first, ascending: entries in another order are sorted below.
      if (sawName || <i64>keyIndex <= lastIndex) reorder = true;
      lastIndex = <i64>keyIndex;
      order = keyIndex;
    } else {
      sawName = true;
      order = 0x100000000 + <u64>i;
    }
    const hash = hashBytes(p, q - p, 6);
    if (!put(0x3a) || !readValue(vtd, VALUE)) return false;
    putEntry(entries + <usize>i * ENTRY, order, keyStart, outOffset(), hash);
  }
  if (!allDistinct(entries + 16, <usize>size, ENTRY)) return false;
  if (reorder && !reorderEntries(bodyStart, entries, <usize>size, true, fixFrom)) return false;
  workPop(top);
  depthLeft++;
  return put(0x7d);
}
