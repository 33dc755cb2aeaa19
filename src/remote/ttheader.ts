/**
 * TTHeader (CloudWeGo's transport header, specified in the Kitex documentation's
 * "Transport Protocol TTHeader" reference and implemented by cloudwego/gopkg
 * `protocol/ttheader`): a length-prefixed frame whose header carries a protocol id,
 * transforms and key/value info blocks, followed by the payload (an unframed or framed
 * message).
 *
 *   u32 LENGTH | u16 0x1000 | u16 FLAGS | u32 SEQID | u16 HEADER SIZE/4 |
 *   u8 PROTOCOL | u8 NUM TRANSFORMS | transforms... | info blocks... | zero padding | payload
 */
import type { ByteWriter } from "../codec/byte-writer.js";
import { encodeUtf8, SHORT_DECODE } from "../codec/utf8.js";
import { ErrorCode, KitewireError } from "../errors.js";

export const TTHEADER_MAGIC = 0x1000;

/** TTHeader FLAGS bits. */
export const TTHeaderFlag = { OUT_OF_ORDER: 0x01, STREAMING: 0x02, DUPLEX_REVERSE: 0x08, SASL: 0x10 } as const;

/**
 * PROTOCOL ID values. Kitex defines 0x04 for Kitex Protobuf but sends 0x00 with it (older
 * Kitex servers refuse 0x04), telling protobuf from Thrift by the payload's magic.
 */
export const TTHeaderProtocol = { BINARY: 0x00, COMPACT: 0x02, PROTOBUF: 0x04 } as const;

const INFO_PADDING = 0x00;
const INFO_KEY_VALUE = 0x01;
const INFO_INT_KEY_VALUE = 0x10;
const INFO_ACL_TOKEN = 0x11;
const MAX_HEADER_SIZE = 4 * 0xffff;

/** Int keys of the int info block that kitewire reads or writes (gopkg `protocol/ttheader/metakey.go` lists all). */
export const IntKey = {
  TRANSPORT_TYPE: 1, LOG_ID: 2, FROM_SERVICE: 3, FROM_CLUSTER: 4, FROM_IDC: 5, TO_SERVICE: 6, TO_CLUSTER: 7,
  TO_IDC: 8, TO_METHOD: 9, ENV: 10, DEST_ADDRESS: 11, RPC_TIMEOUT: 12, READ_TIMEOUT: 13, RING_HASH_KEY: 14,
  DDP_TAG: 15, WITH_MESH_HEADER: 16, CONNECT_TIMEOUT: 17, SPAN_CONTEXT: 18, SHORT_CONNECTION: 19,
  FROM_METHOD: 20, STRESS_TAG: 21, MSG_TYPE: 22,
} as const;

/** String keys of the string info block that kitewire reads or writes itself. */
export const StrKey = {
  /** The IDL service name (Kitex clients send it). */
  IDL_SERVICE: "isn",
  /** Sent by a server shutting down gracefully: stop reusing this connection. */
  CONNECTION_RESET: "crrst",
} as const;

/** What a TTHeader says about its payload. */
export interface TTHeaderInfo {
  flags: number;
  seqid: number;
  protocol: number;
  /** Transform ids (none are implemented: a frame that has any is refused on decode). */
  transforms: readonly number[];
  /** Empty ones are shared: read-only. */
  intInfo: ReadonlyMap<number, string>;
  strInfo: ReadonlyMap<string, string>;
  /** ACL token, if one was sent. */
  token?: string;
}

const decoder = new TextDecoder("utf-8", { fatal: true });
const NO_TRANSFORMS: readonly number[] = Object.freeze([]);
/** The info of headers without that block (most replies carry none): shared, read-only. */
export const NO_INT_INFO: ReadonlyMap<number, string> = new Map();
export const NO_STR_INFO: ReadonlyMap<string, string> = new Map();

/** What a frame's TTHeader says beyond its seqid and protocol (which come from the call). */
export interface TTHeaderFields {
  flags: number;
  intInfo: ReadonlyMap<number, string>;
  strInfo: ReadonlyMap<string, string>;
  token?: string;
}

/**
 * Writes a TTHeader, from the magic to the padding (what follows the frame's LENGTH word
 * and precedes the payload), at `w`'s position: strings are encoded straight into the
 * writer's arena and the header size is filled in at the end.
 */
export function writeTTHeader(w: ByteWriter, seqid: number, protocol: number, fields: TTHeaderFields): void {
  const at = w.length;
  w.ensure(12);
  const dv = w.engine.dv;
  const base = w.pos;
  dv.setUint16(base, TTHEADER_MAGIC);
  dv.setUint16(base + 2, fields.flags);
  dv.setInt32(base + 4, seqid);
  dv.setUint16(base + 8, 0); // header size, filled in below
  w.engine.u8[base + 10] = protocol;
  w.engine.u8[base + 11] = 0; // no transforms
  w.pos = base + 12;
  if (fields.intInfo.size > 0) {
    writeU8U16(w, INFO_INT_KEY_VALUE, fields.intInfo.size);
    for (const [key, value] of fields.intInfo) {
      writeU16(w, key);
      writeString(w, value, `value of int key ${key}`);
    }
  }
  if (fields.strInfo.size > 0) {
    writeU8U16(w, INFO_KEY_VALUE, fields.strInfo.size);
    for (const [key, value] of fields.strInfo) {
      writeString(w, key, "key");
      writeString(w, value, `value of ${key}`);
    }
  }
  if (fields.token !== undefined) {
    w.writeU8(INFO_ACL_TOKEN);
    writeString(w, fields.token, "ACL token");
  }
  let size = w.length - at - 10;
  while (size % 4 !== 0) {
    w.writeU8(INFO_PADDING);
    size++;
  }
  if (size > MAX_HEADER_SIZE) throw new KitewireError(ErrorCode.INVALID_VALUE, "TTHeader header larger than 262140 bytes");
  w.engine.dv.setUint16(w.start + at + 8, size / 4);
}

function writeU16(w: ByteWriter, v: number): void {
  w.ensure(2);
  w.engine.dv.setUint16(w.pos, v);
  w.pos += 2;
}

function writeU8U16(w: ByteWriter, a: number, b: number): void {
  w.writeU8(a);
  writeU16(w, b);
}

/** A u16 length and UTF-8 bytes. */
function writeString(w: ByteWriter, s: string, what: string): void {
  w.ensure(2 + s.length * 3);
  const start = w.pos;
  const n = encodeUtf8(s, w.engine.u8, start + 2);
  if (n > 0xffff) throw new KitewireError(ErrorCode.INVALID_VALUE, `TTHeader ${what} longer than 65535 bytes`);
  w.engine.dv.setUint16(start, n);
  w.pos = start + 2 + n;
}

/**
 * Decodes the TTHeader at the start of `frame` (which begins with the LENGTH word and holds
 * the whole frame). Returns the header and the offset of the payload in `frame`.
 */
export function decodeTTHeader(frame: Uint8Array): { info: TTHeaderInfo; payloadOffset: number } {
  if (frame.length < 14) throw new KitewireError(ErrorCode.TRUNCATED, "TTHeader: shorter than its fixed part", { offset: frame.length });
  if (u16(frame, 4) !== TTHEADER_MAGIC) malformed("bad magic", 4);
  const flags = u16(frame, 6);
  const seqid = (frame[8]! << 24) | (frame[9]! << 16) | (frame[10]! << 8) | frame[11]!;
  const headerSize = u16(frame, 12) * 4;
  const end = 14 + headerSize;
  if (headerSize < 2) malformed(`header size ${headerSize} is below the minimum 2`, 12);
  if (end > frame.length) throw new KitewireError(ErrorCode.LENGTH_LIMIT, `TTHeader: header size ${headerSize} exceeds the frame`, { offset: 12 });
  const r = new InfoReader(frame, 14, end);
  const protocol = frame[r.p++]!;
  if (protocol !== TTHeaderProtocol.BINARY && protocol !== TTHeaderProtocol.COMPACT && protocol !== TTHeaderProtocol.PROTOBUF) {
    // The payload's own magic says which protocol it is (Kitex sends 0 for Protobuf too), but
    // an id no peer writes is a frame that is not TTHeader, whatever its payload looks like.
    malformed(`protocol id 0x${protocol.toString(16)} is not one of binary 0, compact 2, protobuf 4`, 14);
  }
  const count = frame[r.p++]!;
  r.need(count);
  const transforms = count === 0 ? NO_TRANSFORMS : Array.from(frame.subarray(r.p, r.p + count));
  r.p += count;
  let intInfo: Map<number, string> | undefined;
  let strInfo: Map<string, string> | undefined;
  let token: string | undefined;
  while (r.p < end) {
    const id = frame[r.p++]!;
    if (id === INFO_PADDING) continue;
    if (id === INFO_KEY_VALUE) {
      strInfo ??= new Map();
      for (let n = r.u16(); n > 0; n--) strInfo.set(r.string(), r.string());
    } else if (id === INFO_INT_KEY_VALUE) {
      intInfo ??= new Map();
      for (let n = r.u16(); n > 0; n--) intInfo.set(r.u16(), r.string());
    } else if (id === INFO_ACL_TOKEN) {
      token = r.string();
    } else {
      malformed(`unknown info block id 0x${id.toString(16)}`, r.p - 1);
    }
  }
  const info: TTHeaderInfo = { flags, seqid, protocol, transforms, intInfo: intInfo ?? NO_INT_INFO, strInfo: strInfo ?? NO_STR_INFO };
  if (token !== undefined) info.token = token;
  return { info, payloadOffset: end };
}

function u16(b: Uint8Array, at: number): number {
  return (b[at]! << 8) | b[at + 1]!;
}

function malformed(message: string, at: number): never {
  throw new KitewireError(ErrorCode.MALFORMED_FRAME, `TTHeader: ${message}`, { offset: at });
}

/** Reads the info blocks of a header, refusing to run past its end. */
class InfoReader {
  constructor(readonly frame: Uint8Array, public p: number, readonly end: number) {}

  need(n: number): void {
    if (this.p + n > this.end) throw new KitewireError(ErrorCode.TRUNCATED, "TTHeader: info block runs past the header", { offset: this.p });
  }

  u16(): number {
    this.need(2);
    const v = u16(this.frame, this.p);
    this.p += 2;
    return v;
  }

  /** A u16 length and UTF-8 bytes; short ASCII (the usual keys and values) without a decoder call, and most of it without a new string. */
  string(): string {
    const len = this.u16();
    this.need(len);
    const frame = this.frame;
    const at = this.p;
    const end = at + len;
    this.p = end;
    if (len <= SHORT_DECODE) {
      const s = shortAscii(frame, at, end);
      if (s !== undefined) return s;
    }
    try {
      return decoder.decode(frame.subarray(at, end));
    } catch {
      throw new KitewireError(ErrorCode.INVALID_UTF8, "TTHeader: invalid UTF-8 in an info string", { offset: at });
    }
  }
}

/**
 * Short ASCII strings of headers read before, by a hash of their bytes: the keys and most
 * values of a connection's headers are the same call after call (service and method names,
 * metainfo keys), and a string found here is neither built again (a string per character)
 * nor hashed again by the Maps that hold it.
 */
const seen: (string | undefined)[] = new Array(256).fill(undefined);

/** `frame[at, end)` as a string if it is ASCII (undefined if not). */
function shortAscii(frame: Uint8Array, at: number, end: number): string | undefined {
  let h = 0;
  for (let i = at; i < end; i++) {
    const c = frame[i]!;
    if (c >= 0x80) return undefined;
    h = (Math.imul(h, 31) + c) | 0;
  }
  const slot = (h ^ (h >>> 8)) & 0xff;
  const known = seen[slot];
  const len = end - at;
  if (known !== undefined && known.length === len) {
    let i = 0;
    while (i < len && known.charCodeAt(i) === frame[at + i]) i++;
    if (i === len) return known;
  }
  let s = "";
  for (let i = at; i < end; i++) s += String.fromCharCode(frame[i]!);
  seen[slot] = s;
  return s;
}
