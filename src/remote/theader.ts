/**
 * Apache Thrift's THeader (`doc/specs/HeaderFormat.md` in apache/thrift; spoken by its
 * C++, Java, Go and Python `THeaderTransport` and npm `thrift`'s header transport): a
 * length-prefixed frame like Kitex's TTHeader, but with magic 0x0FFF and varint fields.
 *
 *   u32 LENGTH | u16 0x0FFF | u16 FLAGS | u32 SEQID | u16 HEADER SIZE/4 |
 *   varint PROTOCOL | varint NUM TRANSFORMS | varint transform ids... |
 *   info blocks (varint 0x01 KEY_VALUE, varint count, count x (varint len + key, varint len + value)) |
 *   zero padding | payload (the message, after the transforms)
 *
 * Info blocks of other ids end the header's reading (the spec orders them oldest first, so
 * nothing after an unknown one is understood either); padding reads as id 0 and ends it too.
 */
import type { ByteWriter } from "../codec/byte-writer.js";
import { SHORT_DECODE } from "../codec/utf8.js";
import { ErrorCode, KitewireError } from "../errors.js";
import { NO_INT_INFO, NO_STR_INFO, type TTHeaderInfo } from "./ttheader.js";

export const THEADER_MAGIC = 0x0fff;

/** PROTOCOL ID values Apache peers send (1 is JSON, which no header peer uses and kitewire does not serve). */
export const THeaderProtocol = { BINARY: 0x00, JSON: 0x01, COMPACT: 0x02 } as const;

const INFO_KEY_VALUE = 0x01;
const MAX_HEADER_SIZE = 4 * 0xffff;

/** What a frame's THeader says beyond its seqid and protocol. */
export interface THeaderFields {
  flags: number;
  /** Transform ids, applied to the payload in this order. */
  transforms: readonly number[];
  /** The KEY_VALUE info headers. */
  strInfo: ReadonlyMap<string, string>;
}

/**
 * Writes a THeader, from the magic to the padding, at `w`'s position (after the frame's
 * LENGTH word, before the payload); the header size is filled in at the end.
 */
export function writeTHeader(w: ByteWriter, seqid: number, protocol: number, fields: THeaderFields): void {
  const at = w.length;
  w.ensure(10);
  const dv = w.engine.dv;
  dv.setUint16(w.pos, THEADER_MAGIC);
  dv.setUint16(w.pos + 2, fields.flags);
  dv.setInt32(w.pos + 4, seqid);
  dv.setUint16(w.pos + 8, 0); // header size, filled in below
  w.pos += 10;
  w.writeVarint32(protocol);
  w.writeVarint32(fields.transforms.length);
  for (const id of fields.transforms) w.writeVarint32(id);
  if (fields.strInfo.size > 0) {
    w.writeVarint32(INFO_KEY_VALUE);
    w.writeVarint32(fields.strInfo.size);
    for (const [key, value] of fields.strInfo) {
      w.writeVarintString(key);
      w.writeVarintString(value);
    }
  }
  let size = w.length - at - 10;
  while (size % 4 !== 0) {
    w.writeU8(0);
    size++;
  }
  if (size > MAX_HEADER_SIZE) throw new KitewireError(ErrorCode.INVALID_VALUE, "THeader header larger than 262140 bytes");
  w.engine.dv.setUint16(w.start + at + 8, size / 4);
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/**
 * Decodes the THeader at the start of `frame` (which begins with the LENGTH word and holds
 * the whole frame). Returns the header (its `intInfo` is always empty: THeader has only
 * string info) and the offset of the payload in `frame`. Transform ids are returned, not
 * applied.
 */
export function decodeTHeader(frame: Uint8Array): { info: TTHeaderInfo; payloadOffset: number } {
  if (frame.length < 14) throw new KitewireError(ErrorCode.TRUNCATED, "THeader: shorter than its fixed part", { offset: frame.length });
  if (u16(frame, 4) !== THEADER_MAGIC) malformed("bad magic", 4);
  const flags = u16(frame, 6);
  const seqid = (frame[8]! << 24) | (frame[9]! << 16) | (frame[10]! << 8) | frame[11]!;
  const end = 14 + u16(frame, 12) * 4;
  if (end > frame.length) throw new KitewireError(ErrorCode.LENGTH_LIMIT, `THeader: header size ${end - 14} exceeds the frame`, { offset: 12 });
  const r = new VarintReader(frame, 14, end);
  const protocol = r.varint();
  const count = r.varint();
  if (count > end - r.p) malformed(`${count} transforms announced in a ${end - 14}-byte header`, r.p);
  const transforms: number[] = [];
  for (let i = 0; i < count; i++) transforms.push(r.varint());
  let strInfo: Map<string, string> | undefined;
  while (r.p < end && r.varint() === INFO_KEY_VALUE) {
    strInfo ??= new Map();
    for (let n = r.varint(); n > 0; n--) strInfo.set(r.string(), r.string());
  }
  const info: TTHeaderInfo = { flags, seqid, protocol, transforms, intInfo: NO_INT_INFO, strInfo: strInfo ?? NO_STR_INFO };
  return { info, payloadOffset: end };
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function malformed(message: string, at: number): never {
  throw new KitewireError(ErrorCode.MALFORMED_FRAME, `THeader: ${message}`, { offset: at });
}

/** Reads varints and varint-prefixed strings of a header, refusing to run past its end. */
class VarintReader {
  constructor(readonly frame: Uint8Array, public p: number, readonly end: number) {}

  varint(): number {
    let v = 0;
    for (let shift = 0; shift < 35; shift += 7) {
      if (this.p >= this.end) throw new KitewireError(ErrorCode.TRUNCATED, "THeader: varint runs past the header", { offset: this.p });
      const b = this.frame[this.p++]!;
      v += (b & 0x7f) * 2 ** shift;
      if (b < 0x80) {
        if (v > 0xffffffff) break;
        return v;
      }
    }
    throw new KitewireError(ErrorCode.MALFORMED_VARINT, "THeader: varint longer than 32 bits", { offset: this.p - 1 });
  }

  string(): string {
    const len = this.varint();
    const at = this.p;
    if (len > this.end - at) throw new KitewireError(ErrorCode.TRUNCATED, "THeader: info string runs past the header", { offset: at });
    this.p = at + len;
    const frame = this.frame;
    if (len <= SHORT_DECODE) {
      let s = "";
      let i = at;
      for (; i < this.p && frame[i]! < 0x80; i++) s += String.fromCharCode(frame[i]!);
      if (i === this.p) return s;
    }
    try {
      return decoder.decode(frame.subarray(at, this.p));
    } catch {
      throw new KitewireError(ErrorCode.INVALID_UTF8, "THeader: invalid UTF-8 in an info string", { offset: at });
    }
  }
}
