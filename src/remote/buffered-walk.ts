/**
 * Where an unframed (buffered) Thrift message that has not fully arrived stands, so that
 * each read walks only what came since the last one.
 *
 * Without it, every read walks the whole buffered message again from its first byte: a
 * message arriving a byte at a time costs time quadratic in its size. This walk keeps a
 * stack of the structs and containers it is inside and the value it is waiting for;
 * complete values are still skipped by the engine in one call. It only ever answers
 * "more bytes are needed" or "ask the engine": the engine's walk of the whole message
 * stays the one judge of where a message ends and what is wrong with it, so the frames
 * and errors are those of walking the whole buffer on every read.
 */
import type { EngineExports } from "../wasm/abi.js";

/** `resume`'s answers. */
export const WALK_NEEDS_MORE = 0;
/** The message may be complete or malformed: walk it whole in the engine. */
export const WALK_ASK_ENGINE = 1;

// Engine error codes (assembly/errors.ts) that mean "the input ends too soon".
const TRUNCATED = 1;
const LENGTH_LIMIT = 2;
/** The engine's nesting ceiling (assembly/thrift/types.ts DEPTH_CEILING). */
const DEPTH_CEILING = 1000;

// Binary type ids, and the Compact ones (assembly/thrift/types.ts).
const B_STRING = 11, B_STRUCT = 12, B_MAP = 13, B_SET = 14, B_LIST = 15;
const C_I32 = 5, C_BINARY = 8, C_LIST = 9, C_SET = 10, C_MAP = 11, C_STRUCT = 12;

/** A struct or container the walk is inside. */
interface Level {
  kind: typeof STRUCT | typeof LIST | typeof MAP;
  /** The depth its values are skipped with (the engine's nesting still allowed). */
  depth: number;
  /** Container entries not yet walked (a map entry counts twice: key, then value). */
  left: number;
  ktype: number;
  vtype: number;
}
const STRUCT = 0, LIST = 1, MAP = 2;

export class BufferedWalk {
  /** Offset (from the message's first byte) of what the walk waits for. */
  private pos = 0;
  private headerDone = false;
  private readonly levels: Level[] = [];
  /** Type of the value at `pos` still to be skipped, or -1 if the innermost level reads on. */
  private pendingType = -1;
  private pendingDepth = 0;
  /** When > `pos`: the end of a block of fixed-width entries, skipped once it has all come. */
  private spanEnd = 0;

  constructor(private readonly exports: EngineExports, private readonly compact: boolean, private readonly maxDepth: number) {}

  /**
   * Walks on from where the last call stopped over the message at `at` with `available`
   * bytes (more than the last call's): WALK_NEEDS_MORE if the message certainly continues
   * past them, WALK_ASK_ENGINE if it may end within them or is malformed.
   */
  resume(u8: Uint8Array, at: number, available: number): number {
    const end = at + available;
    if (!this.headerDone) {
      const body = this.compact ? this.compactHeader(u8, at, end) : this.binaryHeader(u8, at, end);
      if (body <= 0) return body === 0 ? WALK_NEEDS_MORE : WALK_ASK_ENGINE;
      this.headerDone = true;
      this.pos = body - at;
      this.levels.push({ kind: STRUCT, depth: Math.min(this.maxDepth, DEPTH_CEILING) - 1, left: 0, ktype: 0, vtype: 0 });
    }
    while (true) {
      if (this.spanEnd > this.pos) {
        if (this.spanEnd > available) return WALK_NEEDS_MORE;
        this.pos = this.spanEnd;
      }
      const p = at + this.pos;
      if (this.pendingType >= 0) {
        const step = this.value(u8, p, end);
        if (step !== -1) return step;
        continue;
      }
      const level = this.levels[this.levels.length - 1];
      if (level === undefined) return WALK_ASK_ENGINE; // the body struct ended: the message is complete
      if (level.kind !== STRUCT) {
        if (level.left === 0) {
          this.levels.pop();
          continue;
        }
        // Map entries alternate key, value: an even count left means a key is next.
        this.pendingType = level.kind === MAP && level.left % 2 === 0 ? level.ktype : level.vtype;
        this.pendingDepth = level.depth;
        level.left--;
        continue;
      }
      if (p >= end) return WALK_NEEDS_MORE;
      const head = u8[p]!;
      if (head === 0) {
        this.levels.pop();
        this.pos++;
        continue;
      }
      const after = this.compact ? this.compactFieldHeader(p, end, head) : p + 3 > end ? 0 : p + 3;
      if (after <= 0) return after === 0 ? WALK_NEEDS_MORE : WALK_ASK_ENGINE;
      this.pos = after - at;
      const type = this.compact ? head & 0x0f : head;
      if (this.compact && (type === 1 || type === 2)) continue; // a bool field: its value is in the header
      this.pendingType = type;
      this.pendingDepth = level.depth;
    }
  }

  /** Skips the pending value at `p`; returns -1 to go on, or the walk's answer. */
  private value(u8: Uint8Array, p: number, end: number): number {
    const type = this.pendingType;
    const depth = this.pendingDepth;
    const next = this.compact ? this.exports.thriftCompactSkip(p, end, type, depth) : this.exports.thriftBinarySkip(p, end, type, depth);
    if (next >= 0) {
      this.pos += next - p;
      this.pendingType = -1;
      return -1;
    }
    if (-next !== TRUNCATED && -next !== LENGTH_LIMIT) return WALK_ASK_ENGINE;
    // The value goes on past `end`. A struct or container is entered, so that its complete
    // parts are not walked again; anything else is waited for where it starts.
    if (type === (this.compact ? C_STRUCT : B_STRUCT)) {
      this.enter({ kind: STRUCT, depth: depth - 1, left: 0, ktype: 0, vtype: 0 });
      return -1;
    }
    const header = this.compact ? this.compactContainer(u8, p, end, type) : binaryContainer(u8, p, end, type);
    if (header === null) return WALK_NEEDS_MORE;
    const { start, size, map, ktype, vtype, width } = header;
    // The engine refuses a count larger than the bytes left before anything else (LENGTH_LIMIT);
    // past that check, a failure it reported lies inside the entries.
    if (end - start < size * (map ? 2 : 1)) return WALK_NEEDS_MORE;
    this.pos += start - p;
    if (width !== 0) {
      this.pendingType = -1;
      this.spanEnd = this.pos + size * width;
      return -1;
    }
    this.enter({ kind: map ? MAP : LIST, depth: depth - 1, left: map ? 2 * size : size, ktype, vtype });
    return -1;
  }

  private enter(level: Level): void {
    this.pendingType = -1;
    this.levels.push(level);
  }

  /** A compact container's header at `p`, or null if it has not fully come (or `type` is no container). */
  private compactContainer(u8: Uint8Array, p: number, end: number, type: number): Header | null {
    if (type === C_LIST || type === C_SET) {
      if (p >= end) return null;
      const head = u8[p]!;
      const vtype = head & 0x0f;
      const width = vtype === 7 ? 8 : vtype === 13 ? 16 : vtype <= 3 ? 1 : 0;
      if (head >> 4 !== 15) return { start: p + 1, size: head >> 4, map: false, ktype: 0, vtype, width };
      const after = this.varint(p + 1, end);
      return after === 0 ? null : { start: after, size: readVarint(u8, p + 1), map: false, ktype: 0, vtype, width };
    }
    if (type !== C_MAP) return null;
    const after = this.varint(p, end);
    if (after === 0 || after >= end) return null;
    const kv = u8[after]!;
    return { start: after + 1, size: readVarint(u8, p), map: true, ktype: kv >> 4, vtype: kv & 0x0f, width: 0 };
  }

  /** The address after a well-formed 32-bit varint at `p` (checked by the engine), or 0. */
  private varint(p: number, end: number): number {
    const next = this.exports.thriftCompactSkip(p, end, C_I32, 0);
    return next < 0 ? 0 : next;
  }

  /** A compact field header at `p` (first byte `head`, not STOP): the address after it, 0 (more bytes) or -1 (malformed). */
  private compactFieldHeader(p: number, end: number, head: number): number {
    const type = head & 0x0f;
    if (type === 0 || type > 13) return -1;
    if (head >> 4 !== 0) return p + 1;
    const next = this.exports.thriftCompactSkip(p + 1, end, C_I32, 0);
    if (next >= 0) return next;
    return -next === TRUNCATED ? 0 : -1;
  }

  /** The binary message header: the address of the body, 0 (more bytes) or -1 (ask the engine). */
  private binaryHeader(u8: Uint8Array, at: number, end: number): number {
    if (at + 4 > end) return 0;
    if (((u32(u8, at) & 0xffff0000) >>> 0) !== 0x80010000) return -1;
    const name = this.exports.thriftBinarySkip(at + 4, end, B_STRING, 0);
    if (name < 0) return -name === TRUNCATED || -name === LENGTH_LIMIT ? 0 : -1;
    return name + 4 > end ? 0 : name + 4;
  }

  /** The compact message header, as `binaryHeader`. */
  private compactHeader(u8: Uint8Array, at: number, end: number): number {
    if (at + 2 > end) return 0;
    if (u8[at] !== 0x82 || (u8[at + 1]! & 0x1f) !== 1) return -1;
    const seq = this.exports.thriftCompactSkip(at + 2, end, C_I32, 0);
    if (seq < 0) return -seq === TRUNCATED ? 0 : -1;
    const name = this.exports.thriftCompactSkip(seq, end, C_BINARY, 0);
    if (name < 0) return -name === TRUNCATED || -name === LENGTH_LIMIT ? 0 : -1;
    return name;
  }
}

interface Header {
  /** Address of the first entry. */
  start: number;
  size: number;
  map: boolean;
  ktype: number;
  vtype: number;
  /** Bytes per entry when every entry has a fixed width, else 0. */
  width: number;
}

/** A binary container's header at `p`, or null if it has not fully come (or `type` is no container). */
function binaryContainer(u8: Uint8Array, p: number, end: number, type: number): Header | null {
  const map = type === B_MAP;
  if (!map && type !== B_LIST && type !== B_SET) return null;
  const start = p + (map ? 6 : 5);
  if (start > end) return null;
  const ktype = map ? u8[p]! : 0;
  const vtype = u8[map ? p + 1 : p]!;
  const kw = map ? binaryWidth(ktype) : 1;
  const vw = binaryWidth(vtype);
  return { start, size: u32(u8, start - 4), map, ktype, vtype, width: kw !== 0 && vw !== 0 ? (map ? kw + vw : vw) : 0 };
}

function u32(u8: Uint8Array, p: number): number {
  return ((u8[p]! << 24) | (u8[p + 1]! << 16) | (u8[p + 2]! << 8) | u8[p + 3]!) >>> 0;
}

/** The low 32 bits of a varint the engine has checked, as a signed count. */
function readVarint(u8: Uint8Array, p: number): number {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    const b = u8[p++]!;
    value |= (b & 0x7f) << shift;
    if (b < 0x80) return value;
  }
}

/** Wire width of a fixed-width binary type, or 0. */
function binaryWidth(type: number): number {
  switch (type) {
    case 2: case 3: return 1;
    case 6: return 2;
    case 8: return 4;
    case 4: case 10: return 8;
    case 16: return 16;
    default: return 0;
  }
}
