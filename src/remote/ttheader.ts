/**
 * TTHeader (CloudWeGo's transport header, wire-formats.md): a length-prefixed frame whose
 * header carries a protocol id, transforms and key/value info blocks, followed by the
 * payload (an unframed or framed message).
 *
 *   u32 LENGTH | u16 0x1000 | u16 FLAGS | u32 SEQID | u16 HEADER SIZE/4 |
 *   u8 PROTOCOL | u8 NUM TRANSFORMS | transforms... | info blocks... | zero padding | payload
 */
import { ErrorCode, KitewireError } from "../errors.js";

export const TTHEADER_MAGIC = 0x1000;

/** TTHeader FLAGS bits. */
export const TTHeaderFlag = { OUT_OF_ORDER: 0x01, STREAMING: 0x02, DUPLEX_REVERSE: 0x08, SASL: 0x10 } as const;

/** PROTOCOL ID values. */
export const TTHeaderProtocol = { BINARY: 0x00, COMPACT: 0x02, PROTOBUF: 0x04 } as const;

const INFO_PADDING = 0x00;
const INFO_KEY_VALUE = 0x01;
const INFO_INT_KEY_VALUE = 0x10;
const INFO_ACL_TOKEN = 0x11;
const MAX_HEADER_SIZE = 4 * 0xffff;

/** Int keys of the int info block that kitewire reads or writes (wire-formats.md has all). */
export const IntKey = {
  TRANSPORT_TYPE: 1, LOG_ID: 2, FROM_SERVICE: 3, FROM_CLUSTER: 4, FROM_IDC: 5, TO_SERVICE: 6, TO_CLUSTER: 7,
  TO_IDC: 8, TO_METHOD: 9, ENV: 10, DEST_ADDRESS: 11, RPC_TIMEOUT: 12, READ_TIMEOUT: 13, RING_HASH_KEY: 14,
  DDP_TAG: 15, WITH_MESH_HEADER: 16, CONNECT_TIMEOUT: 17, SPAN_CONTEXT: 18, SHORT_CONNECTION: 19,
  FROM_METHOD: 20, STRESS_TAG: 21, MSG_TYPE: 22,
} as const;

/** What a TTHeader says about its payload. */
export interface TTHeaderInfo {
  flags: number;
  seqid: number;
  protocol: number;
  /** Transform ids (none are implemented: a frame that has any is refused on decode). */
  transforms: number[];
  intInfo: Map<number, string>;
  strInfo: Map<string, string>;
  /** ACL token, if one was sent. */
  token?: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true });

function utf8(s: string, what: string): Uint8Array {
  const bytes = encoder.encode(s);
  if (bytes.length > 0xffff) throw new KitewireError(ErrorCode.INVALID_VALUE, `TTHeader ${what} longer than 65535 bytes`);
  return bytes;
}

/**
 * The header bytes from offset 4 (magic) up to the payload, padded to a multiple of 4:
 * what goes between the LENGTH word and the payload.
 */
export function encodeTTHeader(info: Omit<TTHeaderInfo, "transforms"> & { transforms?: number[] }): Uint8Array {
  const parts: number[] = [info.protocol & 0xff];
  const transforms = info.transforms ?? [];
  parts.push(transforms.length, ...transforms);
  const u16 = (v: number) => parts.push((v >>> 8) & 0xff, v & 0xff);
  const bytes = (b: Uint8Array) => {
    u16(b.length);
    for (const x of b) parts.push(x);
  };
  if (info.intInfo.size > 0) {
    parts.push(INFO_INT_KEY_VALUE);
    u16(info.intInfo.size);
    for (const [key, value] of info.intInfo) {
      u16(key);
      bytes(utf8(value, `value of int key ${key}`));
    }
  }
  if (info.strInfo.size > 0) {
    parts.push(INFO_KEY_VALUE);
    u16(info.strInfo.size);
    for (const [key, value] of info.strInfo) {
      bytes(utf8(key, "key"));
      bytes(utf8(value, `value of ${key}`));
    }
  }
  if (info.token !== undefined) {
    parts.push(INFO_ACL_TOKEN);
    bytes(utf8(info.token, "ACL token"));
  }
  while (parts.length % 4 !== 0) parts.push(INFO_PADDING);
  if (parts.length > MAX_HEADER_SIZE) throw new KitewireError(ErrorCode.INVALID_VALUE, "TTHeader header larger than 262140 bytes");
  const out = new Uint8Array(10 + parts.length);
  const dv = new DataView(out.buffer);
  dv.setUint16(0, TTHEADER_MAGIC);
  dv.setUint16(2, info.flags);
  dv.setInt32(4, info.seqid);
  dv.setUint16(8, parts.length / 4);
  out.set(parts, 10);
  return out;
}

/**
 * Decodes the TTHeader at the start of `frame` (which begins with the LENGTH word and holds
 * the whole frame). Returns the header and the offset of the payload in `frame`.
 */
export function decodeTTHeader(frame: Uint8Array): { info: TTHeaderInfo; payloadOffset: number } {
  const dv = new DataView(frame.buffer, frame.byteOffset, frame.byteLength);
  const fail = (message: string, at: number): never => {
    throw new KitewireError(ErrorCode.MALFORMED_FRAME, `TTHeader: ${message}`, { offset: at });
  };
  if (frame.length < 14) throw new KitewireError(ErrorCode.TRUNCATED, "TTHeader: shorter than its fixed part", { offset: frame.length });
  if (dv.getUint16(4) !== TTHEADER_MAGIC) fail("bad magic", 4);
  const flags = dv.getUint16(6);
  const seqid = dv.getInt32(8);
  const headerSize = dv.getUint16(12) * 4;
  const end = 14 + headerSize;
  if (headerSize < 2) fail(`header size ${headerSize} is below the minimum 2`, 12);
  if (end > frame.length) throw new KitewireError(ErrorCode.LENGTH_LIMIT, `TTHeader: header size ${headerSize} exceeds the frame`, { offset: 12 });
  let p = 14;
  const need = (n: number) => {
    if (p + n > end) throw new KitewireError(ErrorCode.TRUNCATED, "TTHeader: info block runs past the header", { offset: p });
  };
  const readString = (): string => {
    need(2);
    const len = dv.getUint16(p);
    p += 2;
    need(len);
    const at = p;
    p += len;
    try {
      return decoder.decode(frame.subarray(at, at + len));
    } catch {
      throw new KitewireError(ErrorCode.INVALID_UTF8, "TTHeader: invalid UTF-8 in an info string", { offset: at });
    }
  };
  const protocol = frame[p++]!;
  const count = frame[p++]!;
  need(count);
  const transforms = Array.from(frame.subarray(p, p + count));
  p += count;
  const info: TTHeaderInfo = { flags, seqid, protocol, transforms, intInfo: new Map(), strInfo: new Map() };
  while (p < end) {
    const id = frame[p++]!;
    if (id === INFO_PADDING) continue;
    if (id === INFO_KEY_VALUE) {
      need(2);
      const n = dv.getUint16(p);
      p += 2;
      for (let i = 0; i < n; i++) info.strInfo.set(readString(), readString());
    } else if (id === INFO_INT_KEY_VALUE) {
      need(2);
      const n = dv.getUint16(p);
      p += 2;
      for (let i = 0; i < n; i++) {
        need(2);
        const key = dv.getUint16(p);
        p += 2;
        info.intInfo.set(key, readString());
      }
    } else if (id === INFO_ACL_TOKEN) {
      info.token = readString();
    } else {
      fail(`unknown info block id 0x${id.toString(16)}`, p - 1);
    }
  }
  return { info, payloadOffset: end };
}
