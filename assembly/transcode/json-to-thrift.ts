/**
 * JSON text to Thrift Binary or Compact bytes, guided by a type descriptor, without any
 * value reaching the host: the bytes are exactly those the JS path (parseGenericJson,
 * thriftStructFromJson, the generic struct codec) writes for the same text. Anything this
 * path does not do exactly, and every error, returns -1: the host then runs the JS path,
 * which gives the bytes or the error with its JSON path. Doubles whose text needs more
 * than the fast path are left as fixups for the host to parse (`Number(text)`).
 */
import { varint32Size, writeVarint32 } from "../varint";
import {
  addFixup, allDistinct, ENTRY, ensure, fixBase, fixCount, hashBytes, hashValue, insertGap, outBase, outOffset, outPos,
  pushHash, putEntry, reorderEntries, resetBuffers, workAlloc, workBase, workPop, workTop,
} from "./buffers";
import {
  enumByName, enumFound, fieldAbsentBool, fieldAbsentBytes, fieldAbsentBytesLen, fieldByName, fieldHasAbsent, fieldId,
  fieldRequired, fieldTType, fieldType, Kind, structCount, structField, structKind, structUnsupported, StructKind,
  typeA, typeB, typeCType, typeKind, typeTType,
} from "./descriptor";
import { KEY_SEED, isIndexKey, keyHash, keyIndex, literal, scanString, skipValue, skipWs, strEscaped, unescape } from "./json-text";
import { numberExact, numberInt, numberIsInt, numberValue, scanNumber } from "./numbers";
import {
  compact, fieldHeader, put8, putDouble, putI16, putI32, putI64, setCompact, stringBody, stringIdentity, writeBase64,
  writeString, writeUuid,
} from "./thrift-out";

let inp: usize = 0;
let inStart: usize = 0;
let inEnd: usize = 0;
let ignoreUnknown = false;
let maxDepth: i32 = 100;
let depth: i32 = 0;
/** Identity of the last scalar read (for sets' and maps' duplicate checks). */
let identity: u64 = 0;

/** Fixup kinds (host side: src/generic/transcode/engine.ts). */
const FIX_COMPACT: u32 = 1;
const FIX_FROM_STRING: u32 = 2;
/** Marks a fixup already moved while a struct is rebuilt. */
const FIX_MOVED: u32 = 0x80000000;

/**
 * Transcodes the JSON text at [src, src+len) as struct `desc`. Returns the output length
 * (output at `transcodeOutput()`, fixups at `transcodeFixups()`), or -1: take the JS path.
 * `flags`: bit 0 Compact, bit 1 ignore unknown keys, bit 2 the text is the first field's
 * value (a method's success value; the output is the result struct holding it).
 */
export function transcodeJsonToThrift(desc: usize, src: usize, len: usize, flags: i32, maxDepthArg: i32): isize {
  if (!resetBuffers()) return -1;
  inp = src;
  inStart = src;
  inEnd = src + len;
  setCompact((flags & 1) != 0);
  ignoreUnknown = (flags & 2) != 0;
  maxDepth = maxDepthArg;
  depth = 0;
  inp = skipWs(inp, inEnd);
  if ((flags & 4) != 0 ? !readFirstField(desc) : !readStruct(desc)) return -1;
  if (skipWs(inp, inEnd) != inEnd) return -1;
  return <isize>outOffset();
}

/**
 * The text is the value of struct `s`'s first field (a method's success value): writes the
 * struct holding it alone. Null (absence to a struct, an error to the JS path's value
 * reader) is left to the JS path.
 */
function readFirstField(s: usize): bool {
  if (structCount(s) == 0 || structUnsupported(s) || literal(inp, inEnd, 0x6c6c756e, 4) != 0) return false;
  const f = structField(s, 0);
  const t = fieldType(f);
  if (compact && typeKind(t) == Kind.BOOL) {
    const b = readBool();
    if (b < 0 || !fieldHeader(0, b != 0 ? 1 : 2, fieldId(f), 0)) return false;
  } else if (!fieldHeader(fieldTType(f), typeCType(t), fieldId(f), 0) || !readValue(t, false)) {
    return false;
  }
  return put8(0);
}

// ---- structs ----------------------------------------------------------------------------

const SLOT: usize = 12;
const UNSET: i32 = -1;
const NULLED: i32 = -2;

// @ts-ignore: decorator
@inline function slotAt(slots: usize, i: usize): usize {
  return workBase + slots + i * SLOT;
}

/** Writes field `f`'s absent value (its default or zero) with its header, if it has one. */
function writeAbsent(f: usize, lastId: i32): bool {
  const t = fieldType(f);
  if (compact && typeKind(t) == Kind.BOOL) return fieldHeader(0, fieldAbsentBool(f) != 0 ? 1 : 2, fieldId(f), lastId);
  if (!fieldHeader(fieldTType(f), typeCType(t), fieldId(f), lastId)) return false;
  const n = fieldAbsentBytesLen(f, compact);
  if (!ensure(n)) return false;
  memory.copy(outPos, fieldAbsentBytes(f, compact), n);
  outPos += n;
  return true;
}

function readStruct(s: usize): bool {
  if (inp >= inEnd || load<u8>(inp) != 0x7b) return false;
  if (++depth > maxDepth || structUnsupported(s)) return false;
  inp++;
  const n = structCount(s);
  const union = structKind(s) == StructKind.UNION;
  const top = workTop;
  const so = workAlloc(n * SLOT);
  if (so < 0) return false;
  const slots = <usize>so;
  memory.fill(workBase + slots, 0xff, n * SLOT);
  const structStart = outOffset();
  const fixFrom = fixCount;
  const keysAt = workTop;
  let keys: usize = 0; // unknown keys' hashes pushed
  let lastIdx: i32 = -1;
  let lastId: i32 = 0;
  let ordered = true;
  let set: i32 = 0;
  /** The index of the last key's field (the next key most likely names the one after it). */
  let found: isize = -1;
  inp = skipWs(inp, inEnd);
  if (inp < inEnd && load<u8>(inp) == 0x7d) {
    inp++;
  } else {
    while (true) {
      if (inp >= inEnd || load<u8>(inp) != 0x22) return false;
      const q = scanString(inp, inEnd);
      if (q == 0) return false;
      let i: isize;
      if (!strEscaped) {
        i = fieldByName(s, inp + 1, q - inp - 1, <usize>(found + 1));
      } else {
        const t0 = workTop;
        const at = workAlloc(q - inp);
        if (at < 0) return false;
        const kn = unescape(inp + 1, q, workBase + <usize>at);
        if (kn < 0) return false;
        i = fieldByName(s, workBase + <usize>at, <usize>kn, <usize>(found + 1));
        workPop(t0);
      }
      const keyStart = inp + 1;
      inp = skipWs(q + 1, inEnd);
      if (inp >= inEnd || load<u8>(inp) != 0x3a) return false;
      inp = skipWs(inp + 1, inEnd);
      if (i >= 0) found = i;
      if (i < 0) {
        if (!ignoreUnknown) return false;
        const h = keyHash(keyStart, q);
        if (h == 0 || !pushHash(h)) return false;
        keys++;
        inp = skipValue(inp, inEnd, 0);
        if (inp == 0) return false;
      } else {
        const slot = slotAt(slots, <usize>i);
        if (load<i32>(slot) != UNSET) return false; // duplicate key
        const f = structField(s, <usize>i);
        const t = fieldType(f);
        if (inp + 4 <= inEnd && load<u32>(inp) == 0x6c6c756e) { // null: absent
          inp += 4;
          store<i32>(slotAt(slots, <usize>i), NULLED);
        } else {
          if (union && set++ > 0) return false;
          const boolField = compact && typeKind(t) == Kind.BOOL;
          if (ordered && <i32>i > lastIdx) {
            if (!union) {
              for (let j = lastIdx + 1; j < <i32>i; j++) {
                const g = structField(s, <usize>j);
                if (fieldHasAbsent(g)) {
                  if (!writeAbsent(g, lastId)) return false;
                  lastId = fieldId(g);
                }
              }
            }
            if (boolField) {
              const b = readBool();
              if (b < 0 || !fieldHeader(0, b != 0 ? 1 : 2, fieldId(f), lastId)) return false;
              store<i32>(slotAt(slots, <usize>i), <i32>outOffset());
              store<i32>(slotAt(slots, <usize>i), <i32>outOffset(), 4);
              store<i32>(slotAt(slots, <usize>i), b, 8);
            } else {
              if (!fieldHeader(fieldTType(f), typeCType(t), fieldId(f), lastId)) return false;
              const start = outOffset();
              if (!readValue(t, false)) return false;
              store<i32>(slotAt(slots, <usize>i), <i32>start);
              store<i32>(slotAt(slots, <usize>i), <i32>outOffset(), 4);
            }
            lastId = fieldId(f);
            lastIdx = <i32>i;
          } else {
            ordered = false;
            const start = outOffset();
            if (boolField) {
              const b = readBool();
              if (b < 0) return false;
              store<i32>(slotAt(slots, <usize>i), b, 8);
            } else if (!readValue(t, false)) {
              return false;
            }
            store<i32>(slotAt(slots, <usize>i), <i32>start);
            store<i32>(slotAt(slots, <usize>i), <i32>outOffset(), 4);
          }
        }
      }
      inp = skipWs(inp, inEnd);
      if (inp >= inEnd) return false;
      const c = load<u8>(inp++);
      if (c == 0x2c) {
        inp = skipWs(inp, inEnd);
        continue;
      }
      if (c != 0x7d) return false;
      break;
    }
  }
  if (keys > 1 && !allDistinct((keysAt + 7) & ~<usize>7, keys)) return false;
  if (!union) {
    for (let j: usize = 0; j < n; j++) {
      if (fieldRequired(structField(s, j)) && load<i32>(slotAt(slots, j)) < 0) return false;
    }
    if (ordered) {
      for (let j = lastIdx + 1; j < <i32>n; j++) {
        const g = structField(s, <usize>j);
        if (fieldHasAbsent(g)) {
          if (!writeAbsent(g, lastId)) return false;
          lastId = fieldId(g);
        }
      }
    } else if (!rebuild(s, slots, structStart, fixFrom)) {
      return false;
    }
  }
  if (!put8(0)) return false;
  workPop(top);
  depth--;
  return true;
}

/**
 * Rewrites a struct whose keys came out of IDL order: its present fields' values (kept in
 * slots as output offsets) in field order with fresh headers, absent ones' defaults between.
 */
function rebuild(s: usize, slots: usize, structStart: usize, fixFrom: i32): bool {
  const n = structCount(s);
  const len = outOffset() - structStart;
  const wa = workAlloc(len);
  if (wa < 0) return false;
  memory.copy(workBase + <usize>wa, outBase + structStart, len);
  outPos = outBase + structStart;
  let lastId: i32 = 0;
  for (let j: usize = 0; j < n; j++) {
    const f = structField(s, j);
    const slot = slotAt(slots, j);
    const start = load<i32>(slot);
    if (start < 0) {
      if (fieldHasAbsent(f)) {
        if (!writeAbsent(f, lastId)) return false;
        lastId = fieldId(f);
      }
      continue;
    }
    const end = load<i32>(slot, 4);
    const t = fieldType(f);
    if (compact && typeKind(t) == Kind.BOOL) {
      if (!fieldHeader(0, load<i32>(slot, 8) != 0 ? 1 : 2, fieldId(f), lastId)) return false;
    } else if (!fieldHeader(fieldTType(f), typeCType(t), fieldId(f), lastId)) {
      return false;
    }
    lastId = fieldId(f);
    const n2 = <usize>(end - start);
    if (!ensure(n2)) return false;
    const to = outOffset();
    // workBase is stable here: nothing below allocates on the work stack.
    memory.copy(outPos, workBase + <usize>wa + <usize>start - structStart, n2);
    outPos += n2;
    for (let k = fixFrom; k < fixCount; k++) {
      const r = fixBase + (<usize>k << 4);
      const at = load<u32>(r, 8);
      const kind = load<u32>(r, 12);
      if ((kind & FIX_MOVED) == 0 && at >= <u32>start && at < <u32>end) {
        store<u32>(r, <u32>to + (at - <u32>start), 8);
        store<u32>(r, kind | FIX_MOVED, 12);
      }
    }
  }
  for (let k = fixFrom; k < fixCount; k++) {
    const r = fixBase + (<usize>k << 4) + 12;
    store<u32>(r, load<u32>(r) & ~FIX_MOVED);
  }
  return true;
}

// ---- values -----------------------------------------------------------------------------

/** Reads `true` or `false`: 1, 0, or -1 for anything else. */
function readBool(): i32 {
  if (literal(inp, inEnd, 0x65757274, 4) != 0) {
    inp += 4;
    return 1;
  }
  if (inp + 5 <= inEnd && load<u8>(inp, 4) == 0x65 && literal(inp, inEnd, 0x736c6166, 5) != 0) {
    inp += 5;
    return 0;
  }
  return -1;
}

/** Whether values of kind `k` are compared for duplicates in a set (JS Set semantics). */
// @ts-ignore: decorator
@inline function comparable(k: u32): bool {
  return k <= <u32>Kind.UUID && k != <u32>Kind.BINARY || k == <u32>Kind.ENUM;
}

/** The integer read by `readInteger`. */
let intValue: i64 = 0;

/**
 * Reads an integer given as a JSON integer token or a string of `-?\d+` (what the JS path
 * accepts for integer types; fractions and exponents are left to it). False if not one or
 * beyond i64.
 */
function readInteger(): bool {
  if (inp >= inEnd) return false;
  if (load<u8>(inp) != 0x22) {
    const q = scanNumber(inp, inEnd);
    if (q == 0 || !numberIsInt) return false;
    intValue = numberInt;
    inp = q;
    return true;
  }
  const q = digitsString(inp + 1, inEnd);
  if (q == 0) return false;
  inp = q + 1;
  return true;
}

/**
 * Parses `-?\d+` at `p` up to a closing quote; sets intValue and returns the quote's
 * address, or 0 (anything else, or beyond i64).
 */
function digitsString(p: usize, end: usize): usize {
  let neg = false;
  if (p < end && load<u8>(p) == 0x2d) {
    neg = true;
    p++;
  }
  const start = p;
  let mag: u64 = 0;
  while (p < end) {
    const c = <u32>load<u8>(p);
    if (c == 0x22) break;
    if (c < 0x30 || c > 0x39) return 0;
    const d = <u64>(c - 0x30);
    if (mag > (0xffffffffffffffff - d) / 10) return 0;
    mag = mag * 10 + d;
    p++;
  }
  if (p >= end || p == start) return 0;
  if (neg ? mag > 0x8000000000000000 : mag > 0x7fffffffffffffff) return 0;
  intValue = neg ? <i64>(0 - mag) : <i64>mag;
  return p;
}

/** Whether the bytes [p, q) are `-?\d+` (for map keys, which are strings); sets intValue. */
function digitsKey(p: usize, q: usize): bool {
  return digitsString(p, q + 1) == q;
}

function readValue(t: usize, inSet: bool): bool {
  if (inp >= inEnd) return false;
  const k = typeKind(t);
  switch (k) {
    case Kind.BOOL: {
      const b = readBool();
      if (b < 0) return false;
      identity = hashValue(<u64>b, 1);
      return put8(compact ? (b != 0 ? 1 : 2) : <u32>b);
    }
    case Kind.BYTE: case Kind.I16: case Kind.I32: {
      if (!readInteger()) return false;
      const v = intValue;
      identity = hashValue(<u64>v, 2);
      if (k == Kind.BYTE) return v >= -128 && v <= 127 && put8(<u32>v & 0xff);
      if (k == Kind.I16) return v >= -32768 && v <= 32767 && putI16(<i32>v);
      return v >= -2147483648 && v <= 2147483647 && putI32(<i32>v);
    }
    case Kind.I64: {
      if (!readInteger()) return false;
      identity = hashValue(<u64>intValue, 2);
      return putI64(intValue);
    }
    case Kind.ENUM: {
      if (load<u8>(inp) == 0x22) {
        const q = scanString(inp, inEnd);
        if (q == 0 || strEscaped) return false;
        const v = enumByName(typeA(t), inp + 1, q - inp - 1);
        if (!enumFound) return false;
        inp = q + 1;
        identity = hashValue(<u64>(<i64>v), 2);
        return putI32(v);
      }
      const q = scanNumber(inp, inEnd);
      if (q == 0 || !numberIsInt || numberInt < -2147483648 || numberInt > 2147483647) return false;
      inp = q;
      identity = hashValue(<u64>numberInt, 2);
      return putI32(<i32>numberInt);
    }
    case Kind.DOUBLE: return readDouble(inSet);
    case Kind.STRING: {
      if (load<u8>(inp) != 0x22) return false;
      const q = scanString(inp, inEnd);
      if (q == 0) return false;
      const start = outOffset();
      if (!writeString(inp + 1, q)) return false;
      inp = q + 1;
      if (inSet) identity = stringIdentity(start);
      return true;
    }
    case Kind.BINARY: {
      if (load<u8>(inp) != 0x22) return false;
      const q = scanString(inp, inEnd);
      if (q == 0 || strEscaped || !writeBase64(inp + 1, q)) return false;
      inp = q + 1;
      return true;
    }
    case Kind.UUID: {
      if (load<u8>(inp) != 0x22) return false;
      const q = scanString(inp, inEnd);
      if (q == 0 || !writeUuid(inp + 1, q)) return false;
      inp = q + 1;
      identity = hashBytes(outPos - 16, 16, 3);
      return true;
    }
    case Kind.LIST: case Kind.SET: return readList(t, k == Kind.SET);
    case Kind.MAP: return readMap(t);
    case Kind.STRUCT: return readStruct(typeA(t));
    default: return false;
  }
}

function readDouble(inSet: bool): bool {
  let v: f64 = 0;
  let fromString = false;
  let textStart = inp;
  if (load<u8>(inp) == 0x22) {
    const q = scanString(inp, inEnd);
    if (q == 0 || strEscaped) return false;
    const n = q - inp - 1;
    if (n == 3 && load<u8>(inp + 1) == 0x4e && load<u8>(inp + 2) == 0x61 && load<u8>(inp + 3) == 0x4e) {
      inp = q + 1;
      return putSetDouble(NaN, inSet);
    }
    if (n == 8 && isInfinity(inp + 1)) {
      inp = q + 1;
      return putSetDouble(Infinity, inSet);
    }
    if (n == 9 && load<u8>(inp + 1) == 0x2d && isInfinity(inp + 2)) {
      inp = q + 1;
      return putSetDouble(-Infinity, inSet);
    }
    if (scanNumber(inp + 1, q) != q) return false;
    fromString = true;
    textStart = inp + 1;
    inp = q + 1;
  } else {
    const q = scanNumber(inp, inEnd);
    if (q == 0) return false;
    inp = q;
  }
  if (numberExact) {
    v = numberValue;
    return putSetDouble(v, inSet);
  }
  // Left to the host: a set's duplicates cannot be told before the value is known.
  if (inSet) return false;
  const textEnd = fromString ? inp - 1 : inp;
  if (!addFixup(<u32>(textStart - inStart), <u32>(textEnd - textStart), <u32>outOffset(),
    (compact ? FIX_COMPACT : 0) | (fromString ? FIX_FROM_STRING : 0))) return false;
  return putDouble(0);
}

/** `Infinity` at p (8 bytes). */
function isInfinity(p: usize): bool {
  return load<u64>(p) == 0x7974696e69666e49;
}

/** Writes a double; in a set -0 is +0 and NaN one value, as a JS Set keeps them. */
function putSetDouble(v: f64, inSet: bool): bool {
  if (inSet && v == 0) v = 0;
  identity = hashValue(isNaN(v) ? 0x7ff8000000000000 : reinterpret<u64>(v), 5);
  return putDouble(v);
}

function readList(t: usize, isSet: bool): bool {
  if (load<u8>(inp) != 0x5b) return false;
  inp++;
  const e = typeA(t);
  const dedup = isSet && comparable(typeKind(e));
  const headerAt = outOffset();
  const fixFrom = fixCount;
  if (!ensure(5)) return false;
  outPos += compact ? 1 : 5;
  const top = workTop;
  const hashesAt = (workTop + 7) & ~<usize>7;
  let count: usize = 0;
  inp = skipWs(inp, inEnd);
  if (inp < inEnd && load<u8>(inp) == 0x5d) {
    inp++;
  } else {
    while (true) {
      if (!readValue(e, isSet)) return false;
      if (dedup && !pushHash(identity)) return false;
      count++;
      inp = skipWs(inp, inEnd);
      if (inp >= inEnd) return false;
      const c = load<u8>(inp++);
      if (c == 0x2c) {
        inp = skipWs(inp, inEnd);
        continue;
      }
      if (c != 0x5d) return false;
      break;
    }
  }
  if (dedup && !allDistinct(hashesAt, count)) return false;
  workPop(top);
  const h = outBase + headerAt;
  if (!compact) {
    store<u8>(h, <u8>typeTType(e));
    store<u32>(h + 1, bswap<u32>(<u32>count));
    return true;
  }
  if (count <= 14) {
    store<u8>(h, <u8>((count << 4) | typeCType(e)));
    return true;
  }
  const size = varint32Size(<u32>count);
  if (!insertGap(headerAt + 1, size, fixFrom)) return false;
  store<u8>(outBase + headerAt, <u8>(0xf0 | typeCType(e)));
  writeVarint32(outBase + headerAt + 1, <u32>count);
  return true;
}

function readMap(t: usize): bool {
  if (load<u8>(inp) != 0x7b) return false;
  inp++;
  const kt = typeA(t);
  const vt = typeB(t);
  const kk = typeKind(kt);
  const headerAt = outOffset();
  const fixFrom = fixCount;
  if (!compact) {
    if (!ensure(6)) return false;
    outPos += 6;
  }
  const top = workTop;
  const bodyStart = outOffset();
  let entries: isize = -1;
  let count: usize = 0;
  let lastIndex: i64 = -1;
  let sawName = false;
  let reorder = false;
  inp = skipWs(inp, inEnd);
  if (inp < inEnd && load<u8>(inp) == 0x7d) {
    inp++;
  } else {
    while (true) {
      if (inp >= inEnd || load<u8>(inp) != 0x22) return false;
      const q = scanString(inp, inEnd);
      if (q == 0) return false;
      const p = inp + 1;
      const start = outOffset();
      if (!writeKey(kk, kt, p, q)) return false;
      const hash = identity;
      // JS enumerates array-index keys first, ascending, then the rest as given: entries in
      // another order are sorted below.
      const index = kk == Kind.STRING ? isIndexKey(stringBody(start), outPos) : isIndexKey(p, q);
      let order: u64;
      if (index) {
        if (sawName || <i64>keyIndex <= lastIndex) reorder = true;
        lastIndex = <i64>keyIndex;
        order = keyIndex;
      } else {
        sawName = true;
        order = 0x100000000 + <u64>count;
      }
      inp = skipWs(q + 1, inEnd);
      if (inp >= inEnd || load<u8>(inp) != 0x3a) return false;
      inp = skipWs(inp + 1, inEnd);
      if (!readValue(vt, false)) return false;
      const at = workAlloc(ENTRY);
      if (at < 0) return false;
      if (entries < 0) entries = at;
      putEntry(<usize>at, order, start, outOffset(), hash);
      count++;
      inp = skipWs(inp, inEnd);
      if (inp >= inEnd) return false;
      const c = load<u8>(inp++);
      if (c == 0x2c) {
        inp = skipWs(inp, inEnd);
        continue;
      }
      if (c != 0x7d) return false;
      break;
    }
  }
  if (count > 0) {
    if (!allDistinct(<usize>entries + 16, count, ENTRY)) return false;
    if (reorder && !reorderEntries(bodyStart, <usize>entries, count, false, fixFrom)) return false;
  }
  workPop(top);
  if (!compact) {
    const h = outBase + headerAt;
    store<u8>(h, <u8>typeTType(kt));
    store<u8>(h + 1, <u8>typeTType(vt));
    store<u32>(h + 2, bswap<u32>(<u32>count));
    return true;
  }
  if (count == 0) {
    if (!insertGap(headerAt, 1, fixFrom)) return false;
    store<u8>(outBase + headerAt, 0);
    return true;
  }
  const size = varint32Size(<u32>count);
  if (!insertGap(headerAt, size + 1, fixFrom)) return false;
  writeVarint32(outBase + headerAt, <u32>count);
  store<u8>(outBase + headerAt + size, <u8>((typeCType(kt) << 4) | typeCType(vt)));
  return true;
}

/**
 * Writes a map key from its text [p, q) and sets `identity` to what makes two keys one
 * entry in the JS path's Map (the value; for binary keys, the text, as each is a new
 * Uint8Array). Double and non-scalar keys are left to the JS path.
 */
function writeKey(kk: u32, kt: usize, p: usize, q: usize): bool {
  const n = q - p;
  switch (kk) {
    case Kind.BOOL: {
      if (strEscaped) return false;
      let b: u32;
      if (n == 4 && load<u32>(p) == 0x65757274) b = 1;
      else if (n == 5 && load<u32>(p) == 0x736c6166 && load<u8>(p + 4) == 0x65) b = 0;
      else return false;
      identity = hashValue(<u64>b, 1);
      return put8(compact ? (b != 0 ? 1 : 2) : b);
    }
    case Kind.BYTE: case Kind.I16: case Kind.I32: case Kind.I64: {
      if (strEscaped || !digitsKey(p, q)) return false;
      const v = intValue;
      identity = hashValue(<u64>v, 2);
      if (kk == Kind.BYTE) return v >= -128 && v <= 127 && put8(<u32>v & 0xff);
      if (kk == Kind.I16) return v >= -32768 && v <= 32767 && putI16(<i32>v);
      if (kk == Kind.I32) return v >= -2147483648 && v <= 2147483647 && putI32(<i32>v);
      return putI64(v);
    }
    case Kind.ENUM: {
      if (strEscaped) return false;
      let v: i64;
      if (digitsKey(p, q)) {
        v = intValue;
        if (v < -2147483648 || v > 2147483647) return false;
      } else {
        v = <i64>enumByName(typeA(kt), p, n);
        if (!enumFound) return false;
      }
      identity = hashValue(<u64>v, 2);
      return putI32(<i32>v);
    }
    case Kind.STRING: {
      const start = outOffset();
      if (!writeString(p, q)) return false;
      identity = stringIdentity(start);
      return true;
    }
    case Kind.UUID:
      if (!writeUuid(p, q)) return false;
      identity = hashBytes(outPos - 16, 16, 3);
      return true;
    case Kind.BINARY:
      if (strEscaped || !writeBase64(p, q)) return false;
      identity = hashBytes(p, n, KEY_SEED);
      return true;
    default:
      return false;
  }
}

/** Where the output of the last call is. */
export function transcodeOutput(): usize {
  return outBase;
}

/** Where the last call's fixups are (16 bytes each), and how many. */
export function transcodeFixups(): usize {
  return fixBase;
}

export function transcodeFixupCount(): i32 {
  return fixCount;
}
